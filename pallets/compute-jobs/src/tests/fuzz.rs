//! Random call sequences: after every step the pallet's invariants hold (escrows and bonds
//! equal held funds, assignment counts match) and total issuance never changes (slashes
//! go to the treasury, fees move between accounts).

use crate::{mock::*, results::commitment_of, *};
use frame_support::{traits::Hooks, weights::Weight, BoundedVec};
use std::collections::BTreeMap;

/// xorshift64*: a small deterministic generator, so failures replay by seed.
struct Rng(u64);
impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
	}
	fn below(&mut self, n: u64) -> u64 {
		self.next() % n
	}
	fn pick<T: Clone>(&mut self, items: &[T]) -> T {
		items[self.below(items.len() as u64) as usize].clone()
	}
}

const WORKERS: [AccountId; 5] = [W1, W2, W3, W4, W5];
const SEQUENCES: u64 = 300;
const STEPS: usize = 40;

fn outputs() -> [JobOutput<Test>; 3] {
	let vector = |v: &[i8]| JobOutput::Embedding(BoundedVec::truncate_from(v.to_vec()));
	[vector(&[90, 10, -5]), vector(&[90, 11, -5]), vector(&[-90, 10, 5])]
}

fn step(rng: &mut Rng, model: ModelId, committed: &mut BTreeMap<(JobId, AccountId), JobOutput<Test>>) {
	let mut worker = rng.pick(&WORKERS);
	let jobs = NextJobId::<Test>::get();
	let mut job = if jobs == 0 { 0 } else { rng.below(jobs) };
	// Commits and reveals mostly go to a worker of an assigned job, so jobs do complete.
	let assigned: Vec<(JobId, AccountId)> = Jobs::<Test>::iter()
		.filter_map(|(id, info)| match info.state {
			JobState::Assigned { assignments, .. } =>
				Some(assignments.into_iter().map(move |a| (id, a.worker))),
			_ => None,
		})
		.flatten()
		.collect();
	if !assigned.is_empty() && rng.below(4) > 0 {
		(job, worker) = rng.pick(&assigned);
	}
	let signed = RuntimeOrigin::signed(worker);
	// Errors are expected and must leave no trace: dispatchables are transactional.
	let _ = match rng.below(14) {
		0 => ComputeJobs::register_worker(signed, 900 + rng.below(600), models(&[model]), 1 + rng.below(3) as u32),
		1 => ComputeJobs::bond_more(signed, rng.below(200)),
		2 => ComputeJobs::pause(signed),
		3 => ComputeJobs::resume(signed),
		4 => ComputeJobs::unbond(signed),
		5 => ComputeJobs::withdraw_bond(signed),
		6 | 7 => ComputeJobs::submit_job(
			RuntimeOrigin::signed(REQUESTER),
			ModelChoice::Model { model_id: model, version: None },
			text(b"input"),
			30 + rng.below(70),
			1 + rng.below(3) as u8,
			3 + rng.below(12),
		),
		8 => ComputeJobs::cancel_job(RuntimeOrigin::signed(REQUESTER), job),
		9..=11 => {
			let output = rng.pick(&outputs());
			let result = ComputeJobs::commit_result(
				signed,
				job,
				commitment_of::<Test>(&output, &[1; 32]),
			);
			if result.is_ok() {
				committed.insert((job, worker), output);
			}
			result
		},
		_ => match committed.get(&(job, worker)) {
			Some(output) => ComputeJobs::reveal_result(signed, job, output.clone(), [1; 32]),
			None => {
				let next = System::block_number() + 1;
				System::set_block_number(next);
				ComputeJobs::on_initialize(next);
				ComputeJobs::on_idle(next, Weight::MAX);
				Ok(())
			},
		},
	};
}

#[test]
fn random_call_sequences_conserve_funds_and_keep_invariants() {
	let mut steps = 0;
	let mut closed: BTreeMap<String, usize> = BTreeMap::new();
	for seed in 1..=SEQUENCES {
		new_test_ext().execute_with(|| {
			// Trained on a dataset that takes lineage rewards and one that does not.
			let model = approved_model_trained_on(1, PRICE, &[7, 9]);
			let issuance = Balances::total_issuance();
			let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
			let mut committed = BTreeMap::new();
			for index in 0..STEPS {
				step(&mut rng, model, &mut committed);
				steps += 1;
				if let Err(error) = ComputeJobs::do_try_state() {
					panic!("seed {seed}, step {index}: {error:?}");
				}
				assert_eq!(Balances::total_issuance(), issuance, "seed {seed}, step {index}");
			}
			// Run out every deadline: every job ends closed and every escrow is gone.
			for _ in 0..20 {
				let next = System::block_number() + 1;
				System::set_block_number(next);
				ComputeJobs::on_initialize(next);
			}
			for (job_id, job) in Jobs::<Test>::iter() {
				let JobState::Closed { reason, .. } = job.state else {
					panic!("seed {seed}: job {job_id} still open");
				};
				*closed.entry(format!("{reason:?}")).or_default() += 1;
			}
			let slashes = System::events()
				.iter()
				.filter(|record| {
					matches!(record.event, RuntimeEvent::ComputeJobs(Event::WorkerSlashed { .. }))
				})
				.count();
			*closed.entry("slashes".into()).or_default() += slashes;
			ComputeJobs::do_try_state().unwrap();
			assert_eq!(Balances::total_issuance(), issuance);
		});
	}
	assert_eq!(steps, SEQUENCES as usize * STEPS);
	// The sequences reach every way a job can end, and slashing.
	println!("closed jobs by reason: {closed:?}");
	for outcome in ["Completed", "NoQuorum", "Expired", "Cancelled", "slashes"] {
		assert!(closed.get(outcome).copied().unwrap_or(0) > 0, "{outcome} never happened: {closed:?}");
	}
}
