//! Handing a model to another owner in two steps: the owner offers it, the new owner
//! accepts and takes over the whole deposit.

use crate::{pallet::*, *};
use frame_support::{ensure, pallet_prelude::*};
use sp_runtime::DispatchResult;

impl<T: Config> Pallet<T> {
	/// Offers `who`'s model to `to`, or withdraws the offer (`None`).
	pub(crate) fn do_offer_ownership(
		who: T::AccountId,
		model_id: ModelId,
		to: Option<T::AccountId>,
	) -> DispatchResult {
		let mut model = Self::owned_model(&who, model_id)?;
		match to {
			Some(to) => {
				ensure!(to != who, Error::<T>::AlreadyOwner);
				model.pending_owner = Some(to.clone());
				Self::deposit_event(Event::OwnershipOffered { model_id, owner: who, to });
			},
			None => {
				ensure!(model.pending_owner.take().is_some(), Error::<T>::NoOwnershipOffer);
				Self::deposit_event(Event::OwnershipOfferWithdrawn { model_id });
			},
		}
		Models::<T>::insert(model_id, model);
		Ok(())
	}

	/// Moves ownership and the whole deposit to the accepting account. Returns the number
	/// of versions whose deposits moved.
	pub(crate) fn do_accept_ownership(who: T::AccountId, model_id: ModelId) -> Result<u32, DispatchError> {
		let mut model = Models::<T>::get(model_id).ok_or(Error::<T>::UnknownModel)?;
		ensure!(model.pending_owner.as_ref() == Some(&who), Error::<T>::NotPendingOwner);
		let (deposit, versions) = Self::total_deposit(model_id, &model);
		Self::hold_deposit(&who, deposit)?;
		Self::release_deposit(&model.owner, deposit)?;
		let from = core::mem::replace(&mut model.owner, who.clone());
		model.pending_owner = None;
		Models::<T>::insert(model_id, model);
		Self::deposit_event(Event::OwnershipTransferred { model_id, from, to: who });
		Ok(versions)
	}
}
