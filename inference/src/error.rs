//! Why inference failed, and how that is reported on chain.

use infera_primitives::inference::InferenceFailure;
use sp_core::H256;

/// An inference failure with its detail, for logs; [`InferenceError::failure`] maps it to the
/// coarse, typed reason a worker reports.
#[derive(Debug, thiserror::Error)]
pub enum InferenceError {
	#[error("artifact {digest:?} is not in the model directory and {reason}")]
	ArtifactUnavailable { digest: H256, reason: String },
	#[error("artifact from {source_path} hashes to {actual:?}, registered as {expected:?}")]
	DigestMismatch { source_path: String, expected: H256, actual: H256 },
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
			InferenceError::InvalidModel(_) => InferenceFailure::InvalidModel,
			InferenceError::Unsupported(_) => InferenceFailure::Unsupported,
			InferenceError::InvalidInput(_) => InferenceFailure::InvalidInput,
			InferenceError::Io { .. } | InferenceError::Compute(_) => InferenceFailure::Internal,
		}
	}
}

/// Result of an inference step.
pub type Result<T> = std::result::Result<T, InferenceError>;
