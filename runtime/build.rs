//! Builds the runtime to Wasm (embedded in the node and used on chain) unless
//! `SKIP_WASM_BUILD` is set, as it is for native-only unit tests.
//!
//! The Wasm embeds the hash of its own metadata (RFC 78), so `CheckMetadataHash` accepts
//! transactions from offline and hardware signers (mode 1). The builder compiles the
//! runtime once, computes the hash from that build's metadata, then compiles it again
//! with `RUNTIME_METADATA_HASH` set. The symbol and decimals must be the chain
//! properties' (`TOKEN_SYMBOL`, `TOKEN_DECIMALS` in `src/lib.rs`): signers hash them too.

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("INFR", 12)
		.build();
}

/// The Wasm build itself compiles this crate without `std`; nothing to do then.
#[cfg(not(feature = "std"))]
fn main() {}
