//! The store's disk quota: what a download may use, and which files make room for it.
//!
//! Usage is every artifact and partial file in the directory, plus, for each download in
//! progress, the full size it reserved (its `Content-Length`, or the version's registered
//! `size_bytes` when the server does not say). To make room, files are evicted least
//! recently used first (by modification time, which every use of an artifact refreshes),
//! sparing the pinned ones (every artifact of the versions the last `/v1/prepare` named),
//! those of versions being ensured right now and the downloads in progress. If that is not
//! enough, the download fails with [`FetchError::Quota`] before its body is read.

use crate::error::FetchError;
use sp_core::H256;
use std::{
	collections::{HashMap, HashSet},
	path::{Path, PathBuf},
	str::FromStr,
	sync::Mutex,
	time::SystemTime,
};

/// A file in the store: an artifact named by its digest, or a download in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
	/// SHA-256 the file is (or will be, when complete) registered under.
	pub digest: H256,
	/// Where it is.
	pub path: PathBuf,
	/// Its size in bytes.
	pub size: u64,
	/// Last use (artifacts) or last write (partial files).
	pub modified: SystemTime,
	/// A download in progress or interrupted (`<digest>.partial`), not yet verified.
	pub partial: bool,
}

/// Every artifact and partial file in `dir`, in no order (other files are ignored).
pub fn stored_files(dir: &Path) -> std::io::Result<Vec<StoredFile>> {
	let mut files = Vec::new();
	for entry in std::fs::read_dir(dir)? {
		let entry = entry?;
		let name = entry.file_name();
		let Some(name) = name.to_str() else { continue };
		let (hex, partial) = match name.strip_suffix(".partial") {
			Some(hex) => (hex, true),
			None => (name, false),
		};
		if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
			continue;
		}
		let Ok(digest) = H256::from_str(hex) else { continue };
		let Ok(metadata) = entry.metadata() else { continue };
		if !metadata.is_file() {
			continue;
		}
		files.push(StoredFile {
			digest,
			path: entry.path(),
			size: metadata.len(),
			modified: metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
			partial,
		});
	}
	Ok(files)
}

/// Marks `path` as just used (for least-recently-used eviction).
pub fn touch(path: &Path) {
	let now = SystemTime::now();
	if let Err(error) = std::fs::File::options().write(true).open(path).and_then(|file| file.set_modified(now)) {
		log::debug!(target: "inference", "cannot mark {} as used: {error}", path.display());
	}
}

#[derive(Default)]
struct State {
	/// Digests of the versions the node serves (the last prepare request).
	pinned: HashSet<H256>,
	/// Digests of versions being ensured now, with how many callers hold each.
	in_use: HashMap<H256, usize>,
	/// Downloads in progress and the bytes each reserved.
	reserved: HashMap<H256, u64>,
}

/// The quota and what it must spare.
pub struct Space {
	quota: Option<u64>,
	state: Mutex<State>,
}

/// Digests held in use until dropped.
pub struct Hold<'a> {
	space: &'a Space,
	digests: Vec<H256>,
}

impl Drop for Hold<'_> {
	fn drop(&mut self) {
		let mut state = self.space.state.lock().expect("not poisoned");
		for digest in &self.digests {
			if let Some(count) = state.in_use.get_mut(digest) {
				*count -= 1;
				if *count == 0 {
					state.in_use.remove(digest);
				}
			}
		}
	}
}

impl Space {
	/// At most `quota` bytes (`None`: no limit).
	pub fn new(quota: Option<u64>) -> Self {
		Self { quota, state: Mutex::new(State::default()) }
	}

	/// Replaces the pinned set.
	pub fn pin(&self, digests: HashSet<H256>) {
		self.state.lock().expect("not poisoned").pinned = digests;
	}

