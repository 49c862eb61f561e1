//! `infera-gateway`: Infera behind OpenAI's HTTP API.
//!
//! A dApp backend runs it next to any node's RPC with a funded requester key. For each
//! `POST /v1/embeddings` or `/v1/chat/completions` it signs and submits the jobs, waits
//! until they settle on chain, and answers in OpenAI's shape with the agreed result and an
//! `infera` receipt (job, blocks, workers, agreement, fees). See the README's "Call Infera
//! from your app" and `docs/gateway.md`.

mod error;
mod follower;
mod jobs;
mod log;
mod metrics;
mod models;
mod openai;
mod routes;
mod rpc;
mod signer;
mod submit;

use clap::Parser;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

/// The environment variable holding the requester's secret URI (unless `--key-file`).
const SURI_VARIABLE: &str = "INFERA_GATEWAY_SURI";
/// The environment variable holding the API key clients must send, if any.
const API_KEY_VARIABLE: &str = "INFERA_GATEWAY_API_KEY";

/// Serves Infera through OpenAI's HTTP API.
///
/// The requester key pays for every job: its secret URI (mnemonic, hex seed or dev URI)
/// comes from the file given with --key-file or from $INFERA_GATEWAY_SURI, never from the
/// command line. If $INFERA_GATEWAY_API_KEY is set, clients must send it as
/// `Authorization: Bearer <key>` (OpenAI clients' api_key).
#[derive(Parser, Debug)]
#[command(name = "infera-gateway", version)]
struct Cli {
	/// The node's JSON-RPC address (http:// or ws://; HTTP is served on the same port).
	#[arg(long, default_value = "http://127.0.0.1:9944")]
	node: String,
	/// Where to serve HTTP.
	#[arg(long, default_value = "127.0.0.1:8080")]
	listen: SocketAddr,
	/// A file holding the requester's secret URI (readable by its owner only).
	#[arg(long)]
	key_file: Option<PathBuf>,
	/// Replicas per job when a request does not say (`replicas` in the body).
	#[arg(long, default_value_t = 1)]
	replicas: u8,
	/// How chat generations are checked when a request does not say: `replicate` or
	/// `verify` (one generator, at least two verifiers).
	#[arg(long, default_value = "replicate")]
	check: String,
	/// The most a model may cost per job, in planck, for `model: "auto"` when a request
	/// does not say (`max_price` in the body).
	#[arg(long)]
	max_price: Option<u128>,
	/// Tokens a chat completion may generate when a request does not say (`max_tokens`).
	#[arg(long, default_value_t = 128)]
	max_tokens: u32,
	/// Texts one embeddings request may hold (all submitted in one transaction).
	#[arg(long, default_value_t = 64)]
	max_inputs: usize,
	/// Blocks from submission to each job's deadline (the chain refunds a job that has not
	/// settled by then).
	#[arg(long, default_value_t = 50)]
	deadline_blocks: u32,
	/// Seconds a request may take before it is answered 504 (a request with less than 20 s
	/// left is not submitted). Keep it well below your clients' own timeout (600 s in
	/// OpenAI's SDKs), which they retry whatever this gateway says.
	#[arg(long, default_value_t = 300)]
	timeout_secs: u64,
	/// The most replicas a request may ask for.
	#[arg(long, default_value_t = 5)]
	max_replicas: u8,
	/// The longest deadline a request may ask for, in blocks: a job's fee stays held until
	/// it settles or its deadline passes.
	#[arg(long, default_value_t = 200)]
	max_deadline_blocks: u32,
	/// The most one job may escrow, in planck (no limit when absent): requests whose
	/// `max_fee`, or quote, is higher are refused with 402.
	#[arg(long)]
	max_fee: Option<u128>,
	/// Answer once the settling block is the best block, instead of once it is finalized.
	#[arg(long)]
	best: bool,
}

fn fail(message: String) -> ! {
	log::error("startup_failed", &[("error", message.into())]);
	std::process::exit(1)
}

