//! Batches, multisig accounts and proxies at the real runtime configuration, played as an
//! attacker would: a limited proxy tries to move its principal's funds directly, inside a
//! batch, by granting itself more, and a multisig deposit is what the constants say.

use frame_support::{assert_noop, assert_ok, traits::InstanceFilter};
use infera_runtime::{
	configs::ProxyType,
	deposit,
	Balances, Multisig, Proxy, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, System, UNIT,
};
use pallet_compute_jobs::{JobInput, ModelChoice};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve};
use sp_runtime::{AccountId32, DispatchResult};

mod common;
use common::preset_ext;

fn transfer(to: AccountId32, value: u128) -> RuntimeCall {
	RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive { dest: to.into(), value })
}

fn batch_all(calls: Vec<RuntimeCall>) -> RuntimeCall {
	RuntimeCall::Utility(pallet_utility::Call::batch_all { calls })
}

fn submit_job() -> RuntimeCall {
	RuntimeCall::ComputeJobs(pallet_compute_jobs::Call::submit_job {
		model: ModelChoice::Model { model_id: 0, version: None, max_price: UNIT },
		input: JobInput::Inline(b"hello".to_vec().try_into().unwrap()),
		max_fee: UNIT,
		replicas: 1,
		deadline_in: 50,
	})
}

fn cancel_job() -> RuntimeCall {
	RuntimeCall::ComputeJobs(pallet_compute_jobs::Call::cancel_job { job_id: 42 })
}

/// The result of the last call a proxy dispatched.
fn last_proxy_result() -> DispatchResult {
	System::events()
		.into_iter()
		.rev()
		.find_map(|record| match record.event {
			RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted { result }) => Some(result),
			_ => None,
		})
		.expect("a proxy call was executed")
}

/// As `real`'s proxy `proxy`, dispatches `call`; the outer call always succeeds.
fn as_proxy(proxy: AccountId32, real: AccountId32, call: RuntimeCall) -> DispatchResult {
	assert_ok!(Proxy::proxy(RuntimeOrigin::signed(proxy), real.into(), None, Box::new(call)));
	last_proxy_result()
}

fn filtered() -> DispatchResult {
	Err(frame_system::Error::<Runtime>::CallFiltered.into())
}

fn dev_chain(test: impl FnOnce()) {
	preset_ext("development").execute_with(|| {
		System::set_block_number(1);
		test()
	});
}

#[test]
fn a_jobs_proxy_submits_and_cancels_jobs_but_cannot_move_funds_even_in_a_batch() {
	dev_chain(|| {
		let (alice, dave, eve) = (Alice.to_account_id(), Dave.to_account_id(), Eve.to_account_id());
		assert_ok!(Proxy::add_proxy(RuntimeOrigin::signed(alice.clone()), dave.clone().into(), ProxyType::Jobs, 0));
		let eve_before = Balances::free_balance(&eve);

		assert_eq!(as_proxy(dave.clone(), alice.clone(), transfer(eve.clone(), UNIT)), filtered());
		// The batch itself passes the filter; its transfer does not, so batchAll fails.
		assert!(as_proxy(dave.clone(), alice.clone(), batch_all(vec![cancel_job(), transfer(eve.clone(), UNIT)])).is_err());
		assert_eq!(Balances::free_balance(&eve), eve_before);

		// Job calls pass the filter and reach the pallet (which has no job 42).
		assert_eq!(
			as_proxy(dave.clone(), alice.clone(), cancel_job()),
			Err(pallet_compute_jobs::Error::<Runtime>::UnknownJob.into())
		);
	});
}

#[test]
fn a_proxy_can_only_add_proxies_its_own_type_includes() {
	dev_chain(|| {
		let (alice, dave, eve) = (Alice.to_account_id(), Dave.to_account_id(), Eve.to_account_id());
		assert_ok!(Proxy::add_proxy(RuntimeOrigin::signed(alice.clone()), dave.clone().into(), ProxyType::NonTransfer, 0));
		let add = |proxy_type| {
			RuntimeCall::Proxy(pallet_proxy::Call::add_proxy { delegate: eve.clone().into(), proxy_type, delay: 0 })
		};
		// Escalation to Any, or sideways to Jobs (which may pay job fees), is refused.
		assert_eq!(as_proxy(dave.clone(), alice.clone(), add(ProxyType::Any)), filtered());
		assert_eq!(as_proxy(dave.clone(), alice.clone(), add(ProxyType::Jobs)), filtered());
		assert_eq!(as_proxy(dave.clone(), alice.clone(), add(ProxyType::Governance)), Ok(()));
		assert_eq!(pallet_proxy::Proxies::<Runtime>::get(&alice).0.len(), 2);
	});
}

