//! Creating datasets, funding their pots and changing their review policy.

use crate::{pallet::*, *};
use frame_support::{
	ensure,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		Get,
	},
};
use sp_runtime::{
	traits::{AccountIdConversion, Saturating, Zero},
	DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// The keyless account holding `dataset`'s pot and what it owes.
	pub fn dataset_account(dataset: DatasetId) -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(dataset)
	}

	/// Checks curators are present and distinct and the quorum is `1..=curators`.
	pub(crate) fn ensure_valid_policy(policy: &ReviewPolicy<T>) -> DispatchResult {
		ensure!(!policy.curators.is_empty(), Error::<T>::NoCurators);
		for (index, curator) in policy.curators.iter().enumerate() {
			ensure!(!policy.curators[..index].contains(curator), Error::<T>::DuplicateCurator);
		}
		ensure!(
			policy.quorum >= 1 && policy.quorum as usize <= policy.curators.len(),
			Error::<T>::InvalidQuorum
		);
		Ok(())
	}

	pub(crate) fn do_create_dataset(
		sponsor: T::AccountId,
		spec: DatasetSpec<T>,
		policy: ReviewPolicy<T>,
		budget: BalanceOf<T>,
	) -> DispatchResult {
		Self::ensure_valid_policy(&policy)?;
		let dataset = NextDatasetId::<T>::get();
		let next = dataset.checked_add(1).ok_or(Error::<T>::DatasetIdsExhausted)?;
		let account = Self::dataset_account(dataset);
		T::Currency::transfer(
			&sponsor,
			&account,
			T::DatasetDeposit::get().saturating_add(budget),
			Preservation::Preserve,
		)?;
		let info = DatasetInfo::<T> {
			sponsor: sponsor.clone(),
			spec,
			policy,
			pot: budget,
			owed: Zero::zero(),
			lineage_income: Zero::zero(),
			era: Self::current_era(),
			era_points: 0,
			accepted: 0,
			pending: 0,
			created_at: frame_system::Pallet::<T>::block_number(),
		};
		Datasets::<T>::insert(dataset, info);
		NextDatasetId::<T>::put(next);
		Self::deposit_event(Event::DatasetCreated { dataset, sponsor, account, budget });
		Ok(())
	}

	pub(crate) fn do_top_up(who: T::AccountId, dataset: DatasetId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut info = Self::touched_dataset(dataset)?;
		T::Currency::transfer(&who, &Self::dataset_account(dataset), amount, Preservation::Preserve)?;
		info.pot = info.pot.saturating_add(amount);
		Datasets::<T>::insert(dataset, info);
		Self::deposit_event(Event::PotFunded { dataset, amount, source: PotSource::TopUp });
		Ok(())
	}

	/// Replaces `dataset`'s policy for `caller`, who must be its sponsor (the treasury's
	/// account stands for `TreasuryOrigin`).
	pub(crate) fn do_update_policy(
		caller: T::AccountId,
		dataset: DatasetId,
		policy: ReviewPolicy<T>,
	) -> DispatchResult {
		let mut info = Datasets::<T>::get(dataset).ok_or(Error::<T>::UnknownDataset)?;
		ensure!(caller == info.sponsor, Error::<T>::NotSponsor);
		Self::ensure_valid_policy(&policy)?;
		Self::deposit_event(Event::PolicyUpdated {
			dataset,
			curators: policy.curators.len() as u32,
			quorum: policy.quorum,
			reward_per_era: policy.reward_per_era,
		});
		info.policy = policy;
		Datasets::<T>::insert(dataset, info);
		Ok(())
	}

	/// What is in `dataset`'s account beyond its deposit, pot and debts: funds sent to it
	/// directly, not yet counted in the pot.
	pub(crate) fn unaccounted(dataset: DatasetId, info: &DatasetInfo<T>) -> BalanceOf<T> {
		T::Currency::balance(&Self::dataset_account(dataset))
			.saturating_sub(T::DatasetDeposit::get())
			.saturating_sub(info.pot)
			.saturating_sub(info.owed)
	}
}
