//! Closing assigned jobs: settlement of agreed results, refunds, slashes and reputation.

use crate::{agreement, pallet::*, *};
use alloc::vec::Vec;
use frame_system::pallet_prelude::BlockNumberFor;
use frame_support::{
	defensive,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		Get,
	},
	storage::transactional::with_storage_layer,
};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult, Permill,
};

/// Moves `step` of the way from `reputation` towards one (`up`) or zero.
pub fn next_reputation(reputation: Permill, step: Permill, up: bool) -> Permill {
	let parts = reputation.deconstruct();
	if up {
		Permill::from_parts(parts.saturating_add(step.mul_floor(1_000_000 - parts)))
	} else {
		Permill::from_parts(parts.saturating_sub(step.mul_floor(parts)))
	}
}

impl<T: Config> Pallet<T> {
	/// Pays `amount` out of `job`'s escrow to `to` and returns what was paid: `amount`, or
	/// zero when `to` cannot receive it (an empty account offered less than the existential
	/// deposit). Unpaid parts stay in the escrow and are refunded when the job closes.
	pub(crate) fn pay(job: &mut JobInfo<T>, to: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		if amount.is_zero() {
			return amount;
		}
		let paid = with_storage_layer(|| {
			T::Currency::transfer_on_hold(
				&HoldReason::JobEscrow.into(),
				&job.requester,
				to,
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Polite,
			)
		});
		match paid {
			Ok(_) => {
				job.escrow = job.escrow.saturating_sub(amount);
				amount
			},
			Err(_) => Zero::zero(),
		}
	}

	/// Pays the data-lineage share of `price` to the datasets in the job's lineage that take
	/// rewards, evenly; returns the total paid. Division dust stays with the owner.
	fn pay_lineage(job_id: JobId, job: &mut JobInfo<T>, price: BalanceOf<T>) -> BalanceOf<T> {
		let recipients: Vec<_> = job
			.datasets
			.iter()
			.filter_map(|dataset| Some((*dataset, T::Lineage::lineage_account(*dataset)?)))
			.collect();
		let mut data_paid: BalanceOf<T> = Zero::zero();
		if recipients.is_empty() {
			return data_paid;
		}
		let share = T::DataShare::get().mul_floor(price) / (recipients.len() as u32).into();
		for (dataset, account) in recipients {
			let amount = Self::pay(job, &account, share);
			if !amount.is_zero() {
				T::Lineage::note_lineage_income(dataset, amount);
				data_paid = data_paid.saturating_add(amount);
				Self::deposit_event(Event::LineagePaid { job_id, dataset, amount });
			}
		}
		data_paid
	}

	/// Frees one assignment slot of `worker`, moves its reputation towards one (`Some(true)`),
	/// zero (`Some(false)`) or leaves it (`None`), and slashes `slash` of its bond to the
	/// treasury when given.
	pub(crate) fn finish_assignment(
		job_id: JobId,
		worker: &T::AccountId,
		agreed: Option<bool>,
		slash: Option<(Permill, SlashReason)>,
	) {
		Self::finish_assignment_compensating(job_id, worker, agreed, slash, &[]);
	}

	/// [`Self::finish_assignment`], paying each of `compensated` (account, amount) out of
	/// the slash first, in order, as far as it goes; the rest goes to the treasury. Returns
	/// what the compensated accounts received in all.
	pub(crate) fn finish_assignment_compensating(
		job_id: JobId,
		worker: &T::AccountId,
		agreed: Option<bool>,
		slash: Option<(Permill, SlashReason)>,
		compensated: &[(T::AccountId, BalanceOf<T>)],
	) -> BalanceOf<T> {
		let mut compensation: BalanceOf<T> = Zero::zero();
		WorkerJobs::<T>::remove(worker, job_id);
		let Some(mut info) = Workers::<T>::get(worker) else {
			defensive!("an assigned worker cannot leave");
			return compensation;
		};
		info.assigned = info.assigned.saturating_sub(1);
		if let Some(up) = agreed {
			info.reputation = next_reputation(info.reputation, T::ReputationStep::get(), up);
		}
		if let Some((share, reason)) = slash {
			let mut amount = share.mul_floor(info.bond);
			for (to, owed) in compensated {
				let part = (*owed).min(amount);
				if part.is_zero() {
					continue;
				}
				let paid = with_storage_layer(|| {
					T::Currency::transfer_on_hold(
						&HoldReason::WorkerBond.into(),
						worker,
						to,
						part,
						Precision::Exact,
						Restriction::Free,
						Fortitude::Force,
					)
				});
				if let Ok(paid) = paid {
					amount = amount.saturating_sub(paid);
					info.bond = info.bond.saturating_sub(paid);
					compensation = compensation.saturating_add(paid);
				}
			}
			let mut slashed = compensation;
			if !amount.is_zero() {
				match T::Currency::transfer_on_hold(
					&HoldReason::WorkerBond.into(),
					worker,
					&T::TreasuryAccount::get(),
					amount,
					Precision::BestEffort,
					Restriction::Free,
					Fortitude::Force,
				) {
					Ok(taken) => {
						info.bond = info.bond.saturating_sub(taken);
						slashed = slashed.saturating_add(taken);
					},
					Err(_) => {
						defensive!("a bond is held in full");
					},
				}
			}
			if !slashed.is_zero() {
				Self::deposit_event(Event::WorkerSlashed { worker: worker.clone(), job_id, amount: slashed, reason });
			}
			if info.bond < T::MinWorkerBond::get() && info.state == WorkerState::Active {
				// Below the minimum: no new work until topped up and resumed.
				info.state = WorkerState::Paused;
			}
		}
		Workers::<T>::insert(worker, info);
		compensation
	}

