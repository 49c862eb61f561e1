//! Picking workers for a job.
//!
//! Eligible workers serve the job's model, are ready for its version (their node holds it,
//! see [`crate::readiness`]), are active, bonded at least `MinWorkerBond`, have spare
//! capacity and are not the requester. `replicas` of them are drawn without
//! replacement, each with probability proportional to its stake times its reputation:
//! `min(bond / MinWorkerBond, MaxStakeUnits) × max(reputation, 1 ppm)`. Reputation alone can
//! be farmed with self-submitted jobs; weighing stake makes crowding honest workers out
//! cost bonds, not just accounts.
//!
//! A job is assigned only while its deadline leaves `CommitWindow + RevealWindow` blocks
//! (one more `CommitWindow` for a verified generation, whose generator publishes first),
//! so a worker that commits always has `RevealWindow` blocks to reveal and is never
//! slashed because a co-replica was slow.
//!
//! ## The seed
//!
//! A job is not drawn when it is submitted. Every block whose parent carries a VRF output
//! (BABE's, through `Config::Randomness`) folds it into [`DrawBeacon`]; a job submitted in
//! block `S` is drawn at the second fold after it (block `S + 3` when every block carries
//! one, [`DRAW_DELAY`]), from `blake2(beacon ‖ job id)`. The beacon then holds the VRF
//! outputs of blocks `S + 1` and `S + 2`, which did not exist when the job was submitted:
//!
//! - a requester, a worker or the author of block `S` (who picks the job's place) cannot
//!   know its draw;
//! - a BABE author knows its own slot's output in advance, so only one who authors both
//!   `S + 1` and `S + 2` could know the seed at submission;
//! - a VRF output cannot be ground: an author can change a draw only by withholding its
//!   block, which gives up the block (and lets the next slot's author fold its own output).
//!   Each block given up buys one redraw of the jobs due then.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	traits::{Get, Randomness},
	BoundedVec,
};
use sp_runtime::traits::{One, Saturating};

impl<T: Config> Pallet<T> {
	/// The workers that could take `job` now, with their draw weights.
	fn eligible(job: &JobInfo<T>) -> Vec<(T::AccountId, u64)> {
		ModelWorkers::<T>::get(job.model_id)
			.into_iter()
			.filter(|who| *who != job.requester)
			.filter_map(|who| {
				let worker = Workers::<T>::get(&who)?;
				let available = worker.takes_jobs() &&
					worker.assigned < worker.capacity &&
					worker.is_ready(job.model_id, job.version);
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
		if now.saturating_add(Self::duty_blocks(job.verified())) > job.deadline {
			// Too late for anyone to commit and reveal: it waits and expires unassigned.
			return false;
		}
		let candidates = Self::eligible(job);
		let needed = usize::from(job.replicas);
		if candidates.len() < needed {
			return false;
		}
		let seed = sp_io::hashing::blake2_256(&(DrawBeacon::<T>::get(), job_id).encode());
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

	/// Folds the parent block's VRF output into the beacon and draws the jobs submitted
	/// before the previous fold (see the module docs): assigns each, or queues it when too
	/// few workers are free, or closes it `QueueFull` with a full refund when the queue (or
	/// its requester's share) has no room. Returns how many jobs were drawn and how many
	/// worker records their eligibility checks read.
	pub(crate) fn draw_submitted() -> (u32, u64) {
		let (randomness, _) = T::Randomness::random(b"infera/compute-jobs/draw");
		let Some(randomness) = randomness else {
			// No fresh output: the beacon stays, and so do the jobs waiting for it.
			return (0, 0);
		};
		let beacon = sp_io::hashing::blake2_256(&(DrawBeacon::<T>::get(), randomness).encode());
		DrawBeacon::<T>::put(beacon);
		let (older, newer) = DrawMarks::<T>::get();
		DrawMarks::<T>::put((newer, NextJobId::<T>::get()));
		Self::draw_below(older)
	}

	/// Draws every job waiting below `end` from the current beacon and moves the draw
	/// cursor there; returns how many jobs were drawn and the worker records read.
	pub(crate) fn draw_below(end: JobId) -> (u32, u64) {
		let cursor = DrawCursor::<T>::get();
		if cursor >= end {
			return (0, 0);
		}
		DrawCursor::<T>::put(end);
		let mut drawn = 0u32;
		let mut scanned = 0u64;
		for job_id in cursor..end {
			let Some(mut job) = Jobs::<T>::get(job_id) else { continue };
			if job.state != JobState::Drawing {
				// Cancelled while it waited.
				continue;
			}
			drawn = drawn.saturating_add(1);
			scanned += ModelWorkers::<T>::decode_len(job.model_id).unwrap_or(0) as u64;
			job.state = JobState::Queued;
			if Self::try_assign(job_id, &mut job) {
				Jobs::<T>::insert(job_id, job);
			} else if Self::enqueue(job_id, &job.requester).is_ok() {
				Jobs::<T>::insert(job_id, job);
			} else {
				Self::release_deadline(job_id, job.deadline);
				if Self::close_with_refund(job_id, job, CloseReason::QueueFull, JobOutcome::Withdrawn)
					.is_err()
				{
					frame_support::defensive!("the escrow of a job being drawn is held");
				}
			}
		}
		(drawn, scanned)
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
