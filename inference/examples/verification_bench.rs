//! Verification of SmolLM2-135M-Instruct generations over many prompts: how often honest
//! generations are accepted and tampered tokens, another quantization (every Q4_1 tensor
//! requantized to Q4_0) and another model (blocks 10 and 11 exchanged) are rejected, the
//! honest noise the thresholds must tolerate, and verification time / generation time.
//! Prints one JSON report. Run by `bench/verification.sh`.
//!
//! The generator and the verifier are separate instances, as on separate nodes, each with
//! its own prefix cache; the honest generation and its verification are also timed on a
//! second pair without one, every prompt run in full (`cold` in the report).
//!
//! `verification_bench <model.gguf> <prompts> <max_new_tokens>`

use candle_core::quantized::GgmlDType;
use infera_inference::{
	generation::{Generation, TextGenerator},
	variants::write_variant,
};
use infera_primitives::inference::{GenerationSettings, VerificationEvidence, VerificationThresholds};
use std::{path::Path, time::Instant};

/// The chain's thresholds (runtime `GenerationMaxDeficit`, `GenerationMarginTolerance`,
/// `GenerationMeanMarginTolerance`).
const THRESHOLDS: VerificationThresholds =
	VerificationThresholds { max_deficit: 16, margin_tolerance: 16, mean_margin_tolerance: 4 };

const SUBJECTS: [&str; 25] = [
	"the sea", "a cat", "the moon", "coffee", "a library", "rain", "the internet", "a bicycle",
	"mountains", "music", "a garden", "winter", "the sun", "a train", "bread", "friendship",
	"a river", "computers", "the city", "books", "a forest", "chess", "the ocean floor", "tea",
	"a volcano",
];
const TEMPLATES: [&str; 4] = [
	"Write one sentence about {}.",
	"What is {}?",
	"Give me a fun fact about {}.",
	"Describe {} in a few words.",
];

/// Verdicts on one kind of claim, and per claim the mean |claimed − verified margin| in
/// steps of 1/16 logit (what an aggregate margin rule would test).
#[derive(Default)]
struct Tally {
	trials: u32,
	rejected: u32,
	mean_gaps: Vec<f64>,
	accepted_mean_gaps: Vec<f64>,
}

impl Tally {
	fn add(&mut self, (rejected, mean_gap): (bool, f64)) {
		self.trials += 1;
		self.rejected += u32::from(rejected);
		self.mean_gaps.push(mean_gap);
		if !rejected {
			self.accepted_mean_gaps.push(mean_gap);
		}
	}

	fn json(&self) -> serde_json::Value {
		let least = self.mean_gaps.iter().copied().fold(f64::INFINITY, f64::min);
		let most = self.mean_gaps.iter().copied().fold(0f64, f64::max);
		serde_json::json!({
			"trials": self.trials,
			"rejected": self.rejected,
			"meanMarginGap": { "least": least, "most": most },
			"acceptedMeanMarginGaps": self.accepted_mean_gaps,
		})
	}
}

fn mean_gap(evidence: &VerificationEvidence, claimed: &[u8]) -> f64 {
	let total: u32 = evidence.margins.iter().zip(claimed).map(|(a, b)| u32::from(a.abs_diff(*b))).sum();
	f64::from(total) / claimed.len().max(1) as f64
}

