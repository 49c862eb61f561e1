//! Storage migrations.
//!
//! **v0 → v1** ([`v1::MigrateToV1`]): the contribution indices ([`DatasetContributions`],
//! [`ContributorContributions`]) are keyed by [`OrderedId`] (`Identity`-hashed big-endian
//! ids) instead of `Twox64Concat` ids, so views read them a page at a time in id order;
//! rejected and expired contributions are pruned `ContributionRetention` blocks after their
//! review deadline ([`PruneSchedule`]). Every index entry is rewritten; decided
//! contributions already past their retention are removed, the others scheduled.

use crate::{pallet::*, *};

/// The v0 → v1 migration.
pub mod v1 {
	use super::*;
	use alloc::vec::Vec;
	#[cfg(feature = "try-runtime")]
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, storage_alias,
		traits::UncheckedOnRuntimeUpgrade,
	};
	use sp_runtime::traits::{One, Saturating};

	/// [`DatasetContributions`] as stored in v0.
	#[storage_alias]
	pub type OldDatasetContributions<T: Config> =
		StorageDoubleMap<Pallet<T>, Twox64Concat, DatasetId, Twox64Concat, ContributionId, (), OptionQuery>;

	/// [`ContributorContributions`] as stored in v0.
	#[storage_alias]
	pub type OldContributorContributions<T: Config> = StorageDoubleMap<
		Pallet<T>,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		Twox64Concat,
		ContributionId,
		(),
		OptionQuery,
	>;

	/// Rekeys the indices and schedules (or performs) the pruning of decided contributions.
	pub struct UncheckedMigrateToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			// Each layout shares its map's prefix: take every old entry before writing.
			let by_dataset: Vec<(DatasetId, ContributionId)> =
				OldDatasetContributions::<T>::drain().map(|(dataset, id, ())| (dataset, id)).collect();
			let by_contributor: Vec<(T::AccountId, ContributionId)> =
				OldContributorContributions::<T>::drain().map(|(who, id, ())| (who, id)).collect();
			let rekeyed = (by_dataset.len() + by_contributor.len()) as u64;
			for (dataset, id) in by_dataset {
				DatasetContributions::<T>::insert(dataset, OrderedId::from(id), ());
			}
			for (who, id) in by_contributor {
				ContributorContributions::<T>::insert(who, OrderedId::from(id), ());
			}

			let now = frame_system::Pallet::<T>::block_number();
			let mut decided = 0u64;
			let contributions: Vec<_> = Contributions::<T>::iter().collect();
			let read = contributions.len() as u64;
			for (id, contribution) in contributions {
				let closed = matches!(
					contribution.status,
					ContributionStatus::Rejected { .. } | ContributionStatus::Expired
				);
				let deadline = contribution.review_until.saturating_add(One::one());
				if !closed || deadline > now {
					// Still waiting for its deadline, which schedules it.
					continue;
				}
				decided += 1;
				let at = deadline.saturating_add(T::ContributionRetention::get());
				if at <= now {
					Contributions::<T>::remove(id);
					DatasetContributions::<T>::remove(contribution.dataset, OrderedId::from(id));
					ContributorContributions::<T>::remove(&contribution.contributor, OrderedId::from(id));
				} else {
					// A deadline holds at most `MaxReviewsPerBlock` contributions: they fit.
					let _ = PruneSchedule::<T>::try_append(at, id);
				}
			}
			T::DbWeight::get().reads_writes(rekeyed + read, 2 * rekeyed + 3 * decided)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Contributions::<T>::iter_keys().count() as u64).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u64::decode(&mut &state[..]).map_err(|_| "pre-upgrade state")?;
			ensure!(Contributions::<T>::iter_keys().count() as u64 <= before, "contributions appeared");
			Pallet::<T>::do_try_state()
		}
	}

	/// [`UncheckedMigrateToV1`], run only at storage version 0, which it moves to 1.
	pub type MigrateToV1<T> = VersionedMigration<
		0,
		1,
		UncheckedMigrateToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