	/// The penalty of an assignment outside the majority (or of any non-revealing one when
	/// there is none): revealed a different verdict → `Disagreed`; committed but never
	/// revealed → `Withheld`, as costly as disagreeing; never committed → `NoShow`.
	pub(crate) fn penalty(assignment: &Assignment<T>) -> (Permill, SlashReason) {
		match (&assignment.commitment, &assignment.verdict) {
			(_, Some(_)) => (T::DisagreeSlash::get(), SlashReason::Disagreed),
			(Some(_), None) => (T::DisagreeSlash::get(), SlashReason::Withheld),
			(None, None) => (T::NoShowSlash::get(), SlashReason::NoShow),
		}
	}

	/// Pays the model's price out of `job`'s escrow: the lineage share to the datasets, the
	/// rest to the owner. Returns `(owner_paid, data_paid)`.
	pub(crate) fn pay_price(job_id: JobId, job: &mut JobInfo<T>) -> (BalanceOf<T>, BalanceOf<T>) {
		let price = job.price;
		let data_paid = Self::pay_lineage(job_id, job, price);
		let owner = job.owner.clone();
		let owner_paid = Self::pay(job, &owner, price.saturating_sub(data_paid));
		(owner_paid, data_paid)
	}

	/// Pays the treasury its share of what `job` paid out and emits `JobSettled`.
	pub(crate) fn settle(
		job_id: JobId,
		job: &mut JobInfo<T>,
		workers_paid: BalanceOf<T>,
		owner_paid: BalanceOf<T>,
		data_paid: BalanceOf<T>,
	) {
		let paid = workers_paid.saturating_add(owner_paid).saturating_add(data_paid);
		let treasury_paid =
			Self::pay(job, &T::TreasuryAccount::get(), T::TreasuryShare::get().mul_ceil(paid));
		Self::deposit_event(Event::JobSettled {
			job_id,
			workers_paid,
			owner_paid,
			data_paid,
			treasury_paid,
		});
	}

	/// Closes an assigned job.
	///
	/// - **A majority agreed on an output**: `Completed`. Its members get the worker fee,
	///   the owner the price (less the lineage share), the treasury its share; everyone
	///   else is penalised ([`Self::penalty`]).
	/// - **A majority reported the same failure**: `Failed(reason)`. If the job caused it
	///   (bad input) the requester pays the members' worker fees and the treasury's share;
	///   if the model is unavailable nobody is paid. Members are never slashed; everyone
	///   else is penalised.
	/// - **No majority**: every worker that revealed gets its fee, and if any output was
	///   revealed (it is public now) the owner gets the price: breaking quorum costs the
	///   requester at least what the job costs. Nobody that revealed can be called wrong,
	///   so only those that withheld a committed verdict or never committed are penalised.
	///   `NoQuorum` when everyone revealed, `Expired` otherwise.
	pub(crate) fn conclude(job_id: JobId, mut job: JobInfo<T>) -> DispatchResult {
		if job.verified() {
			return Self::conclude_verified(job_id, job);
		}
		let JobState::Assigned { assignments, .. } = job.state.clone() else {
			defensive!("only assigned jobs conclude");
			return Ok(());
		};
		let verdicts: Vec<_> = assignments.iter().map(|a| a.verdict.as_ref()).collect();
		let replicas = u32::from(job.replicas);
		let fee = job.worker_fee;
		let Some((representative, members)) =
			agreement::majority::<T>(&verdicts, replicas, T::EmbeddingAgreement::get())
		else {
			return Self::close_without_majority(job_id, job, &assignments, |_| fee);
		};

		let agreed = assignments[representative].verdict.clone();
		let paid_members = match &agreed {
			Some(Verdict::Output(_)) => true,
			Some(Verdict::Failure(reason)) => reason.caused_by_job(),
			Some(Verdict::Evidence(_)) | None => {
				defensive!("a majority of a replicated job is made of revealed outputs or failures");
				false
			},
		};
		let mut workers_paid: BalanceOf<T> = Zero::zero();
		for (index, assignment) in assignments.iter().enumerate() {
			if members.contains(&index) {
				if paid_members {
					workers_paid =
						workers_paid.saturating_add(Self::pay(&mut job, &assignment.worker, fee));
				}
				Self::finish_assignment(job_id, &assignment.worker, Some(true), None);
			} else {
				let penalty = Self::penalty(assignment);
				Self::finish_assignment(job_id, &assignment.worker, Some(false), Some(penalty));
			}
		}
		match agreed {
			Some(Verdict::Output(output)) => {
				let (owner_paid, data_paid) = Self::pay_price(job_id, &mut job);
				Self::settle(job_id, &mut job, workers_paid, owner_paid, data_paid);
				Results::<T>::insert(job_id, output);
				let now = frame_system::Pallet::<T>::block_number();
				let blocks: u32 =
					now.saturating_sub(job.submitted_at).try_into().unwrap_or(u32::MAX);
				Self::close_with_refund(
					job_id,
					job,
					CloseReason::Completed,
					JobOutcome::Completed {
						blocks_to_result: blocks,
						agreeing: members.len() as u32,
						replicas,
					},
				)
			},
			Some(Verdict::Failure(reason)) => {
				if !workers_paid.is_zero() {
					Self::settle(job_id, &mut job, workers_paid, Zero::zero(), Zero::zero());
				}
				let outcome = if reason.caused_by_job() {
					// The input was at fault, not the model.
					JobOutcome::Withdrawn
				} else {
					JobOutcome::Failed { replicas }
				};
				Self::close_with_refund(job_id, job, CloseReason::Failed(reason), outcome)
			},
			Some(Verdict::Evidence(_)) | None =>
				Self::close_with_refund(job_id, job, CloseReason::Expired, JobOutcome::Failed { replicas }),
		}
	}

