//! Verified generation ([`GenerationCheck::Verify`]): one worker generates, the others
//! check its tokens for far less than generating them again (`docs/verification.md`).
//!
//! 1. **Generation.** The first drawn worker (the generator) runs the job and publishes its
//!    output with `reveal_result` alone, within `CommitWindow` of the assignment: there is
//!    nothing to copy before it is public, so it does not commit. A generator that reports
//!    a failure ends the job: one worker's failure cannot be checked cheaply, so the job is
//!    refunded in full and nobody is paid; the generator's reputation falls.
//! 2. **Verification.** The other workers (the verifiers, at least two) run the prompt and
//!    the claimed tokens through the model in one teacher-forced pass and commit, within
//!    `CommitWindow` of the publication, to [`VerificationEvidence`]: per token, how far
//!    the claimed token is below their best score (deficit), their top-1 margin, and the
//!    token's surprise, which the generator never publishes. They reveal as usual.
//! 3. **Agreement.** The verifiers' evidence must agree ([`crate::agreement`]): a verifier
//!    that says "accept" without computing cannot produce the margins and surprises the
//!    others computed, and is outside the majority (slashed `Disagreed`).
//! 4. **Decision.** The agreed evidence accepts the generation when the claim is well
//!    formed, at every token the deficit is at most `GenerationMaxDeficit` and the
//!    verifier's margin is within `GenerationMarginTolerance` of the generator's, and the
//!    margins differ by at most `GenerationMeanMarginTolerance` on average
//!    ([`VerificationEvidence::accepts`]).
//!    - **Accepted**: `Completed`; the generator gets the job's worker fee, each agreeing
//!      verifier the verifier fee, the owner the price, the treasury its share.
//!    - **Rejected**: `Rejected`; the requester is refunded in full; the generator loses
//!      `DisagreeSlash` of its bond ([`SlashReason::Rejected`]), out of which the agreeing
//!      verifiers are paid their fee, the rest going to the treasury.
//!    - **The verifiers agree they cannot run it** (a failure): refunded; nobody is paid or
//!      slashed but those outside the majority.
//!    - **No majority among the verifiers**: as a replicated job without quorum, everyone
//!      who published or revealed is paid, and the owner too (the output is public);
//!      those who withheld or never committed are penalised.
//!    - **No publication in time**: the generator is a no-show (`NoShowSlash`); the job is
//!      refunded, and the verifiers, who could do nothing, are released unharmed.