	/// Spares `digests` from eviction until the returned guard is dropped.
	pub fn hold(&self, digests: Vec<H256>) -> Hold<'_> {
		let mut state = self.state.lock().expect("not poisoned");
		for digest in &digests {
			*state.in_use.entry(*digest).or_default() += 1;
		}
		Hold { space: self, digests }
	}

	/// Reserves `bytes` in `dir` for the download of `digest`, evicting files if needed
	/// (`evicted` is told each digest removed).
	pub fn reserve(
		&self,
		dir: &Path,
		digest: H256,
		bytes: u64,
		mut evicted: impl FnMut(H256),
	) -> Result<(), FetchError> {
		let Some(quota) = self.quota else { return Ok(()) };
		let mut state = self.state.lock().expect("not poisoned");
		state.reserved.remove(&digest);
		let io = |error: std::io::Error| FetchError::Io { path: dir.display().to_string(), reason: error.to_string() };
		// This download's own partial file is inside its reservation.
		let files: Vec<StoredFile> = stored_files(dir)
			.map_err(io)?
			.into_iter()
			.filter(|file| file.digest != digest && !state.reserved.contains_key(&file.digest))
			.collect();
		let mut used = bytes
			.saturating_add(state.reserved.values().sum())
			.saturating_add(files.iter().map(|file| file.size).sum());
		if used > quota {
			let mut candidates: Vec<&StoredFile> = files
				.iter()
				.filter(|file| !state.pinned.contains(&file.digest) && !state.in_use.contains_key(&file.digest))
				.collect();
			candidates.sort_by_key(|file| file.modified);
			for file in candidates {
				if used <= quota {
					break;
				}
				match std::fs::remove_file(&file.path) {
					Ok(()) => {
						used -= file.size;
						log::info!(
							target: "inference",
							"evicted {} ({} bytes, least recently used) to stay within the {quota}-byte quota",
							file.path.display(),
							file.size
						);
						evicted(file.digest);
					},
					Err(error) => log::warn!(target: "inference", "cannot evict {}: {error}", file.path.display()),
				}
			}
		}
		if used > quota {
			return Err(FetchError::Quota { needed: bytes, quota, kept: used - bytes });
		}
		state.reserved.insert(digest, bytes);
		Ok(())
	}

	/// Ends the reservation of `digest` (its file, if kept, now counts as it is on disk).
	pub fn release(&self, digest: &H256) {
		self.state.lock().expect("not poisoned").reserved.remove(digest);
	}
}

/// Parses a size: a number of bytes, optionally with a unit: `k`, `m`, `g`, `t` and `KiB`,
/// `MiB`, `GiB`, `TiB` are powers of 1024, `kB`, `MB`, `GB`, `TB` powers of 1000
/// (case-insensitive; `20GiB`, `1.5 TB`, `500000000`).
pub fn parse_size(text: &str) -> Result<u64, String> {
	let text = text.trim();
	let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
	let (number, unit) = text.split_at(split);
	let unit = unit.trim().to_ascii_lowercase();
	let scale: u64 = match unit.as_str() {
		"" | "b" => 1,
		"k" | "kib" => 1 << 10,
		"m" | "mib" => 1 << 20,
		"g" | "gib" => 1 << 30,
		"t" | "tib" => 1 << 40,
		"kb" => 1_000,
		"mb" => 1_000_000,
		"gb" => 1_000_000_000,
		"tb" => 1_000_000_000_000,
		_ =>
			return Err(format!(
				"{text:?}: unknown unit {unit:?} (expected bytes, KiB, MiB, GiB, TiB, kB, MB, GB or TB)"
			)),
	};
	let bytes = if number.contains('.') {
		let value: f64 = number.parse().map_err(|_| format!("{text:?}: expected a number of bytes"))?;
		value * scale as f64
	} else {
		let value: u64 = number.parse().map_err(|_| format!("{text:?}: expected a number of bytes"))?;
		return value.checked_mul(scale).ok_or_else(|| format!("{text:?} is too large"));
	};
	if !(0.0..u64::MAX as f64).contains(&bytes) {
		return Err(format!("{text:?} is too large"));
	}
	Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn sizes_parse_with_units() {
		assert_eq!(parse_size("1234"), Ok(1234));
		assert_eq!(parse_size("20GiB"), Ok(20 << 30));
		assert_eq!(parse_size("20g"), Ok(20 << 30));
		assert_eq!(parse_size("1.5 GB"), Ok(1_500_000_000));
		assert_eq!(parse_size("512MiB"), Ok(512 << 20));
		assert!(parse_size("12 parsecs").is_err());
		assert!(parse_size("GiB").is_err());
		assert!(parse_size("99999999999TiB").is_err());
	}
}
