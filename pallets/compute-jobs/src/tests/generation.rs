//! Text-generation jobs: decoding settings with a chain-drawn seed, fees priced by tokens,
//! replicas that must agree on tokens and on the margins behind them, and verified jobs
//! where one worker generates and the others check it (`crate::verification`).

use super::*;
use frame_support::{assert_noop, assert_ok};
use infera_primitives::inference::GenerationSettings;
use crate::tests::{commit_verdict, reveal_verdict};
use sp_core::H256;

/// Registers and approves a GGUF text-generation model of `OWNER` at `PRICE`.
fn approved_generator() -> ModelId {
	let id = pallet_model_registry::NextModelId::<Test>::get();
	assert_ok!(Registry::register_model(
		RuntimeOrigin::signed(OWNER),
		BoundedVec::truncate_from(b"SmolLM2-135M-Instruct".to_vec()),
		TaskKind::TextGeneration,
		BoundedVec::truncate_from(b"Apache-2.0".to_vec()),
		PRICE,
		None,
		BoundedVec::new(),
		pallet_model_registry::Artifacts {
			format: pallet_model_registry::ArtifactFormat::Gguf,
			weights: H256::repeat_byte(0x51),
			tokenizer: None,
			config: None,
			size_bytes: 98_362_432,
			location: pallet_model_registry::ArtifactLocation {
				url: Some(BoundedVec::truncate_from(b"https://models.example/smollm2/".to_vec())),
				cid: None,
			},
		},
	));
	assert_ok!(Registry::approve_version(RuntimeOrigin::root(), id, 1));
	id
}

fn generate(model: ModelId, max_new_tokens: u32, temperature: u16, max_fee: Balance, replicas: u8) -> Result<JobId, sp_runtime::DispatchError> {
	submit_generation(model, Decoding { max_new_tokens, temperature, check: GenerationCheck::Replicate }, max_fee, replicas, 10)
}

fn submit_generation(model: ModelId, decoding: Decoding, max_fee: Balance, replicas: u8, deadline_in: u64) -> Result<JobId, sp_runtime::DispatchError> {
	let id = NextJobId::<Test>::get();
	ComputeJobs::submit_generation(
		RuntimeOrigin::signed(REQUESTER),
		ModelChoice::Model { model_id: model, version: None, max_price: PRICE },
		BoundedVec::truncate_from(b"What is the capital of France?".to_vec()),
		decoding,
		max_fee,
		replicas,
		deadline_in + u64::from(DRAW_DELAY),
	)
	.map(|_| id)
	.map_err(|e| e.error)
}

fn reply(tokens: &[u32], margins: &[u8]) -> JobOutput<Test> {
	JobOutput::<Test>::Text {
		text: BoundedVec::truncate_from(b"Paris.".to_vec()),
		tokens: BoundedVec::truncate_from(tokens.to_vec()),
		margins: BoundedVec::truncate_from(margins.to_vec()),
	}
}

#[test]
fn a_generation_job_carries_its_settings_a_chain_seed_and_a_fee_per_token() {
	ExtBuilder::default().build_and_execute(|| {
		let model = approved_generator();
		workers(model, &[W1, W2]);
		// WorkerFee 5 + TokenFee 1 × 32 tokens = 37 per replica; 20 + 2 × 37 = 94, plus
		// ⌈10 % × 94⌉ = 10 for the treasury.
		let decoding = Decoding { max_new_tokens: 32, temperature: 0, check: GenerationCheck::Replicate };
		assert_eq!(ComputeJobs::escrow_for(PRICE, ComputeJobs::fees(Some(&decoding), 2).total), 104);
		assert_noop!(generate(model, 32, 0, 103, 2), Error::<Test>::MaxFeeTooLow);
		let first = generate(model, 32, 700, 104, 2).unwrap();
		let job = Jobs::<Test>::get(first).unwrap();
		assert_eq!(job.worker_fee, 37);
		let GenerationSettings { max_new_tokens, temperature, seed } = job.generation.unwrap().settings;
		assert_eq!((max_new_tokens, temperature), (32, 700));
		// The seed is the chain's, and differs between jobs.
		let second = generate(model, 32, 700, 104, 2).unwrap();
		assert_ne!(Jobs::<Test>::get(second).unwrap().generation.unwrap().settings.seed, seed);
		let estimate = ComputeJobs::estimate_generation_fee(
			ModelChoice::Model { model_id: model, version: None, max_price: PRICE },
			2,
			Some(decoding),
		)
		.unwrap();
		assert_eq!((estimate.worker_fees, estimate.min_max_fee), (74, 104));
		// Without a token count the estimate covers the most a job may ask (64 here).
		let most = ComputeJobs::estimate_fee(ModelChoice::Model { model_id: model, version: None, max_price: PRICE }, 2).unwrap();
		assert_eq!(most.worker_fees, 2 * (5 + 64));
	});
}

