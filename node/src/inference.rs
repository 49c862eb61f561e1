//! Starts the node's inference service for the off-chain worker and publishes its address.
//!
//! Why loopback HTTP and not a custom host function: a runtime that imports a host function
//! the standard set lacks cannot be instantiated by executors that do not allow missing
//! host functions (sc-executor's default), which includes chain-spec-builder,
//! frame-omni-bencher, try-runtime-cli and light clients. The off-chain worker instead
//! calls this service with the standard `sp_io::offchain::http_*` functions, so the
//! runtime stays a standard runtime (see `docs/architecture.md`, *Off-chain inference*).

use codec::Encode;
use infera_inference::{
	fetch::{FetchConfig, FetchMetrics},
	service::Metrics,
	store::{space::parse_size, ModelStore, StoreOptions},
	Engine,
};
use infera_primitives::inference::INFERENCE_ENDPOINT_KEY;
use sp_core::offchain::{OffchainStorage, STORAGE_PREFIX};
use std::{
	path::{Path, PathBuf},
	sync::Arc,
};

/// Where the model store is and how it fetches: shared by the node and `infera-node models`.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreParams {
	/// Directory of model artifacts, each file named by its SHA-256 (default:
	/// `<base-path>/models`). Artifacts missing here are fetched from their registered
	/// location (`https://`, `http://`, `ipfs://`, `file://`) and verified.
	#[arg(long, value_name = "PATH")]
	pub model_dir: Option<PathBuf>,

	/// An IPFS gateway (e.g. `https://ipfs.io`) for `ipfs://` URLs and CIDs, fetched as
	/// `<gateway>/ipfs/<cid>/<file>`. Repeat the flag to list several; they are tried in order.
	#[arg(long = "ipfs-gateway", value_name = "URL", value_parser = parse_gateway)]
	pub ipfs_gateways: Vec<String>,

	/// Most bytes the model store may hold (e.g. `20GiB`, `500MB` or a number of bytes).
	/// Files no served model version needs are evicted, least recently used first, to make
	/// room; a download that cannot fit fails. Default: no limit.
	#[arg(long, value_name = "SIZE", value_parser = parse_size)]
	pub model_store_quota: Option<u64>,

	/// Most artifact downloads at once.
	#[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
	pub max_downloads: u32,
}

fn parse_gateway(url: &str) -> Result<String, String> {
	if url.starts_with("https://") || url.starts_with("http://") {
		Ok(url.trim_end_matches('/').to_string())
	} else {
		Err(format!("{url:?}: expected an http:// or https:// URL"))
	}
}

impl StoreParams {
	/// The model directory (`--model-dir`, else `<base_path>/models`).
	pub fn dir(&self, base_path: &Path) -> PathBuf {
		self.model_dir.clone().unwrap_or_else(|| base_path.join("models"))
	}

	/// Opens the store under `base_path`, counting downloads in `metrics`.
	pub fn open(&self, base_path: &Path, metrics: Option<FetchMetrics>) -> Result<ModelStore, String> {
		let dir = self.dir(base_path);
		let options = StoreOptions {
			fetch: FetchConfig {
				gateways: self.ipfs_gateways.clone(),
				max_downloads: self.max_downloads as usize,
				..FetchConfig::default()
			},
			quota: self.model_store_quota,
			metrics,
		};
		ModelStore::open_with(&dir, options).map_err(|error| format!("model directory {}: {error}", dir.display()))
	}
}

/// Command-line options of the inference service.
#[derive(Debug, Clone, clap::Args)]
pub struct InferenceParams {
	#[clap(flatten)]
	pub store: StoreParams,

	/// Port of the inference service on 127.0.0.1 (0 picks a free one). It only answers the
	/// node's own off-chain worker and is never exposed.
	#[arg(long, value_name = "PORT", default_value_t = 0)]
	pub inference_port: u16,

	/// Do not run the inference service: the node's off-chain worker then runs no jobs.
	#[arg(long)]
	pub no_inference: bool,
}

/// Starts the service and writes its URL into the offchain database, where the runtime's
/// off-chain worker reads it. Returns the URL, or `None` when disabled.
pub fn start(
	params: &InferenceParams,
	base_path: &Path,
	offchain_db: Option<impl OffchainStorage>,
	registry: Option<&prometheus_endpoint::Registry>,
) -> Result<Option<String>, String> {
	if params.no_inference {
		log::info!(target: "inference", "inference service disabled (--no-inference)");
		return Ok(None);
	}
	let dir = params.store.dir(base_path);
	let fetch_metrics = registry
		.map(FetchMetrics::register)
		.transpose()
		.map_err(|error| format!("model fetch metrics: {error}"))?;
	let store = params.store.open(base_path, fetch_metrics)?;
	let engine = Arc::new(Engine::new(store));
	let metrics = registry
		.map(Metrics::register)
		.transpose()
		.map_err(|error| format!("inference metrics: {error}"))?;
	let service = infera_inference::service::spawn(engine, metrics, params.inference_port)
		.map_err(|error| format!("inference service on 127.0.0.1:{}: {error}", params.inference_port))?;
	let url = service.url();
	match offchain_db {
		Some(mut db) => db.set(STORAGE_PREFIX, INFERENCE_ENDPOINT_KEY, &url.as_bytes().to_vec().encode()),
		None => log::warn!(target: "inference", "no offchain database: the off-chain worker cannot find {url}"),
	}
	let quota = params.store.model_store_quota.map_or("no quota".to_string(), |bytes| format!("quota {bytes} bytes"));
	let gateways = match params.store.ipfs_gateways.as_slice() {
		[] => "no IPFS gateway".to_string(),
		gateways => format!("IPFS via {}", gateways.join(", ")),
	};
	log::info!(target: "inference", "🧠 inference service on {url}, models in {} ({quota}, {gateways})", dir.display());
	Ok(Some(url))
}
