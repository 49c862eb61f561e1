//! The job market's economics at the real configuration (development preset, the
//! runtime's fees, bonds, slashes and parameters): an honest worker's balance grows by the
//! worker fee on every job, and each attack costs the attacker more than it gains.

use frame_support::{
	assert_ok,
	dispatch::{GetDispatchInfo, Pays},
	traits::{fungible::InspectHold, UnfilteredDispatchable},
	BoundedVec,
};
use infera_runtime::{
	configs::dynamic_params::jobs as params, Balances, ComputeJobs, ModelRegistry, Runtime,
	RuntimeCall, RuntimeOrigin, System, TransactionPayment, MILLI_UNIT, UNIT,
};
use pallet_compute_jobs::{
	results::commitment_of, Call as JobsCall, CloseReason, HoldReason, JobOutput, ModelChoice,
	SlashReason, Verdict,
};
use sp_core::H256;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Get, AccountId32};

mod common;
use common::{
	market::{bounded, register_minilm, register_worker, run_to_block},
	preset_ext,
};

const PRICE: u128 = 3 * MILLI_UNIT;
const SALT: [u8; 32] = [5; 32];

fn who(keyring: Sr25519Keyring) -> AccountId32 {
	keyring.to_account_id()
}

/// Alice's approved model (id 0) at `PRICE`, and `workers` bonded at the minimum.
fn market(workers: &[Sr25519Keyring]) {
	System::set_block_number(1);
	assert_ok!(register_minilm(&who(Sr25519Keyring::Alice), PRICE, vec![]));
	assert_ok!(ModelRegistry::approve_version(RuntimeOrigin::root(), 0, 1));
	for worker in workers {
		register_worker(&who(*worker));
	}
}

/// Dispatches `call` as `signer` the way a block does and returns what the signer paid in
/// transaction fees for it (at an encoded length of 200 bytes).
fn dispatch_paying(call: JobsCall<Runtime>, signer: &AccountId32) -> u128 {
	let call = RuntimeCall::ComputeJobs(call);
	let info = call.get_dispatch_info();
	let post = call.clone().dispatch_bypass_filter(RuntimeOrigin::signed(signer.clone()));
	let post_info = match post {
		Ok(post_info) => post_info,
		Err(error) => panic!("{error:?}"),
	};
	TransactionPayment::compute_actual_fee(200, &info, &post_info, 0)
}

/// Submits a job of `requester` and runs the blocks until it is drawn; returns the job and
/// the transaction fee the requester paid.
fn submit(requester: &AccountId32, replicas: u8) -> (u64, u128) {
	let job = pallet_compute_jobs::NextJobId::<Runtime>::get();
	let fee = dispatch_paying(
		JobsCall::submit_job {
			model: ModelChoice::Model { model_id: 0, version: None, max_price: PRICE },
			input: pallet_compute_jobs::JobInput::Inline(bounded(b"the quick brown fox")),
			max_fee: 20 * MILLI_UNIT,
			replicas,
			deadline_in: 30,
		},
		requester,
	);
	run_to_block::<ComputeJobs>(System::block_number() + pallet_compute_jobs::DRAW_DELAY);
	(job, fee)
}

fn output(values: &[i8]) -> Verdict<Runtime> {
	Verdict::Output(JobOutput::<Runtime>::Embedding(BoundedVec::truncate_from(values.to_vec())))
}

fn commit(job: u64, worker: &AccountId32, verdict: &Verdict<Runtime>) -> u128 {
	let commitment = commitment_of::<Runtime>(job, worker, verdict, &SALT);
	dispatch_paying(JobsCall::commit_result { job_id: job, commitment }, worker)
}

fn reveal(job: u64, worker: &AccountId32, verdict: Verdict<Runtime>) -> u128 {
	dispatch_paying(JobsCall::reveal_result { job_id: job, verdict, salt: SALT }, worker)
}

fn free(account: &AccountId32) -> u128 {
	Balances::free_balance(account)
}

fn assigned(job: u64) -> Vec<AccountId32> {
	match pallet_compute_jobs::Jobs::<Runtime>::get(job).unwrap().state {
		pallet_compute_jobs::JobState::Assigned { assignments, .. } =>
			assignments.into_iter().map(|a| a.worker).collect(),
		state => panic!("{state:?}"),
	}
}

#[test]
fn an_honest_worker_earns_the_worker_fee_on_every_job_and_pays_nothing() {
	preset_ext("development").execute_with(|| {
		market(&[Sr25519Keyring::Bob]);
		let (bob, charlie) = (who(Sr25519Keyring::Bob), who(Sr25519Keyring::Charlie));
		for round in 0..3u32 {
			let before = free(&bob);
			let (job, _) = submit(&charlie, 1);
			let verdict = output(&[40, -3, 90]);
			let fees = commit(job, &bob, &verdict) + reveal(job, &bob, verdict);
			assert_eq!(fees, 0, "round {round}: duties are free");
			assert_eq!(free(&bob), before + params::WorkerFee::get(), "round {round}");
		}
	});
}