#[test]
fn generation_models_take_only_generation_jobs_within_the_token_bound() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).build_and_execute(|| {
		let model = approved_generator();
		workers(model, &[W2]);
		assert_noop!(generate(model, 0, 0, 1_000, 1), Error::<Test>::InvalidMaxNewTokens);
		assert_noop!(generate(model, 65, 0, 1_000, 1), Error::<Test>::InvalidMaxNewTokens);
		// An embedding model has nothing to decode; a generation model needs settings.
		assert_noop!(generate(MODEL, 16, 0, 1_000, 1), Error::<Test>::WrongSubmission);
		assert_noop!(submit_as(REQUESTER, model, 1, 13), Error::<Test>::WrongSubmission);
		assert_ok!(generate(model, 64, 0, 1_000, 1));
	});
}

#[test]
fn a_worker_running_another_quantization_is_outvoted_and_slashed_although_its_tokens_match() {
	ExtBuilder::default().build_and_execute(|| {
		let model = approved_generator();
		workers(model, &[W1, W2, W3]);
		let job = generate(model, 8, 0, 1_000, 3).unwrap();
		wait_for_draw();
		let honest = reply(&[7, 8, 2], &[40, 9, 120]);
		// Another honest machine: margins a step or two apart (the mock tolerates 4).
		let other_machine = reply(&[7, 8, 2], &[41, 7, 118]);
		// A cheaper quantization that picked the same tokens: its margins give it away.
		let swapped = reply(&[7, 8, 2], &[52, 2, 96]);
		let outputs = [(W1, honest.clone()), (W2, other_machine), (W3, swapped)];
		for (worker, output) in &outputs {
			commit(job, *worker, output);
		}
		for (worker, output) in outputs {
			assert_ok!(reveal(job, worker, output));
		}
		System::assert_has_event(
			Event::WorkerSlashed { worker: W3, job_id: job, amount: 100, reason: SlashReason::Disagreed }.into(),
		);
		assert_eq!(worker_bond(W3), BOND - 100);
		assert_eq!(Results::<Test>::get(job), Some(honest));
		// The two honest replicas are each paid 5 + 8 tokens.
		System::assert_has_event(
			Event::JobSettled { job_id: job, workers_paid: 26, owner_paid: 20, data_paid: 0, treasury_paid: 5 }.into(),
		);
	});
}

// Verified generation: one generator, verifiers with one teacher-forced pass each.

const VERIFY: Decoding = Decoding { max_new_tokens: 8, temperature: 0, check: GenerationCheck::Verify };
/// Deadline leaving DRAW_DELAY + 2 × CommitWindow + RevealWindow (3 + 6 + 2) and some.
const VERIFIED_DEADLINE: u64 = 12;

fn evidence(deficits: &[u8], margins: &[u8], surprises: &[u8]) -> Verdict<Test> {
	Verdict::Evidence(infera_primitives::inference::VerificationEvidence {
		well_formed: true,
		deficits: BoundedVec::truncate_from(deficits.to_vec()),
		margins: BoundedVec::truncate_from(margins.to_vec()),
		surprises: BoundedVec::truncate_from(surprises.to_vec()),
	})
}

/// A verified job with `replicas`, drawn; returns it with its generator and verifiers.
fn verified_job(replicas: u8) -> (JobId, AccountId, Vec<AccountId>) {
	let model = approved_generator();
	workers(model, &[W1, W2, W3, W4][..usize::from(replicas)]);
	let job = submit_generation(model, VERIFY, 1_000, replicas, VERIFIED_DEADLINE).unwrap();
	wait_for_draw();
	let drawn = assigned_workers(job);
	(job, drawn[0], drawn[1..].to_vec())
}

