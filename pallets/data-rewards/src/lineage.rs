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
}

impl<T: Config> DatasetRegistry for Pallet<T> {
	fn dataset_exists(dataset: DatasetId) -> bool {
		Datasets::<T>::contains_key(dataset)
	}
}
