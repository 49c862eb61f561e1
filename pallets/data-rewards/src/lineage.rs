//! The pallet as the other pallets see it: the compute-jobs pallet pays the data-lineage
//! share of inference fees into datasets' accounts, and the model registry checks that the
//! datasets a model claims exist.

use crate::{pallet::*, *};
use sp_runtime::traits::Saturating;

impl<T: Config> LineageRewards<T::AccountId, BalanceOf<T>> for Pallet<T> {
	/// Every existing dataset takes its share, into its own account.
	fn lineage_account(dataset: DatasetId) -> Option<T::AccountId> {
		Datasets::<T>::contains_key(dataset).then(|| Self::dataset_account(dataset))
	}

	/// Counts the payment, already in the dataset's account, into its pot.
	fn note_lineage_income(dataset: DatasetId, amount: BalanceOf<T>) {
		let Some(mut info) = Datasets::<T>::get(dataset) else {
			frame_support::defensive!("lineage income for an unknown dataset");
			return;
		};
		info.pot = info.pot.saturating_add(amount);
		info.lineage_income = info.lineage_income.saturating_add(amount);
		Self::roll_era(dataset, &mut info);
		Datasets::<T>::insert(dataset, info);
		Self::deposit_event(Event::LineageReceived { dataset, amount });
	}

	/// A new dataset of a funded sponsor, curated by the sponsor alone.
	#[cfg(feature = "runtime-benchmarks")]
	fn lineage_recipient(seed: u32) -> DatasetId {
		Self::benchmark_dataset(seed)
	}
}

impl<T: Config> Pallet<T> {
	/// Benchmarks only: a new dataset of a funded sponsor (derived from `seed`), curated by
	/// the sponsor alone.
	#[cfg(feature = "runtime-benchmarks")]
	pub fn benchmark_dataset(seed: u32) -> DatasetId {
		use frame_support::traits::{
			fungible::{Inspect, Mutate},
			Get,
		};
		let sponsor: T::AccountId = frame_benchmarking::account("lineage sponsor", seed, 0);
		let funds = T::Currency::minimum_balance()
			.saturating_mul(1_000u32.into())
			.saturating_add(T::DatasetDeposit::get());
		T::Currency::set_balance(&sponsor, funds);
		let id = NextDatasetId::<T>::get();
		let spec = DatasetSpec::<T> {
			name: frame_support::BoundedVec::truncate_from(b"lineage".to_vec()),
			description: Default::default(),
			licence: frame_support::BoundedVec::truncate_from(b"CC0".to_vec()),
			format: Default::default(),
			rules: Default::default(),
			rules_digest: Default::default(),
		};
		let policy = ReviewPolicy::<T> {
			curators: frame_support::BoundedVec::truncate_from(alloc::vec![sponsor.clone()]),
			quorum: 1,
			reward_per_era: None,
		};
		Self::do_create_dataset(sponsor, spec, policy, Default::default())
			.expect("a funded sponsor and a valid policy; qed");
		id
	}
}

impl<T: Config> DatasetRegistry for Pallet<T> {
	fn dataset_exists(dataset: DatasetId) -> bool {
		Datasets::<T>::contains_key(dataset)
	}

	/// Creates benchmark datasets until ids `0..count` exist.
	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_datasets(count: u32) {
		while NextDatasetId::<T>::get() < count {
			Self::benchmark_dataset(NextDatasetId::<T>::get());
		}
	}
}