#[test]
fn the_requester_pays_for_the_work_its_submission_did() {
	preset_ext("development").execute_with(|| {
		market(&[Sr25519Keyring::Bob]);
		let charlie = who(Sr25519Keyring::Charlie);
		let call = JobsCall::<Runtime>::submit_job {
			model: ModelChoice::Model { model_id: 0, version: None, max_price: PRICE },
			input: pallet_compute_jobs::JobInput::Inline(bounded(b"the quick brown fox")),
			max_fee: 20 * MILLI_UNIT,
			replicas: 1,
			deadline_in: 30,
		};
		let worst_case = TransactionPayment::compute_fee(200, &RuntimeCall::ComputeJobs(call).get_dispatch_info(), 0);
		let (_, paid) = submit(&charlie, 1);
		let job_price = ComputeJobs::required_escrow(PRICE, 1);
		println!(
			"submit_job fee: declared {worst_case} planck ({:.2} × the job's price {job_price}), charged {paid} ({:.2} ×)",
			worst_case as f64 / job_price as f64,
			paid as f64 / job_price as f64,
		);
		assert!(paid < worst_case, "the unread worker records are refunded");
	});
}

#[test]
fn withholding_or_copying_costs_a_worker_far_more_than_a_job_pays() {
	preset_ext("development").execute_with(|| {
		market(&[Sr25519Keyring::Bob, Sr25519Keyring::Dave, Sr25519Keyring::Eve]);
		let charlie = who(Sr25519Keyring::Charlie);
		let (job, _) = submit(&charlie, 3);
		let workers = assigned(job);
		let good = output(&[40, -3, 90]);
		// The first two commit honestly; the third copies the first's commitment.
		commit(job, &workers[0], &good);
		commit(job, &workers[1], &good);
		let copied = commitment_of::<Runtime>(job, &workers[0], &good, &SALT);
		assert_ok!(ComputeJobs::commit_result(RuntimeOrigin::signed(workers[2].clone()), job, copied));
		reveal(job, &workers[0], good.clone());
		reveal(job, &workers[1], good.clone());
		// It cannot open the copy, so it never reveals and ends as withheld.
		assert!(ComputeJobs::reveal_result(RuntimeOrigin::signed(workers[2].clone()), job, good, SALT).is_err());
		let bond_before =
			Balances::balance_on_hold(&HoldReason::WorkerBond.into(), &workers[2]);
		let deadline = pallet_compute_jobs::Jobs::<Runtime>::get(job).unwrap().deadline;
		run_to_block::<ComputeJobs>(deadline);
		let slashed = bond_before - Balances::balance_on_hold(&HoldReason::WorkerBond.into(), &workers[2]);
		System::assert_has_event(
			pallet_compute_jobs::Event::<Runtime>::WorkerSlashed {
				worker: workers[2].clone(),
				job_id: job,
				amount: slashed,
				reason: SlashReason::Withheld,
			}
			.into(),
		);
		// 10 % of a 100 INFR bond against a 1 mINFR fee it hoped to earn.
		assert_eq!(slashed, 10 * UNIT);
		assert!(slashed > 1_000 * params::WorkerFee::get());
	});
}

#[test]
fn breaking_quorum_with_a_second_account_costs_the_requester_at_least_a_job() {
	preset_ext("development").execute_with(|| {
		market(&[Sr25519Keyring::Bob, Sr25519Keyring::Dave]);
		// Charlie submits; Dave is Charlie's second account and reveals garbage.
		let (charlie, dave) = (who(Sr25519Keyring::Charlie), who(Sr25519Keyring::Dave));
		let bob = who(Sr25519Keyring::Bob);
		let attacker_before = free(&charlie) + free(&dave);
		let (job, submit_fee) = submit(&charlie, 2);
		let (good, garbage) = (output(&[40, -3, 90]), output(&[-40, 3, -90]));
		commit(job, &bob, &good);
		commit(job, &dave, &garbage);
		reveal(job, &bob, good);
		reveal(job, &dave, garbage);
		let job_info = pallet_compute_jobs::Jobs::<Runtime>::get(job).unwrap();
		assert!(matches!(job_info.state, pallet_compute_jobs::JobState::Closed { reason: CloseReason::NoQuorum, .. }));
		let attacker_cost = attacker_before - (free(&charlie) + free(&dave)) - submit_fee;
		// The honest answer is public; the attacker paid no less than an honest one-replica
		// job would have cost.
		assert!(attacker_cost >= ComputeJobs::required_escrow(PRICE, 1), "{attacker_cost}");
		assert_eq!(free(&bob) % MILLI_UNIT, 0, "Bob was paid in whole worker fees");
	});
}

#[test]
fn a_fee_free_duty_is_only_free_when_it_is_valid() {
	preset_ext("development").execute_with(|| {
		market(&[Sr25519Keyring::Bob]);
		let (bob, eve) = (who(Sr25519Keyring::Bob), who(Sr25519Keyring::Eve));
		let (job, _) = submit(&who(Sr25519Keyring::Charlie), 1);
		let call = RuntimeCall::ComputeJobs(JobsCall::commit_result { job_id: job, commitment: H256::zero() });
		let info = call.get_dispatch_info();
		// Eve is not assigned: the call fails and pays in full.
		let refused = call.clone().dispatch_bypass_filter(RuntimeOrigin::signed(eve)).unwrap_err();
		assert_eq!(refused.post_info.pays_fee, Pays::Yes);
		assert!(TransactionPayment::compute_actual_fee(200, &info, &refused.post_info, 0) > 0);
		let accepted = call.dispatch_bypass_filter(RuntimeOrigin::signed(bob)).unwrap();
		assert_eq!(accepted.pays_fee, Pays::No);
	});
}
