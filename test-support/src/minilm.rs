//! all-MiniLM-L6-v2, the embedding model every registration in the tests names: its
//! artifacts' SHA-256 digests (those of `tests/fixtures/minilm-reference.json`), size and
//! where the node keeps them, and [`minilm_artifacts!`](crate::minilm_artifacts) to build a
//! registry `Artifacts` value from them.

use hex_literal::hex;
use sp_core::H256;

/// The model's name as registered.
pub const NAME: &[u8] = b"all-MiniLM-L6-v2";
/// Its licence, an SPDX expression.
pub const LICENCE: &[u8] = b"Apache-2.0";
/// SHA-256 of `model.safetensors`.
pub const WEIGHTS: H256 = H256(hex!("53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"));
/// SHA-256 of `tokenizer.json`.
pub const TOKENIZER: H256 = H256(hex!("be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"));
/// SHA-256 of `config.json`.
pub const CONFIG: H256 = H256(hex!("953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"));
/// Size of the three files together, in bytes.
pub const SIZE_BYTES: u64 = 91_335_235;
/// Where the node's model store keeps them.
pub const URL: &[u8] = b"file:///models/minilm";

/// The MiniLM artifacts as a `pallet_model_registry::Artifacts` of the calling crate:
/// safetensors with [`TOKENIZER`], [`CONFIG`], [`SIZE_BYTES`] at [`URL`], and the given
/// weights digest (default [`WEIGHTS`]; tests registering several models give each its
/// own).
///
/// `$registry` is the registry's crate name as the caller sees it (`pallet_model_registry`,
/// or `crate` inside the registry).
#[macro_export]
macro_rules! minilm_artifacts {
	($registry:ident) => {
		$crate::minilm_artifacts!($registry, $crate::minilm::WEIGHTS)
	};
	($registry:ident, $weights:expr) => {
		$registry::Artifacts {
			format: $registry::ArtifactFormat::Safetensors,
			weights: $weights,
			tokenizer: Some($crate::minilm::TOKENIZER),
			config: Some($crate::minilm::CONFIG),
			size_bytes: $crate::minilm::SIZE_BYTES,
			location: $registry::ArtifactLocation {
				url: Some($crate::__private::BoundedVec::truncate_from($crate::minilm::URL.to_vec())),
				cid: None,
			},
		}
	};
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The digests are those of the reference fixture the inference crate and the end-to-end
	/// tests check the real model against.
	#[test]
	fn the_digests_are_the_reference_fixtures() {
		let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/minilm-reference.json");
		let fixture: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
		let digest = |file: &str| fixture["files"][file].as_str().expect("a digest per file").to_owned();
		let hex = |digest: H256| format!("{digest:?}");
		assert_eq!(digest("model.safetensors"), hex(WEIGHTS));
		assert_eq!(digest("tokenizer.json"), hex(TOKENIZER));
		assert_eq!(digest("config.json"), hex(CONFIG));
	}
}
