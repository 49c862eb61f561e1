//! Job submission, escrow and cancellation.

use crate::{pallet::*, *};
use codec::Encode;
use infera_primitives::inference::GenerationSettings;
use frame_support::weights::Weight;
use frame_system::pallet_prelude::BlockNumberFor;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::{
	traits::{One, Saturating, Zero},
	DispatchError, DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// The least escrow a job that is not a generation needs (see [`Self::escrow_for`]).
	pub fn required_escrow(price: BalanceOf<T>, replicas: u8) -> BalanceOf<T> {
		Self::escrow_for(price, Self::fees(None, replicas).total)
	}

	/// The least escrow a job needs: the model's price, the workers' fees, and the
	/// treasury's share of both.
	pub fn escrow_for(price: BalanceOf<T>, worker_fees: BalanceOf<T>) -> BalanceOf<T> {
		let base = price.saturating_add(worker_fees);
		base.saturating_add(T::TreasuryShare::get().mul_ceil(base))
	}

	/// The fees of a job with `replicas`: `WorkerFee` each, plus `TokenFee` per token a
	/// generation job may produce for each generating replica (all of them when replicated,
	/// the one generator when verified; verifiers get `WorkerFee`).
	pub fn fees(decoding: Option<&Decoding>, replicas: u8) -> JobFees<BalanceOf<T>> {
		let base = T::WorkerFee::get();
		let tokens = decoding.map_or(0, |decoding| decoding.max_new_tokens);
		let worker_fee = base.saturating_add(T::TokenFee::get().saturating_mul(tokens.into()));
		let verified = decoding.is_some_and(|decoding| decoding.check == GenerationCheck::Verify);
		let (verifier_fee, verifiers) =
			if verified { (base, u32::from(replicas).saturating_sub(1)) } else { (Zero::zero(), 0) };
		let generators = u32::from(replicas).saturating_sub(verifiers);
		let total = worker_fee
			.saturating_mul(generators.into())
			.saturating_add(verifier_fee.saturating_mul(verifiers.into()));
		JobFees { worker_fee, verifier_fee, total }
	}

	/// Blocks a job's duties take once assigned: `CommitWindow + RevealWindow`, and one more
	/// `CommitWindow` for the generator of a verified job.
	pub fn duty_blocks(verified: bool) -> BlockNumberFor<T> {
		let windows = T::CommitWindow::get().saturating_add(T::RevealWindow::get());
		if verified {
			windows.saturating_add(T::CommitWindow::get())
		} else {
			windows
		}
	}

	/// Checks that a generation model gets decoding settings and no other model does, and
	/// that they are within bounds.
	pub(crate) fn check_decoding(
		task: TaskKind,
		decoding: Option<&Decoding>,
		replicas: u8,
		deadline_in: BlockNumberFor<T>,
	) -> DispatchResult {
		let generates = task.output_kind() == infera_primitives::OutputKind::Text;
		ensure!(generates == decoding.is_some(), Error::<T>::WrongSubmission);
		if let Some(decoding) = decoding {
			let max = T::MaxNewTokens::get().min(infera_primitives::inference::MAX_NEW_TOKENS);
			ensure!(
				decoding.max_new_tokens > 0 && decoding.max_new_tokens <= max,
				Error::<T>::InvalidMaxNewTokens
			);
			if decoding.check == GenerationCheck::Verify {
				ensure!(replicas >= 3, Error::<T>::TooFewVerifiers);
				let needed = Self::duty_blocks(true).saturating_add(crate::DRAW_DELAY.into());
				ensure!(deadline_in >= needed, Error::<T>::InvalidDeadline);
			}
		}
		Ok(())
	}

	/// The seed of job `job_id`'s sampling noise: `blake2_256("infera/seed" ‖ parent hash ‖
	/// job id)`, fixed at submission, the same for every worker.
	fn generation_seed(job_id: JobId) -> [u8; 32] {
		let parent = frame_system::Pallet::<T>::parent_hash();
		sp_io::hashing::blake2_256(&(b"infera/seed", parent, job_id).encode())
	}

	fn check_input(input: &JobInput<T>) -> DispatchResult {
		let valid = match input {
			JobInput::Inline(bytes) => !bytes.is_empty(),
			JobInput::Remote { size_bytes, url, .. } => *size_bytes > 0 && !url.is_empty(),
		};
		ensure!(valid, Error::<T>::InvalidInput);
		Ok(())
	}

	/// The weight of `submit_job` that read `workers_read` worker records and
	/// `buckets_read` deadline buckets. The benchmark measures a full worker list and one
	/// bucket; records not read are refunded, spilled buckets charged. The submitter also
	/// pays ahead for its job's draw, which a later block's `on_initialize` does
	/// (`assign_queued(1)`), so a block of submissions bounds the draws they cause.
	pub fn submit_job_weight(workers_read: u32, buckets_read: u32) -> Weight {
		let db = T::DbWeight::get();
		let unread = T::MaxWorkersPerModel::get().saturating_sub(workers_read);
		T::WeightInfo::submit_job()
			.saturating_add(T::WeightInfo::assign_queued(1))
			.saturating_sub(db.reads(unread.into()))
			.saturating_add(db.reads(buckets_read.saturating_sub(1).into()))
	}

	/// Most replicas a new job may ask for now: `ReplicaLimit`, never above the storage
	/// bound `MaxReplicas`.
	pub fn replica_limit() -> u32 {
		T::ReplicaLimit::get().min(T::MaxReplicas::get())
	}

	/// The first block from `deadline` on, at most `MaxDeadlineSpill` blocks later, whose
	/// deadline bucket has room: a full bucket moves the job's deadline later instead of
	/// refusing it. Returns the block and how many buckets were read.
	fn deadline_with_room(
		deadline: BlockNumberFor<T>,
	) -> Result<(BlockNumberFor<T>, u32), Error<T>> {
		let mut at = deadline;
		for read in 1..=T::MaxDeadlineSpill::get().saturating_add(1) {
			let used = Deadlines::<T>::decode_len(at).unwrap_or(0) as u32;
			if used < T::MaxJobsPerBlock::get() {
				return Ok((at, read));
			}
			at = at.saturating_add(One::one());
		}
		Err(Error::<T>::DeadlineBlockFull)
	}

	/// Submits a job, to be drawn [`crate::DRAW_DELAY`] blocks later; returns the worker
	/// records and deadline buckets it read (what the declared worst-case weight may
	/// refund).
	pub(crate) fn do_submit_job(
		requester: T::AccountId,
		choice: ModelChoice<BalanceOf<T>>,
		input: JobInput<T>,
		decoding: Option<Decoding>,
		max_fee: BalanceOf<T>,
		replicas: u8,
		deadline_in: BlockNumberFor<T>,
	) -> Result<(u32, u32), DispatchError> {
		ensure!(
			replicas > 0 && u32::from(replicas) <= Self::replica_limit(),
			Error::<T>::InvalidReplicas
		);
		ensure!(
			deadline_in >= T::MinDeadline::get() && deadline_in <= T::MaxDeadline::get(),
			Error::<T>::InvalidDeadline
		);
		Self::check_input(&input)?;
		let (model_id, pinned, quoted) = match choice {
			ModelChoice::Model { model_id, version, max_price } => (model_id, version, max_price),
			ModelChoice::Task { task, max_price } => (
				T::Models::best_model(task, max_price).ok_or(Error::<T>::NoModelForTask)?,
				None,
				max_price,
			),
		};
		let mut terms = T::Models::job_terms(model_id, pinned)?;
		let (ready, workers_read) = Self::ready_workers(model_id, &requester);
		if pinned.is_none() {
			// While too few workers hold the current version, run the last one they do.
			if let Some(older) = Self::fallback_version(terms.version, u32::from(replicas), &ready) {
				if let Ok(older_terms) = T::Models::job_terms(model_id, Some(older)) {
					terms = older_terms;
				}
			}
		}
		Self::check_decoding(terms.task, decoding.as_ref(), replicas, deadline_in)?;
		ensure!(terms.price <= quoted, Error::<T>::PriceAboveQuote);
		let fees = Self::fees(decoding.as_ref(), replicas);
		ensure!(max_fee >= Self::escrow_for(terms.price, fees.total), Error::<T>::MaxFeeTooLow);
		let datasets =
			BoundedVec::try_from(terms.datasets).map_err(|_| Error::<T>::TooManyDatasets)?;
		let available = ready.get(&terms.version).copied().unwrap_or(0);
		ensure!(available >= u32::from(replicas), Error::<T>::NotEnoughWorkers);
		let job_id = NextJobId::<T>::get();
		let next = job_id.checked_add(1).ok_or(Error::<T>::JobIdsExhausted)?;
		T::Currency::hold(&HoldReason::JobEscrow.into(), &requester, max_fee)?;
		T::Models::note_job_opened(model_id)?;

		let now = frame_system::Pallet::<T>::block_number();
		let (deadline, buckets_read) = Self::deadline_with_room(now.saturating_add(deadline_in))?;
		Deadlines::<T>::try_append(deadline, job_id).map_err(|_| Error::<T>::DeadlineBlockFull)?;
		let job = JobInfo::<T> {
				requester: requester.clone(),
				model_id,
				version: terms.version,
				task: terms.task,
				owner: terms.owner,
				weights: terms.weights,
				datasets,
				input,
				price: terms.price,
				worker_fee: fees.worker_fee,
				escrow: max_fee,
				replicas,
				submitted_at: now,
				deadline,
				state: JobState::Drawing,
				generation: decoding.map(|decoding| GenerationJob {
					settings: GenerationSettings {
						max_new_tokens: decoding.max_new_tokens,
						temperature: decoding.temperature,
						seed: Self::generation_seed(job_id),
					},
					check: decoding.check,
					verifier_fee: fees.verifier_fee,
				}),
			};
		NextJobId::<T>::put(next);
		RequesterJobs::<T>::insert(&requester, OrderedId::from(job_id), ());
		Self::deposit_event(Event::JobSubmitted {
			job_id,
			requester,
			model_id,
			version: terms.version,
			escrow: max_fee,
			deadline,
		});
		Jobs::<T>::insert(job_id, job);
		Ok((workers_read, buckets_read))
	}

	/// Puts a drawn job that found too few free workers in the queue, within the global
	/// bound and the requester's share of it; returns whether there was room.
	pub(crate) fn enqueue(job_id: JobId, requester: &T::AccountId) -> Result<(), ()> {
		let count = QueuedPerRequester::<T>::get(requester);
		if count >= T::MaxQueuedPerRequester::get() || Queue::<T>::try_append(job_id).is_err() {
			return Err(());
		}
		QueuedPerRequester::<T>::insert(requester, count.saturating_add(1));
		Ok(())
	}

	/// Removes a queued job that closes (cancelled or expired) from the queue and its
	/// requester's count.
	pub(crate) fn dequeue(job_id: JobId, requester: &T::AccountId) {
		Queue::<T>::mutate(|queue| queue.retain(|id| *id != job_id));
		Self::note_dequeued(requester);
	}

	/// Lowers the requester's queue count for a job that left the queue.
	pub(crate) fn note_dequeued(requester: &T::AccountId) {
		QueuedPerRequester::<T>::mutate_exists(requester, |count| {
			let left = count.unwrap_or_default().saturating_sub(1);
			*count = (left > 0).then_some(left);
		});
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
		match job.state {
			JobState::Drawing => {},
			JobState::Queued => Self::dequeue(job_id, &job.requester),
			_ => return Err(Error::<T>::JobNotQueued.into()),
		}
		Self::release_deadline(job_id, job.deadline);
		Self::close_with_refund(job_id, job, CloseReason::Cancelled, JobOutcome::Withdrawn)
	}

	/// Gives a job's place in its deadline bucket back when it closes before the deadline
	/// without having been assigned (cancelled, or no room in the queue at its draw): a
	/// refunded job must not keep others out of the bucket.
	pub(crate) fn release_deadline(job_id: JobId, deadline: BlockNumberFor<T>) {
		Deadlines::<T>::mutate_exists(deadline, |bucket| {
			if let Some(jobs) = bucket {
				jobs.retain(|id| *id != job_id);
				if jobs.is_empty() {
					*bucket = None;
				}
			}
		});
	}
}
