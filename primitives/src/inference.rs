//! The request and answer the off-chain worker exchanges with its node's inference service
//! (SCALE-encoded over loopback HTTP; see `docs/architecture.md`, *Off-chain inference*).

use crate::{ArtifactRef, OutputKind, TaskKind};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::{ConstU32, Get},
	BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

/// HTTP path of the inference service.
pub const INFERENCE_PATH: &str = "/v1/infer";

/// HTTP path at which the off-chain worker asks its node to hold model versions: the body
/// is a SCALE-encoded `Vec<ArtifactRef>` (every version the node's workers serve), the
/// answer a SCALE-encoded `Vec<Readiness>`, one per version, in order. The node starts
/// fetching what it lacks in the background and answers at once; the versions asked for
/// last are the ones its store keeps when it must evict.
pub const PREPARE_PATH: &str = "/v1/prepare";

/// Key in the node's persistent offchain storage under which the node publishes the base
/// URL of its inference service (e.g. `http://127.0.0.1:41234`).
pub const INFERENCE_ENDPOINT_KEY: &[u8] = b"infera::inference-endpoint";

/// Inputs to run through one model version, as one batch.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct InferenceRequest {
	/// The model version to run, as the registry records it (its task decides the output
	/// kind: [`TaskKind::output_kind`]).
	pub model: ArtifactRef,
	/// The jobs' inputs (UTF-8 text), answered in order.
	pub inputs: Vec<Vec<u8>>,
}

/// No practical bound: what the node's inference service answers and the runtime API
/// returns. Jobs store outputs under the runtime's `MaxOutputLen` instead.
pub type Unbounded = ConstU32<{ u32::MAX }>;

/// A successful result, in the encoding jobs report on chain. One type from the node's
/// engine to storage, the runtime API and JSON-RPC; `S` bounds its vectors (storage uses
/// the runtime's `MaxOutputLen`, the rest [`Unbounded`]).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(S))]
#[codec(mel_bound(S: Get<u32>))]
pub enum InferenceOutput<S: Get<u32> = Unbounded> {
	/// The L2-normalised embedding, each component `round(127 · x)`.
	Embedding(BoundedVec<i8, S>),
	/// The predicted class label id.
	Label(u32),
	/// Generated UTF-8 text.
	Text(BoundedVec<u8, S>),
}

impl InferenceOutput {
	/// An embedding result.
	pub fn embedding(values: Vec<i8>) -> Self {
		InferenceOutput::Embedding(BoundedVec::truncate_from(values))
	}

	/// A text result.
	pub fn text(text: Vec<u8>) -> Self {
		InferenceOutput::Text(BoundedVec::truncate_from(text))
	}
}

impl<S: Get<u32>> InferenceOutput<S> {
	/// Which kind of answer this is.
	pub fn kind(&self) -> OutputKind {
		match self {
			InferenceOutput::Embedding(_) => OutputKind::Embedding,
			InferenceOutput::Label(_) => OutputKind::Label,
			InferenceOutput::Text(_) => OutputKind::Text,
		}
	}

	/// Whether a model of `task` gives this kind of answer.
	pub fn answers(&self, task: TaskKind) -> bool {
		self.kind() == task.output_kind()
	}

	/// The same output under bound `B`, or `None` if it is longer than `B` allows.
	pub fn rebound<B: Get<u32>>(self) -> Option<InferenceOutput<B>> {
		Some(match self {
			InferenceOutput::Embedding(values) =>
				InferenceOutput::Embedding(BoundedVec::try_from(values.into_inner()).ok()?),
			InferenceOutput::Label(label) => InferenceOutput::Label(label),
			InferenceOutput::Text(text) => InferenceOutput::Text(BoundedVec::try_from(text.into_inner()).ok()?),
		})
	}

	/// The same output without a bound.
	pub fn unbounded(self) -> InferenceOutput {
		match self {
			InferenceOutput::Embedding(values) => InferenceOutput::embedding(values.into_inner()),
			InferenceOutput::Label(label) => InferenceOutput::Label(label),
			InferenceOutput::Text(text) => InferenceOutput::text(text.into_inner()),
		}
	}
}

/// In JSON: `{"kind": "embedding", "values": [12, -7]}`, `{"kind": "label", "label": 3}`
/// or `{"kind": "text", "text": "…"}` (lossy UTF-8).
#[cfg(feature = "std")]
impl<S: Get<u32>> serde::Serialize for InferenceOutput<S> {
	fn serialize<Ser: serde::Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
		use serde::ser::SerializeStruct;
		let mut json = serializer.serialize_struct("InferenceOutput", 2)?;
		match self {
			InferenceOutput::Embedding(values) => {
				json.serialize_field("kind", "embedding")?;
				json.serialize_field("values", values.as_slice())?;
			},
			InferenceOutput::Label(label) => {
				json.serialize_field("kind", "label")?;
				json.serialize_field("label", label)?;
			},
			InferenceOutput::Text(text) => {
				json.serialize_field("kind", "text")?;
				json.serialize_field("text", &String::from_utf8_lossy(text))?;
			},
		}
		json.end()
	}
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

/// Whether a node holds a model version's artifacts, verified against their digests.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Readiness {
	/// Every artifact is in the store and matches its digest: the version can run now.
	Ready,
	/// Being fetched: `received` of at most `total` bytes so far.
	Fetching { received: u64, total: u64 },
	/// The last attempt failed for this reason (retried later, after a back-off).
	Failed(InferenceFailure),
}

/// The inference service's answer: one result per input, in order.
pub type InferenceResponse = Vec<Result<InferenceOutput, InferenceFailure>>;
