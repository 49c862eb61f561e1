//! The HTTP routes: OpenAI's `/v1/models`, `/v1/embeddings` and `/v1/chat/completions`,
//! plus `/health` and `/metrics`.

use crate::{
	error::ApiError,
	follower::Tracker,
	jobs::{receipt, JobSpec, Jobs, Settled},
	log,
	metrics::Metrics,
	models::Registry,
	openai::{self, ChatRequest, EmbeddingsRequest},
	rpc::NodeClient,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{body::Incoming, header, Method, Request, Response, StatusCode};
use infera_primitives::TaskKind;
use infera_runtime::Balance;
use pallet_compute_jobs::{Decoding, GenerationCheck};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::{
	sync::Arc,
	time::{Instant, SystemTime, UNIX_EPOCH},
};

/// The largest request body accepted.
const MAX_BODY_BYTES: usize = 1 << 20;

/// What a request gets when it does not say.
pub struct Defaults {
	/// Replicas per job.
	pub replicas: u8,
	/// How a chat's generation is checked.
	pub check: GenerationCheck,
	/// The most a model may cost per job for `model: "auto"`.
	pub max_price: Option<Balance>,
	/// Tokens a chat completion may generate.
	pub max_tokens: u32,
	/// Texts one embeddings request may hold.
	pub max_inputs: usize,
	/// Blocks from submission to each job's deadline.
	pub deadline_blocks: u32,
	/// The most replicas a request may ask for.
	pub max_replicas: u8,
	/// The longest deadline a request may ask for.
	pub max_deadline_blocks: u32,
	/// The most one job may escrow, if limited.
	pub max_fee: Option<Balance>,
}

impl Defaults {
	/// The replicas and deadline of a request, within this gateway's limits.
	fn limits(&self, options: &openai::InferaOptions, replicas: u8) -> Result<(u8, u32), ApiError> {
		let replicas = options.replicas.unwrap_or(replicas);
		if replicas == 0 || replicas > self.max_replicas {
			return Err(ApiError::bad_request(Some("replicas"), "invalid_replicas", format!("replicas must be 1 to {} on this gateway", self.max_replicas)));
		}
		let deadline = options.deadline_blocks.unwrap_or(self.deadline_blocks);
		if deadline > self.max_deadline_blocks {
			return Err(ApiError::bad_request(Some("deadline_blocks"), "invalid_deadline", format!("deadline_blocks must be at most {} on this gateway", self.max_deadline_blocks)));
		}
		Ok((replicas, deadline))
	}
}

/// Counts a request in flight until it is answered or its client goes away.
struct InFlight<'a>(&'a Metrics);

impl<'a> InFlight<'a> {
	fn new(metrics: &'a Metrics) -> Self {
		metrics.in_flight.inc();
		Self(metrics)
	}
}

impl Drop for InFlight<'_> {
	fn drop(&mut self) {
		self.0.in_flight.dec();
	}
}

/// Everything the routes use.
pub struct Gateway {
	/// The node.
	pub node: Arc<NodeClient>,
	/// The registry reader.
	pub registry: Registry,
	/// Runs jobs.
	pub jobs: Jobs,
	/// Follows the chain.
	pub tracker: Arc<Tracker>,
	/// Metrics.
	pub metrics: Arc<Metrics>,
	/// The requester's SS58 address.
	pub requester: String,
	/// Request defaults.
	pub defaults: Defaults,
	/// If set, `/v1/*` requires `Authorization: Bearer <key>`.
	pub api_key: Option<String>,
}

type Answer = Response<Full<Bytes>>;

fn json_response(status: StatusCode, body: &Value) -> Answer {
	let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
	*response.status_mut() = status;
	response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
	response
}

fn unix_now() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_secs()).unwrap_or_default()
}

