//! Readiness: workers are drawn only for the versions their node holds, unpinned jobs fall
//! back to the last version enough workers hold, and claiming readiness without the files
//! is a no-show like any other.

use super::*;
use crate::mock::*;
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;

/// Publishes a new version of [`MODEL`] with weights `seed` and approves it: it becomes the
/// current version. Returns its number.
fn approved_version(seed: u8) -> VersionId {
	assert_ok!(Registry::publish_version(
		RuntimeOrigin::signed(OWNER),
		MODEL,
		infera_test_support::minilm_artifacts!(pallet_model_registry, H256::repeat_byte(seed)),
		Default::default(),
	));
	let version = pallet_model_registry::Models::<Test>::get(MODEL).unwrap().latest_version;
	assert_ok!(Registry::approve_version(RuntimeOrigin::root(), MODEL, version));
	version
}

fn set_ready(who: AccountId, version: VersionId, ready: bool) -> sp_runtime::DispatchResult {
	ComputeJobs::set_readiness(RuntimeOrigin::signed(who), MODEL, version, ready)
}

fn ready_versions(who: AccountId) -> Vec<VersionId> {
	Workers::<Test>::get(who).unwrap().ready.iter().map(|entry| entry.version).collect()
}

fn submit_unpinned(replicas: u8) -> Result<JobId, sp_runtime::DispatchError> {
	submit_as(REQUESTER, MODEL, replicas, 10 + u64::from(DRAW_DELAY))
}

#[test]
fn a_worker_is_drawn_only_for_the_versions_it_is_ready_for() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		assert_ok!(ComputeJobs::register_worker(RuntimeOrigin::signed(W1), BOND, models(&[MODEL]), 2));
		// Registered, but its node holds nothing yet: nobody could run the job.
		assert_noop!(submit_unpinned(1), Error::<Test>::NotEnoughWorkers);

		assert_ok!(set_ready(W1, 1, true));
		System::assert_last_event(
			Event::WorkerReadinessChanged { worker: W1, model_id: MODEL, version: 1, ready: true }.into(),
		);
		let job = submit_unpinned(1).unwrap();
		wait_for_draw();
		assert_eq!(assigned_workers(job), vec![W1]);

		// Withdrawn: it finishes what it has, but is not drawn again.
		assert_ok!(set_ready(W1, 1, false));
		assert!(ready_versions(W1).is_empty());
		assert_noop!(submit_unpinned(1), Error::<Test>::NotEnoughWorkers);
	});
}

#[test]
fn readiness_is_checked_before_it_is_stored() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).build_and_execute(|| {
		assert_noop!(set_ready(W2, 1, true), Error::<Test>::NotWorker);
		assert_noop!(
			ComputeJobs::set_readiness(RuntimeOrigin::signed(W1), MODEL + 1, 1, true),
			Error::<Test>::NotServingModel
		);
		assert_noop!(set_ready(W1, 9, true), Error::<Test>::UnknownVersion);
		assert_noop!(set_ready(W1, 1, true), Error::<Test>::ReadinessUnchanged);
		assert_noop!(set_ready(W1, 2, false), Error::<Test>::ReadinessUnchanged);
		// MaxReadyVersions is 4: W1 holds version 1 and three more fit (MaxVersions is 4);
		// a fifth, of another model it serves, does not.
		for version in (0..3).map(|i| approved_version(0x60 + i)) {
			assert_ok!(set_ready(W1, version, true));
		}
		let other = approved_model(0x6f, PRICE);
		assert_ok!(ComputeJobs::set_served_models(RuntimeOrigin::signed(W1), models(&[MODEL, other]), 2));
		assert_noop!(
			ComputeJobs::set_readiness(RuntimeOrigin::signed(W1), other, 1, true),
			Error::<Test>::TooManyReadyVersions
		);
		assert_eq!(ready_versions(W1), vec![1, 2, 3, 4]);
	});
}

#[test]
fn an_operator_key_marks_its_worker_ready() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		assert_ok!(ComputeJobs::register_worker(RuntimeOrigin::signed(W1), BOND, models(&[MODEL]), 2));
		assert_ok!(ComputeJobs::set_operator(RuntimeOrigin::signed(W1), Some(W5)));
		assert_ok!(set_ready(W5, 1, true));
		assert_eq!(ready_versions(W1), vec![1]);
	});
}

