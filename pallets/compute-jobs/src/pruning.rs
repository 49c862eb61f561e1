//! Removing closed jobs once their retention has passed.
//!
//! Job ids are sequential and every job closes by its deadline, so jobs close in roughly
//! id order. `PruneCursor` walks ids upwards and stops at the first job that is open or was
//! closed less than `ClosedJobRetention` blocks ago: a closed job can outlive its retention
//! by at most `MaxDeadline` blocks, waiting behind an older open one. Each step is a
//! benchmarked constant, and `on_idle` takes only as many steps as the leftover weight pays.

use crate::{pallet::*, *};
use frame_support::{traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// Whether `job` may be pruned at `now`.
	fn prunable(job: &JobInfo<T>, now: BlockNumberFor<T>) -> bool {
		match job.state {
			JobState::Closed { at, .. } => at.saturating_add(T::ClosedJobRetention::get()) <= now,
			_ => false,
		}
	}

	/// Removes job `job_id` if it may be pruned at `now` (or is already gone); returns whether
	/// the cursor may move past it.
	pub(crate) fn prune_job(job_id: JobId, now: BlockNumberFor<T>) -> bool {
		let Some(job) = Jobs::<T>::get(job_id) else { return true };
		if !Self::prunable(&job, now) {
			return false;
		}
		Jobs::<T>::remove(job_id);
		Results::<T>::remove(job_id);
		RequesterJobs::<T>::remove(&job.requester, OrderedId::from(job_id));
		true
	}

	/// Prunes from the cursor on while `remaining` pays for it; returns the weight used.
	pub(crate) fn prune_closed_jobs(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
		let overhead = T::DbWeight::get().reads_writes(2, 1);
		let step = T::WeightInfo::prune_job();
		if remaining.any_lt(overhead.saturating_add(step)) {
			return Weight::zero();
		}
		let mut used = overhead;
		let mut cursor = PruneCursor::<T>::get();
		let next = NextJobId::<T>::get();
		while cursor < next && used.saturating_add(step).all_lte(remaining) {
			used.saturating_accrue(step);
			if !Self::prune_job(cursor, now) {
				break;
			}
			cursor += 1;
		}
		PruneCursor::<T>::put(cursor);
		used
	}
}
