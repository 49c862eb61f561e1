//! Starts the node's inference service for the off-chain worker and publishes its address.
//!
//! Why loopback HTTP and not a custom host function: a runtime that imports a host function
//! the standard set lacks cannot be instantiated by executors that do not allow missing
//! host functions (sc-executor's default), which includes chain-spec-builder,
//! frame-omni-bencher, try-runtime-cli and light clients. The off-chain worker instead
//! calls this service with the standard `sp_io::offchain::http_*` functions, so the
//! runtime stays a standard runtime (see `docs/architecture.md`, *Off-chain inference*).

use codec::Encode;
use infera_inference::{service::Metrics, store::ModelStore, Engine};
use infera_primitives::inference::INFERENCE_ENDPOINT_KEY;
use sp_core::offchain::{OffchainStorage, STORAGE_PREFIX};
use std::{path::PathBuf, sync::Arc};

/// Command-line options of the inference service.
#[derive(Debug, Clone, clap::Args)]
pub struct InferenceParams {
	/// Directory of model artifacts, each file named by its SHA-256 (default:
	/// `<base-path>/models`). Artifacts missing here are fetched from their registered
	/// `file://` location and verified.
	#[arg(long, value_name = "PATH")]
	pub model_dir: Option<PathBuf>,

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
	base_path: &std::path::Path,
	offchain_db: Option<impl OffchainStorage>,
	registry: Option<&prometheus_endpoint::Registry>,
) -> Result<Option<String>, String> {
	if params.no_inference {
		log::info!(target: "inference", "inference service disabled (--no-inference)");
		return Ok(None);
	}
	let dir = params.model_dir.clone().unwrap_or_else(|| base_path.join("models"));
	let store = ModelStore::open(&dir).map_err(|error| format!("model directory {}: {error}", dir.display()))?;
	let engine = Arc::new(Engine::new(store, candle_core::Device::Cpu));
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
	log::info!(target: "inference", "🧠 inference service on {url}, models in {}", dir.display());
	Ok(Some(url))
}
