//! Genesis presets: `development` (one validator, Alice, 2 s blocks) and `local_testnet`
//! (Alice, Bob and Charlie validating, 6 s blocks). Both keep a sudo key; presets for
//! public networks must not.

use crate::{
	AccountId, BalancesConfig, BlockTimeConfig, RuntimeGenesisConfig, SudoConfig,
	DEV_MILLI_SECS_PER_BLOCK, MILLI_SECS_PER_BLOCK, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What every well-known development account starts with: one million INFR.
pub const ENDOWMENT: crate::Balance = 1_000_000 * UNIT;

/// A genesis with the given validators, endowed accounts, sudo key and block time.
fn infera_genesis(
	authorities: Vec<(AuraId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
	slot_duration_millis: u64,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts
				.iter()
				.cloned()
				.map(|k| (k, ENDOWMENT))
				// The treasury account exists from genesis, so fee shares and slashes of any
				// size can be paid into it.
				.chain(core::iter::once((crate::configs::TreasuryAccount::get(), UNIT)))
				.collect::<Vec<_>>(),
		},
		aura: pallet_aura::GenesisConfig {
			authorities: authorities.iter().map(|(aura, _)| aura.clone()).collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: authorities.iter().map(|(_, grandpa)| (grandpa.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
		block_time: BlockTimeConfig { slot_duration_millis },
	})
}

/// Aura (sr25519) and GRANDPA (ed25519) keys of a well-known development account.
fn authority_keys(sr: Sr25519Keyring, ed: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(sr.public().into(), ed.public().into())
}

/// The well-known accounts (Alice … Ferdie and their `//stash` accounts).
fn well_known_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// `development`: Alice validates alone, 2 s blocks.
pub fn development_config_genesis() -> Value {
	infera_genesis(
		vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		well_known_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
		DEV_MILLI_SECS_PER_BLOCK,
	)
}

/// `local_testnet`: Alice, Bob and Charlie validate, production 6 s blocks.
pub fn local_config_genesis() -> Value {
	infera_genesis(
		vec![
			authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority_keys(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority_keys(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		well_known_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
		MILLI_SECS_PER_BLOCK,
	)
}

/// The JSON patch of the preset named `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