fn main() {
	let args: Vec<String> = std::env::args().collect();
	let source = Path::new(&args[1]);
	let count: usize = args.get(2).map_or(100, |n| n.parse().unwrap());
	let max_new_tokens: u32 = args.get(3).map_or(16, |n| n.parse().unwrap());
	let dir = std::env::temp_dir().join(format!("infera-verification-{}", std::process::id()));
	std::fs::create_dir_all(&dir).unwrap();
	let (q4_0, blocks) = (dir.join("q4_0.gguf"), dir.join("blocks.gguf"));
	write_variant(source, &q4_0, GgmlDType::Q4_0, None).unwrap();
	write_variant(source, &blocks, GgmlDType::Q4_1, Some((10, 11))).unwrap();
	let load = |path: &Path| TextGenerator::load(path).unwrap();
	let (generator, honest) = (load(source), load(source));
	let (cold_generator, cold_verifier) = (load(source).with_prefix_cache(0), load(source).with_prefix_cache(0));
	let (requantized, exchanged) = (load(&q4_0), load(&blocks));
	std::fs::remove_dir_all(&dir).ok();

	let prompts: Vec<String> = (0..count)
		.map(|i| TEMPLATES[i % TEMPLATES.len()].replace("{}", SUBJECTS[(i / TEMPLATES.len()) % SUBJECTS.len()]))
		.collect();
	let (mut honest_tally, mut tampered, mut quantization, mut model) =
		(Tally::default(), Tally::default(), Tally::default(), Tally::default());
	let (mut worst_deficit, mut worst_margin_gap) = (0u8, 0u8);
	let (mut generation_seconds, mut verification_seconds, mut tokens) = (0f64, 0f64, 0usize);
	let (mut cold_generation_seconds, mut cold_verification_seconds) = (0f64, 0f64);
	// Prompt positions the timed verifications took from the verifier's cache (it also
	// re-verifies each prompt for the tampered and swapped claims, untimed).
	let mut timed_verifier_reuse = 0;
	let verdict = |prompt: &str, settings: &GenerationSettings, claim: &Generation| -> (bool, f64, VerificationEvidence) {
		let evidence = honest.verify(prompt, settings, &claim.clone().into_output()).unwrap();
		let rejected = !evidence.accepts(&claim.margins, &THRESHOLDS);
		(rejected, mean_gap(&evidence, &claim.margins), evidence)
	};
	let tally = |outcome: (bool, f64, VerificationEvidence)| (outcome.0, outcome.1);
	for (index, prompt) in prompts.iter().enumerate() {
		// Half greedy, half sampled at temperature 0.7 with a per-prompt seed.
		let settings = GenerationSettings {
			max_new_tokens,
			temperature: if index % 2 == 0 { 0 } else { 700 },
			seed: [index as u8; 32],
		};
		let started = Instant::now();
		let claim = generator.generate(prompt, &settings).unwrap();
		generation_seconds += started.elapsed().as_secs_f64();
		tokens += claim.tokens.len();
		let (started, reused_before) = (Instant::now(), honest.reused_prompt_positions());
		let (rejected, gap, evidence) = verdict(prompt, &settings, &claim);
		verification_seconds += started.elapsed().as_secs_f64();
		timed_verifier_reuse += honest.reused_prompt_positions() - reused_before;
		honest_tally.add((rejected, gap));
		let started = Instant::now();
		let cold_claim = cold_generator.generate(prompt, &settings).unwrap();
		cold_generation_seconds += started.elapsed().as_secs_f64();
		let started = Instant::now();
		let cold_evidence = cold_verifier.verify(prompt, &settings, &cold_claim.clone().into_output()).unwrap();
		cold_verification_seconds += started.elapsed().as_secs_f64();
		assert_eq!((&cold_claim, &cold_evidence), (&claim, &evidence), "the prefix cache changed a bit");
		worst_deficit = worst_deficit.max(evidence.deficits.iter().copied().max().unwrap_or(0));
		let gap = evidence.margins.iter().zip(&claim.margins).map(|(a, b)| a.abs_diff(*b)).max().unwrap_or(0);
		worst_margin_gap = worst_margin_gap.max(gap);
		// A random position's token replaced by another vocabulary entry.
		let mut forged = claim.clone();
		let at = index % forged.tokens.len();
		forged.tokens[at] = (forged.tokens[at] + 1 + (index as u32 * 7919) % 40_000) % 49_152;
		if forged.tokens[at] == honest.tokenizer().end_of_turn {
			forged.tokens[at] += 1;
		}
		forged.text = honest.tokenizer().decode(forged.tokens.strip_suffix(&[honest.tokenizer().end_of_turn]).unwrap_or(&forged.tokens)).unwrap();
		tampered.add(tally(verdict(prompt, &settings, &forged)));
		quantization.add(tally(verdict(prompt, &settings, &requantized.generate(prompt, &settings).unwrap())));
		model.add(tally(verdict(prompt, &settings, &exchanged.generate(prompt, &settings).unwrap())));
		eprintln!(
			"{}/{count}: honest rejected {}, tampered rejected {}/{}, other quantization rejected {}/{}, other model rejected {}/{}; worst honest deficit {worst_deficit}, margin gap {worst_margin_gap}; verification/generation {:.2} (every prompt in full {:.2})",
			index + 1,
			honest_tally.rejected,
			tampered.rejected,
			tampered.trials,
			quantization.rejected,
			quantization.trials,
			model.rejected,
			model.trials,
			verification_seconds / generation_seconds,
			cold_verification_seconds / cold_generation_seconds,
		);
	}
	let report = serde_json::json!({
		"prompts": count,
		"maxNewTokens": max_new_tokens,
		"thresholds": {
			"maxDeficit": THRESHOLDS.max_deficit,
			"marginTolerance": THRESHOLDS.margin_tolerance,
			"meanMarginTolerance": THRESHOLDS.mean_margin_tolerance,
			"steps": "1/16 logit",
		},
		"kernels": infera_inference::kernels::Isa::best().name(),
		"promptPositionsReused": { "generator": generator.reused_prompt_positions(), "timedVerifications": timed_verifier_reuse },
		"honest": honest_tally.json(),
		"honestWorstDeficit": worst_deficit,
		"honestWorstMarginGap": worst_margin_gap,
		"tamperedToken": tampered.json(),
		"otherQuantization": quantization.json(),
		"otherModel": model.json(),
		"generatedTokens": tokens,
		"generationSeconds": generation_seconds,
		"verificationSeconds": verification_seconds,
		"verificationOverGeneration": verification_seconds / generation_seconds,
		"cold": {
			"generationSeconds": cold_generation_seconds,
			"verificationSeconds": cold_verification_seconds,
			"verificationOverGeneration": cold_verification_seconds / cold_generation_seconds,
		},
	});
	println!("{}", serde_json::to_string_pretty(&report).unwrap());
}
