//! Job submission, escrow and cancellation.

use crate::{pallet::*, *};
use frame_system::pallet_prelude::BlockNumberFor;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// The least escrow a job needs: the model's price, `WorkerFee` per replica, and the
	/// treasury's share of both.
	pub fn required_escrow(price: BalanceOf<T>, replicas: u8) -> BalanceOf<T> {
		let base =
			price.saturating_add(T::WorkerFee::get().saturating_mul(u32::from(replicas).into()));
		base.saturating_add(T::TreasuryShare::get().mul_ceil(base))
	}

	fn check_input(input: &JobInput<T>) -> DispatchResult {
		let valid = match input {
			JobInput::Inline(bytes) => !bytes.is_empty(),
			JobInput::Remote { size_bytes, url, .. } => *size_bytes > 0 && !url.is_empty(),
		};
		ensure!(valid, Error::<T>::InvalidInput);
		Ok(())
	}

	/// Most replicas a new job may ask for now: `ReplicaLimit`, never above the storage
	/// bound `MaxReplicas`.
	pub fn replica_limit() -> u32 {
		T::ReplicaLimit::get().min(T::MaxReplicas::get())
	}

	pub(crate) fn do_submit_job(
		requester: T::AccountId,
		choice: ModelChoice<BalanceOf<T>>,
		input: JobInput<T>,
		max_fee: BalanceOf<T>,
		replicas: u8,
		deadline_in: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(
			replicas > 0 && u32::from(replicas) <= Self::replica_limit(),
			Error::<T>::InvalidReplicas
		);
		ensure!(
			deadline_in >= T::MinDeadline::get() && deadline_in <= T::MaxDeadline::get(),
			Error::<T>::InvalidDeadline
		);
		Self::check_input(&input)?;
		let (model_id, pinned) = match choice {
			ModelChoice::Model { model_id, version } => (model_id, version),
			ModelChoice::Task { task, max_price } =>
				(T::Models::best_model(task, max_price).ok_or(Error::<T>::NoModelForTask)?, None),
		};
		let terms = T::Models::job_terms(model_id, pinned)?;
		ensure!(
			max_fee >= Self::required_escrow(terms.price, replicas),
			Error::<T>::MaxFeeTooLow
		);
		let datasets =
			BoundedVec::try_from(terms.datasets).map_err(|_| Error::<T>::TooManyDatasets)?;
		let job_id = NextJobId::<T>::get();
		let next = job_id.checked_add(1).ok_or(Error::<T>::JobIdsExhausted)?;
		T::Currency::hold(&HoldReason::JobEscrow.into(), &requester, max_fee)?;
		T::Models::note_job_opened(model_id)?;

		let now = frame_system::Pallet::<T>::block_number();
		let deadline = now.saturating_add(deadline_in);
		Deadlines::<T>::try_append(deadline, job_id).map_err(|_| Error::<T>::DeadlineBlockFull)?;
		let mut job = JobInfo::<T> {
				requester: requester.clone(),
				model_id,
				version: terms.version,
				task: terms.task,
				owner: terms.owner,
				weights: terms.weights,
				datasets,
				input,
				price: terms.price,
				worker_fee: T::WorkerFee::get(),
				escrow: max_fee,
				replicas,
				submitted_at: now,
				deadline,
				state: JobState::Queued,
			};
		NextJobId::<T>::put(next);
		RequesterJobs::<T>::insert(&requester, job_id, ());
		Self::deposit_event(Event::JobSubmitted {
			job_id,
			requester,
			model_id,
			version: terms.version,
			escrow: max_fee,
			deadline,
		});
		if !Self::try_assign(job_id, &mut job) {
			Queue::<T>::try_append(job_id).map_err(|_| Error::<T>::QueueFull)?;
		}
		Jobs::<T>::insert(job_id, job);
		Ok(())
	}

	/// Refunds what is left of the escrow and records the close reason.
	pub(crate) fn close_with_refund(
		job_id: JobId,
		mut job: JobInfo<T>,
		reason: CloseReason,
		outcome: JobOutcome,
	) -> DispatchResult {
		let refunded = job.escrow;
		T::Currency::release(
			&HoldReason::JobEscrow.into(),
			&job.requester,
			refunded,
			Precision::Exact,
		)?;
		T::Models::note_job_closed(job.model_id, outcome);
		job.escrow = Zero::zero();
		job.state = JobState::Closed { reason, at: frame_system::Pallet::<T>::block_number() };
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobClosed { job_id, reason, refunded });
		Ok(())
	}

	pub(crate) fn do_cancel_job(who: T::AccountId, job_id: JobId) -> DispatchResult {
		let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.requester == who, Error::<T>::NotRequester);
		ensure!(job.state == JobState::Queued, Error::<T>::JobNotQueued);
		Queue::<T>::mutate(|queue| queue.retain(|id| *id != job_id));
		Self::close_with_refund(job_id, job, CloseReason::Cancelled, JobOutcome::Withdrawn)
	}
}
