//! The request and answer the off-chain worker exchanges with its node's inference service
//! (SCALE-encoded over loopback HTTP; see `docs/architecture.md`, *Off-chain inference*).

use crate::{ArtifactFormat, TaskKind};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use scale_info::TypeInfo;
use sp_core::H256;

/// HTTP path of the inference service.
pub const INFERENCE_PATH: &str = "/v1/infer";

/// Key in the node's persistent offchain storage under which the node publishes the base
/// URL of its inference service (e.g. `http://127.0.0.1:41234`).
pub const INFERENCE_ENDPOINT_KEY: &[u8] = b"infera::inference-endpoint";

/// Inputs to run through one model version, as one batch.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct InferenceRequest {
	/// What the model does; decides the output kind.
	pub task: TaskKind,
	/// How the weights are serialized.
	pub format: ArtifactFormat,
	/// SHA-256 of the weights.
	pub weights: H256,
	/// SHA-256 of `tokenizer.json`.
	pub tokenizer: Option<H256>,
	/// SHA-256 of `config.json`.
	pub config: Option<H256>,
	/// Where the artifacts can be fetched (the registered URL), if anywhere.
	pub location: Option<Vec<u8>>,
	/// The jobs' inputs (UTF-8 text), answered in order.
	pub inputs: Vec<Vec<u8>>,
}

/// A successful result, in the encoding jobs report on chain.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum InferenceOutput {
	/// The L2-normalised embedding, each component `round(127 · x)`.
	Embedding(Vec<i8>),
	/// The predicted class label id.
	Label(u32),
	/// Generated UTF-8 text.
	Text(Vec<u8>),
}

/// Why inference failed.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum InferenceFailure {
	/// An artifact is neither in the model directory nor fetchable from its location.
	ArtifactUnavailable,
	/// A fetched artifact does not hash to its registered digest.
	DigestMismatch,
	/// The artifacts do not form a loadable model (bad safetensors, config or shapes).
	InvalidModel,
	/// The model's format or task is not supported by this node.
	Unsupported,
	/// The input is not UTF-8 or cannot be tokenized.
	InvalidInput,
	/// The node failed for another reason (see its log).
	Internal,
}

/// The inference service's answer: one result per input, in order.
pub type InferenceResponse = Vec<Result<InferenceOutput, InferenceFailure>>;