/// The requester's secret URI, from the key file or the environment.
fn secret_uri(cli: &Cli) -> Result<String, String> {
	match &cli.key_file {
		Some(path) => {
			#[cfg(unix)]
			{
				use std::os::unix::fs::PermissionsExt;
				let mode = std::fs::metadata(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?.permissions().mode();
				if mode & 0o077 != 0 {
					log::warn("key_file_readable_by_others", &[("path", path.display().to_string().into()), ("mode", format!("{:o}", mode & 0o777).into())]);
				}
			}
			std::fs::read_to_string(path).map_err(|error| format!("cannot read {}: {error}", path.display()))
		},
		None => std::env::var(SURI_VARIABLE)
			.map_err(|_| format!("no requester key: give --key-file FILE or set ${SURI_VARIABLE} to its secret URI")),
	}
}

/// Refuses options with which every request would fail or be paid for nothing.
fn validate(cli: &Cli) -> Result<(), String> {
	use pallet_compute_jobs::Config;
	use sp_runtime::traits::Get;
	let min_deadline = <<infera_runtime::Runtime as Config>::MinDeadline as Get<u32>>::get();
	let max_deadline = <<infera_runtime::Runtime as Config>::MaxDeadline as Get<u32>>::get();
	let max_tokens = openai::max_new_tokens();
	if cli.replicas == 0 || cli.replicas > cli.max_replicas {
		return Err(format!("--replicas must be 1 to --max-replicas ({})", cli.max_replicas));
	}
	if !(min_deadline..=max_deadline).contains(&cli.max_deadline_blocks) ||
		!(min_deadline..=cli.max_deadline_blocks).contains(&cli.deadline_blocks)
	{
		return Err(format!(
			"--deadline-blocks must be {min_deadline} (the chain's MinDeadline) to --max-deadline-blocks, itself at most {max_deadline}"
		));
	}
	if cli.max_tokens == 0 || cli.max_tokens > max_tokens {
		return Err(format!("--max-tokens must be 1 to {max_tokens} (the chain's MaxNewTokens)"));
	}
	if cli.max_inputs == 0 {
		return Err("--max-inputs must be at least 1".into());
	}
	if cli.timeout_secs < 30 {
		return Err("--timeout-secs must be at least 30: jobs take several blocks to settle".into());
	}
	Ok(())
}

#[tokio::main]
async fn main() {
	let cli = Cli::parse();
	let requester = Arc::new(secret_uri(&cli).and_then(|uri| signer::Requester::from_secret_uri(&uri)).unwrap_or_else(|error| fail(error)));
	let check = openai::parse_check(&cli.check).unwrap_or_else(|error| fail(error.message));
	if let Err(error) = validate(&cli) {
		fail(error);
	}
	let api_key = std::env::var(API_KEY_VARIABLE).ok().filter(|key| !key.is_empty());
	if api_key.is_none() && !cli.listen.ip().is_loopback() {
		log::warn("no_api_key", &[("listen", cli.listen.to_string().into()), ("hint", format!("anyone who reaches this address spends the requester's funds: set ${API_KEY_VARIABLE}").into())]);
	}
	let node = Arc::new(rpc::NodeClient::new(&cli.node).unwrap_or_else(|error| fail(error)));

	// The chain: reachable, Infera, and signed for in the format this gateway was built for.
	let mut attempts = 0;
	let (genesis, version) = loop {
		match futures::try_join!(node.block_hash(0), node.runtime_version()) {
			Ok(found) => break found,
			Err(error) if attempts < 30 => {
				attempts += 1;
				if attempts == 1 {
					log::warn("waiting_for_node", &[("node", cli.node.clone().into()), ("error", error.to_string().into())]);
				}
				tokio::time::sleep(Duration::from_secs(1)).await;
			},
			Err(error) => fail(format!("the node at {} is unreachable: {error}", cli.node)),
		}
	};
	let native = infera_runtime::VERSION;
	if version.spec_name != native.spec_name || version.transaction_version != native.transaction_version {
		fail(format!(
			"the node runs {} (transaction version {}); this gateway is built for {} (transaction version {})",
			version.spec_name, version.transaction_version, native.spec_name, native.transaction_version
		));
	}

	let metrics = Arc::new(metrics::Metrics::new().unwrap_or_else(|error| fail(error.to_string())));
	let tracker = Arc::new(follower::Tracker::new(requester.account.clone()));
	// Following starts at the head now, before anything can be submitted: no block that
	// could include one of our transactions is skipped.
	let start = node.head(!cli.best).await.unwrap_or_else(|error| fail(format!("the node at {} is unreachable: {error}", cli.node)));
	tokio::spawn(follower::follow(node.clone(), tracker.clone(), start, !cli.best, metrics.clone()));
	let submitter = Arc::new(submit::Submitter::new(node.clone(), requester.clone(), tracker.clone(), metrics.clone(), genesis));
	let gateway = Arc::new(routes::Gateway {
		node: node.clone(),
		registry: models::Registry::new(),
		jobs: jobs::Jobs {
			node: node.clone(),
			submitter,
			tracker: tracker.clone(),
			metrics: metrics.clone(),
			timeout: Duration::from_secs(cli.timeout_secs),
		},
		tracker,
		metrics,
		requester: requester.address.clone(),
		defaults: routes::Defaults {
			replicas: cli.replicas,
			check,
			max_price: cli.max_price,
			max_tokens: cli.max_tokens,
			max_inputs: cli.max_inputs,
			deadline_blocks: cli.deadline_blocks,
			max_replicas: cli.max_replicas,
			max_deadline_blocks: cli.max_deadline_blocks,
			max_fee: cli.max_fee,
		},
		api_key,
	});

	let listener = tokio::net::TcpListener::bind(cli.listen)
		.await
		.unwrap_or_else(|error| fail(format!("cannot listen on {}: {error}", cli.listen)));
	log::info("started", &[
		("listen", listener.local_addr().map(|address| address.to_string()).unwrap_or_default().into()),
		("node", cli.node.clone().into()),
		("requester", requester.address.clone().into()),
		("specVersion", version.spec_version.into()),
		("follows", if cli.best { "best" } else { "finalized" }.into()),
	]);
	let serve = async {
		loop {
			let (stream, _) = match listener.accept().await {
				Ok(accepted) => accepted,
				Err(error) => {
					// E.g. out of file descriptors: pause instead of spinning.
					log::warn("accept_failed", &[("error", error.to_string().into())]);
					tokio::time::sleep(Duration::from_millis(100)).await;
					continue;
				},
			};
			let gateway = gateway.clone();
			tokio::spawn(async move {
				let service = hyper::service::service_fn(move |request| routes::handle(gateway.clone(), request));
				let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
					.serve_connection(TokioIo::new(stream), service)
					.await;
			});
		}
	};
	let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
		.unwrap_or_else(|error| fail(error.to_string()));
	tokio::select! {
		_ = serve => {},
		_ = tokio::signal::ctrl_c() => {},
		_ = terminate.recv() => {},
	}
	log::info("stopped", &[]);
}
