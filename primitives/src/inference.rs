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

/// HTTP path at which the off-chain worker asks its node to verify a claimed generation
/// with one teacher-forced pass: the body is a SCALE-encoded [`VerificationRequest`], the
/// answer a SCALE-encoded `Result<VerificationEvidence, InferenceFailure>`.
pub const VERIFY_PATH: &str = "/v1/verify";

/// Inputs to run through one model version, as one batch.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct InferenceRequest {
	/// The model version to run, as the registry records it (its task decides the output
	/// kind: [`TaskKind::output_kind`]).
	pub model: ArtifactRef,
	/// The jobs' inputs (UTF-8 text), answered in order.
	pub inputs: Vec<Vec<u8>>,
	/// How to decode, for text generation (required by generation models, ignored by the
	/// others).
	pub generation: Option<GenerationSettings>,
}

/// Largest `max_new_tokens` the node's engine accepts, whatever the chain allows.
pub const MAX_NEW_TOKENS: u32 = 1024;

/// How a text-generation job decodes. Decoding is a pure function of the model, the prompt
/// and these settings, so any worker can reproduce or check it:
///
/// - `temperature == 0`: greedy: each token is the top-1 of the logits (the lowest id on
///   an exact tie).
/// - otherwise seeded sampling by the Gumbel-max rule: each token is the top-1 of
///   `logits / temperature + g`, where `g` is standard Gumbel noise drawn per position and
///   vocabulary entry from ChaCha8 keyed by `sha256(seed ‖ position as u32 LE)`. That samples from
///   `softmax(logits / temperature)` and turns sampling into greedy decoding over perturbed
///   scores, which a verifier checks like greedy decoding.
///
/// Generation stops after `max_new_tokens` tokens or at the model's end-of-turn token
/// (included in the tokens, left out of the text).
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize), serde(rename_all = "camelCase"))]
pub struct GenerationSettings {
	/// Most tokens generated.
	pub max_new_tokens: u32,
	/// Sampling temperature in thousandths (1000 = 1.0); 0 is greedy.
	pub temperature: u16,
	/// Seed of the sampling noise, from the chain.
	#[cfg_attr(feature = "std", serde(with = "crate::json::hex"))]
	pub seed: [u8; 32],
}

/// Resolution of the scores in generation outputs and verification evidence: a logit
/// difference `x` is recorded as `round(x · SCORE_STEPS)`, saturated to `0..=255`
/// (1/16 logit per step, up to 16 logits).
pub const SCORE_STEPS: f32 = 16.0;

/// `x` (≥ 0, in logits) at [`SCORE_STEPS`] resolution.
pub fn quantize_score(x: f32) -> u8 {
	let scaled = x * SCORE_STEPS;
	if scaled.is_nan() || scaled >= 254.5 {
		u8::MAX
	} else if scaled <= 0.0 {
		0
	} else {
		// Round half up (`f32::round` is not in `core`).
		(scaled + 0.5) as u8
	}
}

/// A claimed generation to verify: the job's prompt and settings, and the generator's
/// output.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct VerificationRequest {
	/// The model version the job runs.
	pub model: ArtifactRef,
	/// The job's prompt.
	pub prompt: Vec<u8>,
	/// The job's decoding settings.
	pub settings: GenerationSettings,
	/// The claimed [`InferenceOutput::Text`].
	pub claimed: InferenceOutput,
}

/// What a verifier's single teacher-forced pass over prompt + claimed tokens shows, one
/// entry per claimed token, scores quantized by [`quantize_score`] on the decoding's scores
/// (the logits, or the perturbed scores of seeded sampling):
///
/// - `deficits[i]`: how far the claimed token's score is below the best score (0 when it is
///   the verifier's top-1);
/// - `margins[i]`: the best score minus the second best (the generator reports the same in
///   its output; a different model or quantization shows up here first);
/// - `surprises[i]`: `−log p(claimed token)` under the softmax of the scores, which the
///   generator does not publish: a verifier cannot produce it without running the pass.
///
/// `well_formed` is false when the claim is not a possible generation at all: more than
/// `max_new_tokens` tokens, an end-of-turn token before the last, a stop before
/// `max_new_tokens` without one, or a text that is not the tokens' decoding.
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
pub struct VerificationEvidence<S: Get<u32> = Unbounded> {
	/// Whether the claim is a possible generation (see above).
	pub well_formed: bool,
	/// Per claimed token: best score minus the token's score.
	pub deficits: BoundedVec<u8, S>,
	/// Per claimed token: best score minus the second best.
	pub margins: BoundedVec<u8, S>,
	/// Per claimed token: its negative log-probability.
	pub surprises: BoundedVec<u8, S>,
}

