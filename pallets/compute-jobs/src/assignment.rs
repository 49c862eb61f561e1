//! Picking workers for a job.
//!
//! Eligible workers serve the job's model, are active, bonded at least `MinWorkerBond`,
//! have spare capacity and are not the requester. `replicas` of them are drawn without
//! replacement, each with probability proportional to its stake times its reputation:
//! `min(bond / MinWorkerBond, MaxStakeUnits) × max(reputation, 1 ppm)`. Reputation alone can
//! be farmed with self-submitted jobs; weighing stake makes crowding honest workers out
//! cost bonds, not just accounts.
//!
//! A job is assigned only while its deadline leaves `CommitWindow + RevealWindow` blocks,
//! so a worker that commits always has `RevealWindow` blocks to reveal and is never
//! slashed because a co-replica was slow.
//!
//! The seed is derived from the parent block hash and the job id. The block author knows
//! the parent hash, so it could predict (not choose) assignments; see the README's threat
//! model for the bound and the planned VRF seed.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{traits::Get, BoundedVec};
use sp_runtime::traits::{One, Saturating};

impl<T: Config> Pallet<T> {
	/// The workers that could take `job` now, with their draw weights.
	fn eligible(job: &JobInfo<T>) -> Vec<(T::AccountId, u64)> {
		ModelWorkers::<T>::get(job.model_id)
			.into_iter()
			.filter(|who| *who != job.requester)
			.filter_map(|who| {
				let worker = Workers::<T>::get(&who)?;
				let available = worker.takes_jobs() && worker.assigned < worker.capacity;
				available.then(|| (who, Self::draw_weight(&worker)))
			})
			.collect()
	}

	/// A worker's weight in draws: stake units times reputation parts.
	pub fn draw_weight(worker: &WorkerInfo<T>) -> u64 {
		let min_bond = T::MinWorkerBond::get().max(One::one());
		let units: u64 = (worker.bond / min_bond).try_into().unwrap_or(u64::MAX);
		let units = units.clamp(1, u64::from(T::MaxStakeUnits::get().max(1)));
		units.saturating_mul(u64::from(worker.reputation.deconstruct().max(1)))
	}

	/// Draws `count` distinct workers from `candidates`, weighted, with `seed`.
	fn draw(mut candidates: Vec<(T::AccountId, u64)>, count: usize, seed: [u8; 32]) -> Vec<T::AccountId> {
		let mut chosen = Vec::with_capacity(count);
		for round in 0..count as u32 {
			let total: u64 = candidates.iter().map(|(_, weight)| *weight).sum();
			if total == 0 {
				break;
			}
			let random = sp_io::hashing::blake2_256(&(seed, round).encode());
			let mut point = u64::from_le_bytes(random[..8].try_into().expect("32 ≥ 8 bytes; qed")) % total;
			let index = candidates
				.iter()
				.position(|(_, weight)| {
					if point < *weight {
						true
					} else {
						point -= weight;
						false
					}
				})
				.unwrap_or(candidates.len() - 1);
			chosen.push(candidates.swap_remove(index).0);
		}
		chosen
	}

	/// Assigns `job` if enough workers are eligible; returns whether it did.
	pub(crate) fn try_assign(job_id: JobId, job: &mut JobInfo<T>) -> bool {
		let now = frame_system::Pallet::<T>::block_number();
		let duties = T::CommitWindow::get().saturating_add(T::RevealWindow::get());
		if now.saturating_add(duties) > job.deadline {
			// Too late for anyone to commit and reveal: it waits and expires unassigned.
			return false;
		}
		let candidates = Self::eligible(job);
		let needed = usize::from(job.replicas);
		if candidates.len() < needed {
			return false;
		}
		let parent = frame_system::Pallet::<T>::parent_hash();
		let seed = sp_io::hashing::blake2_256(&(parent, job_id).encode());
		let workers = Self::draw(candidates, needed, seed);
		let assignments: Vec<_> = workers
			.iter()
			.map(|worker| Assignment::<T> { worker: worker.clone(), commitment: None, verdict: None })
			.collect();
		let Ok(assignments) = BoundedVec::try_from(assignments) else {
			frame_support::defensive!("replicas ≤ MaxReplicas was checked at submission");
			return false;
		};
		for worker in &workers {
			WorkerJobs::<T>::insert(worker, job_id, ());
			Workers::<T>::mutate(worker, |info| {
				if let Some(info) = info {
					info.assigned = info.assigned.saturating_add(1);
				}
			});
		}
		job.state = JobState::Assigned {
			assignments,
			assigned_at: now,
			reveal_from: now.saturating_add(T::CommitWindow::get()),
		};
		Self::deposit_event(Event::JobAssigned { job_id, workers });
		true
	}

	/// Tries to assign every queued job, oldest first; returns how many were tried and how
	/// many worker records their eligibility checks read.
	pub(crate) fn assign_queued() -> (u32, u64) {
		let queue = Queue::<T>::get();
		if queue.is_empty() {
			return (0, 0);
		}
		let tried = queue.len() as u32;
		let mut scanned = 0u64;
		let mut waiting = BoundedVec::<JobId, T::MaxQueuedJobs>::new();
		for job_id in queue {
			let Some(mut job) = Jobs::<T>::get(job_id) else { continue };
			if job.state != JobState::Queued {
				continue;
			}
			scanned += ModelWorkers::<T>::decode_len(job.model_id).unwrap_or(0) as u64;
			if Self::try_assign(job_id, &mut job) {
				Self::note_dequeued(&job.requester);
				Jobs::<T>::insert(job_id, job);
			} else if waiting.try_push(job_id).is_err() {
				frame_support::defensive!("the queue only shrinks here");
			}
		}
		Queue::<T>::put(waiting);
		(tried, scanned)
	}
}