#[test]
fn unpinned_jobs_run_the_last_version_enough_workers_hold() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2]).build_and_execute(|| {
		// Curators approve version 2; no node holds it yet, so jobs keep running version 1.
		let new = approved_version(0x70);
		assert_eq!(new, 2);
		// The version each unpinned job of `replicas` would run (the job is then cancelled,
		// so the workers stay free).
		let version_run = |replicas| {
			let job = submit_unpinned(replicas).unwrap();
			let version = Jobs::<Test>::get(job).unwrap().version;
			assert_ok!(ComputeJobs::cancel_job(RuntimeOrigin::signed(REQUESTER), job));
			version
		};
		assert_eq!(version_run(2), 1);

		// W1's node has fetched version 2: enough for one replica, not for two.
		assert_ok!(set_ready(W1, 2, true));
		assert_eq!(version_run(1), 2);
		assert_eq!(version_run(2), 1);
		// A job pinned to version 2 with two replicas could not be assigned.
		assert_noop!(submit_version_as(REQUESTER, MODEL, Some(2), 2, 13), Error::<Test>::NotEnoughWorkers);

		// Once both hold it, version 2 serves every job, and the draw picks from its holders.
		assert_ok!(set_ready(W2, 2, true));
		let job = submit_unpinned(2).unwrap();
		assert_eq!(Jobs::<Test>::get(job).unwrap().version, 2);
		wait_for_draw();
		let mut drawn = assigned_workers(job);
		drawn.sort();
		assert_eq!(drawn, vec![W1, W2]);
	});
}

#[test]
fn a_version_no_worker_holds_is_not_drawn_even_if_its_model_is() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2]).build_and_execute(|| {
		// W1 holds only version 2, W2 only version 1: a version-2 job draws W1 alone.
		approved_version(0x71);
		assert_ok!(set_ready(W1, 2, true));
		assert_ok!(set_ready(W1, 1, false));
		let job = submit_version_as(REQUESTER, MODEL, Some(2), 1, 13).unwrap();
		wait_for_draw();
		assert_eq!(assigned_workers(job), vec![W1]);
	});
}

#[test]
fn serving_other_models_drops_the_readiness_of_the_old_ones() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).build_and_execute(|| {
		let other = approved_model(0x72, PRICE);
		assert_ok!(ComputeJobs::set_served_models(RuntimeOrigin::signed(W1), models(&[MODEL, other]), 2));
		assert_ok!(ComputeJobs::set_readiness(RuntimeOrigin::signed(W1), other, 1, true));
		assert_eq!(Workers::<Test>::get(W1).unwrap().ready.len(), 2);
		assert_ok!(ComputeJobs::set_served_models(RuntimeOrigin::signed(W1), models(&[other]), 2));
		let ready = Workers::<Test>::get(W1).unwrap().ready;
		assert_eq!(ready.into_inner(), vec![ReadyVersion { model_id: other, version: 1 }]);
	});
}

/// The attack: a worker says its node holds a version it never fetched, to be drawn (and
/// paid) without the cost of the files. It is drawn, cannot answer, and loses the no-show
/// slash, while the job still completes with the honest replica.
#[test]
fn claiming_readiness_without_the_files_costs_the_no_show_slash() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3]).build_and_execute(|| {
		let job = submit(MODEL, 3);
		let output = embedding(&[3, 1, 4]);
		// W1 and W2 answer; W3, which claimed readiness without the files, cannot.
		commit(job, W1, &output);
		commit(job, W2, &output);
		run_to_block(System::block_number() + 3);
		assert_ok!(reveal(job, W1, output.clone()));
		assert_ok!(reveal(job, W2, output));
		System::assert_has_event(
			Event::WorkerSlashed { worker: W3, job_id: job, amount: 10, reason: SlashReason::NoShow }.into(),
		);
		assert_eq!(worker_bond(W3), BOND - 10);
		assert_eq!(free(W3), INITIAL_BALANCE - BOND, "and was paid nothing");
		assert!(matches!(Jobs::<Test>::get(job).unwrap().state, JobState::Closed { reason: CloseReason::Completed, .. }));
	});
}
