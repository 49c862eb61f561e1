//! OpenAI's request and response shapes for embeddings and chat completions, checked and
//! translated to and from Infera's jobs. Fields Infera cannot honour are refused with a 400
//! that says so, never ignored, except `user` and `seed` (the chain draws a sampling
//! seed; OpenAI documents `seed` as best effort).

use crate::error::ApiError;
use base64::Engine as _;
use infera_runtime::{Balance, Runtime};
use pallet_compute_jobs::{Config, GenerationCheck};
use serde::Deserialize;
use serde_json::{json, Value};
use sp_runtime::traits::Get;

/// The longest input (embedding text, or a chat's messages as JSON) the chain accepts.
pub fn max_input_bytes() -> usize {
	<<Runtime as Config>::MaxInputLen as Get<u32>>::get() as usize
}

/// The most tokens a generation job may ask for.
pub fn max_new_tokens() -> u32 {
	<<Runtime as Config>::MaxNewTokens as Get<u32>>::get()
}

/// An amount of planck, given as a decimal string or an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planck(pub Balance);

impl<'de> Deserialize<'de> for Planck {
	fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let text = match Value::deserialize(deserializer)? {
			Value::String(text) => text,
			Value::Number(number) => number.to_string(),
			other => return Err(serde::de::Error::custom(format!("expected planck as a decimal string or integer, got {other}"))),
		};
		text.parse().map(Planck).map_err(|_| serde::de::Error::custom(format!("`{text}` is not an amount of planck")))
	}
}

/// What a request may add to OpenAI's fields to steer its jobs (in the OpenAI Python
/// client: `extra_body={...}`).
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub struct InferaOptions {
	/// The most the model may cost per job (required for `model: "auto"` unless the
	/// gateway has a default).
	pub max_price: Option<Planck>,
	/// The most each job may escrow; the chain's least fee when absent.
	pub max_fee: Option<Planck>,
	/// Replicas per job.
	pub replicas: Option<u8>,
	/// For chat: `replicate` or `verify`.
	pub check: Option<String>,
	/// Blocks from submission to each job's deadline (the chain's `MinDeadline` at least).
	pub deadline_blocks: Option<u32>,
}

/// `POST /v1/embeddings`.
#[derive(Deserialize, Debug)]
pub struct EmbeddingsRequest {
	/// A model id, name, or `auto`.
	pub model: String,
	/// A string or an array of strings.
	pub input: Value,
	/// `float` (default) or `base64` (little-endian f32).
	pub encoding_format: Option<String>,
	/// Not supported (the model's own dimension is returned).
	pub dimensions: Option<Value>,
	/// Infera's options.
	#[serde(flatten)]
	pub infera: InferaOptions,
}

/// How embeddings are returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodingFormat {
	/// A JSON array of numbers.
	Float,
	/// Base64 of little-endian f32s.
	Base64,
}

impl EmbeddingsRequest {
	/// The texts to embed (at most `max_inputs`), and how to return their embeddings.
	pub fn texts(&self, max_inputs: usize) -> Result<(Vec<Vec<u8>>, EncodingFormat), ApiError> {
		let format = match self.encoding_format.as_deref() {
			None | Some("float") => EncodingFormat::Float,
			Some("base64") => EncodingFormat::Base64,
			Some(other) => return Err(ApiError::bad_request(Some("encoding_format"), "invalid_encoding_format", format!("encoding_format must be `float` or `base64`, not `{other}`"))),
		};
		if self.dimensions.as_ref().is_some_and(|dimensions| !dimensions.is_null()) {
			return Err(ApiError::bad_request(Some("dimensions"), "unsupported_parameter", "`dimensions` is not supported: each model returns its own dimension"));
		}
		let texts: Vec<String> = match &self.input {
			Value::String(text) => vec![text.clone()],
			Value::Array(items) if items.iter().all(Value::is_string) =>
				items.iter().filter_map(|item| item.as_str().map(str::to_string)).collect(),
			Value::Array(_) => return Err(ApiError::bad_request(Some("input"), "invalid_input", "`input` must be a string or an array of strings (token arrays are not supported: send text)")),
			_ => return Err(ApiError::bad_request(Some("input"), "invalid_input", "`input` must be a string or an array of strings")),
		};
		if texts.is_empty() || texts.len() > max_inputs {
			return Err(ApiError::bad_request(Some("input"), "invalid_input", format!("`input` must hold 1 to {max_inputs} texts, not {}", texts.len())));
		}
		for (index, text) in texts.iter().enumerate() {
			if text.is_empty() {
				return Err(ApiError::bad_request(Some("input"), "invalid_input", format!("input {index} is empty")));
			}
			if text.len() > max_input_bytes() {
				return Err(ApiError::bad_request(Some("input"), "context_length_exceeded", format!("input {index} is {} bytes; the chain takes at most {}", text.len(), max_input_bytes())));
			}
		}
		Ok((texts.into_iter().map(String::into_bytes).collect(), format))
	}
}

