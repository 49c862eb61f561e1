//! The data-lineage share of a completed job's price, and payees that cannot receive.

use super::*;
use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};

/// Runs one single-replica job on `model` to completion by `W1`; returns its id.
fn complete_one(model: ModelId) -> JobId {
	workers(model, &[W1]);
	let job = submit(model, 1);
	let output = embedding(&[10, 20, 30, 40]);
	commit(job, W1, &output);
	assert_ok!(reveal(job, W1, output));
	job
}

#[test]
fn datasets_that_take_rewards_share_the_data_part_of_the_price_evenly() {
	ExtBuilder::default().with_approved_model_trained_on(&[7, 8]).build_and_execute(|| {
		let owner_before = free(OWNER);
		let issuance = Balances::total_issuance();
		let job = complete_one(MODEL);

		// 30 % of 20 = 6, three each; owner 14; treasury ⌈10 % × (5 + 14 + 6)⌉ = 3;
		// the requester gets 50 − 5 − 20 − 3 = 22 back.
		System::assert_has_event(Event::LineagePaid { job_id: job, dataset: 7, amount: 3 }.into());
		System::assert_has_event(Event::LineagePaid { job_id: job, dataset: 8, amount: 3 }.into());
		System::assert_has_event(
			Event::JobSettled { job_id: job, workers_paid: 5, owner_paid: 14, data_paid: 6, treasury_paid: 3 }
				.into(),
		);
		System::assert_last_event(
			Event::JobClosed { job_id: job, reason: CloseReason::Completed, refunded: 22 }.into(),
		);
		assert_eq!(free(70), 3);
		assert_eq!(free(80), 3);
		assert_eq!(free(OWNER), owner_before + 14);
		assert_eq!(LineageIncome::get(), vec![(7, 3), (8, 3)]);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn a_dataset_without_rewards_leaves_its_part_with_the_owner() {
	// Dataset 9 takes no rewards: dataset 7 gets the whole 30 % (6).
	ExtBuilder::default().with_approved_model_trained_on(&[7, 9]).build_and_execute(|| {
		let owner_before = free(OWNER);
		let job = complete_one(MODEL);
		System::assert_has_event(Event::LineagePaid { job_id: job, dataset: 7, amount: 6 }.into());
		assert_eq!(free(70), 6);
		assert_eq!(free(OWNER), owner_before + 14);
	});
}

#[test]
fn a_payee_that_cannot_receive_is_skipped_and_nothing_is_lost() {
	ExtBuilder::default().with_approved_model_trained_on(&[7, 8]).build_and_execute(|| {
		// Shares of 3 cannot open the empty dataset accounts at an existential deposit of 10,
		// nor lift the treasury (holding 1) to it.
		ExistentialDeposit::set(10);
		let owner_before = free(OWNER);
		let issuance = Balances::total_issuance();
		let job = complete_one(MODEL);
		System::assert_has_event(
			Event::JobSettled { job_id: job, workers_paid: 5, owner_paid: 20, data_paid: 0, treasury_paid: 0 }
				.into(),
		);
		// The unpaid data share went to the owner; the unpaid treasury share back to the
		// requester: 50 − 5 − 20 = 25.
		System::assert_last_event(
			Event::JobClosed { job_id: job, reason: CloseReason::Completed, refunded: 25 }.into(),
		);
		assert_eq!(free(70), 0);
		assert_eq!(free(OWNER), owner_before + 20);
		assert!(LineageIncome::get().is_empty());
		assert_eq!(escrow_of(REQUESTER), 0);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn a_model_with_more_datasets_than_a_job_pays_is_refused() {
	ExtBuilder::default().with_approved_model_trained_on(&[7, 8, 9]).build_and_execute(|| {
		assert_noop!(
			ComputeJobs::submit_job(
				RuntimeOrigin::signed(REQUESTER),
				ModelChoice::Model { model_id: MODEL, version: None, max_price: u64::MAX },
				text(b"hello"),
				50,
				1,
				10,
			),
			Error::<Test>::TooManyDatasets
		);
	});
}

/// Issue 14, finding 2, as jobs see it: the owner declared dataset 8 (a sham it controls)
/// and curators amended the version's lineage to dataset 7. A job submitted before the
/// amendment keeps the lineage it was opened with; a job submitted afterwards pays dataset 7.
#[test]
fn an_amended_lineage_pays_from_the_next_job_on() {
	ExtBuilder::default().with_approved_model_trained_on(&[8]).build_and_execute(|| {
		workers(MODEL, &[W1]);
		let before = submit_undrawn(MODEL, 1);
		assert_noop!(
			Registry::amend_lineage(
				RuntimeOrigin::signed(OWNER),
				MODEL,
				1,
				frame_support::BoundedVec::truncate_from(vec![7])
			),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(Registry::amend_lineage(
			RuntimeOrigin::root(),
			MODEL,
			1,
			frame_support::BoundedVec::truncate_from(vec![7])
		));
		let after = submit_undrawn(MODEL, 1);
		wait_for_draw();
		assert_eq!(Jobs::<Test>::get(before).unwrap().datasets.to_vec(), vec![8]);
		assert_eq!(Jobs::<Test>::get(after).unwrap().datasets.to_vec(), vec![7]);

		for job in [before, after] {
			let output = embedding(&[10, 20, 30, 40]);
			commit(job, W1, &output);
			assert_ok!(reveal(job, W1, output));
		}
		// 30 % of 20 each time, to the lineage each job was submitted with.
		System::assert_has_event(Event::LineagePaid { job_id: before, dataset: 8, amount: 6 }.into());
		System::assert_has_event(Event::LineagePaid { job_id: after, dataset: 7, amount: 6 }.into());
		assert_eq!(LineageIncome::get(), vec![(8, 6), (7, 6)]);
		assert_eq!((free(70), free(80)), (6, 6));
	});
}
