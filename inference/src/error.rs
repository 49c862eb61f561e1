//! Why inference failed, and how that is reported on chain.

use infera_primitives::inference::InferenceFailure;
use sp_core::H256;
use std::{borrow::Cow, time::Duration};

/// An inference failure with its detail, for logs; [`InferenceError::failure`] maps it to the
/// coarse, typed reason a worker reports.
#[derive(Debug, thiserror::Error)]
pub enum InferenceError {
	#[error("artifact {digest:?} is not in the model directory and {reason}")]
	ArtifactUnavailable { digest: H256, reason: String },
	#[error("artifact from {source_path} hashes to {actual:?}, registered as {expected:?}")]
	DigestMismatch { source_path: String, expected: H256, actual: H256 },
	/// Fetching a missing artifact failed (every source was tried; this is the last reason).
	#[error("artifact {digest:?} could not be fetched: {error}")]
	Fetch { digest: H256, error: Box<FetchError> },
	#[error("invalid model: {0}")]
	InvalidModel(String),
	#[error("unsupported: {0}")]
	Unsupported(String),
	#[error("invalid input: {0}")]
	InvalidInput(String),
	#[error("I/O error on {path}: {error}")]
	Io { path: String, error: std::io::Error },
	#[error("inference failed: {0}")]
	Compute(#[from] candle_core::Error),
}

impl InferenceError {
	/// The typed reason reported on chain.
	pub fn failure(&self) -> InferenceFailure {
		match self {
			InferenceError::ArtifactUnavailable { .. } => InferenceFailure::ArtifactUnavailable,
			InferenceError::DigestMismatch { .. } => InferenceFailure::DigestMismatch,
			InferenceError::Fetch { error, .. } => error.failure(),
			InferenceError::InvalidModel(_) => InferenceFailure::InvalidModel,
			InferenceError::Unsupported(_) => InferenceFailure::Unsupported,
			InferenceError::InvalidInput(_) => InferenceFailure::InvalidInput,
			InferenceError::Io { .. } | InferenceError::Compute(_) => InferenceFailure::Internal,
		}
	}

	/// `error` fetching `digest`: a digest mismatch keeps its own variant (whatever the
	/// source), every other failure is [`InferenceError::Fetch`].
	pub fn fetch(digest: H256, error: FetchError) -> Self {
		match error {
			FetchError::DigestMismatch { from, expected, actual } =>
				InferenceError::DigestMismatch { source_path: from, expected, actual },
			error => InferenceError::Fetch { digest, error: Box::new(error) },
		}
	}

	/// Whether the model store already logged this failure (so callers need not again).
	pub fn logged_by_store(&self) -> bool {
		matches!(self, InferenceError::Fetch { .. } | InferenceError::DigestMismatch { .. })
	}
}

/// Why fetching one artifact from one source failed. Cloneable: every caller waiting for
/// the same download gets the same answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
	/// The version names no location this node can fetch from.
	#[error("no source to fetch from: {reason}")]
	NoSource { reason: String },
	/// The location's scheme is not one this node fetches (`https`, `http`, `ipfs`, `file`).
	#[error("{location}: unsupported scheme (expected https://, http://, ipfs:// or file://)")]
	UnsupportedScheme { location: String },
	/// The URL or CID cannot be parsed.
	#[error("{location}: invalid location: {reason}")]
	InvalidLocation { location: String, reason: String },
	/// A `file://` or plain-path source cannot be read.
	#[error("{path} cannot be read: {reason}")]
	Local { path: String, reason: String },
	/// No connection (DNS failure, refused, reset before an answer).
	#[error("{url} is unreachable: {reason}")]
	Unreachable { url: String, reason: String },
	/// The server answered with a status other than 200 (or 206 to a range request).
	#[error("{url} answered HTTP {status}, expected 200")]
	Status { url: String, status: u16 },
	/// The body is larger than the version's registered `size_bytes`.
	#[error("{url} sends more than the registered size of {limit} bytes")]
	TooLarge { url: String, limit: u64 },
	/// The body ended (or the connection dropped) before it was complete.
	#[error("{url} stopped after {received} of {expected} bytes")]
	Truncated { url: String, received: u64, expected: String },
	/// The bytes hash to another digest than the registered one.
	#[error("{from} hashes to {actual:?}, registered as {expected:?}")]
	DigestMismatch { from: String, expected: H256, actual: H256 },
	/// The version's raw CID names another SHA-256 than its weights digest.
	#[error("CID {cid} names sha2-256 {named:?}, but the weights are registered as {weights:?}")]
	CidMismatch { cid: String, named: H256, weights: H256 },
	/// No TCP (and TLS) connection within the connect timeout.
	#[error("{url}: no connection within {after:?}")]
	ConnectTimeout { url: String, after: Duration },
	/// Connected, but no byte came for the idle timeout.
	#[error("{url}: no data for {after:?}")]
	IdleTimeout { url: String, after: Duration },
	/// The download took longer than the total timeout.
	#[error("{url}: not complete after {after:?}")]
	TotalTimeout { url: String, after: Duration },
	/// More redirects than allowed.
	#[error("{url}: more than {limit} redirects")]
	TooManyRedirects { url: String, limit: u32 },
	/// The server's answer does not follow HTTP (bad `Content-Range`, redirect without a
	/// `Location`).
	#[error("{url}: {reason}")]
	Protocol { url: String, reason: String },
	/// The store's quota cannot hold the artifact even after evicting every file no served
	/// version needs.
	#[error("needs {needed} bytes, but the store's quota is {quota} bytes and {kept} bytes are pinned or in use")]
	Quota { needed: u64, quota: u64, kept: u64 },
	/// Writing the store failed.
	#[error("I/O error on {path}: {reason}")]
	Io { path: String, reason: String },
}

