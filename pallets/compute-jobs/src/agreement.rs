//! When two results agree, and which results form the majority.
//!
//! ML outputs differ slightly across machines (thread counts, SIMD paths, float
//! summation order), so agreement is per output kind:
//!
//! - **Embeddings** (i8-quantized, same length): agree when their cosine similarity is at
//!   least `threshold`. Computed exactly in integers: with `d = a·b`, `n = |a|²·|b|²`, they
//!   agree iff `d > 0` and `d² · 10¹² ≥ θ² · n` where `θ` is the threshold in parts per
//!   million. Cost: O(dims) multiply-adds per pair, O(replicas² · dims) per job.
//! - **Labels**: agree when equal.
//! - **Text** (generation replicated on every worker): agree when text and tokens are
//!   identical and, at every token, the two generators' top-1 margins differ by at most
//!   `GenerationMarginTolerance` steps of 1/16 logit. Decoding is a pure function of model,
//!   prompt and seed, so honest replicas produce the same tokens; the margins are the
//!   fingerprint of the computation behind them, and a different model or quantization
//!   that happens to pick the same tokens still moves them.
//!
//! - **Verification evidence** (verifiers of a verified generation, [`crate::verification`]):
//!   agree when both call the claim well formed or both do not, and at every token their
//!   deficits, margins and surprises differ by at most `GenerationMarginTolerance` steps.
//!
//! - **Failure reports** agree with each other when their reasons are equal, and never with
//!   an output.
//!
//! The majority cluster is the largest set of verdicts that agree with one member (its
//! representative); it must hold more than half of the assigned replicas.

use crate::{Config, JobOutput, Verdict};
use infera_primitives::inference::{InferenceOutput, VerificationEvidence};
use alloc::vec::Vec;
use frame_support::traits::Get;
use sp_runtime::Permill;

/// Whether two embeddings have cosine similarity ≥ `threshold`, in exact integer arithmetic.
pub fn embeddings_agree(a: &[i8], b: &[i8], threshold: Permill) -> bool {
	if a.len() != b.len() || a.is_empty() {
		return false;
	}
	let (mut dot, mut norm_a, mut norm_b) = (0i64, 0i64, 0i64);
	for (x, y) in a.iter().zip(b) {
		let (x, y) = (i64::from(*x), i64::from(*y));
		dot += x * y;
		norm_a += x * x;
		norm_b += y * y;
	}
	if dot <= 0 || norm_a == 0 || norm_b == 0 {
		return false;
	}
	let theta = u128::from(threshold.deconstruct());
	let dot = dot as u128;
	// dot ≤ 127² · MaxOutputLen, so dot² · 10¹² stays far below u128::MAX.
	dot * dot * 1_000_000_000_000 >= theta * theta * (norm_a as u128) * (norm_b as u128)
}

/// Whether two per-token margin lists have the same length and differ by at most
/// `tolerance` at every token.
pub fn margins_agree(a: &[u8], b: &[u8], tolerance: u8) -> bool {
	a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.abs_diff(*y) <= tolerance)
}

/// Whether two results agree under the rules above.
pub fn outputs_agree<T: Config>(a: &JobOutput<T>, b: &JobOutput<T>, threshold: Permill) -> bool {
	match (a, b) {
		(InferenceOutput::Embedding(a), InferenceOutput::Embedding(b)) => embeddings_agree(a, b, threshold),
		(InferenceOutput::Label(a), InferenceOutput::Label(b)) => a == b,
		(
			InferenceOutput::Text { text: text_a, tokens: tokens_a, margins: margins_a },
			InferenceOutput::Text { text: text_b, tokens: tokens_b, margins: margins_b },
		) =>
			text_a == text_b &&
				tokens_a == tokens_b &&
				margins_agree(margins_a, margins_b, T::GenerationMarginTolerance::get()),
		_ => false,
	}
}

/// Whether two verifiers' evidence agrees under the rule above.
pub fn evidence_agrees<S: Get<u32>>(a: &VerificationEvidence<S>, b: &VerificationEvidence<S>, tolerance: u8) -> bool {
	a.well_formed == b.well_formed &&
		margins_agree(&a.deficits, &b.deficits, tolerance) &&
		margins_agree(&a.margins, &b.margins, tolerance) &&
		margins_agree(&a.surprises, &b.surprises, tolerance)
}

/// Whether two verdicts agree: outputs and evidence under the rules above, failures by
/// reason.
pub fn verdicts_agree<T: Config>(a: &Verdict<T>, b: &Verdict<T>, threshold: Permill) -> bool {
	match (a, b) {
		(Verdict::Output(a), Verdict::Output(b)) => outputs_agree::<T>(a, b, threshold),
		(Verdict::Evidence(a), Verdict::Evidence(b)) =>
			evidence_agrees(a, b, T::GenerationMarginTolerance::get()),
		(Verdict::Failure(a), Verdict::Failure(b)) => a == b,
		_ => false,
	}
}

/// The indices (into `outputs`) of the largest agreeing cluster and its representative,
/// if it holds more than half of `replicas`. `outputs[i]` is `None` for a worker that did
/// not reveal. Ties go to the cluster whose representative comes first (lowest index).
pub fn majority<T: Config>(
	outputs: &[Option<&Verdict<T>>],
	replicas: u32,
	threshold: Permill,
) -> Option<(usize, Vec<usize>)> {
	let mut best: Option<(usize, Vec<usize>)> = None;
	for (i, candidate) in outputs.iter().enumerate() {
		let Some(candidate) = candidate else { continue };
		let cluster: Vec<usize> = outputs
			.iter()
			.enumerate()
			.filter(|(_, other)| {
				other.is_some_and(|other| verdicts_agree::<T>(candidate, other, threshold))
			})
			.map(|(j, _)| j)
			.collect();
		if best.as_ref().map_or(true, |(_, members)| cluster.len() > members.len()) {
			best = Some((i, cluster));
		}
	}
	best.filter(|(_, members)| (members.len() as u32) * 2 > replicas)
}
