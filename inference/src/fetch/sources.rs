//! Where an artifact can be fetched from: the version's URL, then its CID through the
//! node's IPFS gateways, in that order.
//!
//! - `https://…` and `http://…` name a directory: the file is `<url>/<file name>`.
//! - `ipfs://<cid>/<path>` names a directory on IPFS: `<gateway>/ipfs/<cid>/<path>/<file
//!   name>` for each gateway, in the order they are configured.
//! - `file://<dir>` or a plain path name a local directory (copied, never downloaded).
//! - The binary `cid` (CIDv1): a raw-codec (`0x55`) CID names one file, the weights, and
//!   is refused when its sha2-256 digest is not the weights digest (so a gateway is never
//!   asked for it); a dag-pb (`0x70`) CID names a directory, whose files are checked
//!   against their own SHA-256 digests like any other download.

use crate::error::FetchError;
use cid::Cid;
use infera_primitives::ArtifactRef;
use sp_core::H256;
use std::path::PathBuf;

/// Multicodec of raw bytes: the CID names one file.
pub const RAW_CODEC: u64 = 0x55;
/// Multicodec of a dag-pb (UnixFS) node: the CID names a directory.
pub const DAG_PB_CODEC: u64 = 0x70;
/// Multihash code of sha2-256.
pub const SHA2_256: u64 = 0x12;

/// One place to fetch an artifact from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
	/// A local file (`file://` or a plain path).
	Local(PathBuf),
	/// An `http(s)://` URL (for IPFS, a gateway's).
	Remote(String),
}

/// The sources of one artifact (`file_name` of `spec`, with digest `digest`), in the order
/// to try them, or why there is none.
pub fn sources(
	spec: &ArtifactRef,
	digest: H256,
	file_name: &str,
	gateways: &[String],
) -> Result<Vec<Source>, FetchError> {
	let mut found = Vec::new();
	// Why a location gave no source, reported if none gives one.
	let mut refusal = None;
	if let Some(url) = &spec.url {
		let url = String::from_utf8_lossy(url);
		match from_url(&url, file_name, gateways) {
			Ok(sources) => found.extend(sources),
			Err(error) => refusal = Some(error),
		}
	}
	if let Some(cid) = &spec.cid {
		match from_cid(cid, spec.weights, digest, file_name, gateways) {
			Ok(sources) => found.extend(sources),
			Err(error) => {
				// A CID contradicting the weights is the sharper reason: report it.
				if refusal.is_none() || matches!(error, FetchError::CidMismatch { .. }) {
					refusal = Some(error);
				}
			},
		}
	}
	if !found.is_empty() {
		if let Some(error) = refusal {
			log::warn!(target: "inference", "artifact {digest:?}: one location is not used: {error}");
		}
		return Ok(found);
	}
	Err(refusal.unwrap_or_else(|| FetchError::NoSource { reason: "the version has no URL and no CID".into() }))
}

/// The sources a URL gives for `file_name`.
fn from_url(url: &str, file_name: &str, gateways: &[String]) -> Result<Vec<Source>, FetchError> {
	if let Some(path) = url.strip_prefix("file://") {
		return Ok(vec![Source::Local(PathBuf::from(path).join(file_name))]);
	}
	let Some((scheme, rest)) = url.split_once("://") else {
		return Ok(vec![Source::Local(PathBuf::from(url).join(file_name))]);
	};
	match scheme.to_ascii_lowercase().as_str() {
		"https" | "http" => Ok(vec![Source::Remote(join(url, file_name))]),
		"ipfs" => {
			let root = rest.split('/').next().unwrap_or_default();
			root.parse::<Cid>().map_err(|error| FetchError::InvalidLocation {
				location: url.into(),
				reason: format!("{root:?} is not a CID: {error}"),
			})?;
			if gateways.is_empty() {
				return Err(no_gateway(url));
			}
			let path = join(rest, file_name);
			Ok(gateways
				.iter()
				.map(|gateway| Source::Remote(format!("{}/ipfs/{path}", gateway.trim_end_matches('/'))))
				.collect())
		},
		_ => Err(FetchError::UnsupportedScheme { location: url.into() }),
	}
}

/// The sources a binary CID gives for `file_name` (digest `digest`) of a version whose
/// weights are `weights`.
fn from_cid(
	bytes: &[u8],
	weights: H256,
	digest: H256,
	file_name: &str,
	gateways: &[String],
) -> Result<Vec<Source>, FetchError> {
	let hex = || format!("0x{}", sp_core::hexdisplay::HexDisplay::from(&bytes));
	let cid = Cid::try_from(bytes).map_err(|error| FetchError::InvalidLocation {
		location: hex(),
		reason: format!("not a binary CID: {error}"),
	})?;
	if cid.encoded_len() != bytes.len() {
		return Err(FetchError::InvalidLocation { location: hex(), reason: "bytes follow the CID".into() });
	}
	let text = cid.to_string();
	let path = match cid.codec() {
		RAW_CODEC => {
			let hash = cid.hash();
			if hash.code() == SHA2_256 {
				let named = <[u8; 32]>::try_from(hash.digest()).map(H256).map_err(|_| FetchError::InvalidLocation {
					location: text.clone(),
					reason: format!("a sha2-256 digest of {} bytes", hash.digest().len()),
				})?;
				if named != weights {
					return Err(FetchError::CidMismatch { cid: text, named, weights });
				}
			}
			// One file: the weights. The tokenizer and configuration come from the URL.
			if digest != weights {
				return Ok(Vec::new());
			}
			text.clone()
		},
		DAG_PB_CODEC => format!("{text}/{file_name}"),
		codec => {
			return Err(FetchError::InvalidLocation {
				location: text,
				reason: format!("codec 0x{codec:x} is neither raw (0x55) nor dag-pb (0x70)"),
			})
		},
	};
	if gateways.is_empty() {
		return Err(no_gateway(&format!("CID {text}")));
	}
	Ok(gateways
		.iter()
		.map(|gateway| Source::Remote(format!("{}/ipfs/{path}", gateway.trim_end_matches('/'))))
		.collect())
}

