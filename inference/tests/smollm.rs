//! SmolLM2-135M-Instruct (Q4_1 GGUF, fetched and verified by scripts/setup): generation is
//! reproducible, and one teacher-forced verification pass accepts honest generations and
//! rejects tampered tokens, another quantization of the same model and another model.
//!
//! The swapped models are written here from the real file: every Q4_1 tensor requantized
//! to Q4_0 (another quantization), and the same with two transformer blocks exchanged
//! (another model of the same shape).

use candle_core::quantized::GgmlDType;
use infera_inference::{
	generation::{Generation, TextGenerator},
	variants::write_variant,
};
use infera_primitives::inference::{GenerationSettings, InferenceOutput, VerificationThresholds};
use std::path::{Path, PathBuf};

/// The verification thresholds the chain uses (`docs/verification.md`), in 1/16 logit.
const THRESHOLDS: VerificationThresholds =
	VerificationThresholds { max_deficit: 16, margin_tolerance: 16, mean_margin_tolerance: 4 };

fn model_path() -> PathBuf {
	let models = std::env::var_os("INFERA_MODELS")
		.map(PathBuf::from)
		.unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/infera/models"));
	let path = models.join("SmolLM2-135M-Instruct/model.gguf");
	assert!(path.exists(), "{} is missing: run scripts/setup", path.display());
	path
}

fn load(path: &Path) -> TextGenerator {
	TextGenerator::load(path).unwrap()
}

fn greedy(max_new_tokens: u32) -> GenerationSettings {
	GenerationSettings { max_new_tokens, temperature: 0, seed: [0; 32] }
}

const PROMPTS: [&str; 6] = [
	"What is the capital of France?",
	"Name three primary colours.",
	"Write one sentence about the sea.",
	r#"[{"role": "system", "content": "You answer in one word."}, {"role": "user", "content": "Is water wet?"}]"#,
	"What is 12 plus 30?",
	"Give a synonym for happy.",
];

fn accepted(verifier: &TextGenerator, prompt: &str, settings: &GenerationSettings, claim: &Generation) -> bool {
	let evidence = verifier.verify(prompt, settings, &claim.clone().into_output()).unwrap();
	evidence.accepts(&claim.margins, &THRESHOLDS)
}

#[test]
fn greedy_replies_are_the_recorded_ones() {
	let model = load(&model_path());
	let reply = model.generate(PROMPTS[0], &greedy(12)).unwrap();
	assert_eq!(reply.tokens, RECORDED_FRANCE);
	assert_eq!(reply.text, "L'Étoile, la Cité, la France");
	// The chat template: SmolLM2's default system message, then the user's turn.
	assert_eq!(reply.prompt_tokens, 37);
}

/// Recorded once from this engine (see the note in `docs/verification.md` on the
/// cross-check with llama.cpp).
const RECORDED_FRANCE: [u32; 12] = [60, 23, 39614, 1141, 552, 28, 2618, 12693, 2756, 28, 2618, 4649];

#[test]
fn decoding_is_the_same_on_one_and_two_threads() {
	let model = load(&model_path());
	let run = |threads: usize, settings: &GenerationSettings| {
		let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
		pool.install(|| {
			let generation = model.generate(PROMPTS[2], settings).unwrap();
			let evidence = model.verify(PROMPTS[2], settings, &generation.clone().into_output()).unwrap();
			(generation, evidence)
		})
	};
	for settings in [greedy(24), GenerationSettings { max_new_tokens: 24, temperature: 800, seed: [9; 32] }] {
		let (one, one_evidence) = run(1, &settings);
		let (two, two_evidence) = run(2, &settings);
		let (again, _) = run(2, &settings);
		assert_eq!(one, two, "1 vs 2 threads");
		assert_eq!(two, again, "repeated runs");
		assert_eq!(one_evidence, two_evidence, "verification on 1 vs 2 threads");
	}
}

#[test]
fn verification_accepts_honest_generations_and_rejects_tampering_and_swapped_models() {
	let path = model_path();
	let honest = load(&path);
	let dir = tempfile::tempdir().unwrap();
	let q4_0 = dir.path().join("q4_0.gguf");
	write_variant(&path, &q4_0, GgmlDType::Q4_0, None).unwrap();
	let swapped_blocks = dir.path().join("swapped.gguf");
	write_variant(&path, &swapped_blocks, GgmlDType::Q4_1, Some((10, 11))).unwrap();
	let others = [("Q4_0 requantization", load(&q4_0)), ("blocks 10 and 11 exchanged", load(&swapped_blocks))];
	for (index, prompt) in PROMPTS.iter().enumerate() {
		let settings = match index % 2 {
			0 => greedy(16),
			_ => GenerationSettings { max_new_tokens: 16, temperature: 700, seed: [index as u8; 32] },
		};
		let claim = honest.generate(prompt, &settings).unwrap();
		assert!(accepted(&honest, prompt, &settings, &claim), "honest {prompt:?}");
		// One token replaced by another.
		let mut tampered = claim.clone();
		let at = tampered.tokens.len() / 2;
		tampered.tokens[at] = if tampered.tokens[at] == 1000 { 1001 } else { 1000 };
		tampered.text = honest.tokenizer().decode(&tampered.tokens).unwrap();
		assert!(!accepted(&honest, prompt, &settings, &tampered), "tampered {prompt:?}");
		// Text that is not the tokens' decoding.
		let mut relabelled = claim.clone();
		relabelled.text.push_str(" (edited)");
		assert!(!accepted(&honest, prompt, &settings, &relabelled), "edited text {prompt:?}");
		for (what, other) in &others {
			let claim = other.generate(prompt, &settings).unwrap();
			assert!(!accepted(&honest, prompt, &settings, &claim), "{what} accepted for {prompt:?}");
		}
	}
	// Q4_0 layers run on candle, whose results may depend on the rows of a pass: no prefix
	// cache. The other model runs on Infera's kernels and reuses its prompts' starts.
	assert_eq!(others[0].1.reused_prompt_positions(), 0);
	assert!(others[1].1.reused_prompt_positions() > 0);
}

