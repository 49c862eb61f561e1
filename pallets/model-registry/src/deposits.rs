//! Deposits: what a model and each of its versions hold from the owner, sized from the
//! records they store, so that the chain's storage is paid for and refunded on retirement.

use crate::{pallet::*, *};
use codec::{Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// `DepositBase + DepositPerByte × bytes`.
	pub fn deposit_for(bytes: usize) -> BalanceOf<T> {
		let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
		T::DepositBase::get().saturating_add(T::DepositPerByte::get().saturating_mul(bytes.into()))
	}

	/// Deposit for a model record and its usage record. The record is sized as if an
	/// ownership offer were pending, so offers never move the deposit.
	pub fn model_deposit(model: &ModelInfo<T>) -> BalanceOf<T> {
		let mut sized = model.clone();
		sized.pending_owner = Some(sized.owner.clone());
		sized.deposit = Zero::zero();
		Self::deposit_for(sized.encoded_size().saturating_add(UsageStats::max_encoded_len()))
	}

	/// Deposit for a version record and its digest-index entry. The status is sized at its
	/// longest (a rejection with the longest reason) and the lineage at its longest
	/// (`MaxDatasets`), so curation, lineage amendments included, never moves the deposit.
	pub fn version_deposit(artifacts: &Artifacts<T>) -> BalanceOf<T> {
		let bytes = artifacts.encoded_size() +
			DatasetsOf::<T>::max_encoded_len() +
			CurationStatus::<T>::max_encoded_len() +
			BlockNumberFor::<T>::max_encoded_len() +
			BalanceOf::<T>::max_encoded_len() +
			sp_core::H256::max_encoded_len() +
			DigestRecord::<T>::max_encoded_len();
		Self::deposit_for(bytes)
	}

	/// The total deposit of a model: its record plus every version. Returns the versions
	/// counted too (the weight driver).
	pub fn total_deposit(model_id: ModelId, model: &ModelInfo<T>) -> (BalanceOf<T>, u32) {
		let mut total = model.deposit;
		let mut versions = 0;
		for version in 1..=model.latest_version {
			if let Some(record) = Versions::<T>::get(model_id, version) {
				total = total.saturating_add(record.deposit);
				versions += 1;
			}
		}
		(total, versions)
	}

	/// How much `who` holds as model deposits.
	pub fn held_deposits(who: &T::AccountId) -> BalanceOf<T> {
		use frame_support::traits::fungible::InspectHold;
		T::Currency::balance_on_hold(&HoldReason::ModelDeposit.into(), who)
	}

	/// Holds `amount` of `who`'s balance as a model deposit.
	pub(crate) fn hold_deposit(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		T::Currency::hold(&HoldReason::ModelDeposit.into(), who, amount)
	}

	/// Releases `amount` of `who`'s model deposit.
	pub(crate) fn release_deposit(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		T::Currency::release(&HoldReason::ModelDeposit.into(), who, amount, Precision::Exact)
			.map(|_| ())
	}
}