fn publish(job: JobId, generator: AccountId, output: JobOutput<Test>) -> sp_runtime::DispatchResult {
	ComputeJobs::reveal_result(RuntimeOrigin::signed(generator), job, Verdict::Output(output), [0; 32])
		.map(|_| ())
		.map_err(|e| e.error)
}

fn verify(job: JobId, verifiers: &[(AccountId, Verdict<Test>)]) {
	for (verifier, verdict) in verifiers {
		commit_verdict(job, *verifier, verdict);
	}
	for (verifier, verdict) in verifiers {
		assert_ok!(reveal_verdict(job, *verifier, verdict.clone()));
	}
}

#[test]
fn verified_jobs_need_two_verifiers_time_for_both_phases_and_the_generator_first() {
	ExtBuilder::default().build_and_execute(|| {
		let model = approved_generator();
		workers(model, &[W1, W2, W3]);
		assert_noop!(submit_generation(model, VERIFY, 1_000, 2, VERIFIED_DEADLINE), Error::<Test>::TooFewVerifiers);
		// DRAW_DELAY + CommitWindow + RevealWindow is enough for a replicated job, not here.
		assert_noop!(submit_generation(model, VERIFY, 1_000, 3, 5), Error::<Test>::InvalidDeadline);
		// 20 + 13 for the generator + 2 × 5 for the verifiers, plus ⌈10 % × 43⌉ = 5: 48.
		assert_noop!(submit_generation(model, VERIFY, 47, 3, VERIFIED_DEADLINE), Error::<Test>::MaxFeeTooLow);
		let job = submit_generation(model, VERIFY, 48, 3, VERIFIED_DEADLINE).unwrap();
		wait_for_draw();
		let drawn = assigned_workers(job);
		let claim = reply(&[7, 8, 2], &[40, 9, 120]);
		// Verifiers wait for the publication; the generator does not commit.
		assert_noop!(
			ComputeJobs::commit_result(RuntimeOrigin::signed(drawn[1]), job, sp_core::H256::zero()),
			Error::<Test>::GenerationPending
		);
		assert_noop!(
			ComputeJobs::commit_result(RuntimeOrigin::signed(drawn[0]), job, sp_core::H256::zero()),
			Error::<Test>::GeneratorDoesNotCommit
		);
		// The generator publishes an output, not evidence.
		assert_noop!(
			ComputeJobs::reveal_result(RuntimeOrigin::signed(drawn[0]), job, evidence(&[0], &[0], &[0]), [0; 32]),
			Error::<Test>::WrongOutputKind
		);
		assert_ok!(publish(job, drawn[0], claim.clone()));
		assert_noop!(publish(job, drawn[0], claim), Error::<Test>::AlreadyRevealed);
		// A verifier reports evidence, not its own generation.
		commit(job, drawn[1], &reply(&[7, 8, 2], &[40, 9, 120]));
		run_to_block(System::block_number() + 3);
		assert_noop!(reveal(job, drawn[1], reply(&[7, 8, 2], &[40, 9, 120])), Error::<Test>::WrongOutputKind);
	});
}

#[test]
fn an_accepted_generation_pays_the_generator_for_its_tokens_and_the_verifiers_their_fee() {
	ExtBuilder::default().build_and_execute(|| {
		let (job, generator, verifiers) = verified_job(3);
		let claim = reply(&[7, 8, 2], &[40, 9, 120]);
		assert_ok!(publish(job, generator, claim.clone()));
		// Two honest machines: within a step or two of each other and of the generator.
		verify(job, &[
			(verifiers[0], evidence(&[0, 0, 0], &[40, 9, 121], &[3, 30, 0])),
			(verifiers[1], evidence(&[0, 1, 0], &[41, 8, 120], &[3, 31, 0])),
		]);
		assert_eq!(Results::<Test>::get(job), Some(claim));
		// 13 to the generator, 5 to each verifier; 20 to the owner; ⌈10 % × 43⌉ = 5.
		System::assert_has_event(
			Event::JobSettled { job_id: job, workers_paid: 23, owner_paid: 20, data_paid: 0, treasury_paid: 5 }.into(),
		);
		System::assert_last_event(Event::JobClosed { job_id: job, reason: CloseReason::Completed, refunded: 1_000 - 48 }.into());
	});
}

