//! Downloads of model artifacts for the [`crate::store`]: `https://`, `http://` and IPFS
//! gateways, streamed into a `<digest>.partial` file that is hashed as it grows.
//!
//! The [`Fetcher`] owns a small tokio runtime on its own thread (`model-fetch`), where every
//! transfer runs, and offers a blocking API: the engine and the prepare jobs call it from
//! their own threads.
//! At most [`FetchConfig::max_downloads`] downloads run at once; the others wait their turn.
//!
//! Each download is bounded: the version's registered `size_bytes` caps the body (the
//! download stops as soon as it is exceeded, or at once when `Content-Length` says so),
//! and the connect, idle (no byte received) and total timeouts of [`FetchConfig`] apply.
//! Redirects are followed up to [`FetchConfig::max_redirects`]. A partial file left by an
//! interrupted download is resumed with `Range`; a server answering `200` instead of `206`
//! sends the whole file again and the download starts over.

pub mod http;
pub mod metrics;
pub mod partial;
pub mod sources;

use crate::error::FetchError;
pub use metrics::FetchMetrics;
pub use partial::PartialFile;
use std::{sync::Arc, thread::JoinHandle, time::Duration};
use tokio::sync::{oneshot, Semaphore};

/// How the node fetches artifacts.
#[derive(Clone, Debug)]
pub struct FetchConfig {
	/// IPFS gateways (`https://ipfs.example`), tried in order for `ipfs://` URLs and CIDs:
	/// `<gateway>/ipfs/<cid>/<file name>`.
	pub gateways: Vec<String>,
	/// Most downloads at once.
	pub max_downloads: usize,
	/// Longest wait for a connection (DNS, TCP and TLS).
	pub connect_timeout: Duration,
	/// Longest wait for the next byte of a body. Waiting for an answer's head may take the
	/// connect and the idle timeouts together (connecting is part of sending a request).
	pub idle_timeout: Duration,
	/// Longest time one download (one file from one source) may take.
	pub total_timeout: Duration,
	/// Most redirects followed per download.
	pub max_redirects: u32,
}

impl Default for FetchConfig {
	fn default() -> Self {
		Self {
			gateways: Vec::new(),
			max_downloads: 2,
			connect_timeout: Duration::from_secs(10),
			idle_timeout: Duration::from_secs(30),
			total_timeout: Duration::from_secs(3 * 60 * 60),
			max_redirects: 5,
		}
	}
}

/// The HTTP side of the model store (see the module docs).
pub struct Fetcher {
	config: FetchConfig,
	client: http::HttpClient,
	runtime: tokio::runtime::Handle,
	permits: Arc<Semaphore>,
	metrics: Option<FetchMetrics>,
	stop: Option<oneshot::Sender<()>>,
	driver: Option<JoinHandle<()>>,
}

impl Fetcher {
	/// A fetcher with `config`, counting in `metrics`; starts its runtime's thread.
	pub fn new(config: FetchConfig, metrics: Option<FetchMetrics>) -> std::io::Result<Self> {
		let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
		let handle = runtime.handle().clone();
		let (stop, stopped) = oneshot::channel::<()>();
		let driver = std::thread::Builder::new().name("model-fetch".into()).spawn(move || {
			// Drives I/O and timers for every `Handle::block_on` caller until dropped.
			let _ = runtime.block_on(stopped);
		})?;
		let client = http::client(&config);
		let permits = Arc::new(Semaphore::new(config.max_downloads.max(1)));
		Ok(Self { config, client, runtime: handle, permits, metrics, stop: Some(stop), driver: Some(driver) })
	}

	/// Its configuration.
	pub fn config(&self) -> &FetchConfig {
		&self.config
	}

	/// Its metrics, if any.
	pub fn metrics(&self) -> Option<&FetchMetrics> {
		self.metrics.as_ref()
	}

	/// Downloads `url` into `partial` (see [`http::download`]), waiting for a download slot
	/// first, and hands the file back with the outcome (no file if the task failed). The transfer runs on the fetcher's
	/// thread (network, hashing and writing alike, so no byte crosses threads); the caller
	/// blocks until it ends. Call it from a plain thread, never from async code.
	pub fn download(
		&self,
		url: &str,
		mut partial: PartialFile,
		limit: u64,
		mut reserve: Box<dyn FnMut(u64) -> Result<(), FetchError> + Send>,
	) -> (Option<PartialFile>, Result<(), FetchError>) {
		partial.count_in(self.metrics.as_ref().map(|metrics| metrics.bytes.clone()));
		let (client, config, permits, metrics, target) =
			(self.client.clone(), self.config.clone(), self.permits.clone(), self.metrics.clone(), url.to_string());
		let (done, outcome) = std::sync::mpsc::sync_channel(1);
		self.runtime.spawn(async move {
			let _permit = permits.acquire().await.expect("the semaphore is never closed; qed");
			let started = std::time::Instant::now();
			let result = http::download(&client, &config, &target, &mut partial, limit, &mut *reserve).await;
			if let (Ok(()), Some(metrics)) = (&result, &metrics) {
				metrics.seconds.observe(started.elapsed().as_secs_f64());
			}
			let _ = done.send((partial, result));
		});
		match outcome.recv() {
			Ok((partial, result)) => (Some(partial), result),
			// The task panicked (the runtime itself lives as long as the fetcher).
			Err(_) => (None, Err(FetchError::Io { path: url.into(), reason: "the download task failed".into() })),
		}
	}

	/// POSTs a JSON `body` to `url` and returns the answer (at most `limit` bytes). Blocks.
	pub fn post_json(&self, url: &str, body: Vec<u8>, limit: u64) -> Result<Vec<u8>, FetchError> {
		self.runtime.block_on(http::post_json(&self.client, &self.config, url, body, limit))
	}
}

impl Drop for Fetcher {
	fn drop(&mut self) {
		if let Some(stop) = self.stop.take() {
			let _ = stop.send(());
		}
		if let Some(driver) = self.driver.take() {
			let _ = driver.join();
		}
	}
}