use crate::{agreement, pallet::*, *};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	dispatch::DispatchResultWithPostInfo, ensure, pallet_prelude::Pays, traits::Get,
};
use infera_primitives::inference::{InferenceOutput, VerificationEvidence, VerificationThresholds};
use sp_core::H256;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// The generator of verified job `job_id` publishes its verdict (step 1).
	pub(crate) fn publish_generation(
		who: T::AccountId,
		job_id: JobId,
		mut job: JobInfo<T>,
		verdict: Verdict<T>,
	) -> DispatchResultWithPostInfo {
		let replicas = u32::from(job.replicas);
		let task = job.task;
		let JobState::Assigned { assignments, reveal_from, .. } = &mut job.state else {
			return Err(Error::<T>::JobNotAssigned.into());
		};
		let now = frame_system::Pallet::<T>::block_number();
		let generator = &mut assignments[0];
		ensure!(generator.verdict.is_none(), Error::<T>::AlreadyRevealed);
		ensure!(now < *reveal_from, Error::<T>::CommitsClosed);
		let fits = match &verdict {
			Verdict::Output(output) => output.answers(task),
			Verdict::Failure(_) => true,
			Verdict::Evidence(_) => false,
		};
		ensure!(fits, Error::<T>::WrongOutputKind);
		// Recorded as its commitment too, so that "everyone committed" counts it.
		generator.commitment = Some(H256(sp_io::hashing::blake2_256(&verdict.encode())));
		let failed = matches!(verdict, Verdict::Failure(_));
		generator.verdict = Some(verdict);
		// The verifiers' commit window starts now.
		*reveal_from = now.saturating_add(T::CommitWindow::get());
		Self::deposit_event(Event::ResultRevealed { job_id, worker: who });
		if failed {
			Self::conclude(job_id, job)?;
		} else {
			Jobs::<T>::insert(job_id, job);
		}
		Ok((Some(T::WeightInfo::reveal_result(replicas)), Pays::No).into())
	}

	/// Closes a verified job (step 4).
	pub(crate) fn conclude_verified(job_id: JobId, mut job: JobInfo<T>) -> DispatchResult {
		let (JobState::Assigned { assignments, .. }, Some(generation)) = (job.state.clone(), job.generation)
		else {
			frame_support::defensive!("only assigned generation jobs conclude as verified");
			return Ok(());
		};
		let replicas = u32::from(job.replicas);
		let Some((generator, verifiers)) = assignments.split_first() else {
			frame_support::defensive!("a verified job has a generator");
			return Self::close_with_refund(job_id, job, CloseReason::Expired, JobOutcome::Failed { replicas });
		};
		let release_verifiers = || {
			for verifier in verifiers {
				Self::finish_assignment(job_id, &verifier.worker, None, None);
			}
		};
		let output = match &generator.verdict {
			Some(Verdict::Output(output)) => output.clone(),
			None => {
				let no_show = (T::NoShowSlash::get(), SlashReason::NoShow);
				Self::finish_assignment(job_id, &generator.worker, Some(false), Some(no_show));
				release_verifiers();
				return Self::close_with_refund(job_id, job, CloseReason::Expired, JobOutcome::Failed { replicas });
			},
			Some(Verdict::Failure(reason)) => {
				let reason = *reason;
				Self::finish_assignment(job_id, &generator.worker, Some(false), None);
				release_verifiers();
				return Self::close_with_refund(job_id, job, CloseReason::Failed(reason), JobOutcome::Failed { replicas });
			},
			Some(Verdict::Evidence(_)) => {
				frame_support::defensive!("a generator publishes an output or a failure");
				Self::finish_assignment(job_id, &generator.worker, None, None);
				release_verifiers();
				return Self::close_with_refund(job_id, job, CloseReason::Expired, JobOutcome::Failed { replicas });
			},
		};
		let verdicts: Vec<_> = verifiers.iter().map(|a| a.verdict.as_ref()).collect();
		let majority =
			agreement::majority::<T>(&verdicts, verifiers.len() as u32, T::EmbeddingAgreement::get());
		let Some((representative, members)) = majority else {
			return Self::verifiers_split(job_id, job, &assignments);
		};
		let penalise_outsiders = |members: &[usize]| {
			for (index, verifier) in verifiers.iter().enumerate() {
				if !members.contains(&index) {
					let penalty = Self::penalty(verifier);
					Self::finish_assignment(job_id, &verifier.worker, Some(false), Some(penalty));
				}
			}
		};
		let evidence = match &verifiers[representative].verdict {
			Some(Verdict::Evidence(evidence)) => evidence.clone(),
			Some(Verdict::Failure(reason)) => {
				// The verifiers cannot run it either: nobody can tell, nobody pays.
				let reason = *reason;
				Self::finish_assignment(job_id, &generator.worker, None, None);
				for index in &members {
					Self::finish_assignment(job_id, &verifiers[*index].worker, Some(true), None);
				}
				penalise_outsiders(&members);
				return Self::close_with_refund(job_id, job, CloseReason::Failed(reason), JobOutcome::Failed { replicas });
			},
			_ => {
				frame_support::defensive!("verifiers reveal evidence or a failure");
				return Self::verifiers_split(job_id, job, &assignments);
			},
		};
		penalise_outsiders(&members);
		if accepts::<T>(&evidence, &output) {
			let generator_fee = job.worker_fee;
			let mut workers_paid = Self::pay(&mut job, &generator.worker, generator_fee);
			Self::finish_assignment(job_id, &generator.worker, Some(true), None);
			for index in &members {
				let verifier = &verifiers[*index].worker;
				workers_paid = workers_paid.saturating_add(Self::pay(&mut job, verifier, generation.verifier_fee));
				Self::finish_assignment(job_id, verifier, Some(true), None);
			}
			let (owner_paid, data_paid) = Self::pay_price(job_id, &mut job);
			Self::settle(job_id, &mut job, workers_paid, owner_paid, data_paid);
			Results::<T>::insert(job_id, output);
			let now = frame_system::Pallet::<T>::block_number();
			let blocks: u32 = now.saturating_sub(job.submitted_at).try_into().unwrap_or(u32::MAX);
			let agreeing = members.len() as u32 + 1;
			Self::close_with_refund(
				job_id,
				job,
				CloseReason::Completed,
				JobOutcome::Completed { blocks_to_result: blocks, agreeing, replicas },
			)
		} else {
			// The generator pays the verifiers who caught it, out of its slash.
			let owed: Vec<_> = members
				.iter()
				.map(|index| (verifiers[*index].worker.clone(), generation.verifier_fee))
				.collect();
			let slash = (T::DisagreeSlash::get(), SlashReason::Rejected);
			let paid = Self::finish_assignment_compensating(job_id, &generator.worker, Some(false), Some(slash), &owed);
			for index in &members {
				Self::finish_assignment(job_id, &verifiers[*index].worker, Some(true), None);
			}
			if !paid.is_zero() {
				Self::deposit_event(Event::JobSettled {
					job_id,
					workers_paid: paid,
					owner_paid: Zero::zero(),
					data_paid: Zero::zero(),
					treasury_paid: Zero::zero(),
				});
			}
			Self::close_with_refund(job_id, job, CloseReason::Rejected, JobOutcome::Failed { replicas })
		}
	}

	/// No majority among the verifiers: as a replicated job without quorum
	/// ([`Pallet::close_without_majority`]), the generator paid the job's worker fee and each
	/// revealing verifier the verifier fee.
	fn verifiers_split(job_id: JobId, job: JobInfo<T>, assignments: &[Assignment<T>]) -> DispatchResult {
		let (generator_fee, verifier_fee) =
			(job.worker_fee, job.generation.map_or(Zero::zero(), |generation| generation.verifier_fee));
		Self::close_without_majority(job_id, job, assignments, |index| {
			if index == 0 { generator_fee } else { verifier_fee }
		})
	}
}

/// Whether agreed `evidence` accepts the generator's `output` (step 4).
pub fn accepts<T: Config>(evidence: &VerificationEvidence<T::MaxOutputLen>, output: &JobOutput<T>) -> bool {
	let InferenceOutput::Text { margins, .. } = output else { return false };
	evidence.accepts(margins, &VerificationThresholds {
		max_deficit: T::GenerationMaxDeficit::get(),
		margin_tolerance: T::GenerationMarginTolerance::get(),
		mean_margin_tolerance: T::GenerationMeanMarginTolerance::get(),
	})
}
