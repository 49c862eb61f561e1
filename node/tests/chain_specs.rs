//! The node's built-in and committed chain specs, through the real binary.

use serde_json::Value;
use std::{path::PathBuf, process::Command};

fn node(args: &[&str]) -> (i32, String, String) {
	let out = Command::new(env!("CARGO_BIN_EXE_infera-node"))
		.args(args)
		.output()
		.expect("infera-node runs");
	(
		out.status.code().unwrap_or(-1),
		String::from_utf8_lossy(&out.stdout).into_owned(),
		String::from_utf8_lossy(&out.stderr).into_owned(),
	)
}

fn committed_local_spec() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../chain-specs/local.raw.json")
}

#[test]
fn version_names_the_binary() {
	let (code, stdout, _) = node(&["--version"]);
	assert_eq!(code, 0);
	assert!(stdout.starts_with("infera-node "), "{stdout}");
}

#[test]
fn dev_spec_has_token_properties_and_the_development_preset() {
	let (code, stdout, stderr) = node(&["export-chain-spec", "--chain", "dev"]);
	assert_eq!(code, 0, "{stderr}");
	let spec: Value = serde_json::from_str(&stdout).unwrap();
	assert_eq!(spec["id"], "infera_dev");
	assert_eq!(spec["chainType"], "Development");
	assert_eq!(spec["properties"]["tokenSymbol"], "INFR");
	assert_eq!(spec["properties"]["tokenDecimals"], 12);
	assert_eq!(spec["properties"]["ss58Format"], 42);
	let patch = &spec["genesis"]["runtimeGenesis"]["patch"];
	assert_eq!(patch["blockTime"]["slotDurationMillis"], 2000);
	assert_eq!(patch["babe"]["authorities"].as_array().unwrap().len(), 1);
}

#[test]
fn local_spec_has_three_validators_at_six_seconds() {
	let (code, stdout, stderr) = node(&["export-chain-spec", "--chain", "local"]);
	assert_eq!(code, 0, "{stderr}");
	let spec: Value = serde_json::from_str(&stdout).unwrap();
	let patch = &spec["genesis"]["runtimeGenesis"]["patch"];
	assert_eq!(patch["blockTime"]["slotDurationMillis"], 6000);
	assert_eq!(patch["babe"]["authorities"].as_array().unwrap().len(), 3);
	assert_eq!(patch["grandpa"]["authorities"].as_array().unwrap().len(), 3);
}

#[test]
fn committed_local_spec_loads_and_reexports_the_same_genesis() {
	let path = committed_local_spec();
	let committed: Value =
		serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
	let (code, stdout, stderr) =
		node(&["export-chain-spec", "--chain", path.to_str().unwrap(), "--raw"]);
	assert_eq!(code, 0, "{stderr}");
	let exported: Value = serde_json::from_str(&stdout).unwrap();
	assert_eq!(exported["id"], "infera_local");
	assert_eq!(exported["genesis"]["raw"]["top"], committed["genesis"]["raw"]["top"]);
	assert!(committed["genesis"]["raw"]["top"].as_object().unwrap().len() > 10);
}
