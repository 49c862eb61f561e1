//! Genesis presets:
//! - `development`: Alice validates alone, 2 s blocks, fast governance, Alice is sudo.
//! - `local_testnet`: Alice, Bob and Charlie validate, 6 s blocks, fast governance, sudo.
//! - `testnet`: the same three validators, 6 s blocks, production governance periods and
//!   no sudo key: root is reachable only through a `root`-track referendum.

use crate::{
	AccountId, BalancesConfig, BlockTimeConfig, GovernanceConfig, RuntimeGenesisConfig, SudoConfig,
	DEV_MILLI_SECS_PER_BLOCK, MILLI_SECS_PER_BLOCK, UNIT,
};
use pallet_governance::Timing;
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_babe::AuthorityId as BabeId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What every well-known development account starts with: one million INFR.
pub const ENDOWMENT: crate::Balance = 1_000_000 * UNIT;

/// Name of the preset for public test networks: production governance, no sudo.
pub const TESTNET_RUNTIME_PRESET: &str = "testnet";

/// A genesis with the given validators, endowed accounts, sudo key (if any), block time
/// and governance timing.
fn infera_genesis(
	authorities: Vec<(BabeId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	root: Option<AccountId>,
	slot_duration_millis: u64,
	timing: Timing,
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
		babe: pallet_babe::GenesisConfig {
			authorities: authorities.iter().map(|(babe, _)| (babe.clone(), 1)).collect::<Vec<_>>(),
			epoch_config: crate::configs::BABE_GENESIS_EPOCH_CONFIG,
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: authorities.iter().map(|(_, grandpa)| (grandpa.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: root },
		block_time: BlockTimeConfig { slot_duration_millis },
		governance: GovernanceConfig { timing },
	})
}

/// BABE (sr25519) and GRANDPA (ed25519) keys of a well-known development account.
fn authority_keys(sr: Sr25519Keyring, ed: Ed25519Keyring) -> (BabeId, GrandpaId) {
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
		Some(Sr25519Keyring::Alice.to_account_id()),
		DEV_MILLI_SECS_PER_BLOCK,
		Timing::Fast,
	)
}

/// Alice, Bob and Charlie.
fn three_validators() -> Vec<(BabeId, GrandpaId)> {
	vec![
		authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		authority_keys(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		authority_keys(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
	]
}

/// `local_testnet`: Alice, Bob and Charlie validate, production 6 s blocks.
pub fn local_config_genesis() -> Value {
	infera_genesis(
		three_validators(),
		well_known_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		MILLI_SECS_PER_BLOCK,
		Timing::Fast,
	)
}

/// `testnet`: production block time and governance periods, no sudo key. The validators
/// are the local testnet's; a network replaces them (and the endowments) in its chain spec.
pub fn testnet_config_genesis() -> Value {
	infera_genesis(three_validators(), well_known_accounts(), None, MILLI_SECS_PER_BLOCK, Timing::Production)
}

/// The JSON patch of the preset named `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		TESTNET_RUNTIME_PRESET => testnet_config_genesis(),
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
		PresetId::from(TESTNET_RUNTIME_PRESET),
	]
}