	/// Closes an assigned job whose verdicts have no majority: every worker that revealed
	/// (or, as a verified job's generator, published) gets `fee_of(its index)`, and if any
	/// output was revealed (it is public now) the owner gets the price; those that withheld
	/// a committed verdict or never committed are penalised. `NoQuorum` when everyone
	/// revealed, `Expired` otherwise.
	pub(crate) fn close_without_majority(
		job_id: JobId,
		mut job: JobInfo<T>,
		assignments: &[Assignment<T>],
		fee_of: impl Fn(usize) -> BalanceOf<T>,
	) -> DispatchResult {
		let replicas = u32::from(job.replicas);
		let mut workers_paid: BalanceOf<T> = Zero::zero();
		for (index, assignment) in assignments.iter().enumerate() {
			if assignment.verdict.is_some() {
				workers_paid = workers_paid.saturating_add(Self::pay(&mut job, &assignment.worker, fee_of(index)));
				Self::finish_assignment(job_id, &assignment.worker, None, None);
			} else {
				let penalty = Self::penalty(assignment);
				Self::finish_assignment(job_id, &assignment.worker, Some(false), Some(penalty));
			}
		}
		let any_output = assignments.iter().any(|a| matches!(a.verdict, Some(Verdict::Output(_))));
		let (owner_paid, data_paid) =
			if any_output { Self::pay_price(job_id, &mut job) } else { (Zero::zero(), Zero::zero()) };
		if !workers_paid.is_zero() || !owner_paid.is_zero() || !data_paid.is_zero() {
			Self::settle(job_id, &mut job, workers_paid, owner_paid, data_paid);
		}
		let reason = if assignments.iter().all(|a| a.verdict.is_some()) {
			CloseReason::NoQuorum
		} else {
			CloseReason::Expired
		};
		Self::close_with_refund(job_id, job, reason, JobOutcome::Failed { replicas })
	}

	/// Closes the jobs whose deadline is `now`; returns how many there were and how many
	/// assignments they concluded.
	pub(crate) fn close_expired(now: BlockNumberFor<T>) -> (u32, u64) {
		let due = Deadlines::<T>::take(now);
		let count = due.len() as u32;
		let mut assignments = 0u64;
		for job_id in due {
			if let Some(JobState::Assigned { assignments: assigned, .. }) = Jobs::<T>::get(job_id).map(|job| job.state) {
				assignments += assigned.len() as u64;
			}
			Self::on_deadline(job_id);
		}
		(count, assignments)
	}

	/// Handles a job whose deadline is now.
	pub(crate) fn on_deadline(job_id: JobId) {
		let Some(job) = Jobs::<T>::get(job_id) else {
			defensive!("deadline of an unknown job");
			return;
		};
		let result = match job.state {
			JobState::Queued => {
				Self::dequeue(job_id, &job.requester);
				Self::close_with_refund(job_id, job, CloseReason::Expired, JobOutcome::Withdrawn)
			},
			// Only if no block carried a VRF output for the whole deadline.
			JobState::Drawing =>
				Self::close_with_refund(job_id, job, CloseReason::Expired, JobOutcome::Withdrawn),
			JobState::Assigned { .. } => Self::conclude(job_id, job),
			JobState::Closed { .. } => Ok(()),
		};
		if result.is_err() {
			defensive!("closing a job at its deadline cannot fail");
		}
	}
}
