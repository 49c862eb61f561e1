//! A directory of model artifacts keyed by SHA-256.
//!
//! Each artifact lives in the store as a file named by the lowercase hex of its digest. A
//! missing artifact is fetched from where the registry says ([`fetch::sources`]): the
//! version's URL, a directory holding the conventional file names (`model.safetensors`,
//! `tokenizer.json`, `config.json`) as `https://`, `http://`, `ipfs://<cid>/…` (through
//! the node's IPFS gateways), `file://` or a plain path; then its CID through the gateways.
//! Sources are tried in that order until one gives the registered bytes.
//!
//! Every copy or download goes to `<digest>.partial`, is hashed while it is written, and is
//! renamed into place only if it matches; an interrupted download is resumed from its
//! partial file. A file already in the store is re-hashed once per process before first
//! use, so a corrupted or swapped file is never loaded (it is removed, and fetched again on
//! the next attempt). Concurrent requests for one artifact do the work once: the others
//! wait for it. With a quota, files no served version needs are evicted least recently
//! used first ([`space`]).
//!
//! Operators may also place artifacts in the directory themselves (named by digest), e.g.
//! with `infera-node models fetch`.

pub mod flight;
pub mod space;

use crate::{
	error::{FetchError, InferenceError, Result},
	fetch::{
		sources::{self, Source},
		FetchConfig, FetchMetrics, Fetcher, PartialFile,
	},
};
use flight::{Flight, Progress};
use infera_primitives::{ArtifactFormat, ArtifactRef, TaskKind};
use sha2::{Digest, Sha256};
use sp_core::H256;
use space::{Space, StoredFile};
use std::{
	collections::{HashMap, HashSet},
	fs::File,
	io::Read,
	path::{Path, PathBuf},
	sync::{atomic::AtomicU64, Arc, Mutex},
	time::Instant,
};

/// The outcome of obtaining an artifact (shared by everyone waiting for it).
type Fetched<T = ()> = std::result::Result<T, FetchError>;

/// One artifact of a model version: its digest and its conventional file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Artifact<'a> {
	/// Its registered SHA-256.
	pub digest: H256,
	/// Its name in the version's directory (`model.safetensors`, …).
	pub file_name: &'a str,
}

/// The artifacts of a version: the weights, then the tokenizer and configuration when
/// registered.
pub fn artifacts(spec: &ArtifactRef) -> Vec<Artifact<'static>> {
	let weights_name = match spec.format {
		ArtifactFormat::Gguf => "model.gguf",
		ArtifactFormat::Onnx => "model.onnx",
		ArtifactFormat::Safetensors => "model.safetensors",
	};
	let mut artifacts = vec![Artifact { digest: spec.weights, file_name: weights_name }];
	if let Some(digest) = spec.tokenizer {
		artifacts.push(Artifact { digest, file_name: "tokenizer.json" });
	}
	if let Some(digest) = spec.config {
		artifacts.push(Artifact { digest, file_name: "config.json" });
	}
	artifacts
}

/// The paths of a version's artifacts in the store.
#[derive(Clone, Debug)]
pub struct VersionFiles {
	/// `model.safetensors` (or `model.gguf`, `model.onnx`).
	pub weights: PathBuf,
	/// `tokenizer.json`, if registered.
	pub tokenizer: Option<PathBuf>,
	/// `config.json`, if registered.
	pub config: Option<PathBuf>,
}

/// How a store fetches and how much it may hold.
#[derive(Clone, Default)]
pub struct StoreOptions {
	/// Gateways, timeouts and parallel downloads.
	pub fetch: FetchConfig,
	/// Most bytes the store may hold (`None`: no limit).
	pub quota: Option<u64>,
	/// Download metrics.
	pub metrics: Option<FetchMetrics>,
}

/// The model directory.
pub struct ModelStore {
	dir: PathBuf,
	verified: Arc<Mutex<HashSet<H256>>>,
	flights: Mutex<HashMap<H256, Arc<Flight>>>,
	space: Arc<Space>,
	fetch: FetchConfig,
	metrics: Option<FetchMetrics>,
	fetcher: Mutex<Option<Arc<Fetcher>>>,
}

