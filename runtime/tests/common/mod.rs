//! Shared by the runtime's integration tests: genesis from the presets, and the job
//! market's setup ([`market`]).

pub mod market;

use infera_runtime::{genesis_config_presets::get_preset, RuntimeGenesisConfig};
use serde_json::Value;
use sp_genesis_builder::PresetId;

/// The genesis storage of preset `name`, built as the node builds it (for tests that start
/// many chains from one genesis).
#[allow(dead_code)]
pub fn preset_storage(name: &str) -> sp_runtime::Storage {
	use sp_runtime::BuildStorage;
	let config: RuntimeGenesisConfig = serde_json::from_value(preset_config(name)).unwrap();
	config.build_storage().expect("preset builds")
}

/// Test externalities holding the genesis state of preset `name`.
#[allow(dead_code)]
pub fn preset_ext(name: &str) -> sp_io::TestExternalities {
	let json = serde_json::to_vec(&preset_config(name)).unwrap();
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| {
		frame_support::genesis_builder_helper::build_state::<RuntimeGenesisConfig>(json)
			.expect("preset builds")
	});
	ext
}

/// The genesis config of preset `name` as JSON: the node merges the preset onto the default
/// config before `build_state`.
fn preset_config(name: &str) -> Value {
	let patch: Value =
		serde_json::from_slice(&get_preset(&PresetId::from(name)).expect("preset exists")).unwrap();
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	json_merge(&mut config, patch);
	config
}

/// The merge the node applies to a preset (as `sc_chain_spec::json_merge`, which is not a
/// dependency here so that the try-runtime test build stays clear of the client crates):
/// objects merge key by key, anything else is replaced.
fn json_merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) =>
			for (key, value) in patch {
				json_merge(base.entry(key).or_insert(Value::Null), value);
			},
		(base, patch) => *base = patch,
	}
}
