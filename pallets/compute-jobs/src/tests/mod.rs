//! Unit tests, one file per concern.

mod agreement;
mod attacks;
mod fuzz;
mod generation;
mod jobs;
mod lifecycle;
mod lineage;
mod migrations;
mod offchain;
mod readiness;
mod views;
mod workers;

// Helpers shared by the job tests.

use crate::{mock::*, results::commitment_of, *};
use frame_support::{assert_ok, BoundedVec};

/// The name `tests/views.rs` steps blocks by; the other tests call [`run_to_block`].
pub(super) use crate::mock::run_to_block as advance_to;

pub(super) const SALT: [u8; 32] = [7; 32];

pub(super) fn embedding(values: &[i8]) -> JobOutput<Test> {
	JobOutput::<Test>::Embedding(BoundedVec::truncate_from(values.to_vec()))
}

/// Submits a job of `REQUESTER` whose deadline is 10 blocks after its draw, and waits for the draw
/// (`DRAW_DELAY` blocks).
pub(super) fn submit(model: ModelId, replicas: u8) -> JobId {
	let id = submit_undrawn(model, replicas);
	wait_for_draw();
	id
}

/// Submits a job of `REQUESTER` whose deadline is 10 blocks after its draw; it waits for the draw.
pub(super) fn submit_undrawn(model: ModelId, replicas: u8) -> JobId {
	let id = NextJobId::<Test>::get();
	assert_ok!(ComputeJobs::submit_job(
		RuntimeOrigin::signed(REQUESTER),
		ModelChoice::Model { model_id: model, version: None, max_price: PRICE },
		text(b"the quick brown fox"),
		50,
		replicas,
		10 + u64::from(DRAW_DELAY),
	));
	id
}

/// Submits `who`'s job on `model` (its current version, or `version`), without waiting for
/// the draw; returns its id or why it was refused.
pub(super) fn submit_version_as(
	who: AccountId,
	model: ModelId,
	version: Option<VersionId>,
	replicas: u8,
	deadline_in: u64,
) -> Result<JobId, sp_runtime::DispatchError> {
	let id = NextJobId::<Test>::get();
	ComputeJobs::submit_job(
		RuntimeOrigin::signed(who),
		ModelChoice::Model { model_id: model, version, max_price: PRICE },
		text(b"the quick brown fox"),
		50,
		replicas,
		deadline_in,
	)
	.map(|_| id)
	.map_err(|e| e.error)
}

/// [`submit_version_as`] for the model's current version.
pub(super) fn submit_as(who: AccountId, model: ModelId, replicas: u8, deadline_in: u64) -> Result<JobId, sp_runtime::DispatchError> {
	submit_version_as(who, model, None, replicas, deadline_in)
}

/// Runs the `DRAW_DELAY` blocks after which the jobs submitted in this block are drawn.
pub(super) fn wait_for_draw() {
	run_to_block(System::block_number() + u64::from(DRAW_DELAY));
}

pub(super) fn commit(job: JobId, worker: AccountId, output: &JobOutput<Test>) {
	commit_verdict(job, worker, &Verdict::Output(output.clone()));
}

pub(super) fn commit_verdict(job: JobId, worker: AccountId, verdict: &Verdict<Test>) {
	assert_ok!(ComputeJobs::commit_result(
		RuntimeOrigin::signed(worker),
		job,
		commitment_of::<Test>(job, &worker, verdict, &SALT)
	));
}

pub(super) fn reveal(job: JobId, worker: AccountId, output: JobOutput<Test>) -> sp_runtime::DispatchResult {
	reveal_verdict(job, worker, Verdict::Output(output))
}

pub(super) fn reveal_verdict(job: JobId, worker: AccountId, verdict: Verdict<Test>) -> sp_runtime::DispatchResult {
	ComputeJobs::reveal_result(RuntimeOrigin::signed(worker), job, verdict, SALT)
		.map(|_| ())
		.map_err(|e| e.error)
}

pub(super) fn assigned_workers(job: JobId) -> Vec<AccountId> {
	match Jobs::<Test>::get(job).unwrap().state {
		JobState::Assigned { assignments, .. } => assignments.iter().map(|a| a.worker).collect(),
		state => panic!("job {job} is not assigned: {state:?}"),
	}
}

pub(super) fn total() -> Balance {
	Balances::total_issuance()
}

