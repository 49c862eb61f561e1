//! Builds the runtime with `upgrade-fixture` to Wasm, unless `SKIP_WASM_BUILD` is set.

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The Wasm build compiles this crate without `std`; nothing to do then.
#[cfg(not(feature = "std"))]
fn main() {}