/// Answers one request; never fails (errors are answered in OpenAI's shape).
pub async fn handle(gateway: Arc<Gateway>, request: Request<Incoming>) -> Result<Answer, std::convert::Infallible> {
	let started = Instant::now();
	let method = request.method().clone();
	let path = request.uri().path().to_string();
	let route = match (&method, path.as_str()) {
		(&Method::GET, "/v1/models") => "models",
		(&Method::GET, path) if path.starts_with("/v1/models/") => "model",
		(&Method::POST, "/v1/embeddings") => "embeddings",
		(&Method::POST, "/v1/chat/completions") => "chat",
		(&Method::GET, "/health") => "health",
		(&Method::GET, "/metrics") => "metrics",
		_ => "unknown",
	};
	let in_flight = InFlight::new(&gateway.metrics);
	let answer = match route_request(&gateway, route, request).await {
		Ok(answer) => answer,
		Err(error) => {
			log::warn("request_failed", &[
				("route", route.into()),
				("status", error.status.as_u16().into()),
				("code", error.code.into()),
				("message", error.message.clone().into()),
			]);
			let mut response = json_response(error.status, &error.body());
			let retry = if error.retryable() { "true" } else { "false" };
			response.headers_mut().insert("x-should-retry", header::HeaderValue::from_static(retry));
			response
		},
	};
	drop(in_flight);
	let seconds = started.elapsed().as_secs_f64();
	gateway.metrics.requests.with_label_values(&[route, answer.status().as_str()]).inc();
	gateway.metrics.request_seconds.with_label_values(&[route]).observe(seconds);
	if route != "metrics" && route != "health" {
		log::info("request", &[
			("method", method.as_str().into()),
			("path", path.into()),
			("status", answer.status().as_u16().into()),
			("seconds", ((seconds * 1000.0).round() / 1000.0).into()),
		]);
	}
	Ok(answer)
}

async fn route_request(gateway: &Gateway, route: &str, request: Request<Incoming>) -> Result<Answer, ApiError> {
	if route != "health" && route != "metrics" {
		authorize(gateway, &request)?;
	}
	match route {
		"models" => list_models(gateway).await,
		"model" => {
			let name = request.uri().path().trim_start_matches("/v1/models/").to_string();
			one_model(gateway, &name).await
		},
		"embeddings" => embeddings(gateway, body(request).await?).await,
		"chat" => chat(gateway, body(request).await?).await,
		"health" => health(gateway).await,
		"metrics" => {
			let mut response = Response::new(Full::new(Bytes::from(gateway.metrics.render())));
			response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/plain; version=0.0.4"));
			Ok(response)
		},
		_ => Err(ApiError {
			status: StatusCode::NOT_FOUND,
			kind: "invalid_request_error",
			code: "unknown_route",
			param: None,
			message: format!("no route {} {}: see GET /v1/models, POST /v1/embeddings, POST /v1/chat/completions", request.method(), request.uri().path()),
			retry: false,
		}),
	}
}

fn authorize(gateway: &Gateway, request: &Request<Incoming>) -> Result<(), ApiError> {
	let Some(key) = &gateway.api_key else { return Ok(()) };
	let given = request
		.headers()
		.get(header::AUTHORIZATION)
		.and_then(|value| value.to_str().ok())
		.and_then(|value| value.strip_prefix("Bearer "));
	// Compared in constant time: the key guards the requester's funds.
	match given {
		Some(given) if given.len() == key.len() &&
			given.bytes().zip(key.bytes()).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0 => Ok(()),
		_ => Err(ApiError::unauthorized()),
	}
}

