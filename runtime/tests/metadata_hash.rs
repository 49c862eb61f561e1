//! The metadata hash that offline and hardware signers sign with (`CheckMetadataHash`
//! mode 1, RFC 78) is the same on every chain this runtime runs.
//!
//! The Wasm builder computes the hash once, from the metadata the runtime returns on
//! empty state, and embeds it. Some metadata constants are chain state here (the
//! referendum tracks, vote locking and the minimum timestamp period follow the genesis
//! preset's timing and slot duration), so the metadata bytes differ between chains; the
//! digest covers the types, the extrinsic format, the spec name and version, the SS58
//! prefix and the token's symbol and decimals, not constant values, so it must not.

use codec::Decode;
use frame_metadata::RuntimeMetadataPrefixed;
use infera_runtime::{
	genesis_config_presets::preset_names, Runtime, SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL,
	VERSION,
};
use merkleized_metadata::{generate_metadata_digest, ExtraInfo};

mod common;
use common::preset_ext;

/// The runtime's V15 metadata as the node serves it, in the current externalities.
fn metadata() -> Vec<u8> {
	Runtime::metadata_at_version(15).expect("the runtime serves metadata V15").to_vec()
}

/// The RFC 78 digest of `metadata` for a chain announcing `symbol` and `decimals`.
fn digest_with(metadata: &[u8], symbol: &str, decimals: u8) -> [u8; 32] {
	let prefixed = RuntimeMetadataPrefixed::decode(&mut &metadata[..]).expect("metadata decodes");
	let extra = ExtraInfo {
		spec_version: VERSION.spec_version,
		spec_name: VERSION.spec_name.to_string(),
		base58_prefix: SS58_PREFIX,
		decimals,
		token_symbol: symbol.into(),
	};
	generate_metadata_digest(&prefixed.1, extra).expect("digest of the runtime metadata").hash()
}

/// The RFC 78 digest of `metadata`, with the chain properties the node announces.
fn digest(metadata: &[u8]) -> [u8; 32] {
	digest_with(metadata, TOKEN_SYMBOL, TOKEN_DECIMALS)
}

#[test]
fn every_preset_has_the_metadata_hash_the_wasm_builder_computes_on_empty_state() {
	let built = digest(&sp_io::TestExternalities::default().execute_with(metadata));
	let mut chains = Vec::new();
	for preset in preset_names() {
		let name = String::from_utf8_lossy(preset.as_ref()).to_string();
		let metadata = preset_ext(&name).execute_with(metadata);
		assert_eq!(digest(&metadata), built, "{name}: a mode-1 signature would fail");
		chains.push((name, metadata));
	}
	// Not vacuous: the metadata bytes do differ (fast and production track periods), and
	// the digest ignores exactly that.
	let (dev, testnet) = (&chains[0], &chains[2]);
	assert_eq!((dev.0.as_str(), testnet.0.as_str()), ("development", "testnet"));
	assert_ne!(dev.1, testnet.1);
}

#[test]
fn the_digest_covers_symbol_and_decimals() {
	let metadata = sp_io::TestExternalities::default().execute_with(metadata);
	let with = |symbol: &str, decimals| digest_with(&metadata, symbol, decimals);
	assert_eq!(with(TOKEN_SYMBOL, TOKEN_DECIMALS), digest(&metadata));
	assert_ne!(with(TOKEN_SYMBOL, 10), digest(&metadata));
	assert_ne!(with("XXX", TOKEN_DECIMALS), digest(&metadata));
}

#[test]
fn both_runtime_builds_embed_the_hash_with_the_chain_properties() {
	// build.rs cannot import the crate's constants; this keeps them in step.
	let call = format!("enable_metadata_hash(\"{TOKEN_SYMBOL}\", {TOKEN_DECIMALS})");
	for (file, source) in [
		("runtime/build.rs", include_str!("../build.rs")),
		("runtime/upgrade-fixture/build.rs", include_str!("../upgrade-fixture/build.rs")),
	] {
		assert!(source.contains(&call), "{file} must call {call}");
	}
}
