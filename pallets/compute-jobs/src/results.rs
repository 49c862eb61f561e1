//! Commit and reveal.
//!
//! A commitment binds the verdict to the chain (its genesis hash), the job and the worker:
//! `blake2_256(SCALE(b"infera/commit", genesis, job_id, worker, verdict, salt))`. A worker
//! that copies another's commitment cannot open it with the other's reveal, because the
//! hash names the other worker.
//!
//! Valid commits and reveals of assigned workers are duties and pay no transaction fee
//! (`Pays::No`); a call that fails pays in full, so the fee-free path cannot be spammed.

use crate::{pallet::*, *};
use codec::Encode;
use frame_support::{dispatch::DispatchResultWithPostInfo, ensure, pallet_prelude::Pays};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::traits::Zero;

/// Domain separator of commitments.
const COMMIT_DOMAIN: &[u8; 13] = b"infera/commit";

/// The commitment `worker` submits for `verdict` on `job_id` with `salt`, on the chain whose
/// genesis hash is `genesis`.
pub fn commitment_with_genesis<T: Config>(
	genesis: T::Hash,
	job_id: JobId,
	worker: &T::AccountId,
	verdict: &Verdict<T>,
	salt: &[u8; 32],
) -> H256 {
	H256(sp_io::hashing::blake2_256(&(COMMIT_DOMAIN, genesis, job_id, worker, verdict, salt).encode()))
}

/// The commitment `worker` submits for `verdict` on `job_id` with `salt`, on this chain.
pub fn commitment_of<T: Config>(
	job_id: JobId,
	worker: &T::AccountId,
	verdict: &Verdict<T>,
	salt: &[u8; 32],
) -> H256 {
	let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
	commitment_with_genesis::<T>(genesis, job_id, worker, verdict, salt)
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_commit(
		who: T::AccountId,
		job_id: JobId,
		commitment: H256,
	) -> DispatchResultWithPostInfo {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let verified = job.verified();
		let JobState::Assigned { assignments, reveal_from, .. } = &mut job.state else {
			return Err(Error::<T>::JobNotAssigned.into());
		};
		let index = assignments.iter().position(|a| a.worker == who).ok_or(Error::<T>::NotAssignedWorker)?;
		if verified {
			// The generator publishes without committing; verifiers commit once it has.
			ensure!(index != 0, Error::<T>::GeneratorDoesNotCommit);
			ensure!(assignments[0].verdict.is_some(), Error::<T>::GenerationPending);
		}
		let all_committed = assignments.iter().all(|a| a.commitment.is_some());
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now < *reveal_from && !all_committed, Error::<T>::CommitsClosed);
		let assignment = &mut assignments[index];
		ensure!(assignment.commitment.is_none(), Error::<T>::AlreadyCommitted);
		assignment.commitment = Some(commitment);
		if assignments.iter().all(|a| a.commitment.is_some()) {
			// Everyone committed: reveals open now.
			*reveal_from = now;
		}
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::ResultCommitted { job_id, worker: who });
		Ok(Pays::No.into())
	}

	pub(crate) fn do_reveal(
		who: T::AccountId,
		job_id: JobId,
		verdict: Verdict<T>,
		salt: [u8; 32],
	) -> DispatchResultWithPostInfo {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let task = job.task;
		let replicas = u32::from(job.replicas);
		let verified = job.verified();
		let JobState::Assigned { assignments, reveal_from, .. } = &mut job.state else {
			return Err(Error::<T>::JobNotAssigned.into());
		};
		let now = frame_system::Pallet::<T>::block_number();
		let index = assignments
			.iter()
			.position(|a| a.worker == who)
			.ok_or(Error::<T>::NotAssignedWorker)?;
		if verified && index == 0 {
			return Self::publish_generation(who, job_id, job, verdict);
		}
		ensure!(now >= *reveal_from, Error::<T>::RevealsNotOpen);
		let assignment = &mut assignments[index];
		let commitment = assignment.commitment.ok_or(Error::<T>::NotCommitted)?;
		ensure!(assignment.verdict.is_none(), Error::<T>::AlreadyRevealed);
		ensure!(
			commitment_of::<T>(job_id, &who, &verdict, &salt) == commitment,
			Error::<T>::CommitmentMismatch
		);
		// Verifiers of a verified job report evidence; everyone else an output.
		let fits = match &verdict {
			Verdict::Output(output) => !verified && output.answers(task),
			Verdict::Evidence(_) => verified,
			Verdict::Failure(_) => true,
		};
		ensure!(fits, Error::<T>::WrongOutputKind);
		assignment.verdict = Some(verdict);
		let done = assignments.iter().all(|a| a.commitment.is_none() || a.verdict.is_some());
		Self::deposit_event(Event::ResultRevealed { job_id, worker: who });
		if done {
			Self::conclude(job_id, job)?;
		} else {
			Jobs::<T>::insert(job_id, job);
		}
		// Charged for the job's replica count, not the most any job may have.
		Ok((Some(T::WeightInfo::reveal_result(replicas)), Pays::No).into())
	}
}