/// The request's JSON body, decoded as `T`. Only `application/json` is read: a browser
/// page can send other types across origins without asking (a form or `text/plain`), and
/// every request here spends the requester's funds.
async fn body<T: DeserializeOwned>(request: Request<Incoming>) -> Result<T, ApiError> {
	let json = request
		.headers()
		.get(header::CONTENT_TYPE)
		.and_then(|value| value.to_str().ok())
		.is_some_and(|value| value.split(';').next().is_some_and(|kind| kind.trim().eq_ignore_ascii_case("application/json")));
	if !json {
		return Err(ApiError {
			status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
			kind: "invalid_request_error",
			code: "invalid_content_type",
			param: None,
			message: "send the request body as `content-type: application/json`".into(),
			retry: false,
		});
	}
	let bytes = Limited::new(request.into_body(), MAX_BODY_BYTES)
		.collect()
		.await
		.map_err(|error| match error.downcast_ref::<http_body_util::LengthLimitError>() {
			Some(_) => ApiError {
				status: StatusCode::PAYLOAD_TOO_LARGE,
				kind: "invalid_request_error",
				code: "body_too_large",
				param: None,
				message: format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
				retry: false,
			},
			None => ApiError::bad_request(None, "invalid_body", format!("the request body could not be read: {error}")),
		})?
		.to_bytes();
	serde_json::from_slice(&bytes).map_err(|error| ApiError::bad_request(None, "invalid_json", format!("the body is not a valid request: {error}")))
}

async fn list_models(gateway: &Gateway) -> Result<Answer, ApiError> {
	let mut data = Vec::new();
	for model in gateway.registry.approved(&gateway.node).await? {
		data.push(gateway.registry.openai_entry(&gateway.node, &model).await?);
	}
	Ok(json_response(StatusCode::OK, &json!({ "object": "list", "data": data })))
}

async fn one_model(gateway: &Gateway, requested: &str) -> Result<Answer, ApiError> {
	let model = gateway.registry.find(&gateway.node, requested).await?;
	Ok(json_response(StatusCode::OK, &gateway.registry.openai_entry(&gateway.node, &model).await?))
}

