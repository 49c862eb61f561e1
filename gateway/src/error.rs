//! Errors as OpenAI's API returns them: an HTTP status and
//! `{"error": {"message", "type", "param", "code"}}`, so OpenAI clients raise their usual
//! exceptions (`NotFoundError`, `BadRequestError`, …) with the message.

use crate::rpc::RpcError;
use hyper::StatusCode;
use serde_json::{json, Value};

/// An answer that is not a result.
#[derive(Debug, Clone)]
pub struct ApiError {
	/// The HTTP status.
	pub status: StatusCode,
	/// OpenAI's error `type`.
	pub kind: &'static str,
	/// A stable machine-readable `code`.
	pub code: &'static str,
	/// The request field at fault, if one is.
	pub param: Option<&'static str>,
	/// What happened and what to do, for people.
	pub message: String,
	/// Whether a client may simply send the request again (`x-should-retry`).
	pub retry: bool,
}

impl ApiError {
	fn new(status: StatusCode, kind: &'static str, code: &'static str, message: impl Into<String>) -> Self {
		Self { status, kind, code, param: None, message: message.into(), retry: false }
	}

	/// 400: the request is malformed or asks for something the chain does not accept.
	pub fn bad_request(param: Option<&'static str>, code: &'static str, message: impl Into<String>) -> Self {
		Self { param, ..Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", code, message) }
	}

	/// 401: the gateway requires an API key and the request has another one or none.
	pub fn unauthorized() -> Self {
		Self::new(
			StatusCode::UNAUTHORIZED,
			"invalid_request_error",
			"invalid_api_key",
			"this gateway requires its API key as `Authorization: Bearer <key>`",
		)
	}

	/// 402: the requester cannot or will not pay what the job costs.
	pub fn payment(code: &'static str, message: impl Into<String>) -> Self {
		Self::new(StatusCode::PAYMENT_REQUIRED, "insufficient_quota", code, message)
	}

	/// 404: no such model (or route).
	pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
		Self { param: Some("model"), ..Self::new(StatusCode::NOT_FOUND, "invalid_request_error", code, message) }
	}

	/// 409: the chain changed under the request (a price rose after the quote): retry.
	pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
		Self { retry: true, ..Self::new(StatusCode::CONFLICT, "invalid_request_error", code, message) }
	}

	/// 502: the job closed without a result the chain agreed on.
	pub fn bad_gateway(code: &'static str, message: impl Into<String>) -> Self {
		Self::new(StatusCode::BAD_GATEWAY, "server_error", code, message)
	}

	/// 503: the node is unreachable, or the gateway cannot sign for its chain.
	pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
		Self::new(StatusCode::SERVICE_UNAVAILABLE, "server_error", code, message)
	}

	/// 504: the job expired on chain, or took longer than the gateway waits.
	pub fn timeout(code: &'static str, message: impl Into<String>) -> Self {
		Self::new(StatusCode::GATEWAY_TIMEOUT, "server_error", code, message)
	}

	/// 500: a fault of the gateway itself.
	pub fn internal(message: impl Into<String>) -> Self {
		Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "internal_error", message)
	}

	/// A failed RPC call the request depended on: 503 if the node is unreachable (which a
	/// client may retry, as long as nothing was submitted yet), else 502.
	pub fn node(error: RpcError) -> Self {
		match error {
			RpcError::Transport(_) => Self { retry: true, ..Self::unavailable("node_unreachable", error.to_string()) },
			_ => Self::bad_gateway("node_error", error.to_string()),
		}
	}

	/// The same answer for a request whose transaction was already submitted: never
	/// retryable, since a retry would submit and pay for the jobs again.
	pub fn after_submission(self) -> Self {
		Self { retry: false, ..self }
	}

	/// The same answer, its message prefixed with what had already happened.
	pub fn with_context(self, context: String) -> Self {
		Self { message: format!("{context}, but {}", self.message), ..self }
	}

	/// Whether a client may simply send the request again: only when nothing was submitted
	/// and a retry can succeed. OpenAI's clients retry 409 and 5xx answers unless told
	/// otherwise (`x-should-retry`), and a retried job is paid again.
	pub fn retryable(&self) -> bool {
		self.retry
	}

	/// The JSON body.
	pub fn body(&self) -> Value {
		json!({ "error": { "message": self.message, "type": self.kind, "param": self.param, "code": self.code } })
	}
}