impl<S: Get<u32>> VerificationEvidence<S> {
	/// The same evidence under bound `B`, or `None` if it is longer than `B` allows.
	pub fn rebound<B: Get<u32>>(self) -> Option<VerificationEvidence<B>> {
		Some(VerificationEvidence {
			well_formed: self.well_formed,
			deficits: BoundedVec::try_from(self.deficits.into_inner()).ok()?,
			margins: BoundedVec::try_from(self.margins.into_inner()).ok()?,
			surprises: BoundedVec::try_from(self.surprises.into_inner()).ok()?,
		})
	}
}

/// When verification evidence accepts a generation, in steps of 1/16 logit (the runtime's
/// values and why: `docs/verification.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerificationThresholds {
	/// Most a claimed token may be below the verifier's best score.
	pub max_deficit: u8,
	/// Most the verifier's and the generator's margins may differ at any token.
	pub margin_tolerance: u8,
	/// Most they may differ on average over the tokens.
	pub mean_margin_tolerance: u8,
}

impl<S: Get<u32>> VerificationEvidence<S> {
	/// Whether this evidence accepts a generation whose generator reported `claimed_margins`:
	/// the claim is well formed; at every token the claimed token is within `max_deficit`
	/// of the verifier's best score and the two margins differ by at most
	/// `margin_tolerance`; and the margins differ by at most `mean_margin_tolerance` on
	/// average. The per-token bounds catch a token the model would not pick; the average
	/// catches a different model whose every margin moves a little.
	pub fn accepts(&self, claimed_margins: &[u8], thresholds: &VerificationThresholds) -> bool {
		let gaps = || self.margins.iter().zip(claimed_margins).map(|(a, b)| a.abs_diff(*b));
		let total_gap: u32 = gaps().map(u32::from).sum();
		self.well_formed &&
			self.deficits.len() == claimed_margins.len() &&
			self.margins.len() == claimed_margins.len() &&
			self.deficits.iter().all(|deficit| *deficit <= thresholds.max_deficit) &&
			gaps().all(|gap| gap <= thresholds.margin_tolerance) &&
			total_gap <= u32::from(thresholds.mean_margin_tolerance) * claimed_margins.len() as u32
	}
}

/// In JSON: `{"wellFormed": true, "deficits": […], "margins": […], "surprises": […]}`.
#[cfg(feature = "std")]
impl<S: Get<u32>> serde::Serialize for VerificationEvidence<S> {
	fn serialize<Ser: serde::Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
		use serde::ser::SerializeStruct;
		let mut json = serializer.serialize_struct("VerificationEvidence", 4)?;
		json.serialize_field("wellFormed", &self.well_formed)?;
		json.serialize_field("deficits", self.deficits.as_slice())?;
		json.serialize_field("margins", self.margins.as_slice())?;
		json.serialize_field("surprises", self.surprises.as_slice())?;
		json.end()
	}
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
	/// Generated text: its UTF-8 `text`, the `tokens` it decodes from (ending with the
	/// model's end-of-turn token when generation stopped early) and, per token, the
	/// generator's top-1 `margins` (best score minus second best, [`quantize_score`]d): the
	/// fingerprint of its computation that verifiers compare theirs with.
	Text { text: BoundedVec<u8, S>, tokens: BoundedVec<u32, S>, margins: BoundedVec<u8, S> },
}

impl InferenceOutput {
	/// An embedding result.
	pub fn embedding(values: Vec<i8>) -> Self {
		InferenceOutput::Embedding(BoundedVec::truncate_from(values))
	}

	/// A generated text with its tokens and margins.
	pub fn text(text: Vec<u8>, tokens: Vec<u32>, margins: Vec<u8>) -> Self {
		InferenceOutput::Text {
			text: BoundedVec::truncate_from(text),
			tokens: BoundedVec::truncate_from(tokens),
			margins: BoundedVec::truncate_from(margins),
		}
	}
}

