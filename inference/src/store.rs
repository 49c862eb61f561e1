//! A directory of model artifacts keyed by SHA-256.
//!
//! Each artifact lives in the store as a file named by the lowercase hex of its digest. A
//! missing artifact is fetched from the model version's registered location, which names
//! a directory holding the conventional file names (`model.safetensors`, `tokenizer.json`,
//! `config.json`): a `file://` URL or a plain path. The copy is hashed while it is written
//! and only renamed into place if it matches; a file already in the store is re-hashed once
//! per process before first use, so a corrupted or swapped file is never loaded.
//! `http(s)://` and `ipfs://` locations are not fetched by this build: operators place such
//! artifacts in the directory themselves (named by digest).

use crate::error::{InferenceError, Result};
use infera_primitives::{ArtifactFormat, ArtifactRef, TaskKind};
use sha2::{Digest, Sha256};
use sp_core::H256;
use std::{
	collections::HashSet,
	fs::File,
	io::{Read, Write},
	path::{Path, PathBuf},
	sync::Mutex,
};

/// One artifact of a model version: its digest and its conventional file name.
#[derive(Clone, Copy, Debug)]
pub struct Artifact<'a> {
	pub digest: H256,
	pub file_name: &'a str,
}

/// The model directory.
pub struct ModelStore {
	dir: PathBuf,
	verified: Mutex<HashSet<H256>>,
}

/// Streams `reader` into `writer` (if any) and returns the SHA-256 of what passed.
fn hash_copy(mut reader: impl Read, mut writer: Option<&mut File>) -> std::io::Result<H256> {
	let mut hasher = Sha256::new();
	let mut buffer = vec![0u8; 1 << 20];
	loop {
		let read = reader.read(&mut buffer)?;
		if read == 0 {
			break;
		}
		hasher.update(&buffer[..read]);
		if let Some(writer) = writer.as_deref_mut() {
			writer.write_all(&buffer[..read])?;
		}
	}
	Ok(H256(hasher.finalize().into()))
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> InferenceError + '_ {
	move |error| InferenceError::Io { path: path.display().to_string(), error }
}

/// The local directory a location names, if it is one this build fetches from.
fn local_dir(location: &str) -> Option<PathBuf> {
	if let Some(path) = location.strip_prefix("file://") {
		return Some(PathBuf::from(path));
	}
	(!location.contains("://")).then(|| PathBuf::from(location))
}

impl ModelStore {
	/// A store in `dir` (created if missing).
	pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
		let dir = dir.into();
		std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
		Ok(Self { dir, verified: Mutex::new(HashSet::new()) })
	}

	/// The directory.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	/// Where `digest` lives in the store.
	pub fn path_of(&self, digest: &H256) -> PathBuf {
		self.dir.join(sp_core::hexdisplay::HexDisplay::from(&digest.as_bytes()).to_string())
	}

	/// The path of `artifact` in the store, verified, fetching it from `location` first if
	/// it is missing.
	pub fn ensure(&self, artifact: Artifact, location: Option<&str>) -> Result<PathBuf> {
		let path = self.path_of(&artifact.digest);
		if self.verified.lock().expect("not poisoned").contains(&artifact.digest) && path.exists() {
			return Ok(path);
		}
		if path.exists() {
			let file = File::open(&path).map_err(io_error(&path))?;
			let actual = hash_copy(file, None).map_err(io_error(&path))?;
			if actual != artifact.digest {
				return Err(InferenceError::DigestMismatch {
					source_path: path.display().to_string(),
					expected: artifact.digest,
					actual,
				});
			}
		} else {
			self.fetch(artifact, location, &path)?;
		}
		self.verified.lock().expect("not poisoned").insert(artifact.digest);
		Ok(path)
	}

	fn fetch(&self, artifact: Artifact, location: Option<&str>, path: &Path) -> Result<()> {
		let unavailable = |reason: String| InferenceError::ArtifactUnavailable { digest: artifact.digest, reason };
		let location = location.ok_or_else(|| unavailable("the version has no URL".into()))?;
		let dir = local_dir(location)
			.ok_or_else(|| unavailable(format!("this node does not fetch from {location}")))?;
		let source = dir.join(artifact.file_name);
		let reader = File::open(&source)
			.map_err(|error| unavailable(format!("{} cannot be read: {error}", source.display())))?;
		let partial = path.with_extension("partial");
		let mut writer = File::create(&partial).map_err(io_error(&partial))?;
		let actual = hash_copy(reader, Some(&mut writer)).map_err(io_error(&source))?;
		drop(writer);
		if actual != artifact.digest {
			let _ = std::fs::remove_file(&partial);
			return Err(InferenceError::DigestMismatch {
				source_path: source.display().to_string(),
				expected: artifact.digest,
				actual,
			});
		}
		std::fs::rename(&partial, path).map_err(io_error(path))?;
		log::info!(target: "inference", "fetched {} ({:?}) into the model store", source.display(), artifact.digest);
		Ok(())
	}
}

/// SHA-256 of a file, for tools and tests.
pub fn sha256_file(path: &Path) -> Result<H256> {
	let file = File::open(path).map_err(io_error(path))?;
	hash_copy(file, None).map_err(io_error(path))
}

/// The artifacts of a safetensors model of `task` in the local directory `dir`
/// (`model.safetensors`, `tokenizer.json`, `config.json`), located at `file://dir`: what
/// the registry would record for it, for tools, benchmarks and tests.
pub fn local_artifacts(dir: &Path, task: TaskKind) -> Result<ArtifactRef> {
	let digest = |name: &str| sha256_file(&dir.join(name));
	let mut size_bytes = 0;
	for name in ["model.safetensors", "tokenizer.json", "config.json"] {
		let path = dir.join(name);
		size_bytes += std::fs::metadata(&path).map_err(io_error(&path))?.len();
	}
	Ok(ArtifactRef {
		task,
		format: ArtifactFormat::Safetensors,
		weights: digest("model.safetensors")?,
		tokenizer: Some(digest("tokenizer.json")?),
		config: Some(digest("config.json")?),
		size_bytes,
		url: Some(format!("file://{}", dir.display()).into_bytes()),
		cid: None,
	})
}
