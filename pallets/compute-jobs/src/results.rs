//! Commit and reveal.

use crate::{pallet::*, *};
use codec::Encode;
use frame_support::ensure;
use sp_core::H256;
use sp_runtime::DispatchResult;

/// The commitment a worker submits for `output` with `salt`.
pub fn commitment_of<T: Config>(output: &JobOutput<T>, salt: &[u8; 32]) -> H256 {
	let mut preimage = output.encode();
	preimage.extend_from_slice(salt);
	H256(sp_io::hashing::blake2_256(&preimage))
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_commit(who: T::AccountId, job_id: JobId, commitment: H256) -> DispatchResult {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let JobState::Assigned { assignments, reveal_from, .. } = &mut job.state else {
			return Err(Error::<T>::JobNotAssigned.into());
		};
		let all_committed = assignments.iter().all(|a| a.commitment.is_some());
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now < *reveal_from && !all_committed, Error::<T>::CommitsClosed);
		let assignment = assignments
			.iter_mut()
			.find(|a| a.worker == who)
			.ok_or(Error::<T>::NotAssignedWorker)?;
		ensure!(assignment.commitment.is_none(), Error::<T>::AlreadyCommitted);
		assignment.commitment = Some(commitment);
		if assignments.iter().all(|a| a.commitment.is_some()) {
			// Everyone committed: reveals open now.
			*reveal_from = now;
		}
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::ResultCommitted { job_id, worker: who });
		Ok(())
	}

	pub(crate) fn do_reveal(
		who: T::AccountId,
		job_id: JobId,
		output: JobOutput<T>,
		salt: [u8; 32],
	) -> DispatchResult {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let task = job.task;
		let JobState::Assigned { assignments, reveal_from, .. } = &mut job.state else {
			return Err(Error::<T>::JobNotAssigned.into());
		};
		let now = frame_system::Pallet::<T>::block_number();
		let index = assignments
			.iter()
			.position(|a| a.worker == who)
			.ok_or(Error::<T>::NotAssignedWorker)?;
		ensure!(now >= *reveal_from, Error::<T>::RevealsNotOpen);
		let assignment = &mut assignments[index];
		let commitment = assignment.commitment.ok_or(Error::<T>::NotCommitted)?;
		ensure!(assignment.output.is_none(), Error::<T>::AlreadyRevealed);
		ensure!(commitment_of::<T>(&output, &salt) == commitment, Error::<T>::CommitmentMismatch);
		let fits = matches!(
			(task, &output),
			(TaskKind::TextEmbedding, JobOutput::Embedding(_)) |
				(TaskKind::TextClassification, JobOutput::Label(_)) |
				(TaskKind::TextGeneration, JobOutput::Text(_))
		);
		ensure!(fits, Error::<T>::WrongOutputKind);
		assignment.output = Some(output);
		let done = assignments.iter().all(|a| a.commitment.is_none() || a.output.is_some());
		Self::deposit_event(Event::ResultRevealed { job_id, worker: who });
		if done {
			Self::conclude(job_id, job)
		} else {
			Jobs::<T>::insert(job_id, job);
			Ok(())
		}
	}
}