fn no_gateway(what: &str) -> FetchError {
	FetchError::NoSource { reason: format!("{what} is on IPFS and this node has no --ipfs-gateway") }
}

/// `dir/name`, with exactly one slash between them.
fn join(dir: &str, name: &str) -> String {
	format!("{}/{name}", dir.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
	use super::*;
	use infera_primitives::{ArtifactFormat, TaskKind};
	use sha2::Digest;

	fn spec(url: Option<&str>, cid: Option<Vec<u8>>) -> ArtifactRef {
		ArtifactRef {
			task: TaskKind::TextEmbedding,
			format: ArtifactFormat::Safetensors,
			weights: H256(sha2::Sha256::digest(b"weights").into()),
			tokenizer: Some(H256::repeat_byte(2)),
			config: Some(H256::repeat_byte(3)),
			size_bytes: 10,
			url: url.map(|url| url.as_bytes().to_vec()),
			cid,
		}
	}

	fn cid(codec: u64, data: &[u8]) -> Vec<u8> {
		let digest: [u8; 32] = sha2::Sha256::digest(data).into();
		let hash = cid::multihash::Multihash::<64>::wrap(SHA2_256, &digest).unwrap();
		Cid::new_v1(codec, hash).to_bytes()
	}

	fn remote(urls: &[&str]) -> Vec<Source> {
		urls.iter().map(|url| Source::Remote(url.to_string())).collect()
	}

	#[test]
	fn urls_name_directories() {
		let gateways = ["http://gw1/".to_string(), "http://gw2".to_string()];
		let weights = spec(None, None).weights;
		let of = |url: &str| sources(&spec(Some(url), None), weights, "model.safetensors", &gateways);
		assert_eq!(of("https://host/m/").unwrap(), remote(&["https://host/m/model.safetensors"]));
		assert_eq!(of("file:///srv/m").unwrap(), vec![Source::Local("/srv/m/model.safetensors".into())]);
		assert_eq!(of("/srv/m").unwrap(), vec![Source::Local("/srv/m/model.safetensors".into())]);
		let dir = Cid::new_v1(DAG_PB_CODEC, cid::multihash::Multihash::wrap(SHA2_256, &[1; 32]).unwrap()).to_string();
		assert_eq!(
			of(&format!("ipfs://{dir}/minilm")).unwrap(),
			remote(&[
				&format!("http://gw1/ipfs/{dir}/minilm/model.safetensors"),
				&format!("http://gw2/ipfs/{dir}/minilm/model.safetensors")
			])
		);
		assert!(matches!(of("ftp://host/m"), Err(FetchError::UnsupportedScheme { .. })));
		assert!(matches!(of("ipfs://not-a-cid/m"), Err(FetchError::InvalidLocation { .. })));
		let no_gateways = sources(&spec(Some(&format!("ipfs://{dir}")), None), weights, "config.json", &[]);
		assert!(matches!(no_gateways, Err(FetchError::NoSource { .. })));
	}

	#[test]
	fn a_raw_cid_serves_only_matching_weights() {
		let gateways = ["http://gw".to_string()];
		let raw = cid(RAW_CODEC, b"weights");
		let text = Cid::try_from(raw.as_slice()).unwrap().to_string();
		assert!(text.starts_with("bafkrei"), "base32 CIDv1: {text}");
		let version = spec(None, Some(raw));
		assert_eq!(
			sources(&version, version.weights, "model.safetensors", &gateways).unwrap(),
			remote(&[&format!("http://gw/ipfs/{text}")])
		);
		// The tokenizer is not in a one-file CID.
		let tokenizer = sources(&version, H256::repeat_byte(2), "tokenizer.json", &gateways);
		assert!(matches!(tokenizer, Err(FetchError::NoSource { .. })), "{tokenizer:?}");
		// A CID of other bytes than the weights is refused, even next to a URL.
		let wrong = spec(Some("http://host/m"), Some(cid(RAW_CODEC, b"other")));
		assert_eq!(
			sources(&wrong, wrong.weights, "model.safetensors", &gateways).unwrap(),
			remote(&["http://host/m/model.safetensors"])
		);
		let alone = spec(None, Some(cid(RAW_CODEC, b"other")));
		assert!(matches!(
			sources(&alone, alone.weights, "model.safetensors", &gateways),
			Err(FetchError::CidMismatch { .. })
		));
	}

	#[test]
	fn a_directory_cid_serves_every_file() {
		let gateways = ["http://gw".to_string()];
		let dir = cid(DAG_PB_CODEC, b"a directory");
		let text = Cid::try_from(dir.as_slice()).unwrap().to_string();
		let version = spec(Some("https://host/m"), Some(dir));
		assert_eq!(
			sources(&version, H256::repeat_byte(3), "config.json", &gateways).unwrap(),
			remote(&["https://host/m/config.json", &format!("http://gw/ipfs/{text}/config.json")])
		);
		let mut trailing = cid(DAG_PB_CODEC, b"x");
		trailing.push(0);
		assert!(matches!(
			sources(&spec(None, Some(trailing)), H256::zero(), "config.json", &gateways),
			Err(FetchError::InvalidLocation { .. })
		));
	}
}