#[test]
fn malformed_claims_are_not_well_formed() {
	let model = load(&model_path());
	let settings = greedy(4);
	let claim = model.generate(PROMPTS[0], &settings).unwrap();
	let verify = |output: InferenceOutput| model.verify(PROMPTS[0], &settings, &output).unwrap().well_formed;
	assert!(verify(claim.clone().into_output()));
	// Too many tokens, a stop before the bound without end-of-turn, a token outside the
	// vocabulary, margins missing, or not a text at all.
	let mut longer = claim.clone();
	longer.tokens.push(5);
	longer.margins.push(0);
	assert!(!verify(longer.into_output()));
	let mut short = claim.clone();
	short.tokens.pop();
	short.margins.pop();
	short.text = model.tokenizer().decode(&short.tokens).unwrap();
	assert!(!verify(short.into_output()));
	let mut outside = claim.clone();
	outside.tokens[0] = 1 << 20;
	assert!(!verify(outside.into_output()));
	let mut no_margins = claim;
	no_margins.margins.clear();
	assert!(!verify(no_margins.into_output()));
	assert!(!verify(InferenceOutput::Label(3)));
}

/// Decoding token by token and verifying all tokens in one pass compute the same numbers:
/// an honest generation's evidence has no deficit and exactly the claimed margins, on
/// every kernel this CPU has.
#[test]
fn verification_reproduces_the_generators_numbers_on_every_kernel() {
	use infera_inference::kernels::Isa;
	let model = load(&model_path());
	let mut per_kernel = Vec::new();
	for isa in Isa::available() {
		Isa::choose(isa).unwrap();
		let mut generations = Vec::new();
		for (index, prompt) in PROMPTS.iter().enumerate().take(3) {
			let temperature = if index % 2 == 0 { 0 } else { 700 };
			let settings = GenerationSettings { max_new_tokens: 20, temperature, seed: [3; 32] };
			let claim = model.generate(prompt, &settings).unwrap();
			let evidence = model.verify(prompt, &settings, &claim.clone().into_output()).unwrap();
			assert!(evidence.deficits.iter().all(|deficit| *deficit == 0), "{isa:?} {prompt:?}: {evidence:?}");
			assert_eq!(evidence.margins.as_slice(), claim.margins.as_slice(), "{isa:?} {prompt:?}");
			generations.push(claim);
		}
		per_kernel.push((isa, generations));
	}
	Isa::choose(Isa::best()).unwrap();
	for (isa, generations) in &per_kernel {
		assert_eq!(generations, &per_kernel[0].1, "{isa:?} against {:?}", per_kernel[0].0);
	}
}

/// Prompts that start alike (here the template's system turn, and one prompt twice) reuse
/// remembered keys and values, and the replies and the evidence are the bits of running
/// every prompt in full.
#[test]
fn remembered_prompt_starts_change_no_bit() {
	let path = model_path();
	let (full, remembering) = (load(&path).with_prefix_cache(0), load(&path));
	let prompts = [PROMPTS[0], PROMPTS[1], PROMPTS[3], PROMPTS[0]];
	for (index, prompt) in prompts.iter().enumerate() {
		let settings = match index % 2 {
			0 => greedy(12),
			_ => GenerationSettings { max_new_tokens: 12, temperature: 700, seed: [index as u8; 32] },
		};
		let claim = full.generate(prompt, &settings).unwrap();
		assert_eq!(remembering.generate(prompt, &settings).unwrap(), claim, "{prompt:?}");
		let output = claim.into_output();
		let evidence = full.verify(prompt, &settings, &output).unwrap();
		assert_eq!(remembering.verify(prompt, &settings, &output).unwrap(), evidence, "{prompt:?}");
	}
	assert_eq!(full.reused_prompt_positions(), 0);
	// Reused, of the prompts' 37, 35, 24 and 37 tokens: by the verification of each prompt
	// all but its last token (the generation ran it); by the generation of the second the
	// 24 tokens of the default system turn and the user turn's opening, of the third (its
	// own system message) the 4 tokens before that message, of the fourth (the first again)
	// all but its last token.
	assert_eq!(remembering.reused_prompt_positions(), 36 + (24 + 34) + (4 + 23) + (36 + 36));
}