/// An on-chain embedding (components `round(127·x)` of a unit vector) as OpenAI's
/// floats: each component divided by 127.
pub fn embedding_values(values: &[i8]) -> Vec<f32> {
	values.iter().map(|value| f32::from(*value) / 127.0).collect()
}

/// One `data` entry of an embeddings response.
pub fn embedding_entry(index: usize, values: &[f32], format: EncodingFormat) -> Value {
	let embedding = match format {
		EncodingFormat::Float => json!(values),
		EncodingFormat::Base64 => {
			let bytes: Vec<u8> = values.iter().flat_map(|value| value.to_le_bytes()).collect();
			json!(base64::engine::general_purpose::STANDARD.encode(bytes))
		},
	};
	json!({ "object": "embedding", "index": index, "embedding": embedding })
}

/// One chat message.
#[derive(Deserialize, Debug)]
pub struct ChatMessage {
	/// `system`, `developer`, `user` or `assistant`.
	pub role: String,
	/// A string, or an array of `{"type": "text", "text"}` parts.
	pub content: Value,
}

/// `POST /v1/chat/completions`.
#[derive(Deserialize, Debug)]
pub struct ChatRequest {
	/// A model id, name, or `auto`.
	pub model: String,
	/// The conversation.
	pub messages: Vec<ChatMessage>,
	/// Most tokens to generate (deprecated by OpenAI in favour of the next).
	pub max_tokens: Option<u32>,
	/// Most tokens to generate.
	pub max_completion_tokens: Option<u32>,
	/// 0 to 2; 0 (the default here) decodes greedily.
	pub temperature: Option<f64>,
	/// Answer with server-sent events.
	#[serde(default)]
	pub stream: bool,
	/// Completions per request: only 1.
	pub n: Option<u32>,
	/// Not supported.
	pub tools: Option<Value>,
	/// Not supported: generation stops at the model's end of turn or `max_tokens`.
	pub stop: Option<Value>,
	/// OpenAI sampling and output options Infera does not offer: refused unless absent,
	/// `null` or their neutral value.
	pub top_p: Option<Value>,
	pub presence_penalty: Option<Value>,
	pub frequency_penalty: Option<Value>,
	pub logit_bias: Option<Value>,
	pub logprobs: Option<Value>,
	pub top_logprobs: Option<Value>,
	pub response_format: Option<Value>,
	pub tool_choice: Option<Value>,
	pub functions: Option<Value>,
	pub function_call: Option<Value>,
	pub stream_options: Option<Value>,
	/// Infera's options.
	#[serde(flatten)]
	pub infera: InferaOptions,
}

/// A chat request as a generation job asks for it.
#[derive(Debug, PartialEq, Eq)]
pub struct ChatJob {
	/// The messages as the chain's prompt: a JSON array of `{"role", "content"}`.
	pub prompt: Vec<u8>,
	/// Most tokens to generate.
	pub max_new_tokens: u32,
	/// Temperature in thousandths.
	pub temperature: u16,
}

