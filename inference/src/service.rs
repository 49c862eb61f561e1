//! The node's inference service: a loopback-only HTTP endpoint the runtime's off-chain
//! worker calls with the standard `sp_io::offchain::http_*` host functions.
//!
//! - `POST /v1/infer` with a SCALE-encoded [`InferenceRequest`] answers `200` with a
//!   SCALE-encoded [`InferenceResponse`] (one result per input). Inference requests are
//!   run one at a time on one thread (each already uses every core through candle), so
//!   concurrent jobs queue instead of competing for the CPU; a missing model is fetched
//!   first, synchronously.
//! - `POST /v1/verify` with a SCALE-encoded [`VerificationRequest`] answers `200` with a
//!   SCALE-encoded `Result<VerificationEvidence, InferenceFailure>`: one teacher-forced pass
//!   over a claimed generation, queued like inference.
//! - `POST /v1/prepare` with a SCALE-encoded `Vec<ArtifactRef>` answers `200` at once with
//!   a SCALE-encoded `Vec<Readiness>`, one per version ([`crate::prepare`]); it is answered
//!   on the listening thread, so it never waits behind inference.
//!
//! Anything else gets `400`, `404` or `405` with a text reason.

use crate::{
	engine::Engine,
	prepare::{Backoff, Preparer},
};
use codec::{Decode, Encode};
use infera_primitives::{
	inference::{
		InferenceFailure, InferenceRequest, InferenceResponse, VerificationEvidence, VerificationRequest,
		INFERENCE_PATH, PREPARE_PATH, VERIFY_PATH,
	},
	ArtifactRef,
};
use prometheus_endpoint::{
	exponential_buckets, register, CounterVec, HistogramOpts, HistogramVec, Opts, PrometheusError,
	Registry, U64,
};
use std::{
	io::Read,
	net::SocketAddr,
	sync::{mpsc, Arc},
	thread::JoinHandle,
	time::Instant,
};

/// Largest request body accepted (inputs are bounded on chain far below this).
pub const MAX_REQUEST_BYTES: u64 = 4 << 20;

/// Prometheus metrics of the inference service.
#[derive(Clone)]
pub struct Metrics {
	/// Inputs run, by task and outcome (`ok` or the failure's name).
	pub inputs: CounterVec<U64>,
	/// Seconds per request (one batch), by task.
	pub latency: HistogramVec,
}

impl Metrics {
	/// Registers the metrics in `registry`.
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		Ok(Self {
			inputs: register(
				CounterVec::new(
					Opts::new("infera_inference_inputs_total", "Inputs run by the inference service"),
					&["task", "outcome"],
				)?,
				registry,
			)?,
			latency: register(
				HistogramVec::new(
					HistogramOpts::new("infera_inference_seconds", "Time to run one inference request")
						.buckets(exponential_buckets(0.005, 2.0, 12)?),
					&["task"],
				)?,
				registry,
			)?,
		})
	}
}

/// A running service.
pub struct Service {
	/// Where it listens (always loopback).
	pub address: SocketAddr,
	/// The listening thread (it also answers `/v1/prepare`).
	pub thread: JoinHandle<()>,
	/// The thread running inference requests.
	pub worker: JoinHandle<()>,
}

impl Service {
	/// The base URL the off-chain worker uses.
	pub fn url(&self) -> String {
		format!("http://{}", self.address)
	}
}

/// Answers one request; returns the status and body.
pub fn answer(engine: &Engine, metrics: Option<&Metrics>, body: &[u8]) -> (u16, Vec<u8>) {
	let Ok(request) = InferenceRequest::decode(&mut &body[..]) else {
		return (400, b"the body is not a SCALE-encoded InferenceRequest".to_vec());
	};
	let started = Instant::now();
	let response: InferenceResponse = engine.run(&request);
	let task = request.model.task.as_str();
	if let Some(metrics) = metrics {
		metrics.latency.with_label_values(&[task]).observe(started.elapsed().as_secs_f64());
		for result in &response {
			let outcome = match result {
				Ok(_) => "ok".to_string(),
				Err(failure) => format!("{failure:?}"),
			};
			metrics.inputs.with_label_values(&[task, &outcome]).inc();
		}
	}
	log::debug!(
		target: "inference",
		"{} input(s) for {task} model {:?} in {:?}",
		request.inputs.len(),
		request.model.weights,
		started.elapsed()
	);
	(200, response.encode())
}