/// The SHA-256 of what `reader` holds; `received` follows the bytes read.
fn hash_read(mut reader: impl Read, received: &AtomicU64) -> std::io::Result<H256> {
	let mut hasher = Sha256::new();
	let mut buffer = vec![0u8; 1 << 20];
	let mut total = 0u64;
	loop {
		let read = reader.read(&mut buffer)?;
		if read == 0 {
			break;
		}
		hasher.update(&buffer[..read]);
		total += read as u64;
		received.store(total, std::sync::atomic::Ordering::Relaxed);
	}
	Ok(H256(hasher.finalize().into()))
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> InferenceError + '_ {
	move |error| InferenceError::Io { path: path.display().to_string(), error }
}

fn fetch_io(path: &Path) -> impl FnOnce(std::io::Error) -> FetchError + '_ {
	move |error| FetchError::Io { path: path.display().to_string(), reason: error.to_string() }
}

impl ModelStore {
	/// A store in `dir` (created if missing), with the default fetch settings and no quota.
	pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
		Self::open_with(dir, StoreOptions::default())
	}

	/// A store in `dir` (created if missing) with `options`.
	pub fn open_with(dir: impl Into<PathBuf>, options: StoreOptions) -> Result<Self> {
		let dir = dir.into();
		std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
		Ok(Self {
			dir,
			verified: Arc::new(Mutex::new(HashSet::new())),
			flights: Mutex::new(HashMap::new()),
			space: Arc::new(Space::new(options.quota)),
			fetch: options.fetch,
			metrics: options.metrics,
			fetcher: Mutex::new(None),
		})
	}

	/// The directory.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	/// Where `digest` lives in the store.
	pub fn path_of(&self, digest: &H256) -> PathBuf {
		self.dir.join(sp_core::hexdisplay::HexDisplay::from(&digest.as_bytes()).to_string())
	}

	fn partial_of(&self, digest: &H256) -> PathBuf {
		self.path_of(digest).with_extension("partial")
	}

	/// Every artifact and partial download in the store.
	pub fn files(&self) -> Result<Vec<StoredFile>> {
		space::stored_files(&self.dir).map_err(io_error(&self.dir))
	}

	/// The versions the node serves: their artifacts are never evicted (see [`space`]).
	pub fn pin<'a>(&self, specs: impl IntoIterator<Item = &'a ArtifactRef>) {
		self.space.pin(specs.into_iter().flat_map(artifacts).map(|artifact| artifact.digest).collect());
	}

	/// Whether every artifact of `spec` is in the store and verified in this process.
	pub fn is_ready(&self, spec: &ArtifactRef) -> bool {
		let verified = self.verified.lock().expect("not poisoned");
		artifacts(spec)
			.iter()
			.all(|artifact| verified.contains(&artifact.digest) && self.path_of(&artifact.digest).exists())
	}

	/// The path of `artifact` of `spec` in the store, verified, fetching it first if it is
	/// missing.
	pub fn ensure(&self, artifact: Artifact, spec: &ArtifactRef) -> Result<PathBuf> {
		let _hold = self.space.hold(vec![artifact.digest]);
		self.ensure_one(artifact, spec, &Progress::default())
	}

	/// Every artifact of `spec`, verified, fetching what is missing; `progress` follows it.
	pub fn ensure_version(&self, spec: &ArtifactRef, progress: &Progress) -> Result<VersionFiles> {
		let all = artifacts(spec);
		let _hold = self.space.hold(all.iter().map(|artifact| artifact.digest).collect());
		let mut paths = Vec::with_capacity(all.len());
		for artifact in all {
			paths.push(self.ensure_one(artifact, spec, progress)?);
		}
		let mut paths = paths.into_iter();
		let weights = paths.next().expect("the weights are always an artifact; qed");
		Ok(VersionFiles {
			weights,
			tokenizer: spec.tokenizer.and_then(|_| paths.next()),
			config: spec.config.and_then(|_| paths.next()),
		})
	}

	fn ensure_one(&self, artifact: Artifact, spec: &ArtifactRef, progress: &Progress) -> Result<PathBuf> {
		let digest = artifact.digest;
		let path = self.path_of(&digest);
		let size = |path: &Path| std::fs::metadata(path).map(|metadata| metadata.len()).unwrap_or(0);
		if self.verified.lock().expect("not poisoned").contains(&digest) && path.exists() {
			space::touch(&path);
			progress.complete(size(&path));
			return Ok(path);
		}
		let (flight, leader) = {
			let mut flights = self.flights.lock().expect("not poisoned");
			match flights.get(&digest) {
				Some(flight) => (flight.clone(), false),
				None => {
					let flight = Arc::new(Flight::default());
					flights.insert(digest, flight.clone());
					(flight, true)
				},
			}
		};
		progress.follow(flight.received.clone());
		let outcome = if leader {
			// Waiters must hear of the outcome even if obtaining it panics.
			let obtained = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
				self.obtain(artifact, spec, &path, &flight.received)
			}));
			let outcome = obtained.unwrap_or_else(|panic| {
				self.flights.lock().expect("not poisoned").remove(&digest);
				flight.finish(Err(FetchError::Io { path: path.display().to_string(), reason: "the fetch panicked".into() }));
				std::panic::resume_unwind(panic)
			});
			if outcome.is_ok() {
				self.verified.lock().expect("not poisoned").insert(digest);
			}
			self.flights.lock().expect("not poisoned").remove(&digest);
			flight.finish(outcome.clone());
			outcome
		} else {
			flight.wait()
		};
		match outcome {
			Ok(()) => {
				progress.complete(size(&path));
				Ok(path)
			},
			Err(error) => {
				progress.abandon();
				Err(InferenceError::fetch(digest, error))
			},
		}
	}

	/// Verifies the stored copy of `artifact`, or fetches it if there is none.
	fn obtain(&self, artifact: Artifact, spec: &ArtifactRef, path: &Path, received: &Arc<AtomicU64>) -> Fetched {
		let digest = artifact.digest;
		if !path.exists() {
			return self.fetch(artifact, spec, path, received);
		}
		let file = File::open(path).map_err(fetch_io(path))?;
		let actual = hash_read(file, received).map_err(fetch_io(path))?;
		if actual == digest {
			space::touch(path);
			return Ok(());
		}
		let error = FetchError::DigestMismatch { from: path.display().to_string(), expected: digest, actual };
		log::warn!(target: "inference", "{error}: removed from the store (fetched again on the next attempt)");
		let _ = std::fs::remove_file(path);
		Err(error)
	}

	/// Fetches `artifact` into `path` from the first of its sources that gives it.
	fn fetch(&self, artifact: Artifact, spec: &ArtifactRef, path: &Path, received: &Arc<AtomicU64>) -> Fetched {
		let sources = sources::sources(spec, artifact.digest, artifact.file_name, &self.fetch.gateways)
			.inspect_err(|error| self.failed(artifact, "the registry's record", error))?;
		let mut last = None;
		for source in sources {
			let outcome = match &source {
				Source::Local(file) => self.copy_local(artifact, file, path, received),
				Source::Remote(url) => self.download(artifact, spec, url, path, received),
			};
			let error = match outcome {
				Ok(()) => return Ok(()),
				Err(error) => error,
			};
			let shown = match &source {
				Source::Local(file) => file.display().to_string(),
				Source::Remote(url) => url.clone(),
			};
			self.failed(artifact, &shown, &error);
			let next = error.try_next_source();
			last = Some(error);
			if !next {
				break;
			}
		}
		Err(last.expect("`sources` never returns an empty list; qed"))
	}

	/// Logs (once) and counts a failed attempt.
	fn failed(&self, artifact: Artifact, from: &str, error: &FetchError) {
		log::warn!(target: "inference", "cannot fetch {} {:?} from {from}: {error}", artifact.file_name, artifact.digest);
		if let Some(metrics) = &self.metrics {
			metrics.failed(error);
		}
	}

	fn label(artifact: Artifact) -> String {
		format!("{} {:?}", artifact.file_name, artifact.digest)
	}

	fn copy_local(&self, artifact: Artifact, source: &Path, path: &Path, received: &Arc<AtomicU64>) -> Fetched {
		let local =
			|error: std::io::Error| FetchError::Local { path: source.display().to_string(), reason: error.to_string() };
		let mut reader = File::open(source).map_err(local)?;
		let size = reader.metadata().map_err(local)?.len();
		self.space.reserve(&self.dir, artifact.digest, size, |evicted| self.forget(evicted))?;
		let partial_path = self.partial_of(&artifact.digest);
		let copied = (|| {
			let mut partial = PartialFile::create(partial_path.clone(), None, received.clone(), Self::label(artifact))?;
			let mut buffer = vec![0u8; 1 << 20];
			loop {
				let read = reader.read(&mut buffer).map_err(local)?;
				if read == 0 {
					break;
				}
				partial.write(&buffer[..read], &source.display().to_string())?;
			}
			partial.finish()
		})();
		self.space.release(&artifact.digest);
		let outcome = copied
			.and_then(|actual| self.install(artifact, &partial_path, path, actual, &source.display().to_string()));
		if outcome.is_err() {
			let _ = std::fs::remove_file(&partial_path);
		}
		outcome
	}

	fn download(
		&self,
		artifact: Artifact,
		spec: &ArtifactRef,
		url: &str,
		path: &Path,
		received: &Arc<AtomicU64>,
	) -> Fetched {
		let fetcher = self.fetcher()?;
		let partial_path = self.partial_of(&artifact.digest);
		let limit = spec.size_bytes;
		let partial = PartialFile::resume(partial_path.clone(), Some(limit), received.clone(), Self::label(artifact))?;
		let started = Instant::now();
		let (space, dir, verified, digest) =
			(self.space.clone(), self.dir.clone(), self.verified.clone(), artifact.digest);
		let reserve = Box::new(move |bytes| {
			space.reserve(&dir, digest, bytes, |evicted| {
				verified.lock().expect("not poisoned").remove(&evicted);
			})
		});
		let (partial, outcome) = fetcher.download(url, partial, limit, reserve);
		self.space.release(&artifact.digest);
		let outcome = outcome.and_then(|()| {
			let partial = partial.expect("a download that succeeded hands its file back; qed");
			let size = partial.len();
			let actual = partial.finish()?;
			self.install(artifact, &partial_path, path, actual, url)?;
			log::info!(
				target: "inference",
				"fetched {} ({size} bytes) from {url} in {:.1?}",
				Self::label(artifact),
				started.elapsed()
			);
			Ok(())
		});
		if let Err(error) = &outcome {
			if !error.keeps_partial() {
				let _ = std::fs::remove_file(&partial_path);
			}
		}
		outcome
	}

	/// Moves a complete partial file hashing to `actual` into place if that is the digest.
	fn install(&self, artifact: Artifact, partial: &Path, path: &Path, actual: H256, from: &str) -> Fetched {
		if actual != artifact.digest {
			return Err(FetchError::DigestMismatch { from: from.into(), expected: artifact.digest, actual });
		}
		std::fs::rename(partial, path).map_err(fetch_io(path))?;
		log::debug!(target: "inference", "{} is in the store", Self::label(artifact));
		Ok(())
	}

	/// Forgets that an evicted artifact was verified.
	fn forget(&self, digest: H256) {
		self.verified.lock().expect("not poisoned").remove(&digest);
	}

	/// The fetcher, started on first use.
	fn fetcher(&self) -> Fetched<Arc<Fetcher>> {
		let mut fetcher = self.fetcher.lock().expect("not poisoned");
		if let Some(fetcher) = fetcher.as_ref() {
			return Ok(fetcher.clone());
		}
		let started = Arc::new(
			Fetcher::new(self.fetch.clone(), self.metrics.clone())
				.map_err(|error| FetchError::Io { path: "the fetcher's runtime".into(), reason: error.to_string() })?,
		);
		*fetcher = Some(started.clone());
		Ok(started)
	}
}

