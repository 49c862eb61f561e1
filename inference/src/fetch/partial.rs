//! A download in progress: `<digest>.partial` in the store, hashed as it grows.

use crate::error::FetchError;
use prometheus_endpoint::{Counter, U64};
use sha2::{Digest, Sha256};
use sp_core::H256;
use std::{
	fs::File,
	io::{Read, Seek, Write},
	path::{Path, PathBuf},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
};

/// Progress is logged every 16 MiB when the size is unknown, every 10 % when known (and
/// only for files larger than this).
pub const LOG_STEP: u64 = 16 << 20;

/// A partial artifact file, with the SHA-256 of what it holds so far.
pub struct PartialFile {
	path: PathBuf,
	file: File,
	hasher: Sha256,
	len: u64,
	limit: Option<u64>,
	received: Arc<AtomicU64>,
	total: Option<u64>,
	next_log: u64,
	label: String,
	counter: Option<Counter<U64>>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> FetchError + '_ {
	move |error| FetchError::Io { path: path.display().to_string(), reason: error.to_string() }
}

impl PartialFile {
	/// Creates `path` empty. At most `limit` bytes may be written; `received` follows the
	/// length; `label` names the artifact in progress logs.
	pub fn create(
		path: PathBuf,
		limit: Option<u64>,
		received: Arc<AtomicU64>,
		label: String,
	) -> Result<Self, FetchError> {
		let file = File::create(&path).map_err(io(&path))?;
		received.store(0, Ordering::Relaxed);
		Ok(Self {
			path,
			file,
			hasher: Sha256::new(),
			len: 0,
			limit,
			received,
			total: None,
			next_log: 0,
			label,
			counter: None,
		})
	}

	/// Opens `path` to resume it: what it already holds is kept (hashed now, its length
	/// reported in `received`) unless that is more than `limit` bytes.
	pub fn resume(
		path: PathBuf,
		limit: Option<u64>,
		received: Arc<AtomicU64>,
		label: String,
	) -> Result<Self, FetchError> {
		let mut file =
			File::options().read(true).write(true).create(true).truncate(false).open(&path).map_err(io(&path))?;
		let mut hasher = Sha256::new();
		let mut len = 0u64;
		let mut buffer = vec![0u8; 1 << 20];
		loop {
			let read = file.read(&mut buffer).map_err(io(&path))?;
			if read == 0 {
				break;
			}
			hasher.update(&buffer[..read]);
			len += read as u64;
			received.store(len, Ordering::Relaxed);
		}
		let mut partial =
			Self { path, file, hasher, len, limit, received, total: None, next_log: 0, label, counter: None };
		if limit.is_some_and(|limit| len > limit) {
			partial.restart()?;
		} else if len > 0 {
			log::info!(target: "inference", "{}: resuming after {} bytes", partial.label, len);
		}
		Ok(partial)
	}

	/// Counts the bytes written from now on in `counter` (downloaded bytes).
	pub fn count_in(&mut self, counter: Option<Counter<U64>>) {
		self.counter = counter;
	}

	/// Bytes held so far.
	pub fn len(&self) -> u64 {
		self.len
	}

	/// Whether nothing is held yet.
	pub fn is_empty(&self) -> bool {
		self.len == 0
	}

	/// The file's path.
	pub fn path(&self) -> &Path {
		&self.path
	}

	/// Sets the size the file will have when complete, if known, for progress logs.
	pub fn expect(&mut self, total: Option<u64>) {
		self.total = total;
		self.next_log = self.next_step();
	}

	/// Drops what the file holds and starts again from byte 0.
	pub fn restart(&mut self) -> Result<(), FetchError> {
		self.file.set_len(0).map_err(io(&self.path))?;
		self.file.rewind().map_err(io(&self.path))?;
		self.hasher = Sha256::new();
		self.len = 0;
		self.received.store(0, Ordering::Relaxed);
		self.next_log = self.next_step();
		Ok(())
	}

	/// Appends `data` received from `from`; fails with [`FetchError::TooLarge`] once the
	/// file would exceed its limit (nothing beyond the limit is written).
	pub fn write(&mut self, data: &[u8], from: &str) -> Result<(), FetchError> {
		let len = self.len + data.len() as u64;
		if let Some(limit) = self.limit.filter(|limit| len > *limit) {
			return Err(FetchError::TooLarge { url: from.into(), limit });
		}
		self.file.write_all(data).map_err(io(&self.path))?;
		self.hasher.update(data);
		self.len = len;
		self.received.store(len, Ordering::Relaxed);
		if let Some(counter) = &self.counter {
			counter.inc_by(data.len() as u64);
		}
		if len >= self.next_log {
			self.log_progress(from);
			self.next_log = self.next_step();
		}
		Ok(())
	}

	fn next_step(&self) -> u64 {
		match self.total {
			Some(total) if total > LOG_STEP => {
				let tenth = total.div_ceil(10);
				(self.len / tenth + 1) * tenth
			},
			Some(_) => u64::MAX,
			None => (self.len / LOG_STEP + 1) * LOG_STEP,
		}
	}

	fn log_progress(&self, from: &str) {
		let mib = |bytes: u64| bytes as f64 / (1u64 << 20) as f64;
		match self.total {
			Some(total) => log::info!(
				target: "inference",
				"{}: {:.1} of {:.1} MiB ({} %) from {from}",
				self.label,
				mib(self.len),
				mib(total),
				self.len * 100 / total.max(1)
			),
			None => log::info!(target: "inference", "{}: {:.1} MiB from {from}", self.label, mib(self.len)),
		}
	}

	/// Closes the file and returns the SHA-256 of its content.
	pub fn finish(mut self) -> Result<H256, FetchError> {
		self.file.flush().map_err(io(&self.path))?;
		Ok(H256(self.hasher.finalize().into()))
	}
}
