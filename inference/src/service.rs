//! The node's inference service: a loopback-only HTTP endpoint the runtime's off-chain
//! worker calls with the standard `sp_io::offchain::http_*` host functions.
//!
//! `POST /v1/infer` with a SCALE-encoded [`InferenceRequest`] answers `200` with a
//! SCALE-encoded [`InferenceResponse`] (one result per input); anything else gets `400`,
//! `404` or `405` with a text reason. Requests are served one at a time on one thread
//! (each already uses every core through candle), so concurrent jobs queue instead of
//! competing for the CPU.

use crate::engine::Engine;
use codec::{Decode, Encode};
use infera_primitives::inference::{InferenceRequest, InferenceResponse, INFERENCE_PATH};
use prometheus_endpoint::{
	exponential_buckets, register, CounterVec, HistogramOpts, HistogramVec, Opts, PrometheusError,
	Registry, U64,
};
use std::{io::Read, net::SocketAddr, sync::Arc, thread::JoinHandle, time::Instant};

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
	/// The serving thread.
	pub thread: JoinHandle<()>,
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

/// Starts the service on `127.0.0.1:port` (0 picks a free port).
pub fn spawn(engine: Arc<Engine>, metrics: Option<Metrics>, port: u16) -> std::io::Result<Service> {
	let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(std::io::Error::other)?;
	let address = server
		.server_addr()
		.to_ip()
		.ok_or_else(|| std::io::Error::other("the inference service is not on an IP socket"))?;
	let thread = std::thread::Builder::new().name("inference".into()).spawn(move || {
		for mut request in server.incoming_requests() {
			let (status, body) = if request.url() != INFERENCE_PATH {
				(404, format!("unknown path; POST {INFERENCE_PATH}").into_bytes())
			} else if *request.method() != tiny_http::Method::Post {
				(405, format!("use POST {INFERENCE_PATH}").into_bytes())
			} else {
				let mut body = Vec::new();
				match request.as_reader().take(MAX_REQUEST_BYTES + 1).read_to_end(&mut body) {
					Ok(_) if body.len() as u64 > MAX_REQUEST_BYTES => (400, b"request too large".to_vec()),
					Ok(_) => answer(&engine, metrics.as_ref(), &body),
					Err(error) => (400, format!("cannot read the request: {error}").into_bytes()),
				}
			};
			let response = tiny_http::Response::from_data(body).with_status_code(status);
			if let Err(error) = request.respond(response) {
				log::warn!(target: "inference", "cannot answer an inference request: {error}");
			}
		}
	})?;
	Ok(Service { address, thread })
}