/// SHA-256 of a file, for tools and tests.
pub fn sha256_file(path: &Path) -> Result<H256> {
	let file = File::open(path).map_err(io_error(path))?;
	hash_read(file, &AtomicU64::new(0)).map_err(io_error(path))
}

/// The artifacts of a model of `task` in the local directory `dir`, located at
/// `file://dir`: `model.gguf` alone (tokenizer and configuration embedded) when it is
/// there, else `model.safetensors`, `tokenizer.json` and `config.json`. What the registry
/// would record for it, for tools, benchmarks and tests.
pub fn local_artifacts(dir: &Path, task: TaskKind) -> Result<ArtifactRef> {
	let digest = |name: &str| sha256_file(&dir.join(name));
	let gguf = dir.join("model.gguf").exists();
	let names: &[&str] =
		if gguf { &["model.gguf"] } else { &["model.safetensors", "tokenizer.json", "config.json"] };
	let mut size_bytes = 0;
	for name in names {
		let path = dir.join(name);
		size_bytes += std::fs::metadata(&path).map_err(io_error(&path))?.len();
	}
	Ok(ArtifactRef {
		task,
		format: if gguf { ArtifactFormat::Gguf } else { ArtifactFormat::Safetensors },
		weights: digest(names[0])?,
		tokenizer: if gguf { None } else { Some(digest("tokenizer.json")?) },
		config: if gguf { None } else { Some(digest("config.json")?) },
		size_bytes,
		url: Some(format!("file://{}", dir.display()).into_bytes()),
		cid: None,
	})
}
