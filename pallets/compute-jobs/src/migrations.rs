//! Storage migrations.
//!
//! **v0 → v1** ([`v1::MigrateToV1`]): an assignment's revealed `output` became a
//! [`Verdict`] (an output or a failure report), and queued jobs are counted per requester
//! in [`QueuedPerRequester`]. Every job is rewritten (revealed outputs become
//! `Verdict::Output`) and the counts are rebuilt from the queue.
//!
//! **v1 → v2** ([`v2::MigrateToV2`]): jobs are drawn from the VRF beacon a few blocks after
//! submission. Every job that exists was drawn (or queued) at submission, so the draw
//! cursor and marks start at `NextJobId`: the first beacon fold draws nothing old.
//!
//! **v2 → v3** ([`v3::MigrateToV3`]): [`RequesterJobs`] is keyed by [`OrderedId`] (the job
//! id's big-endian bytes, `Identity`-hashed) instead of `Twox64Concat` job ids, so a
//! requester's jobs are read a page at a time in id order. Every entry is rewritten.
//!
//! **v3 → v4** ([`v4::MigrateToV4`]): workers are drawn only for the model versions their
//! node holds ([`WorkerInfo::ready`]). Every worker is rewritten ready for none: its
//! off-chain worker marks the versions its node holds within a few blocks of the upgrade,
//! and jobs wait in the queue meanwhile.

use crate::{pallet::*, *};

/// The v0 → v1 migration.
pub mod v1 {
	use super::*;
	use alloc::vec::Vec;
	use codec::{Decode, Encode, MaxEncodedLen};
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
		BoundedVec,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use sp_core::H256;

	/// Storage layout before v1.
	pub mod old {
		use super::*;

		/// An assignment as stored in v0.
		#[derive(Encode, Decode, MaxEncodedLen, TypeInfo)]
		#[scale_info(skip_type_params(T))]
		pub struct Assignment<T: Config> {
			pub worker: T::AccountId,
			pub commitment: Option<H256>,
			pub output: Option<JobOutput<T>>,
		}

		/// A job state as stored in v0.
		#[derive(Encode, Decode, MaxEncodedLen, TypeInfo)]
		#[scale_info(skip_type_params(T))]
		pub enum JobState<T: Config> {
			Queued,
			Assigned {
				assignments: BoundedVec<Assignment<T>, T::MaxReplicas>,
				assigned_at: BlockNumberFor<T>,
				reveal_from: BlockNumberFor<T>,
			},
			Closed { reason: CloseReason, at: BlockNumberFor<T> },
		}

		/// A job as stored in v0 (only the state's layout differs).
		#[derive(Encode, Decode, MaxEncodedLen, TypeInfo)]
		#[scale_info(skip_type_params(T))]
		pub struct JobInfo<T: Config> {
			pub requester: T::AccountId,
			pub model_id: ModelId,
			pub version: VersionId,
			pub task: TaskKind,
			pub owner: T::AccountId,
			pub weights: H256,
			pub datasets: BoundedVec<DatasetId, T::MaxLineage>,
			pub input: JobInput<T>,
			pub price: BalanceOf<T>,
			pub worker_fee: BalanceOf<T>,
			pub escrow: BalanceOf<T>,
			pub replicas: u8,
			pub submitted_at: BlockNumberFor<T>,
			pub deadline: BlockNumberFor<T>,
			pub state: JobState<T>,
		}
	}

	fn upgrade_job<T: Config>(job: old::JobInfo<T>) -> super::v5::JobInfoV4<T> {
		let state = match job.state {
			old::JobState::Queued => JobState::Queued,
			old::JobState::Assigned { assignments, assigned_at, reveal_from } => {
				let assignments: Vec<Assignment<T>> = assignments
					.into_iter()
					.map(|a| Assignment {
						worker: a.worker,
						commitment: a.commitment,
						verdict: a.output.map(Verdict::Output),
					})
					.collect();
				JobState::Assigned {
					assignments: BoundedVec::truncate_from(assignments),
					assigned_at,
					reveal_from,
				}
			},
			old::JobState::Closed { reason, at } => JobState::Closed { reason, at },
		};
		super::v5::JobInfoV4 {
			requester: job.requester,
			model_id: job.model_id,
			version: job.version,
			task: job.task,
			owner: job.owner,
			weights: job.weights,
			datasets: job.datasets,
			input: job.input,
			price: job.price,
			worker_fee: job.worker_fee,
			escrow: job.escrow,
			replicas: job.replicas,
			submitted_at: job.submitted_at,
			deadline: job.deadline,
			state,
		}
	}

