//! Every pallet's `try_state` invariants on chain states that the end-to-end tests produced.
//!
//! `scripts/test` runs the e2e tests with `INFERA_STATE_DIR` set; each e2e test that opts
//! in exports its node's final state there (`infera-node export-state`, a raw chain spec).
//! This test loads each of those states and runs `try_state` of all pallets (ours and
//! FRAME's: balances, referenda, scheduler, …) on it:
//!
//!     SKIP_WASM_BUILD=1 INFERA_STATE_DIR=… cargo test --release -p infera-runtime \
//!         --features try-runtime --test try_state
#![cfg(feature = "try-runtime")]

use frame_support::traits::{TryState, TryStateSelect};
use infera_runtime::{AllPalletsWithSystem, Runtime};
use sp_core::{bytes::from_hex, storage::Storage};
use std::{collections::BTreeMap, path::PathBuf};

/// The `*.json` states in `$INFERA_STATE_DIR`; fails when there are none.
fn exported_states() -> Vec<PathBuf> {
	let dir = std::env::var("INFERA_STATE_DIR").expect(
		"INFERA_STATE_DIR must name the folder the e2e tests exported chain states to (scripts/test sets it)",
	);
	let mut states: Vec<PathBuf> = std::fs::read_dir(&dir)
		.unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
		.map(|entry| entry.unwrap().path())
		.filter(|path| path.extension().is_some_and(|ext| ext == "json"))
		.collect();
	states.sort();
	assert!(!states.is_empty(), "no exported chain states in {dir}: run the e2e tests first");
	states
}

/// Externalities holding the raw top-level storage of an exported chain spec.
fn load(path: &PathBuf) -> sp_io::TestExternalities {
	let spec: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
	let top = spec["genesis"]["raw"]["top"]
		.as_object()
		.unwrap_or_else(|| panic!("{} is not a raw chain spec", path.display()));
	let top: BTreeMap<Vec<u8>, Vec<u8>> = top
		.iter()
		.map(|(k, v)| (from_hex(k).unwrap(), from_hex(v.as_str().unwrap()).unwrap()))
		.collect();
	sp_io::TestExternalities::new(Storage { top, children_default: Default::default() })
}

#[test]
fn every_pallets_invariants_hold_on_the_e2e_chain_states() {
	let mut with_jobs = 0;
	for path in exported_states() {
		let name = path.file_name().unwrap().to_string_lossy().to_string();
		load(&path).execute_with(|| {
			let block = frame_system::Pallet::<Runtime>::block_number();
			assert!(block > 0, "{name}: state of block {block}; expected a chain that ran");
			AllPalletsWithSystem::try_state(block, TryStateSelect::All)
				.unwrap_or_else(|e| panic!("{name} at block {block}: {e:?}"));
			println!("{name}: try_state of all pallets passed at block {block}");

			// The checks have teeth: a job id counter behind the live jobs is caught.
			if pallet_compute_jobs::Jobs::<Runtime>::iter().next().is_some() {
				pallet_compute_jobs::NextJobId::<Runtime>::put(0);
				assert!(AllPalletsWithSystem::try_state(block, TryStateSelect::All).is_err(), "{name}");
				with_jobs += 1;
			}
		});
	}
	assert!(with_jobs > 0, "no exported state held a compute job");
}