impl ChatRequest {
	/// The job this request asks for; `default_max_tokens` when it names none.
	pub fn job(&self, default_max_tokens: u32) -> Result<ChatJob, ApiError> {
		if self.n.is_some_and(|n| n != 1) {
			return Err(ApiError::bad_request(Some("n"), "unsupported_parameter", "only n = 1 is supported"));
		}
		if self.tools.as_ref().is_some_and(|tools| !tools.is_null() && tools.as_array().map_or(true, |tools| !tools.is_empty())) {
			return Err(ApiError::bad_request(Some("tools"), "unsupported_parameter", "tools are not supported"));
		}
		if self.stop.as_ref().is_some_and(|stop| !stop.is_null() && stop.as_array().map_or(true, |stop| !stop.is_empty())) {
			return Err(ApiError::bad_request(Some("stop"), "unsupported_parameter", "stop sequences are not supported: generation stops at the model's end of turn or max_tokens"));
		}
		let number_is = |value: &Value, neutral: f64| value.as_f64() == Some(neutral);
		let empty = |value: &Value| value.as_object().is_some_and(|map| map.is_empty()) || value.as_array().is_some_and(|list| list.is_empty());
		let options: [(&'static str, &Option<Value>, &dyn Fn(&Value) -> bool); 11] = [
			("top_p", &self.top_p, &|value| number_is(value, 1.0)),
			("presence_penalty", &self.presence_penalty, &|value| number_is(value, 0.0)),
			("frequency_penalty", &self.frequency_penalty, &|value| number_is(value, 0.0)),
			("logit_bias", &self.logit_bias, &empty),
			("logprobs", &self.logprobs, &|value| value == &Value::Bool(false)),
			("top_logprobs", &self.top_logprobs, &|value| number_is(value, 0.0)),
			("response_format", &self.response_format, &|value| value == &json!({ "type": "text" })),
			("tool_choice", &self.tool_choice, &|value| value == &json!("none")),
			("functions", &self.functions, &empty),
			("function_call", &self.function_call, &|value| value == &json!("none")),
			("stream_options", &self.stream_options, &|value| value.get("include_usage").map_or(true, |usage| usage == &Value::Bool(false))),
		];
		for (name, value, neutral) in options {
			if let Some(value) = value.as_ref().filter(|value| !value.is_null() && !neutral(value)) {
				return Err(ApiError::bad_request(Some(name), "unsupported_parameter", format!("`{name}` ({value}) is not supported by Infera's generation jobs")));
			}
		}
		if self.messages.is_empty() {
			return Err(ApiError::bad_request(Some("messages"), "invalid_messages", "`messages` must not be empty"));
		}
		let mut messages = Vec::with_capacity(self.messages.len());
		for (index, message) in self.messages.iter().enumerate() {
			let role = match message.role.as_str() {
				"system" | "developer" => "system",
				"user" => "user",
				"assistant" => "assistant",
				other => return Err(ApiError::bad_request(Some("messages"), "invalid_messages", format!("message {index} has role `{other}`; supported: system, developer, user, assistant"))),
			};
			let content = match &message.content {
				Value::String(text) => text.clone(),
				Value::Array(parts) => {
					let mut text = String::new();
					for part in parts {
						match (part.get("type").and_then(Value::as_str), part.get("text").and_then(Value::as_str)) {
							(Some("text"), Some(part)) => text.push_str(part),
							_ => return Err(ApiError::bad_request(Some("messages"), "invalid_messages", format!("message {index} has a content part that is not text; only text is supported"))),
						}
					}
					text
				},
				_ => return Err(ApiError::bad_request(Some("messages"), "invalid_messages", format!("message {index} has no text content"))),
			};
			messages.push(json!({ "role": role, "content": content }));
		}
		let prompt = serde_json::to_vec(&messages).map_err(|error| ApiError::internal(error.to_string()))?;
		if prompt.len() > max_input_bytes() {
			return Err(ApiError::bad_request(Some("messages"), "context_length_exceeded", format!("the messages are {} bytes as JSON; the chain takes at most {}", prompt.len(), max_input_bytes())));
		}
		let tokens = self.max_completion_tokens.or(self.max_tokens).unwrap_or(default_max_tokens);
		if tokens == 0 || tokens > max_new_tokens() {
			return Err(ApiError::bad_request(Some("max_tokens"), "invalid_max_tokens", format!("max_tokens must be 1 to {}", max_new_tokens())));
		}
		let temperature = self.temperature.unwrap_or(0.0);
		if !(0.0..=2.0).contains(&temperature) {
			return Err(ApiError::bad_request(Some("temperature"), "invalid_temperature", "temperature must be between 0 and 2"));
		}
		Ok(ChatJob { prompt, max_new_tokens: tokens, temperature: (temperature * 1000.0).round() as u16 })
	}
}

/// A `check` option's value.
pub fn parse_check(check: &str) -> Result<GenerationCheck, ApiError> {
	match check {
		"replicate" => Ok(GenerationCheck::Replicate),
		"verify" => Ok(GenerationCheck::Verify),
		other => Err(ApiError::bad_request(Some("check"), "invalid_check", format!("check must be `replicate` or `verify`, not `{other}`"))),
	}
}

/// OpenAI's `finish_reason` of a generation of `tokens` tokens allowed `max_new_tokens`.
pub fn finish_reason(tokens: usize, max_new_tokens: u32) -> &'static str {
	if (tokens as u64) < u64::from(max_new_tokens) {
		"stop"
	} else {
		"length"
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn chat(body: Value) -> Result<ChatJob, ApiError> {
		serde_json::from_value::<ChatRequest>(body).unwrap().job(64)
	}

	#[test]
	fn chat_messages_become_the_chains_prompt() {
		let job = chat(json!({
			"model": "SmolLM2",
			"messages": [
				{ "role": "developer", "content": "Be brief." },
				{ "role": "user", "content": [{ "type": "text", "text": "Hi " }, { "type": "text", "text": "there" }] }
			],
			"max_completion_tokens": 12,
			"temperature": 0.7
		}))
		.unwrap();
		assert_eq!(
			serde_json::from_slice::<Value>(&job.prompt).unwrap(),
			json!([{ "role": "system", "content": "Be brief." }, { "role": "user", "content": "Hi there" }])
		);
		assert_eq!((job.max_new_tokens, job.temperature), (12, 700));
		let defaults = chat(json!({ "model": "m", "messages": [{ "role": "user", "content": "x" }] })).unwrap();
		assert_eq!((defaults.max_new_tokens, defaults.temperature), (64, 0));
	}

	#[test]
	fn what_infera_cannot_honour_is_refused_with_the_field_named() {
		let user = json!([{ "role": "user", "content": "x" }]);
		for (extra, param) in [
			(json!({ "n": 2 }), "n"),
			(json!({ "tools": [{ "type": "function" }] }), "tools"),
			(json!({ "stop": ["\n"] }), "stop"),
			(json!({ "max_tokens": 0 }), "max_tokens"),
			(json!({ "max_tokens": max_new_tokens() + 1 }), "max_tokens"),
			(json!({ "temperature": 2.5 }), "temperature"),
			(json!({ "top_p": 0.9 }), "top_p"),
			(json!({ "logprobs": true }), "logprobs"),
			(json!({ "response_format": { "type": "json_object" } }), "response_format"),
			(json!({ "stream_options": { "include_usage": true } }), "stream_options"),
			(json!({ "messages": [] }), "messages"),
			(json!({ "messages": [{ "role": "tool", "content": "x" }] }), "messages"),
			(json!({ "messages": [{ "role": "user", "content": [{ "type": "image_url" }] }] }), "messages"),
			(json!({ "messages": [{ "role": "user", "content": "x".repeat(max_input_bytes()) }] }), "messages"),
		] {
			let mut body = json!({ "model": "m", "messages": user });
			body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
			let error = chat(body).unwrap_err();
			assert_eq!((error.status.as_u16(), error.param), (400, Some(param)), "{extra}: {}", error.message);
		}
		// Null and empty values of unsupported fields are what many clients send by default.
		assert!(chat(json!({
			"model": "m", "messages": user, "tools": [], "stop": null, "n": 1, "top_p": 1, "presence_penalty": 0.0,
			"logprobs": false, "response_format": { "type": "text" }, "logit_bias": {}, "stream_options": null
		}))
		.is_ok());
	}

	fn embeddings(body: Value) -> Result<(Vec<Vec<u8>>, EncodingFormat), ApiError> {
		serde_json::from_value::<EmbeddingsRequest>(body).unwrap().texts(4)
	}

	#[test]
	fn embedding_inputs_are_checked_before_anything_is_signed() {
		let (texts, format) = embeddings(json!({ "model": "m", "input": ["a", "b"], "encoding_format": "base64" })).unwrap();
		assert_eq!((texts, format), (vec![b"a".to_vec(), b"b".to_vec()], EncodingFormat::Base64));
		assert_eq!(embeddings(json!({ "model": "m", "input": "a" })).unwrap().1, EncodingFormat::Float);
		for input in [json!(""), json!([]), json!([1, 2]), json!([[1]]), json!(vec!["a"; 5]), json!(7), json!("x".repeat(max_input_bytes() + 1))] {
			let error = embeddings(json!({ "model": "m", "input": input })).unwrap_err();
			assert_eq!((error.status.as_u16(), error.param), (400, Some("input")), "{input}");
		}
		assert_eq!(embeddings(json!({ "model": "m", "input": "a", "dimensions": 8 })).unwrap_err().param, Some("dimensions"));
		assert_eq!(embeddings(json!({ "model": "m", "input": "a", "encoding_format": "int8" })).unwrap_err().param, Some("encoding_format"));
	}

	#[test]
	fn base64_embeddings_are_little_endian_floats_of_the_chains_values() {
		let values = embedding_values(&[127, -127, 0, 64]);
		assert_eq!(values, vec![1.0, -1.0, 0.0, 64.0 / 127.0]);
		let entry = embedding_entry(3, &values, EncodingFormat::Base64);
		let bytes = base64::engine::general_purpose::STANDARD.decode(entry["embedding"].as_str().unwrap()).unwrap();
		let decoded: Vec<f32> = bytes.chunks(4).map(|chunk| f32::from_le_bytes(chunk.try_into().unwrap())).collect();
		assert_eq!((decoded, entry["index"].as_u64()), (values, Some(3)));
	}

	#[test]
	fn amounts_are_decimal_strings_or_integers() {
		let options: InferaOptions = serde_json::from_value(json!({ "max_price": "340282366920938463463374607431768211455", "max_fee": 5 })).unwrap();
		assert_eq!((options.max_price, options.max_fee), (Some(Planck(u128::MAX)), Some(Planck(5))));
		assert!(serde_json::from_value::<InferaOptions>(json!({ "max_fee": "-1" })).is_err());
		assert!(serde_json::from_value::<InferaOptions>(json!({ "max_fee": 1.5 })).is_err());
	}

	#[test]
	fn a_generation_that_used_every_token_it_was_allowed_finished_by_length() {
		assert_eq!(finish_reason(3, 16), "stop");
		assert_eq!(finish_reason(16, 16), "length");
	}
}