impl FetchError {
	/// The typed reason reported on chain: a wrong digest is [`InferenceFailure::DigestMismatch`],
	/// a local disk failure [`InferenceFailure::Internal`], anything else
	/// [`InferenceFailure::ArtifactUnavailable`].
	pub fn failure(&self) -> InferenceFailure {
		match self {
			FetchError::DigestMismatch { .. } | FetchError::CidMismatch { .. } => InferenceFailure::DigestMismatch,
			FetchError::Io { .. } => InferenceFailure::Internal,
			_ => InferenceFailure::ArtifactUnavailable,
		}
	}

	/// The `reason` label of the failure metric (`http_404`, `idle_timeout`, …).
	pub fn reason(&self) -> Cow<'static, str> {
		Cow::Borrowed(match self {
			FetchError::NoSource { .. } => "no_source",
			FetchError::UnsupportedScheme { .. } => "unsupported_scheme",
			FetchError::InvalidLocation { .. } => "invalid_location",
			FetchError::Local { .. } => "local",
			FetchError::Unreachable { .. } => "unreachable",
			FetchError::Status { status, .. } => return Cow::Owned(format!("http_{status}")),
			FetchError::TooLarge { .. } => "too_large",
			FetchError::Truncated { .. } => "truncated",
			FetchError::DigestMismatch { .. } => "digest_mismatch",
			FetchError::CidMismatch { .. } => "cid_mismatch",
			FetchError::ConnectTimeout { .. } => "connect_timeout",
			FetchError::IdleTimeout { .. } => "idle_timeout",
			FetchError::TotalTimeout { .. } => "total_timeout",
			FetchError::TooManyRedirects { .. } => "too_many_redirects",
			FetchError::Protocol { .. } => "protocol",
			FetchError::Quota { .. } => "quota",
			FetchError::Io { .. } => "io",
		})
	}

	/// Whether the next source is worth trying: not after a local disk or quota failure,
	/// which any source would hit again.
	pub fn try_next_source(&self) -> bool {
		!matches!(self, FetchError::Quota { .. } | FetchError::Io { .. })
	}

	/// Whether a partial download may be kept and resumed later (the bytes so far are
	/// still good as far as anyone knows).
	pub fn keeps_partial(&self) -> bool {
		matches!(
			self,
			FetchError::Unreachable { .. } |
				FetchError::Status { .. } |
				FetchError::Truncated { .. } |
				FetchError::ConnectTimeout { .. } |
				FetchError::IdleTimeout { .. } |
				FetchError::TotalTimeout { .. } |
				FetchError::TooManyRedirects { .. } |
				FetchError::Protocol { .. }
		)
	}
}

/// Result of an inference step.
pub type Result<T> = std::result::Result<T, InferenceError>;
