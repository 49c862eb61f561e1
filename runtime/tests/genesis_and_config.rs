//! Native runtime tests: genesis presets build the intended state, pallet integrity
//! checks pass, and fees are what the README promises.

use frame_support::{
	dispatch::GetDispatchInfo,
	traits::{Get, IntegrityTest, OnGenesis},
};
use infera_runtime::{
	genesis_config_presets::{get_preset, preset_names, ENDOWMENT},
	AllPalletsWithSystem, Balances, BlockTime, Runtime, RuntimeCall,
	TransactionPayment, DEV_MILLI_SECS_PER_BLOCK, MILLI_SECS_PER_BLOCK, MILLI_UNIT, UNIT,
};
use sp_keyring::Sr25519Keyring;

use sp_genesis_builder::PresetId;

mod common;
use common::preset_ext;


#[test]
fn runtime_offers_development_local_and_testnet_presets() {
	let names: Vec<String> =
		preset_names().iter().map(|p| String::from_utf8_lossy(p.as_ref()).into()).collect();
	assert_eq!(names, vec!["development", "local_testnet", "testnet"]);
	assert!(get_preset(&PresetId::from("no-such-preset")).is_none());
}

#[test]
fn development_preset_has_alice_alone_with_fast_blocks() {
	preset_ext("development").execute_with(|| {
		assert_eq!(pallet_babe::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 1);
		assert_eq!(BlockTime::slot_duration_millis(), DEV_MILLI_SECS_PER_BLOCK);
		assert_eq!(infera_runtime::Babe::slot_duration(), DEV_MILLI_SECS_PER_BLOCK);
		// Every slot's author proves a VRF output: the job draw's randomness.
		assert_eq!(
			pallet_babe::EpochConfig::<Runtime>::get(),
			Some(infera_runtime::configs::BABE_GENESIS_EPOCH_CONFIG)
		);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
		for account in Sr25519Keyring::well_known() {
			assert_eq!(Balances::free_balance(account.to_account_id()), ENDOWMENT);
		}
		let endowed = Sr25519Keyring::well_known().count() as u128;
		// Plus 1 INFR that makes the treasury account exist.
		assert_eq!(pallet_balances::TotalIssuance::<Runtime>::get(), endowed * ENDOWMENT + UNIT);
	});
}

#[test]
fn local_testnet_preset_has_three_validators_at_production_block_time() {
	preset_ext("local_testnet").execute_with(|| {
		let babe = pallet_babe::Authorities::<Runtime>::get();
		let expected: Vec<_> = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
			.iter()
			.map(|k| (sp_consensus_babe::AuthorityId::from(k.public()), 1))
			.collect();
		assert_eq!(babe.into_inner(), expected);
		let grandpa = pallet_grandpa::Pallet::<Runtime>::grandpa_authorities();
		assert_eq!(grandpa.len(), 3);
		assert!(grandpa.iter().all(|(_, weight)| *weight == 1));
		assert_eq!(BlockTime::slot_duration_millis(), MILLI_SECS_PER_BLOCK);
		assert_eq!(<Runtime as pallet_timestamp::Config>::MinimumPeriod::get(), 3000);
	});
}

#[test]
fn pallet_integrity_tests_pass() {
	preset_ext("development").execute_with(|| {
		<AllPalletsWithSystem as IntegrityTest>::integrity_test();
		<AllPalletsWithSystem as OnGenesis>::on_genesis();
	});
}

#[test]
fn a_transfer_costs_a_few_milli_infr() {
	preset_ext("development").execute_with(|| {
		let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: Sr25519Keyring::Bob.to_account_id().into(),
			value: UNIT,
		});
		let info = call.get_dispatch_info();
		// A signed transfer is about 150 bytes on the wire.
		let fee = TransactionPayment::compute_fee(150, &info, 0);
		assert!(fee > MILLI_UNIT && fee < 10 * MILLI_UNIT, "transfer fee {fee} planck");
		// Tips are added on top.
		assert_eq!(TransactionPayment::compute_fee(150, &info, 7), fee + 7);
	});
}