#[test]
fn non_transfer_excludes_every_way_to_move_funds_or_assets() {
	let eve = Eve.to_account_id();
	let moving = [
		transfer(eve.clone(), UNIT),
		RuntimeCall::Balances(pallet_balances::Call::transfer_all { dest: eve.clone().into(), keep_alive: false }),
		submit_job(),
		RuntimeCall::DataRewards(pallet_data_rewards::Call::top_up { dataset: 0, amount: UNIT }),
		RuntimeCall::ModelRegistry(pallet_model_registry::Call::offer_ownership { model_id: 0, to: Some(eve.clone().into()) }),
		RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(transfer(eve.clone(), UNIT)) }),
	];
	for call in &moving {
		assert!(!ProxyType::NonTransfer.filter(call), "NonTransfer allows {call:?}");
		assert!(ProxyType::Any.filter(call));
	}
	// What it is for: jobs housekeeping, governance, batches.
	assert!(ProxyType::NonTransfer.filter(&cancel_job()));
	assert!(ProxyType::NonTransfer.filter(&batch_all(vec![])));
	// Jobs may pay job fees but nothing else; Governance and CancelProxy neither.
	assert!(ProxyType::Jobs.filter(&submit_job()));
	for kind in [ProxyType::Jobs, ProxyType::Governance, ProxyType::CancelProxy] {
		assert!(!kind.filter(&transfer(eve.clone(), UNIT)), "{kind:?}");
	}
	assert!(!ProxyType::Governance.filter(&submit_job()));
	assert!(!ProxyType::NonTransfer.is_superset(&ProxyType::Jobs));
	assert!(ProxyType::NonTransfer.is_superset(&ProxyType::Governance));
	assert!(!ProxyType::Jobs.is_superset(&ProxyType::Any));
}

#[test]
fn a_two_of_three_multisig_moves_funds_only_with_two_approvals_and_refunds_its_deposit() {
	dev_chain(|| {
		let (alice, bob, charlie, eve) =
			(Alice.to_account_id(), Bob.to_account_id(), Charlie.to_account_id(), Eve.to_account_id());
		let mut signatories = vec![alice.clone(), bob.clone(), charlie.clone()];
		signatories.sort();
		let multisig = Multisig::multi_account_id(&signatories, 2);
		assert_ok!(Balances::transfer_keep_alive(RuntimeOrigin::signed(alice.clone()), multisig.clone().into(), 100 * UNIT));

		let call = transfer(eve.clone(), 10 * UNIT);
		let others = |me: &AccountId32| signatories.iter().filter(|s| *s != me).cloned().collect::<Vec<_>>();
		let alice_free = Balances::free_balance(&alice);
		let eve_before = Balances::free_balance(&eve);
		let max_weight = frame_support::weights::Weight::from_parts(10_000_000_000, 1_000_000);
		assert_ok!(Multisig::as_multi(
			RuntimeOrigin::signed(alice.clone()),
			2,
			others(&alice),
			None,
			Box::new(call.clone()),
			max_weight,
		));
		// The opener's deposit: base plus one factor per signatory counted by the threshold.
		let expected_deposit = deposit(1, 88) + deposit(0, 32) * 2;
		assert_eq!(Balances::reserved_balance(&alice), expected_deposit);
		assert_eq!(Balances::free_balance(&eve), eve_before, "one approval moves nothing");

		// Someone outside the signatories cannot complete it: with Dave added, the same
		// call belongs to another (4-party) account, which has no operation open.
		let timepoint = Multisig::timepoint();
		assert_noop!(
			Multisig::as_multi(
				RuntimeOrigin::signed(Dave.to_account_id()),
				2,
				signatories.clone(),
				Some(timepoint),
				Box::new(call.clone()),
				max_weight,
			),
			pallet_multisig::Error::<Runtime>::UnexpectedTimepoint
		);

		assert_ok!(Multisig::as_multi(
			RuntimeOrigin::signed(bob.clone()),
			2,
			others(&bob),
			Some(timepoint),
			Box::new(call),
			max_weight,
		));
		assert_eq!(Balances::free_balance(&eve), eve_before + 10 * UNIT);
		assert_eq!(Balances::reserved_balance(&alice), 0);
		assert_eq!(Balances::free_balance(&alice), alice_free, "the deposit is back");
	});
}
