//! The storage migrations: v0 → v1 on jobs written in the old layout, v1 → v2 on a chain
//! whose jobs were drawn at submission, v2 → v3 on requester indices, v3 → v4 on workers
//! written without readiness, v4 → v5 on jobs written without generation settings.

use super::*;
use sp_core::H256;
use crate::{
	migrations::{
		v1::{old, MigrateToV1},
		v2::MigrateToV2,
		v5::MigrateToV5,
	},
	mock::*,
	*,
};
use frame_support::{
	assert_noop,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
	BoundedVec,
};

/// Rewrites job `id` in the v0 layout, with `output` as each assignment's revealed output.
fn write_v0(id: JobId, output: Option<JobOutput<Test>>) {
	let job = Jobs::<Test>::get(id).unwrap();
	let state = match job.state {
		JobState::Queued => old::JobState::Queued,
		JobState::Assigned { assignments, assigned_at, reveal_from } => old::JobState::Assigned {
			assignments: BoundedVec::truncate_from(
				assignments
					.into_iter()
					.map(|a| old::Assignment {
						worker: a.worker,
						commitment: output.as_ref().map(|_| H256::repeat_byte(1)),
						output: output.clone(),
					})
					.collect::<Vec<_>>(),
			),
			assigned_at,
			reveal_from,
		},
		JobState::Closed { reason, at } => old::JobState::Closed { reason, at },
		JobState::Drawing => panic!("v0 had no draws"),
	};
	let v0 = old::JobInfo::<Test> {
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
	};
	frame_support::storage::unhashed::put(&Jobs::<Test>::hashed_key_for(id), &v0);
}

#[test]
fn v0_jobs_are_rewritten_and_queue_counts_rebuilt() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).with_busy_workers(&[W2]).build_and_execute(|| {
		let assigned = submit(MODEL, 1);
		Workers::<Test>::mutate(W1, |w| w.as_mut().unwrap().capacity = 1);
		let queued = submit(MODEL, 1);
		assert_eq!(Jobs::<Test>::get(queued).unwrap().state, JobState::Queued);
		write_v0(assigned, Some(embedding(&[1, 2, 3])));
		write_v0(queued, None);
		QueuedPerRequester::<Test>::remove(REQUESTER);
		StorageVersion::new(0).put::<Pallet<Test>>();
		// Undecodable in the new layout before the migration.
		assert!(Jobs::<Test>::get(assigned).is_none());

		MigrateToV1::<Test>::on_runtime_upgrade();

		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(1));
		// v1 to v4 keep the job layout; v5 adds `generation`.
		assert!(crate::migrations::v5::JobsV4::<Test>::get(assigned).is_some());
		assert!(Jobs::<Test>::get(assigned).is_none());
		StorageVersion::new(4).put::<Pallet<Test>>();
		MigrateToV5::<Test>::on_runtime_upgrade();
		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(5));
		assert_eq!(Jobs::<Test>::get(assigned).unwrap().generation, None);
		StorageVersion::new(1).put::<Pallet<Test>>();
		let JobState::Assigned { assignments, .. } = Jobs::<Test>::get(assigned).unwrap().state else {
			panic!("still assigned")
		};
		assert_eq!(assignments[0].verdict, Some(Verdict::Output(embedding(&[1, 2, 3]))));
		assert_eq!(Jobs::<Test>::get(queued).unwrap().state, JobState::Queued);
		assert_eq!(QueuedPerRequester::<Test>::get(REQUESTER), 1);
		ComputeJobs::do_try_state().unwrap();
		// Run again: a no-op at version 1.
		MigrateToV1::<Test>::on_runtime_upgrade();
		assert_eq!(QueuedPerRequester::<Test>::get(REQUESTER), 1);
	});
}

#[test]
fn v1_chains_start_drawing_after_their_last_job() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2]).build_and_execute(|| {
		let old_jobs = [submit(MODEL, 1), submit(MODEL, 1)];
		let before: Vec<_> = old_jobs.iter().map(|id| Jobs::<Test>::get(id).unwrap()).collect();
		// A v1 chain has no draw state: its jobs were assigned at submission.
		DrawCursor::<Test>::kill();
		DrawMarks::<Test>::kill();
		StorageVersion::new(1).put::<Pallet<Test>>();

		MigrateToV2::<Test>::on_runtime_upgrade();

		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(2));
		assert_eq!(DrawCursor::<Test>::get(), NextJobId::<Test>::get());
		ComputeJobs::do_try_state().unwrap();
		// Later folds draw new jobs only; the old ones keep their workers.
		let new_job = submit(MODEL, 1);
		for (id, job) in old_jobs.iter().zip(before) {
			assert_eq!(Jobs::<Test>::get(id).unwrap().state, job.state);
		}
		assert_eq!(assigned_workers(new_job).len(), 1);
		ComputeJobs::do_try_state().unwrap();
	});
}

#[test]
fn v2_requester_indices_are_rekeyed_in_id_order() {
	use crate::migrations::v3::{MigrateToV3, OldRequesterJobs};
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3]).build_and_execute(|| {
		// Ids on both sides of 256, where little- and big-endian orders differ.
		NextJobId::<Test>::put(254);
		DrawCursor::<Test>::put(254);
		DrawMarks::<Test>::put((254, 254));
		let jobs: Vec<JobId> = (0..4).map(|_| submit_undrawn(MODEL, 1)).collect();
		assert_eq!(jobs, vec![254, 255, 256, 257]);
		// Written in the v2 layout.
		let _ = RequesterJobs::<Test>::clear(u32::MAX, None);
		for id in &jobs {
			OldRequesterJobs::<Test>::insert(REQUESTER, id, ());
		}
		StorageVersion::new(2).put::<Pallet<Test>>();

		MigrateToV3::<Test>::on_runtime_upgrade();

		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(3));
		let ids: Vec<JobId> = ComputeJobs::requester_job_ids(&REQUESTER, 0).collect();
		assert_eq!(ids, jobs);
		ComputeJobs::do_try_state().unwrap();
	});
}

#[test]
fn v3_workers_are_rewritten_ready_for_nothing() {
	use crate::migrations::v4::{MigrateToV4, OldWorkerInfo};
	use codec::Encode;
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2]).build_and_execute(|| {
		// Written in the v3 layout: no readiness.
		let before: Vec<(AccountId, WorkerInfo<Test>)> = Workers::<Test>::iter().collect();
		for (who, info) in &before {
			let old = OldWorkerInfo::<Test> {
				bond: info.bond,
				models: info.models.clone(),
				capacity: info.capacity,
				assigned: info.assigned,
				state: info.state,
				reputation: info.reputation,
				registered_at: info.registered_at,
			};
			frame_support::storage::unhashed::put_raw(&Workers::<Test>::hashed_key_for(who), &old.encode());
		}
		StorageVersion::new(3).put::<Pallet<Test>>();

		MigrateToV4::<Test>::on_runtime_upgrade();

		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(4));
		for (who, info) in before {
			let migrated = Workers::<Test>::get(who).expect("decodes in the v4 layout");
			assert_eq!(WorkerInfo::<Test> { ready: Default::default(), ..info }, migrated);
		}
		// Nobody is drawn until its node says what it holds.
		assert_noop!(submit_as(REQUESTER, MODEL, 1, 13), Error::<Test>::NotEnoughWorkers);
		ComputeJobs::do_try_state().unwrap();
	});
}