	/// Rewrites every job in the v1 layout and counts queued jobs per requester.
	pub struct UncheckedMigrateToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut jobs = 0u64;
			super::v5::JobsV4::<T>::translate::<old::JobInfo<T>, _>(|_, job| {
				jobs += 1;
				Some(upgrade_job(job))
			});
			let queue = Queue::<T>::get();
			for job_id in &queue {
				if let Some(job) = super::v5::JobsV4::<T>::get(job_id) {
					QueuedPerRequester::<T>::mutate(&job.requester, |count| *count += 1);
				}
			}
			let queued = queue.len() as u64;
			T::DbWeight::get().reads_writes(jobs + 1 + 2 * queued, jobs + queued)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Jobs::<T>::iter_keys().count() as u64).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u64::decode(&mut &state[..]).map_err(|_| "pre-upgrade state")?;
			ensure!(super::v5::JobsV4::<T>::iter_values().count() as u64 == before, "a job failed to decode");
			Ok(())
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

/// The v1 → v2 migration.
pub mod v2 {
	use super::*;
	use frame_support::{migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade};

	/// Starts the draw cursor and marks at `NextJobId`.
	pub struct UncheckedMigrateToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let next = NextJobId::<T>::get();
			DrawCursor::<T>::put(next);
			DrawMarks::<T>::put((next, next));
			T::DbWeight::get().reads_writes(1, 2)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			Pallet::<T>::do_try_state()
		}
	}

	/// [`UncheckedMigrateToV2`], run only at storage version 1, which it moves to 2.
	pub type MigrateToV2<T> = VersionedMigration<
		1,
		2,
		UncheckedMigrateToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// The v2 → v3 migration.
pub mod v3 {
	use super::*;
	use alloc::vec::Vec;
	#[cfg(feature = "try-runtime")]
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, storage_alias,
		traits::UncheckedOnRuntimeUpgrade,
	};

	/// [`RequesterJobs`] as stored before v3.
	#[storage_alias]
	pub type OldRequesterJobs<T: Config> = StorageDoubleMap<
		Pallet<T>,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		Twox64Concat,
		JobId,
		(),
		OptionQuery,
	>;

	/// Rewrites every requester index entry under its ordered key.
	pub struct UncheckedMigrateToV3<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateToV3<T> {
		fn on_runtime_upgrade() -> Weight {
			// Both layouts share the map's prefix: take every old entry before writing.
			let entries: Vec<(T::AccountId, JobId)> =
				OldRequesterJobs::<T>::drain().map(|(who, job_id, ())| (who, job_id)).collect();
			let count = entries.len() as u64;
			for (who, job_id) in entries {
				RequesterJobs::<T>::insert(who, OrderedId::from(job_id), ());
			}
			T::DbWeight::get().reads_writes(count, 2 * count)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((OldRequesterJobs::<T>::iter_keys().count() as u64).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u64::decode(&mut &state[..]).map_err(|_| "pre-upgrade state")?;
			ensure!(RequesterJobs::<T>::iter_keys().count() as u64 == before, "an index entry was lost");
			Pallet::<T>::do_try_state()
		}
	}

	/// [`UncheckedMigrateToV3`], run only at storage version 2, which it moves to 3.
	pub type MigrateToV3<T> = VersionedMigration<
		2,
		3,
		UncheckedMigrateToV3<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// The v3 → v4 migration.
pub mod v4 {
	use super::*;
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	#[cfg(feature = "try-runtime")]
	use codec::Decode;
	use codec::{Encode, MaxEncodedLen};
	use frame_support::{migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade};
	use frame_system::pallet_prelude::BlockNumberFor;
	use sp_runtime::Permill;

	/// A worker as stored before v4 (without `ready`).
	#[derive(Encode, Decode, MaxEncodedLen, TypeInfo)]
	#[scale_info(skip_type_params(T))]
	pub struct OldWorkerInfo<T: Config> {
		pub bond: BalanceOf<T>,
		pub models: ServedModelsOf<T>,
		pub capacity: u32,
		pub assigned: u32,
		pub state: WorkerState<BlockNumberFor<T>>,
		pub reputation: Permill,
		pub registered_at: BlockNumberFor<T>,
	}

	/// Rewrites every worker ready for no version.
	pub struct UncheckedMigrateToV4<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateToV4<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut workers = 0u64;
			Workers::<T>::translate::<OldWorkerInfo<T>, _>(|_, old| {
				workers += 1;
				Some(WorkerInfo {
					bond: old.bond,
					models: old.models,
					capacity: old.capacity,
					assigned: old.assigned,
					state: old.state,
					reputation: old.reputation,
					registered_at: old.registered_at,
					ready: Default::default(),
				})
			});
			T::DbWeight::get().reads_writes(workers, workers)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Workers::<T>::iter_keys().count() as u64).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u64::decode(&mut &state[..]).map_err(|_| "pre-upgrade state")?;
			ensure!(Workers::<T>::iter_values().count() as u64 == before, "a worker failed to decode");
			Pallet::<T>::do_try_state()
		}
	}

	/// [`UncheckedMigrateToV4`], run only at storage version 3, which it moves to 4.
	pub type MigrateToV4<T> = VersionedMigration<
		3,
		4,
		UncheckedMigrateToV4<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// The v4 → v5 migration: jobs gain `generation` (`None` for every job before it, since no
