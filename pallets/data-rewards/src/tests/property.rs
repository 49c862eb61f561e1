//! Properties over many random cases: era splits never pay more than the reward and lose
//! nothing (the dust is accounted for), and random call sequences keep every invariant,
//! keep total issuance, and never pay a contribution twice.

use crate::{mock::*, rewards::share_of, *};
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	tokens::Preservation,
};
use infera_test_support::Rng;
use std::collections::BTreeMap;

#[test]
fn era_splits_pay_by_points_and_leave_less_dust_than_claims() {
	let mut rng = Rng::from_state(0x5eed);
	for _ in 0..5_000 {
		let reward = match rng.below(3) {
			0 => u128::from(rng.below(100)),
			1 => u128::from(rng.below(1 << 40)),
			_ => u128::from(rng.next()) * u128::from(rng.next()),
		};
		let claims: Vec<u128> = (0..1 + rng.below(40)).map(|_| 1 + u128::from(rng.below(5_500))).collect();
		let total: u128 = claims.iter().sum();
		let shares: Vec<u128> = claims.iter().map(|points| share_of(reward, *points, total)).collect();
		let paid: u128 = shares.iter().sum();
		assert!(paid <= reward, "paid {paid} of {reward}");
		let dust = reward - paid;
		assert!(dust < claims.len() as u128, "dust {dust} from {} claims", claims.len());
		for (points, share) in claims.iter().zip(&shares) {
			// Each share is the exact proportion rounded down.
			if let (Some(exact), Some(next)) = (reward.checked_mul(*points), (share + 1).checked_mul(total)) {
				assert!(share * total <= exact && exact < next);
			}
		}
	}
}

const PEOPLE: [AccountId; 5] = [ALICE, BOB, 4, 5, 11];
const SEQUENCES: u64 = 300;
const STEPS: usize = 60;

fn vote(rng: &mut Rng) -> Vote {
	match rng.below(3) {
		0 => Vote::Reject {
			reason: [RejectReason::OffSchema, RejectReason::LowQuality, RejectReason::Malicious]
				[rng.below(3) as usize],
		},
		_ => Vote::Accept { quality: rng.below(102) as u8 },
	}
}

fn step(rng: &mut Rng, datasets: u32) {
	let dataset = rng.below(u64::from(datasets) + 1) as DatasetId; // sometimes unknown
	let contributions = NextContributionId::<Test>::get();
	let mut contribution = rng.below(contributions + 1);
	// Votes mostly go to pending contributions, so reviews do decide.
	let pending: Vec<ContributionId> = Contributions::<Test>::iter()
		.filter(|(_, c)| matches!(c.status, ContributionStatus::Pending { .. }))
		.map(|(id, _)| id)
		.collect();
	if !pending.is_empty() && rng.below(4) > 0 {
		contribution = pending[rng.below(pending.len() as u64) as usize];
	}
	let who = PEOPLE[rng.below(PEOPLE.len() as u64) as usize];
	let curator = CURATORS[rng.below(3) as usize];
	// Errors are expected and must leave no trace: dispatchables are transactional.
	let _ = match rng.below(12) {
		0..=2 => DataRewards::contribute(
			RuntimeOrigin::signed(who),
			dataset,
			digest(rng.below(12)),
			1 + rng.below(1 << 22),
			text("https://d/x"),
			None,
		),
		3..=6 => DataRewards::review(RuntimeOrigin::signed(curator), contribution, vote(rng)),
		7 => DataRewards::claim(RuntimeOrigin::signed(who), contribution),
		8 => DataRewards::top_up(RuntimeOrigin::signed(who), dataset, rng.below(300)),
		9 => {
			// A lineage payment, as the compute-jobs pallet makes it.
			if let Some(account) = <DataRewards as LineageRewards<_, _>>::lineage_account(dataset) {
				let amount = 1 + rng.below(50);
				Balances::transfer(&TREASURY, &account, amount, Preservation::Preserve).unwrap();
				<DataRewards as LineageRewards<_, _>>::note_lineage_income(dataset, amount);
			}
			Ok(())
		},
		10 => {
			// A transfer straight to the account (e.g. a treasury spend).
			let account = DataRewards::dataset_account(dataset);
			if Datasets::<Test>::contains_key(dataset) {
				Balances::transfer(&TREASURY, &account, rng.below(100) + 5, Preservation::Preserve).unwrap();
			}
			Ok(())
		},
		_ => {
			run_to_block(System::block_number() + 1 + rng.below(12));
			Ok(())
		},
	};
}

#[test]
fn random_call_sequences_keep_every_invariant() {
	let mut claims_seen = 0;
	let mut accepted_seen = 0;
	for seed in 1..=SEQUENCES {
		ExtBuilder::default().build_and_execute(|| {
			let mut rng = Rng::new(seed);
			let datasets = 1 + rng.below(2) as u32;
			for n in 0..datasets {
				let cap = if n == 0 { None } else { Some(150) };
				DataRewards::create_dataset(
					RuntimeOrigin::signed(SPONSOR),
					spec(),
					policy(&CURATORS, 2, cap),
					rng.below(2_000),
				)
				.unwrap();
			}
			let issuance = Balances::total_issuance();
			for index in 0..STEPS {
				step(&mut rng, datasets);
				if let Err(error) = DataRewards::do_try_state() {
					panic!("seed {seed}, step {index}: {error:?}");
				}
				assert_eq!(Balances::total_issuance(), issuance, "seed {seed}, step {index}");
			}
			// Finish every era and claim everything: each reward is paid exactly once, and
			// what the datasets owe drops to zero.
			run_to_block(System::block_number() + 2 * ERA + WINDOW);
			if let Err(error) = DataRewards::do_try_state() {
				panic!("seed {seed}, after the last blocks: {error:?}");
			}
			for id in 0..NextContributionId::<Test>::get() {
				let first = DataRewards::claim(RuntimeOrigin::signed(ALICE), id);
				let _ = DataRewards::claim(RuntimeOrigin::signed(ALICE), id);
				if let Err(error) = DataRewards::do_try_state() {
					let c = Contributions::<Test>::get(id).unwrap();
					let info = Datasets::<Test>::get(c.dataset).unwrap();
					panic!("seed {seed}, claim {id} ({first:?}): {error:?}; {c:?}; {info:?}; balance {}", Balances::balance(&DataRewards::dataset_account(c.dataset)));
				}
			}
			let mut paid: BTreeMap<ContributionId, u32> = BTreeMap::new();
			for event in events() {
				match event {
					Event::RewardPaid { contribution, .. } => *paid.entry(contribution).or_default() += 1,
					Event::Accepted { .. } => accepted_seen += 1,
					_ => {},
				}
			}
			assert!(paid.values().all(|count| *count == 1), "seed {seed}: a reward was paid twice");
			claims_seen += paid.len();
			for dataset in 0..datasets {
				let details = DataRewards::dataset_details(dataset).unwrap();
				assert_eq!(details.owed, 0, "seed {seed}: unclaimed rewards after claiming all");
				assert_eq!(
					Balances::balance(&DataRewards::dataset_account(dataset)),
					DATASET_DEPOSIT + details.pot,
					"seed {seed}"
				);
			}
		});
	}
	// The sequences do reach acceptance and claims, not only errors.
	assert!(accepted_seen > 300 && claims_seen > 300, "accepted {accepted_seen}, claimed {claims_seen}");
}
