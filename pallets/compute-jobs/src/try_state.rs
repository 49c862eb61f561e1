//! Invariants of jobs and workers, checked by `try-runtime` and after unit tests.

use crate::{pallet::*, *};
use alloc::collections::btree_map::BTreeMap;
use frame_support::{
	ensure,
	traits::fungible::InspectHold,
};
use sp_runtime::{traits::Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Checks:
	/// - conservation: every account's held `JobEscrow` equals the escrow of its open jobs,
	///   and every worker's held `WorkerBond` equals its recorded bond (and nothing else
	///   holds either reason);
	/// - closed jobs hold no escrow; open jobs are in their deadline bucket;
	/// - each worker's `assigned` equals the open assignments naming it, within capacity
	///   bounds of the model lists it appears in;
	/// - the queue holds exactly the queued jobs, counted per requester; jobs waiting for
	///   their draw are exactly those at or above the draw cursor that are not closed, and
	///   the draw marks lie between the cursor and the next job id;
	/// - operator maps are each other's inverse and name current workers; model lists and
	///   workers' served models agree both ways;
	/// - no verdict is revealed without a commitment;
	/// - the requester index names exactly the retained jobs, results belong to retained
	///   completed jobs, and no job below the prune cursor is left.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut escrows: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut assigned: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut queued = 0usize;
		let mut queued_by: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let queue = Queue::<T>::get();
		let cursor = PruneCursor::<T>::get();
		ensure!(cursor <= NextJobId::<T>::get(), "prune cursor beyond the next job id");
		let draw_cursor = DrawCursor::<T>::get();
		let (older, newer) = DrawMarks::<T>::get();
		ensure!(
			older <= newer && newer <= NextJobId::<T>::get() && draw_cursor <= NextJobId::<T>::get(),
			"draw marks or cursor out of order"
		);
		let mut retained = 0usize;
		for (job_id, job) in Jobs::<T>::iter() {
			retained += 1;
			ensure!(job_id >= cursor && job_id < NextJobId::<T>::get(), "job id outside the live range");
			ensure!(RequesterJobs::<T>::contains_key(&job.requester, OrderedId::from(job_id)), "job missing from its requester's index");
			let completed = matches!(job.state, JobState::Closed { reason: CloseReason::Completed, .. });
			ensure!(completed || !Results::<T>::contains_key(job_id), "result of a job that did not complete");
			let drawing = job.state == JobState::Drawing;
			let closed = matches!(job.state, JobState::Closed { .. });
			ensure!(drawing == (job_id >= draw_cursor && !closed), "a job skipped or repeated its draw");
			match &job.state {
				JobState::Drawing => {},
				JobState::Closed { .. } => {
					ensure!(job.escrow == Default::default(), "closed job still holds escrow");
					continue;
				},
				JobState::Queued => {
					queued += 1;
					*queued_by.entry(job.requester.clone()).or_default() += 1;
					ensure!(queue.contains(&job_id), "queued job missing from the queue");
				},
				JobState::Assigned { assignments, .. } => {
					ensure!(
						assignments.len() == usize::from(job.replicas),
						"assignment count differs from replicas"
					);
					for assignment in assignments {
						ensure!(
							assignment.commitment.is_some() || assignment.verdict.is_none(),
							"a verdict revealed without a commitment"
						);
						let count = assigned.entry(assignment.worker.clone()).or_default();
						*count += 1;
						ensure!(
							WorkerJobs::<T>::contains_key(&assignment.worker, job_id),
							"assignment missing from the worker's index"
						);
					}
				},
			}
			ensure!(Deadlines::<T>::get(job.deadline).contains(&job_id), "open job without deadline");
			let entry = escrows.entry(job.requester.clone()).or_default();
			*entry = entry.saturating_add(job.escrow);
		}
		ensure!(queue.len() == queued, "queue holds jobs that are not queued");
		ensure!(
			QueuedPerRequester::<T>::iter().all(|(who, n)| n > 0 && queued_by.get(&who) == Some(&n)) &&
				QueuedPerRequester::<T>::iter().count() == queued_by.len(),
			"per-requester queue counts differ from the queue"
		);
		for (worker, operator) in OperatorOf::<T>::iter() {
			ensure!(Workers::<T>::contains_key(&worker), "operator of a worker that left");
			ensure!(Operators::<T>::get(&operator) == Some(worker), "operator maps disagree");
		}
		ensure!(
			Operators::<T>::iter().count() == OperatorOf::<T>::iter().count(),
			"operator maps differ in size"
		);
		for (model, members) in ModelWorkers::<T>::iter() {
			for member in members.iter() {
				let serves = Workers::<T>::get(member).is_some_and(|w| w.models.contains(&model));
				ensure!(serves, "model list names a worker that does not serve it");
			}
		}
		ensure!(
			WorkerJobs::<T>::iter_keys().count() == assigned.values().map(|n| *n as usize).sum::<usize>(),
			"worker index names closed assignments"
		);
		ensure!(RequesterJobs::<T>::iter_keys().count() == retained, "requester index names pruned jobs");
		for job_id in Results::<T>::iter_keys() {
			ensure!(Jobs::<T>::contains_key(job_id), "result of a pruned job");
		}

		for (who, owed) in &escrows {
			let held = T::Currency::balance_on_hold(&HoldReason::JobEscrow.into(), who);
			ensure!(held == *owed, "held escrow differs from open jobs' escrow");
		}
		for (who, worker) in Workers::<T>::iter() {
			let held = T::Currency::balance_on_hold(&HoldReason::WorkerBond.into(), &who);
			ensure!(held == worker.bond, "held bond differs from the recorded bond");
			ensure!(
				worker.assigned == assigned.get(&who).copied().unwrap_or(0),
				"worker's assigned count differs from its open assignments"
			);
			for model in worker.models.iter() {
				ensure!(ModelWorkers::<T>::get(model).contains(&who), "worker missing from model list");
			}
			for (index, entry) in worker.ready.iter().enumerate() {
				ensure!(worker.models.contains(&entry.model_id), "worker ready for a model it does not serve");
				ensure!(!worker.ready[..index].contains(entry), "worker ready for a version twice");
			}
		}
		for (who, _) in frame_system::Account::<T>::iter() {
			if !escrows.contains_key(&who) {
				let held = T::Currency::balance_on_hold(&HoldReason::JobEscrow.into(), &who);
				ensure!(held == Default::default(), "escrow held without an open job");
			}
			if !Workers::<T>::contains_key(&who) {
				let held = T::Currency::balance_on_hold(&HoldReason::WorkerBond.into(), &who);
				ensure!(held == Default::default(), "bond held by a non-worker");
			}
		}
		Ok(())
	}
}
