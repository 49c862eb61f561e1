//! Built-in chain specifications: `dev` and `local`, generated from the runtime's
//! genesis presets. Any other `--chain` value is read as a chain-spec JSON file.

use infera_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use sc_service::ChainType;

/// Infera's chain spec: no client extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token metadata shown by wallets and `@polkadot/api`.
fn properties() -> sc_service::Properties {
	let mut properties = sc_service::Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"this infera-node was built without the runtime Wasm (SKIP_WASM_BUILD); rebuild it without that variable".to_string()
	})
}

/// `--dev`: Alice alone, 2 s blocks, sudo.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Infera Development")
		.with_id("infera_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder_preset::DEV)
		.with_properties(properties())
		.build())
}

/// `--chain local`: Alice, Bob and Charlie validating, 6 s blocks.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Infera Local Testnet")
		.with_id("infera_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder_preset::LOCAL)
		.with_properties(properties())
		.build())
}

/// The preset names the runtime exposes (see `runtime/src/genesis_config_presets.rs`).
mod sp_genesis_builder_preset {
	pub const DEV: &str = "development";
	pub const LOCAL: &str = "local_testnet";
}

/// Resolves a `--chain` value.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	Ok(match id {
		"dev" => Box::new(development_chain_spec()?),
		"" | "local" => Box::new(local_chain_spec()?),
		path => {
			let file = std::path::PathBuf::from(path);
			if !file.exists() {
				return Err(format!(
					"unknown chain `{path}`: expected `dev`, `local` or the path of a chain-spec JSON file"
				));
			}
			Box::new(ChainSpec::from_json_file(file).map_err(|e| {
				format!("invalid chain spec `{path}`: {e}")
			})?)
		},
	})
}