impl<S: Get<u32>> InferenceOutput<S> {
	/// Which kind of answer this is.
	pub fn kind(&self) -> OutputKind {
		match self {
			InferenceOutput::Embedding(_) => OutputKind::Embedding,
			InferenceOutput::Label(_) => OutputKind::Label,
			InferenceOutput::Text { .. } => OutputKind::Text,
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
			InferenceOutput::Text { text, tokens, margins } => InferenceOutput::Text {
				text: BoundedVec::try_from(text.into_inner()).ok()?,
				tokens: BoundedVec::try_from(tokens.into_inner()).ok()?,
				margins: BoundedVec::try_from(margins.into_inner()).ok()?,
			},
		})
	}

	/// The same output without a bound.
	pub fn unbounded(self) -> InferenceOutput {
		match self {
			InferenceOutput::Embedding(values) => InferenceOutput::embedding(values.into_inner()),
			InferenceOutput::Label(label) => InferenceOutput::Label(label),
			InferenceOutput::Text { text, tokens, margins } =>
				InferenceOutput::text(text.into_inner(), tokens.into_inner(), margins.into_inner()),
		}
	}
}

/// In JSON: `{"kind": "embedding", "values": [12, -7]}`, `{"kind": "label", "label": 3}`
/// or `{"kind": "text", "text": "…", "tokenCount": 12, "tokens": […], "margins": […]}`
/// (text as lossy UTF-8).
#[cfg(feature = "std")]
impl<S: Get<u32>> serde::Serialize for InferenceOutput<S> {
	fn serialize<Ser: serde::Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
		use serde::ser::SerializeStruct;
		let mut json = serializer.serialize_struct("InferenceOutput", 5)?;
		match self {
			InferenceOutput::Embedding(values) => {
				json.serialize_field("kind", "embedding")?;
				json.serialize_field("values", values.as_slice())?;
			},
			InferenceOutput::Label(label) => {
				json.serialize_field("kind", "label")?;
				json.serialize_field("label", label)?;
			},
			InferenceOutput::Text { text, tokens, margins } => {
				json.serialize_field("kind", "text")?;
				json.serialize_field("text", &String::from_utf8_lossy(text))?;
				json.serialize_field("tokenCount", &tokens.len())?;
				json.serialize_field("tokens", tokens.as_slice())?;
				json.serialize_field("margins", margins.as_slice())?;
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

#[cfg(test)]
mod tests {
	use super::*;

	fn evidence(deficits: &[u8], margins: &[u8]) -> VerificationEvidence {
		VerificationEvidence {
			well_formed: true,
			deficits: BoundedVec::truncate_from(deficits.to_vec()),
			margins: BoundedVec::truncate_from(margins.to_vec()),
			surprises: BoundedVec::truncate_from(vec![0; deficits.len()]),
		}
	}

	const THRESHOLDS: VerificationThresholds =
		VerificationThresholds { max_deficit: 16, margin_tolerance: 16, mean_margin_tolerance: 4 };

	#[test]
	fn evidence_accepts_within_every_threshold_only() {
		assert!(evidence(&[0, 3, 0], &[40, 9, 120]).accepts(&[40, 9, 120], &THRESHOLDS));
		// A token 17 steps below the best.
		assert!(!evidence(&[0, 17, 0], &[40, 9, 120]).accepts(&[40, 9, 120], &THRESHOLDS));
		// One margin 17 steps away.
		assert!(!evidence(&[0, 0, 0], &[40, 26, 120]).accepts(&[40, 9, 120], &THRESHOLDS));
		// Every margin 10 steps away: each within 16, on average above 4.
		assert!(!evidence(&[0, 0, 0], &[50, 19, 110]).accepts(&[40, 9, 120], &THRESHOLDS));
		// On average exactly 4: accepted.
		assert!(evidence(&[0, 0, 0], &[52, 9, 120]).accepts(&[40, 9, 120], &THRESHOLDS));
		// Lengths that do not match the claim, or an ill-formed claim.
		assert!(!evidence(&[0, 0], &[40, 9]).accepts(&[40, 9, 120], &THRESHOLDS));
		let mut ill_formed = evidence(&[0, 0, 0], &[40, 9, 120]);
		ill_formed.well_formed = false;
		assert!(!ill_formed.accepts(&[40, 9, 120], &THRESHOLDS));
	}
}
