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
	fn pay(job: &mut JobInfo<T>, to: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
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

	/// Frees one assignment slot of `worker`, moves its reputation, and slashes `slash`
	/// of its bond to the treasury when given.
	fn finish_assignment(
		job_id: JobId,
		worker: &T::AccountId,
		agreed: bool,
		slash: Option<(Permill, SlashReason)>,
	) {
		WorkerJobs::<T>::remove(worker, job_id);
		let Some(mut info) = Workers::<T>::get(worker) else {
			defensive!("an assigned worker cannot leave");
			return;
		};
		info.assigned = info.assigned.saturating_sub(1);
		info.reputation = next_reputation(info.reputation, T::ReputationStep::get(), agreed);
		if let Some((share, reason)) = slash {
			let amount = share.mul_floor(info.bond);
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
						Self::deposit_event(Event::WorkerSlashed {
							worker: worker.clone(),
							job_id,
							amount: taken,
							reason,
						});
					},
					Err(_) => {
						defensive!("a bond is held in full");
					},
				}
			}
			if info.bond < T::MinWorkerBond::get() && info.state == WorkerState::Active {
				// Below the minimum: no new work until topped up and resumed.
				info.state = WorkerState::Paused;
			}
		}
		Workers::<T>::insert(worker, info);
	}

	/// Closes an assigned job: settles it if a majority agreed, else refunds it
	/// (`NoQuorum` when everyone revealed, `Expired` otherwise). No-shows are slashed
	/// either way; without a majority nobody can be called wrong, so nobody else is.
	pub(crate) fn conclude(job_id: JobId, mut job: JobInfo<T>) -> DispatchResult {
		let JobState::Assigned { assignments, .. } = job.state.clone() else {
			defensive!("only assigned jobs conclude");
			return Ok(());
		};
		let outputs: Vec<_> = assignments.iter().map(|a| a.output.as_ref()).collect();
		let replicas = u32::from(job.replicas);
		let Some((representative, members)) =
			agreement::majority::<T>(&outputs, replicas, T::EmbeddingAgreement::get())
		else {
			for assignment in &assignments {
				let no_show = assignment.output.is_none();
				let slash = no_show.then(|| (T::NoShowSlash::get(), SlashReason::NoShow));
				Self::finish_assignment(job_id, &assignment.worker, false, slash);
			}
			let reason = if outputs.iter().all(Option::is_some) {
				CloseReason::NoQuorum
			} else {
				CloseReason::Expired
			};
			return Self::close_with_refund(job_id, job, reason, JobOutcome::Failed { replicas });
		};

		let mut workers_paid: BalanceOf<T> = Zero::zero();
		for (index, assignment) in assignments.iter().enumerate() {
			if members.contains(&index) {
				let fee = job.worker_fee;
				workers_paid = workers_paid.saturating_add(Self::pay(&mut job, &assignment.worker, fee));
				Self::finish_assignment(job_id, &assignment.worker, true, None);
			} else {
				let slash = if assignment.output.is_some() {
					(T::DisagreeSlash::get(), SlashReason::Disagreed)
				} else {
					(T::NoShowSlash::get(), SlashReason::NoShow)
				};
				Self::finish_assignment(job_id, &assignment.worker, false, Some(slash));
			}
		}
		let price = job.price;
		let data_paid = Self::pay_lineage(job_id, &mut job, price);
		let owner = job.owner.clone();
		let owner_paid = Self::pay(&mut job, &owner, price.saturating_sub(data_paid));
		let paid = workers_paid.saturating_add(owner_paid).saturating_add(data_paid);
		let treasury_paid =
			Self::pay(&mut job, &T::TreasuryAccount::get(), T::TreasuryShare::get().mul_ceil(paid));
		if let Some(output) = assignments[representative].output.clone() {
			Results::<T>::insert(job_id, output);
		}
		let now = frame_system::Pallet::<T>::block_number();
		let blocks: u32 = now.saturating_sub(job.submitted_at).try_into().unwrap_or(u32::MAX);
		Self::deposit_event(Event::JobSettled {
			job_id,
			workers_paid,
			owner_paid,
			data_paid,
			treasury_paid,
		});
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
				Queue::<T>::mutate(|queue| queue.retain(|id| *id != job_id));
				Self::close_with_refund(job_id, job, CloseReason::Expired, JobOutcome::Withdrawn)
			},
			JobState::Assigned { .. } => Self::conclude(job_id, job),
			JobState::Closed { .. } => Ok(()),
		};
		if result.is_err() {
			defensive!("closing a job at its deadline cannot fail");
		}
	}
}