async fn health(gateway: &Gateway) -> Result<Answer, ApiError> {
	let best = gateway.node.head(false).await.map_err(ApiError::node)?;
	let stalled = gateway.tracker.stalled();
	let status = if stalled.is_some() { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
	Ok(json_response(
		status,
		&json!({ "bestBlock": best, "followedBlock": gateway.tracker.followed(), "stalled": stalled, "requester": gateway.requester }),
	))
}

/// The name a response reports for the model its jobs ran: the request's, or the routed
/// model's name for `auto`.
async fn model_name(gateway: &Gateway, requested: &str, model_id: u32) -> String {
	if requested != "auto" {
		return requested.to_string();
	}
	let model: Result<Value, _> = gateway.node.call("infera_model", json!([model_id])).await;
	model.ok().and_then(|model| model["name"].as_str().map(str::to_string)).unwrap_or_else(|| model_id.to_string())
}

fn receipts(settled: &[Settled]) -> Value {
	json!({ "receipts": settled.iter().map(receipt).collect::<Vec<_>>() })
}

fn max_price(gateway: &Gateway, model: &str, given: Option<openai::Planck>) -> Option<Balance> {
	given.map(|planck| planck.0).or(if model == "auto" { gateway.defaults.max_price } else { None })
}

async fn embeddings(gateway: &Gateway, request: EmbeddingsRequest) -> Result<Answer, ApiError> {
	let (texts, format) = request.texts(gateway.defaults.max_inputs)?;
	if request.infera.check.is_some() {
		return Err(ApiError::bad_request(Some("check"), "unsupported_parameter", "`check` applies to chat completions only"));
	}
	let choice = gateway
		.registry
		.choose(&gateway.node, &request.model, TaskKind::TextEmbedding, max_price(gateway, &request.model, request.infera.max_price))
		.await?;
	let (replicas, deadline_blocks) = gateway.defaults.limits(&request.infera, gateway.defaults.replicas)?;
	let spec = JobSpec {
		choice,
		replicas,
		max_fee: request.infera.max_fee.map(|planck| planck.0),
		fee_cap: gateway.defaults.max_fee,
		decoding: None,
		deadline_blocks,
	};
	let settled = gateway.jobs.run(&spec, texts).await?;
	let mut data = Vec::with_capacity(settled.len());
	for (index, job) in settled.iter().enumerate() {
		let values: Option<Vec<i8>> = job.job["result"]["values"]
			.as_array()
			.and_then(|values| values.iter().map(|value| value.as_i64().and_then(|value| i8::try_from(value).ok())).collect());
		let values = values.ok_or_else(|| ApiError::internal(format!("job {} completed without an embedding", job.trace.job_id)))?;
		data.push(openai::embedding_entry(index, &openai::embedding_values(&values), format));
	}
	let model = model_name(gateway, &request.model, settled[0].trace.model.0).await;
	Ok(json_response(StatusCode::OK, &json!({ "object": "list", "data": data, "model": model, "infera": receipts(&settled) })))
}

async fn chat(gateway: &Gateway, request: ChatRequest) -> Result<Answer, ApiError> {
	let job = request.job(gateway.defaults.max_tokens)?;
	let check = match &request.infera.check {
		Some(check) => openai::parse_check(check)?,
		None => gateway.defaults.check,
	};
	let (replicas, deadline_blocks) = gateway.defaults.limits(&request.infera, match check {
		GenerationCheck::Verify => gateway.defaults.replicas.max(3),
		GenerationCheck::Replicate => gateway.defaults.replicas,
	})?;
	if check == GenerationCheck::Verify && replicas < 3 {
		return Err(ApiError::bad_request(Some("replicas"), "invalid_replicas", "a verified generation needs at least 3 replicas: one generator and two verifiers"));
	}
	let choice = gateway
		.registry
		.choose(&gateway.node, &request.model, TaskKind::TextGeneration, max_price(gateway, &request.model, request.infera.max_price))
		.await?;
	let decoding = Decoding { max_new_tokens: job.max_new_tokens, temperature: job.temperature, check };
	let spec = JobSpec {
		choice,
		replicas,
		max_fee: request.infera.max_fee.map(|planck| planck.0),
		fee_cap: gateway.defaults.max_fee,
		decoding: Some(decoding),
		deadline_blocks,
	};
	let settled = gateway.jobs.run(&spec, vec![job.prompt]).await?;
	let result = &settled[0].job["result"];
	let text = result["text"].as_str().ok_or_else(|| ApiError::internal(format!("job {} completed without text", settled[0].trace.job_id)))?;
	let tokens = result["tokenCount"].as_u64().unwrap_or_default() as usize;
	let finish_reason = openai::finish_reason(tokens, job.max_new_tokens);
	let model = model_name(gateway, &request.model, settled[0].trace.model.0).await;
	let (model_id, version) = settled[0].trace.model;
	let id = format!("chatcmpl-infera-{}", settled[0].trace.job_id);
	let created = unix_now();
	let fingerprint = format!("infera-model-{model_id}-v{version}");
	let infera = receipts(&settled);
	if !request.stream {
		return Ok(json_response(
			StatusCode::OK,
			&json!({
				"id": id,
				"object": "chat.completion",
				"created": created,
				"model": model,
				"system_fingerprint": fingerprint,
				"choices": [{
					"index": 0,
					"message": { "role": "assistant", "content": text, "refusal": null },
					"logprobs": null,
					"finish_reason": finish_reason,
				}],
				"infera": infera,
			}),
		));
	}
	// Streamed: the settled text as one delta, then the finish reason with the receipt.
	let chunk = |delta: Value, finish: Option<&str>, infera: Option<&Value>| {
		let mut chunk = json!({
			"id": id,
			"object": "chat.completion.chunk",
			"created": created,
			"model": model,
			"system_fingerprint": fingerprint,
			"choices": [{ "index": 0, "delta": delta, "logprobs": null, "finish_reason": finish }],
		});
		if let Some(infera) = infera {
			chunk["infera"] = infera.clone();
		}
		format!("data: {chunk}\n\n")
	};
	let events = [
		chunk(json!({ "role": "assistant", "content": "" }), None, None),
		chunk(json!({ "content": text }), None, None),
		chunk(json!({}), Some(finish_reason), Some(&infera)),
		"data: [DONE]\n\n".to_string(),
	]
	.concat();
	let mut response = Response::new(Full::new(Bytes::from(events)));
	response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/event-stream"));
	response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-cache"));
	Ok(response)
}
