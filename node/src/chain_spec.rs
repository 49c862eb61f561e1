//! Built-in chain specifications: `dev`, `local` and `testnet`, generated from the runtime's
//! genesis presets. Any other `--chain` value is read as a chain-spec JSON file.

use infera_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use sc_service::ChainType;
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};

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

/// A chain spec built from one of the runtime's genesis presets, with `boot_nodes`.
fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
	boot_nodes: Vec<sc_network::config::MultiaddrWithPeerId>,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.with_boot_nodes(boot_nodes)
		.build())
}

/// `--dev`: Alice alone, 2 s blocks, sudo.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	from_preset("Infera Development", "infera_dev", ChainType::Development, DEV_RUNTIME_PRESET, Vec::new())
}

/// The local topology (`scripts/local-network`, the e2e tests): Alice, Bob and Charlie on
/// their own loopback addresses with the fixed node keys 0…01, 0…02 and 0…03 (public test
/// keys: local networks only), each listening on TCP and on WebSocket (for browser light
/// clients) at `LOCAL_P2P_PORT + i` and `LOCAL_WS_PORT + i`.
pub const LOCAL_BOOTNODES: [(&str, &str); 3] = [
	("127.0.0.1", "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"),
	("127.0.0.2", "12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD"),
	("127.0.0.3", "12D3KooWSCufgHzV4fCwRijfH2k3abrpAJxTKxEvN1FDuRXA2U9x"),
];
/// TCP port of the first local validator; the others follow.
pub const LOCAL_P2P_PORT: u16 = 30333;
/// WebSocket port of the first local validator; the others follow.
pub const LOCAL_WS_PORT: u16 = 30433;

/// The TCP and WebSocket bootnodes of the local topology.
fn local_bootnodes() -> Vec<sc_network::config::MultiaddrWithPeerId> {
	LOCAL_BOOTNODES
		.iter()
		.zip(0u16..)
		.flat_map(|((host, peer), i)| {
			[
				format!("/ip4/{host}/tcp/{}/p2p/{peer}", LOCAL_P2P_PORT + i),
				format!("/ip4/{host}/tcp/{}/ws/p2p/{peer}", LOCAL_WS_PORT + i),
			]
		})
		.map(|address| address.parse().expect("the local bootnodes are valid multiaddresses; qed"))
		.collect()
}

/// `--chain local`: Alice, Bob and Charlie validating, 6 s blocks, with the local
/// topology's bootnodes.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"Infera Local Testnet",
		"infera_local",
		ChainType::Local,
		LOCAL_TESTNET_RUNTIME_PRESET,
		local_bootnodes(),
	)
}

/// `--chain testnet`: production governance periods and no sudo key, 6 s blocks.
pub fn testnet_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"Infera Testnet",
		"infera_testnet",
		ChainType::Live,
		infera_runtime::genesis_config_presets::TESTNET_RUNTIME_PRESET,
		// A network using this template adds its own bootnodes (docs/operators.md).
		Vec::new(),
	)
}

/// Resolves a `--chain` value.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	Ok(match id {
		"dev" => Box::new(development_chain_spec()?),
		"" | "local" => Box::new(local_chain_spec()?),
		"testnet" => Box::new(testnet_chain_spec()?),
		path => {
			let file = std::path::PathBuf::from(path);
			if !file.exists() {
				return Err(format!(
					"unknown chain `{path}`: expected `dev`, `local`, `testnet` or the path of a chain-spec JSON file"
				));
			}
			Box::new(ChainSpec::from_json_file(file).map_err(|e| {
				format!("invalid chain spec `{path}`: {e}")
			})?)
		},
	})
}