#[test]
fn a_rejected_generation_slashes_the_generator_who_pays_the_verifiers_and_the_requester_pays_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let (job, generator, verifiers) = verified_job(3);
		let requester_before = Balances::free_balance(REQUESTER);
		let verifier_before = Balances::free_balance(verifiers[0]);
		// Another quantization: the second token is two logits below the verifiers' best.
		assert_ok!(publish(job, generator, reply(&[7, 9, 2], &[52, 2, 96])));
		verify(job, &[
			(verifiers[0], evidence(&[0, 33, 0], &[40, 9, 121], &[3, 60, 0])),
			(verifiers[1], evidence(&[0, 32, 0], &[41, 8, 120], &[3, 61, 0])),
		]);
		System::assert_has_event(
			Event::WorkerSlashed { worker: generator, job_id: job, amount: 100, reason: SlashReason::Rejected }.into(),
		);
		assert_eq!(worker_bond(generator), BOND - 100);
		// The verifiers' fees came out of the slash, the rest went to the treasury.
		assert_eq!(Balances::free_balance(verifiers[0]), verifier_before + 5);
		System::assert_last_event(Event::JobClosed { job_id: job, reason: CloseReason::Rejected, refunded: 1_000 }.into());
		assert_eq!(Balances::free_balance(REQUESTER), requester_before + 1_000);
		assert_eq!(Results::<Test>::get(job), None);
	});
}

#[test]
fn a_different_model_within_every_per_token_bound_is_rejected_on_the_mean() {
	ExtBuilder::default().build_and_execute(|| {
		let (job, generator, verifiers) = verified_job(3);
		// The same tokens as the registered model would pick, every margin 4 steps away:
		// each within GenerationMarginTolerance (4), on average above
		// GenerationMeanMarginTolerance (2).
		assert_ok!(publish(job, generator, reply(&[7, 8, 2], &[44, 13, 116])));
		verify(job, &[
			(verifiers[0], evidence(&[0, 0, 0], &[40, 9, 120], &[3, 30, 0])),
			(verifiers[1], evidence(&[0, 0, 0], &[40, 9, 120], &[3, 30, 0])),
		]);
		System::assert_has_event(
			Event::WorkerSlashed { worker: generator, job_id: job, amount: 100, reason: SlashReason::Rejected }.into(),
		);
		System::assert_last_event(Event::JobClosed { job_id: job, reason: CloseReason::Rejected, refunded: 1_000 }.into());
	});
}

#[test]
fn a_verifier_that_accepts_without_computing_is_outvoted_and_slashed() {
	ExtBuilder::default().build_and_execute(|| {
		let (job, generator, verifiers) = verified_job(4);
		let claim = reply(&[7, 8, 2], &[40, 9, 120]);
		assert_ok!(publish(job, generator, claim.clone()));
		// The lazy verifier copies the generator's public margins and guesses the rest.
		verify(job, &[
			(verifiers[0], evidence(&[0, 0, 0], &[40, 9, 121], &[3, 30, 0])),
			(verifiers[1], evidence(&[0, 0, 0], &[40, 9, 120], &[0, 0, 0])),
			(verifiers[2], evidence(&[0, 1, 0], &[41, 8, 120], &[3, 31, 0])),
		]);
		System::assert_has_event(
			Event::WorkerSlashed { worker: verifiers[1], job_id: job, amount: 100, reason: SlashReason::Disagreed }.into(),
		);
		assert_eq!(Results::<Test>::get(job), Some(claim));
	});
}

#[test]
fn a_generator_that_never_publishes_is_a_no_show_and_the_verifiers_go_free() {
	ExtBuilder::default().build_and_execute(|| {
		let (job, generator, verifiers) = verified_job(3);
		run_to_block(Jobs::<Test>::get(job).unwrap().deadline);
		System::assert_has_event(
			Event::WorkerSlashed { worker: generator, job_id: job, amount: 10, reason: SlashReason::NoShow }.into(),
		);
		for verifier in verifiers {
			assert_eq!(worker_bond(verifier), BOND);
		}
		System::assert_last_event(Event::JobClosed { job_id: job, reason: CloseReason::Expired, refunded: 1_000 }.into());
	});
}
