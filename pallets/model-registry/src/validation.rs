//! Shape checks of user-supplied fields: names, licences, URLs and CIDs.
//!
//! These checks are about form only (the chain cannot fetch anything); workers verify the
//! fetched files against the registered digests.

use crate::{Artifacts, Config, Error};
use infera_primitives::ArtifactFormat;

/// URL schemes a worker knows how to fetch from.
pub const URL_SCHEMES: [&[u8]; 4] = [b"https", b"http", b"file", b"ipfs"];

/// A name is non-empty UTF-8 without control characters.
pub fn check_name<T: Config>(name: &[u8]) -> Result<(), Error<T>> {
	let text = core::str::from_utf8(name).map_err(|_| Error::<T>::NameNotUtf8)?;
	if text.trim().is_empty() {
		return Err(Error::<T>::EmptyName);
	}
	if text.chars().any(char::is_control) {
		return Err(Error::<T>::NameNotUtf8);
	}
	Ok(())
}

/// A licence is an SPDX-style expression: letters, digits, `.`, `-`, `+`, `(`, `)` and single
/// inner spaces, e.g. `Apache-2.0` or `(MIT OR Apache-2.0)`.
pub fn check_licence<T: Config>(licence: &[u8]) -> Result<(), Error<T>> {
	let allowed = |b: &u8| b.is_ascii_alphanumeric() || b".-+() ".contains(b);
	let valid = !licence.is_empty() &&
		licence.iter().all(allowed) &&
		licence.first() != Some(&b' ') &&
		licence.last() != Some(&b' ') &&
		!licence.windows(2).any(|pair| pair == b"  ");
	if valid {
		Ok(())
	} else {
		Err(Error::<T>::InvalidLicence)
	}
}

/// A reason is non-empty UTF-8.
pub fn check_reason<T: Config>(reason: &[u8]) -> Result<(), Error<T>> {
	match core::str::from_utf8(reason) {
		Ok(text) if !text.trim().is_empty() => Ok(()),
		_ => Err(Error::<T>::InvalidReason),
	}
}

/// Checks a version's files: size, digests the format needs, and a well-formed location.
pub fn check_artifacts<T: Config>(artifacts: &Artifacts<T>) -> Result<(), Error<T>> {
	if artifacts.size_bytes == 0 {
		return Err(Error::<T>::ZeroArtifactSize);
	}
	if artifacts.format == ArtifactFormat::Safetensors {
		if artifacts.tokenizer.is_none() {
			return Err(Error::<T>::MissingTokenizerDigest);
		}
		if artifacts.config.is_none() {
			return Err(Error::<T>::MissingConfigDigest);
		}
	}
	let location = &artifacts.location;
	if location.url.is_none() && location.cid.is_none() {
		return Err(Error::<T>::NoArtifactLocation);
	}
	if let Some(url) = &location.url {
		if !is_well_formed_url(url) {
			return Err(Error::<T>::InvalidUrl);
		}
	}
	if let Some(cid) = &location.cid {
		if !is_cid_v1(cid) {
			return Err(Error::<T>::InvalidCid);
		}
	}
	Ok(())
}

/// `scheme://rest` with a known scheme and a non-empty rest of printable ASCII (no spaces).
pub fn is_well_formed_url(url: &[u8]) -> bool {
	let Some(separator) = url.windows(3).position(|window| window == b"://") else {
		return false;
	};
	let (scheme, rest) = (&url[..separator], &url[separator + 3..]);
	URL_SCHEMES.contains(&scheme) &&
		!rest.is_empty() &&
		rest.iter().all(|b| (0x21..=0x7e).contains(b))
}

/// A binary CIDv1: `varint(1) ‖ varint(codec) ‖ varint(hash code) ‖ varint(len) ‖ digest`,
/// where the digest is exactly `len` (1..=64) bytes and every varint is minimally encoded.
pub fn is_cid_v1(cid: &[u8]) -> bool {
	let mut rest = cid;
	let mut next = || read_varint(&mut rest);
	let (Some(version), Some(_codec), Some(_hash), Some(len)) = (next(), next(), next(), next())
	else {
		return false;
	};
	version == 1 && (1..=64).contains(&len) && rest.len() as u64 == len
}

/// Reads an unsigned LEB128 varint of at most 9 bytes (the multiformats limit), rejecting
/// non-minimal encodings; advances `input` past it.
fn read_varint(input: &mut &[u8]) -> Option<u64> {
	let mut value: u64 = 0;
	for (index, byte) in input.iter().enumerate().take(9) {
		value |= u64::from(byte & 0x7f) << (7 * index);
		if byte & 0x80 == 0 {
			// A last byte of zero is only minimal for the value 0 itself.
			if *byte == 0 && index > 0 {
				return None;
			}
			*input = &input[index + 1..];
			return Some(value);
		}
	}
	None
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn urls() {
		assert!(is_well_formed_url(b"https://huggingface.co/x/y"));
		assert!(is_well_formed_url(b"file:///var/lib/infera/models/minilm"));
		assert!(is_well_formed_url(b"ipfs://bafy"));
		assert!(!is_well_formed_url(b"ftp://host/file"));
		assert!(!is_well_formed_url(b"https://"));
		assert!(!is_well_formed_url(b"https://host/a b"));
		assert!(!is_well_formed_url(b"huggingface.co/x"));
		assert!(!is_well_formed_url(b"https://host/\x7f"));
	}

	#[test]
	fn cids() {
		// CIDv1, raw codec (0x55), sha2-256 (0x12), 32-byte digest.
		let mut cid = vec![0x01, 0x55, 0x12, 0x20];
		cid.extend([7u8; 32]);
		assert!(is_cid_v1(&cid));
		// dag-pb codec 0x70.
		cid[1] = 0x70;
		assert!(is_cid_v1(&cid));
		// Truncated digest.
		assert!(!is_cid_v1(&cid[..cid.len() - 1]));
		// Trailing byte.
		let mut longer = cid.clone();
		longer.push(0);
		assert!(!is_cid_v1(&longer));
		// CIDv0 (a bare multihash) is not v1.
		let mut v0 = vec![0x12, 0x20];
		v0.extend([7u8; 32]);
		assert!(!is_cid_v1(&v0));
		// Non-minimal varint for the version.
		let mut padded = vec![0x81, 0x00, 0x55, 0x12, 0x20];
		padded.extend([7u8; 32]);
		assert!(!is_cid_v1(&padded));
		// A two-byte codec varint (0x0129 = dag-json) is fine.
		let mut two_byte = vec![0x01, 0xa9, 0x02, 0x12, 0x20];
		two_byte.extend([7u8; 32]);
		assert!(is_cid_v1(&two_byte));
		assert!(!is_cid_v1(&[]));
		assert!(!is_cid_v1(&[0x01, 0x55, 0x12, 0x00]));
	}
}
