//! A model's life as its owner drives it: registration with a first version, price and
//! metadata, deprecation and retirement.

use crate::{pallet::*, routing, *};
use frame_support::{ensure, pallet_prelude::*};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// The model, if `who` owns it.
	pub(crate) fn owned_model(who: &T::AccountId, model_id: ModelId) -> Result<ModelInfo<T>, Error<T>> {
		let model = Models::<T>::get(model_id).ok_or(Error::<T>::UnknownModel)?;
		ensure!(&model.owner == who, Error::<T>::NotOwner);
		Ok(model)
	}

	/// Registers a model and its first version, trained on `datasets`; holds both deposits
	/// from `owner`.
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn do_register_model(
		owner: T::AccountId,
		name: NameOf<T>,
		task: TaskKind,
		licence: LicenceOf<T>,
		price: BalanceOf<T>,
		parent: Option<ModelId>,
		datasets: DatasetsOf<T>,
		artifacts: Artifacts<T>,
	) -> DispatchResult {
		validation::check_name::<T>(&name)?;
		validation::check_licence::<T>(&licence)?;
		validation::check_artifacts::<T>(&artifacts)?;
		ensure!(
			!DigestIndex::<T>::contains_key(artifacts.weights),
			Error::<T>::DigestAlreadyRegistered
		);
		if let Some(parent) = parent {
			ensure!(Models::<T>::contains_key(parent), Error::<T>::UnknownParentModel);
		}
		Self::check_datasets(&datasets)?;
		let model_id = NextModelId::<T>::get();
		let next_id = model_id.checked_add(1).ok_or(Error::<T>::ModelIdsExhausted)?;
		let now = frame_system::Pallet::<T>::block_number();

		let mut model = ModelInfo::<T> {
			owner: owner.clone(),
			pending_owner: None,
			name,
			task,
			licence,
			price,
			parent,
			lifecycle: Lifecycle::Active,
			latest_version: 1,
			current_version: None,
			registered_at: now,
			deposit: Zero::zero(),
		};
		model.deposit = Self::model_deposit(&model);
		let version = ModelVersion::<T> {
			deposit: Self::version_deposit(&artifacts),
			artifacts,
			datasets,
			status: CurationStatus::Pending,
			published_at: now,
		};
		let deposit = model.deposit.saturating_add(version.deposit);
		Self::hold_deposit(&owner, deposit)?;

		let weights = version.artifacts.weights;
		DigestIndex::<T>::insert(
			weights,
			DigestRecord::<T> { model_id, version: 1, registered_at: now },
		);
		Versions::<T>::insert(model_id, 1, version);
		Models::<T>::insert(model_id, model);
		NextModelId::<T>::put(next_id);
		Self::deposit_event(Event::ModelRegistered { model_id, owner, task, weights, deposit });
		Ok(())
	}

	/// Sets the price of `who`'s model; jobs already submitted keep theirs.
	pub(crate) fn do_set_price(
		who: T::AccountId,
		model_id: ModelId,
		new_price: BalanceOf<T>,
	) -> DispatchResult {
		let mut model = Self::owned_model(&who, model_id)?;
		let old_price = core::mem::replace(&mut model.price, new_price);
		Models::<T>::insert(model_id, model);
		Self::deposit_event(Event::PriceChanged { model_id, old_price, new_price });
		Ok(())
	}

	/// Replaces name and licence and moves the deposit to the record's new size.
	pub(crate) fn do_set_metadata(
		who: T::AccountId,
		model_id: ModelId,
		name: NameOf<T>,
		licence: LicenceOf<T>,
	) -> DispatchResult {
		validation::check_name::<T>(&name)?;
		validation::check_licence::<T>(&licence)?;
		let mut model = Self::owned_model(&who, model_id)?;
		model.name = name;
		model.licence = licence;
		let old_deposit = model.deposit;
		let new_deposit = Self::model_deposit(&model);
		if new_deposit > old_deposit {
			Self::hold_deposit(&who, new_deposit.saturating_sub(old_deposit))?;
		} else if new_deposit < old_deposit {
			Self::release_deposit(&who, old_deposit.saturating_sub(new_deposit))?;
		}
		model.deposit = new_deposit;
		Models::<T>::insert(model_id, model);
		Self::deposit_event(Event::MetadataUpdated { model_id, deposit: new_deposit });
		Ok(())
	}

	/// Stops `who`'s model from taking new jobs and from routing; jobs already open finish.
	pub(crate) fn do_deprecate(who: T::AccountId, model_id: ModelId) -> DispatchResult {
		let mut model = Self::owned_model(&who, model_id)?;
		ensure!(model.lifecycle == Lifecycle::Active, Error::<T>::ModelDeprecated);
		model.lifecycle = Lifecycle::Deprecated;
		routing::remove_routable::<T>(model.task, model_id);
		Models::<T>::insert(model_id, model);
		Self::deposit_event(Event::ModelDeprecated { model_id });
		Ok(())
	}

	/// Removes the model with everything it stored and releases the deposit. Returns the
	/// number of versions removed.
	pub(crate) fn do_retire(who: T::AccountId, model_id: ModelId) -> Result<u32, DispatchError> {
		let model = Self::owned_model(&who, model_id)?;
		ensure!(Usage::<T>::get(model_id).open_jobs == 0, Error::<T>::ModelHasOpenJobs);
		let mut released = model.deposit;
		let mut removed = 0;
		for version in 1..=model.latest_version {
			if let Some(record) = Versions::<T>::take(model_id, version) {
				released = released.saturating_add(record.deposit);
				Self::unindex_digest(model_id, version, record.artifacts.weights);
				removed += 1;
			}
		}
		routing::remove_routable::<T>(model.task, model_id);
		Usage::<T>::remove(model_id);
		Models::<T>::remove(model_id);
		Self::release_deposit(&who, released)?;
		Self::deposit_event(Event::ModelRetired { model_id, owner: who, deposit_released: released });
		Ok(removed)
	}
}
