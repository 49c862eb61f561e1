//! Builds the runtime with `upgrade-fixture` to Wasm, unless `SKIP_WASM_BUILD` is set.
//! Like the real runtime it embeds its metadata hash, so mode-1 signers keep working
//! after the upgrade.

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("INFR", 12)
		.build();
}

/// The Wasm build compiles this crate without `std`; nothing to do then.
#[cfg(not(feature = "std"))]
fn main() {}