/// Answers a verification request; returns the status and body.
pub fn answer_verify(engine: &Engine, metrics: Option<&Metrics>, body: &[u8]) -> (u16, Vec<u8>) {
	let Ok(request) = VerificationRequest::decode(&mut &body[..]) else {
		return (400, b"the body is not a SCALE-encoded VerificationRequest".to_vec());
	};
	let started = Instant::now();
	let answer: Result<VerificationEvidence, InferenceFailure> = engine.verify(&request).map_err(|error| {
		log::warn!(target: "inference", "verifying with model {:?}: {error}", request.model.weights);
		error.failure()
	});
	if let Some(metrics) = metrics {
		let outcome = match &answer {
			Ok(_) => "ok".to_string(),
			Err(failure) => format!("{failure:?}"),
		};
		metrics.latency.with_label_values(&["verification"]).observe(started.elapsed().as_secs_f64());
		metrics.inputs.with_label_values(&["verification", &outcome]).inc();
	}
	(200, answer.encode())
}

/// Answers a prepare request; returns the status and body.
pub fn answer_prepare(preparer: &Preparer, body: &[u8]) -> (u16, Vec<u8>) {
	let Ok(specs) = Vec::<ArtifactRef>::decode(&mut &body[..]) else {
		return (400, b"the body is not a SCALE-encoded Vec<ArtifactRef>".to_vec());
	};
	(200, preparer.prepare(&specs).encode())
}

/// Starts the service on `127.0.0.1:port` (0 picks a free port), retrying failed prepares
/// after the default [`Backoff`].
pub fn spawn(engine: Arc<Engine>, metrics: Option<Metrics>, port: u16) -> std::io::Result<Service> {
	spawn_with(engine, metrics, port, Backoff::default())
}

/// Starts the service on `127.0.0.1:port` (0 picks a free port), retrying failed prepares
/// after `backoff`.
pub fn spawn_with(engine: Arc<Engine>, metrics: Option<Metrics>, port: u16, backoff: Backoff) -> std::io::Result<Service> {
	let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(std::io::Error::other)?;
	let address = server
		.server_addr()
		.to_ip()
		.ok_or_else(|| std::io::Error::other("the inference service is not on an IP socket"))?;
	let preparer = Preparer::new(engine.shared_store(), backoff);
	let (queue, requests) = mpsc::channel::<(tiny_http::Request, String, Vec<u8>)>();
	let worker = std::thread::Builder::new().name("inference".into()).spawn(move || {
		for (request, path, body) in requests {
			let (status, body) = match path.as_str() {
				VERIFY_PATH => answer_verify(&engine, metrics.as_ref(), &body),
				_ => answer(&engine, metrics.as_ref(), &body),
			};
			respond(request, status, body);
		}
	})?;
	let thread = std::thread::Builder::new().name("inference-http".into()).spawn(move || {
		for mut request in server.incoming_requests() {
			let path = request.url().to_string();
			if ![INFERENCE_PATH, VERIFY_PATH, PREPARE_PATH].contains(&path.as_str()) {
				let reason = format!("unknown path; POST {INFERENCE_PATH}, {VERIFY_PATH} or {PREPARE_PATH}");
				respond(request, 404, reason.into_bytes());
				continue;
			}
			if *request.method() != tiny_http::Method::Post {
				respond(request, 405, format!("use POST {path}").into_bytes());
				continue;
			}
			let mut body = Vec::new();
			match request.as_reader().take(MAX_REQUEST_BYTES + 1).read_to_end(&mut body) {
				Ok(_) if body.len() as u64 > MAX_REQUEST_BYTES => respond(request, 400, b"request too large".to_vec()),
				Ok(_) if path == PREPARE_PATH => {
					let (status, body) = answer_prepare(&preparer, &body);
					respond(request, status, body);
				},
				Ok(_) =>
					if let Err(mpsc::SendError((request, _, _))) = queue.send((request, path, body)) {
						respond(request, 500, b"the inference thread has stopped".to_vec());
					},
				Err(error) => respond(request, 400, format!("cannot read the request: {error}").into_bytes()),
			}
		}
	})?;
	Ok(Service { address, thread, worker })
}

fn respond(request: tiny_http::Request, status: u16, body: Vec<u8>) {
	let response = tiny_http::Response::from_data(body).with_status_code(status);
	if let Err(error) = request.respond(response) {
		log::warn!(target: "inference", "cannot answer an inference request: {error}");
	}
}