/// job could generate text).
pub mod v5 {
	use super::*;
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	#[cfg(feature = "try-runtime")]
	use codec::Decode;
	use codec::{Encode, MaxEncodedLen};
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, storage_alias,
		traits::UncheckedOnRuntimeUpgrade, BoundedVec,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use sp_core::H256;

	/// A job as stored from v1 to v4 (without `generation`).
	#[derive(Encode, Decode, MaxEncodedLen, TypeInfo)]
	#[scale_info(skip_type_params(T))]
	pub struct JobInfoV4<T: Config> {
		pub requester: T::AccountId,
		pub model_id: ModelId,
		pub version: VersionId,
		pub task: TaskKind,
		pub owner: T::AccountId,
		pub weights: H256,
		pub datasets: BoundedVec<DatasetId, T::MaxLineage>,
		pub input: JobInput<T>,
		pub price: BalanceOf<T>,
		pub worker_fee: BalanceOf<T>,
		pub escrow: BalanceOf<T>,
		pub replicas: u8,
		pub submitted_at: BlockNumberFor<T>,
		pub deadline: BlockNumberFor<T>,
		pub state: JobState<T>,
	}

	/// `Jobs` in the v1–v4 layout (the alias's name is the storage item's).
	pub mod v4_layout {
		use super::*;

		/// `Jobs` holding [`JobInfoV4`].
		#[storage_alias]
		pub type Jobs<T: Config> = StorageMap<Pallet<T>, Twox64Concat, JobId, JobInfoV4<T>>;
	}
	pub use v4_layout::Jobs as JobsV4;

	/// Rewrites every job with `generation: None`.
	pub struct UncheckedMigrateToV5<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateToV5<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut jobs = 0u64;
			Jobs::<T>::translate::<JobInfoV4<T>, _>(|_, old| {
				jobs += 1;
				Some(JobInfo {
					requester: old.requester,
					model_id: old.model_id,
					version: old.version,
					task: old.task,
					owner: old.owner,
					weights: old.weights,
					datasets: old.datasets,
					input: old.input,
					price: old.price,
					worker_fee: old.worker_fee,
					escrow: old.escrow,
					replicas: old.replicas,
					submitted_at: old.submitted_at,
					deadline: old.deadline,
					state: old.state,
					generation: None,
				})
			});
			T::DbWeight::get().reads_writes(jobs, jobs)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Jobs::<T>::iter_keys().count() as u64).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u64::decode(&mut &state[..]).map_err(|_| "pre-upgrade state")?;
			ensure!(Jobs::<T>::iter_values().count() as u64 == before, "a job failed to decode");
			Pallet::<T>::do_try_state()
		}
	}

	/// [`UncheckedMigrateToV5`], run only at storage version 4, which it moves to 5.
	pub type MigrateToV5<T> = VersionedMigration<
		4,
		5,
		UncheckedMigrateToV5<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
