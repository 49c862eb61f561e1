//! Text generation and its verification (the rule the chain applies is in
//! `pallets/compute-jobs/src/verification.rs` and `docs/verification.md`).
//!
//! - [`TextGenerator::generate`] decodes token by token with a KV cache, greedily or by
//!   seeded Gumbel-max sampling ([`GenerationSettings`]), and reports per token the top-1
//!   margin of its scores.
//! - [`TextGenerator::verify`] runs prompt + claimed tokens through the model in one
//!   teacher-forced pass and reports, per claimed token, how far it is below the best score,
//!   the margin, and its surprise ([`VerificationEvidence`]). One pass over `n` tokens costs
//!   far less than `n` decoding steps: the weights are read once per layer for all of them.
//! - Both start from the keys and values of the longest prompt start run recently
//!   ([`crate::prefix_cache`]): the same bits, less time.

use crate::{
	chat::ChatTokenizer,
	error::{InferenceError, Result},
	llama::{KvCache, Llama, Logits},
	prefix_cache::{PrefixCache, DEFAULT_PREFIX_CACHE_BYTES},
};
use candle_core::quantized::gguf_file;
use infera_primitives::inference::{
	quantize_score, GenerationSettings, InferenceOutput, VerificationEvidence, MAX_NEW_TOKENS,
};
use rand_chacha::{rand_core::{RngCore, SeedableRng}, ChaCha8Rng};
use std::path::Path;

/// A generation: what the generator reports on chain as [`InferenceOutput::Text`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generation {
	/// The decoded text (end-of-turn left out).
	pub text: String,
	/// The generated tokens, ending with end-of-turn if it came before `max_new_tokens`.
	pub tokens: Vec<u32>,
	/// Per token, the best score minus the second best, quantized.
	pub margins: Vec<u8>,
	/// Tokens of the prompt, chat template applied.
	pub prompt_tokens: usize,
}

impl Generation {
	/// The output as reported on chain.
	pub fn into_output(self) -> InferenceOutput {
		InferenceOutput::text(self.text.into_bytes(), self.tokens, self.margins)
	}
}

/// A language model with its tokenizer.
pub struct TextGenerator {
	model: Llama,
	tokenizer: ChatTokenizer,
	/// Keys and values of recent prompts (generated and verified alike).
	prefixes: PrefixCache,
}

impl TextGenerator {
	/// Loads a GGUF file (weights, tokenizer and chat template). Language models run on the
	/// CPU ([`crate::llama`]).
	pub fn load(path: &Path) -> Result<Self> {
		let io = |error| InferenceError::Io { path: path.display().to_string(), error };
		let mut file = std::fs::File::open(path).map_err(io)?;
		let content = gguf_file::Content::read(&mut file)
			.map_err(|e| InferenceError::InvalidModel(format!("not a GGUF file: {e}")))?;
		let tokenizer = ChatTokenizer::from_gguf(&content)?;
		let model = Llama::load(&content, &mut file)?;
		Ok(Self { model, tokenizer, prefixes: PrefixCache::new(0) }.with_prefix_cache(DEFAULT_PREFIX_CACHE_BYTES))
	}

	/// The same generator remembering at most `bytes` of recent prompts' keys and values
	/// (0: none, every prompt runs in full). A model with layers that candle runs keeps
	/// none: their results may depend on how many positions share a pass, and a shorter
	/// pass could then change a reply ([`Llama::rows_are_independent`]).
	pub fn with_prefix_cache(self, bytes: usize) -> Self {
		let bytes = if self.model.rows_are_independent() { bytes } else { 0 };
		Self { prefixes: PrefixCache::new(bytes), ..self }
	}

	/// Prompt positions taken from the prefix cache instead of run, since loading.
	pub fn reused_prompt_positions(&self) -> u64 {
		self.prefixes.reused_positions()
	}

	/// The tokenizer and chat format.
	pub fn tokenizer(&self) -> &ChatTokenizer {
		&self.tokenizer
	}

	fn check(&self, settings: &GenerationSettings, prompt_tokens: usize) -> Result<()> {
		if settings.max_new_tokens == 0 || settings.max_new_tokens > MAX_NEW_TOKENS {
			return Err(InferenceError::InvalidInput(format!(
				"max_new_tokens must be 1..={MAX_NEW_TOKENS}"
			)));
		}
		let needed = prompt_tokens + settings.max_new_tokens as usize;
		if needed > self.model.config().context {
			return Err(InferenceError::InvalidInput(format!(
				"prompt of {prompt_tokens} tokens + {} new exceed the context of {}",
				settings.max_new_tokens,
				self.model.config().context
			)));
		}
		Ok(())
	}

	/// Runs the prompt pass alone, all of it (for benchmarks: the prefix cache is neither
	/// read nor filled): returns the prompt's token count and the logits of its last
	/// position.
	pub fn prefill(&self, prompt: &str) -> Result<(usize, Logits)> {
		let prompt_tokens = self.tokenizer.prompt_tokens(prompt)?;
		let logits = self.model.forward(&prompt_tokens, &mut KvCache::default(), 1)?;
		Ok((prompt_tokens.len(), logits))
	}

	/// Generates a reply to `prompt` (chat messages or plain text, see [`crate::chat`]).
	pub fn generate(&self, prompt: &str, settings: &GenerationSettings) -> Result<Generation> {
		let prompt_tokens = self.tokenizer.prompt_tokens(prompt)?;
		self.check(settings, prompt_tokens.len())?;
		let mut cache = self.prefixes.start(&prompt_tokens);
		let mut logits = self.model.forward(&prompt_tokens[cache.len()..], &mut cache, 1)?;
		self.prefixes.remember(&prompt_tokens, &cache);
		let (mut tokens, mut margins) = (Vec::new(), Vec::new());
		for position in 0..settings.max_new_tokens {
			let scores = scores(&logits, 0, settings, position);
			let ranked = top_two(&scores);
			tokens.push(ranked.best);
			margins.push(quantize_score(ranked.best_score - ranked.second_score));
			if ranked.best == self.tokenizer.end_of_turn || position + 1 == settings.max_new_tokens {
				break;
			}
			logits = self.model.forward(&[ranked.best], &mut cache, 1)?;
		}
		let text = self.tokenizer.decode(content_of(&tokens, self.tokenizer.end_of_turn))?;
		Ok(Generation { text, tokens, margins, prompt_tokens: prompt_tokens.len() })
	}

	/// Checks a claimed generation for `prompt` in one teacher-forced pass.
	pub fn verify(
		&self,
		prompt: &str,
		settings: &GenerationSettings,
		claimed: &InferenceOutput,
	) -> Result<VerificationEvidence> {
		let prompt_tokens = self.tokenizer.prompt_tokens(prompt)?;
		self.check(settings, prompt_tokens.len())?;
		let ill_formed = VerificationEvidence {
			well_formed: false,
			deficits: Default::default(),
			margins: Default::default(),
			surprises: Default::default(),
		};
		let InferenceOutput::Text { text, tokens, margins } = claimed else {
			return Ok(ill_formed);
		};
		if !self.well_formed(settings, text, tokens, margins) {
			return Ok(ill_formed);
		}
		// The claimed tokens but the last are inputs; the logits of the last prompt position
		// and of each input claimed token predict the claimed tokens.
		let inputs: Vec<u32> = prompt_tokens.iter().chain(&tokens[..tokens.len() - 1]).copied().collect();
		let mut cache = self.prefixes.start(&prompt_tokens);
		let logits = self.model.forward(&inputs[cache.len()..], &mut cache, tokens.len())?;
		self.prefixes.remember(&prompt_tokens, &cache);
		// Per claimed position, [deficit, margin, surprise]; positions are independent.
		let mut measured = vec![[0u8; 3]; tokens.len()];
		crate::kernels::parallel_chunks(&mut measured, 1, &|position, measured| {
			let scores = scores(&logits, position, settings, position as u32);
			let ranked = top_two(&scores);
			let own = scores[tokens[position] as usize];
			let surprise = log_sum_exp(&scores) - f64::from(own);
			measured[0] = [
				quantize_score(ranked.best_score - own),
				quantize_score(ranked.best_score - ranked.second_score),
				quantize_score(surprise as f32),
			];
		});
		let mut evidence = VerificationEvidence { well_formed: true, ..ill_formed };
		for [deficit, margin, surprise] in measured {
			// Within the bound: one entry per claimed token, at most MAX_NEW_TOKENS.
			let _ = evidence.deficits.try_push(deficit);
			let _ = evidence.margins.try_push(margin);
			let _ = evidence.surprises.try_push(surprise);
		}
		Ok(evidence)
	}

	/// Whether a claim could be a generation at all (see [`VerificationEvidence`]).
	fn well_formed(&self, settings: &GenerationSettings, text: &[u8], tokens: &[u32], margins: &[u8]) -> bool {
		let end = self.tokenizer.end_of_turn;
		let vocab = self.model.config().vocab as u32;
		let Some((last, before)) = tokens.split_last() else { return false };
		let length_ok = tokens.len() <= settings.max_new_tokens as usize &&
			(*last == end || tokens.len() == settings.max_new_tokens as usize);
		let tokens_ok = tokens.iter().all(|t| *t < vocab) && !before.contains(&end);
		if !(length_ok && tokens_ok && margins.len() == tokens.len()) {
			return false;
		}
		self.tokenizer
			.decode(content_of(tokens, end))
			.is_ok_and(|decoded| decoded.as_bytes() == text)
	}
}

/// The tokens without a final end-of-turn.
fn content_of(tokens: &[u32], end_of_turn: u32) -> &[u32] {
	match tokens.split_last() {
		Some((last, rest)) if *last == end_of_turn => rest,
		_ => tokens,
	}
}

/// The decoding scores of row `row` of `logits` for generated position `position`: the
/// logits themselves when greedy, `logits / temperature + Gumbel noise` when sampling.
/// The noise is drawn in chunks of [`NOISE_CHUNK`] entries on the kernels' pool, each
/// chunk from its own place in the position's stream, so the scores do not depend on
/// the thread count.
fn scores(logits: &Logits, row: usize, settings: &GenerationSettings, position: u32) -> Vec<f32> {
	let mut scores = logits.row(row).to_vec();
	if settings.temperature > 0 {
		let temperature = f32::from(settings.temperature) / 1000.0;
		crate::kernels::parallel_chunks(&mut scores, NOISE_CHUNK, &|index, chunk| {
			let mut noise = gumbel_noise(&settings.seed, position);
			noise.skip_to((index * NOISE_CHUNK) as u64);
			for score in chunk {
				*score = *score / temperature + noise.next();
			}
		});
	}
	scores
}

/// Vocabulary entries whose Gumbel noise one task draws (two logarithms each).
const NOISE_CHUNK: usize = 4096;

/// Standard Gumbel noise for one position: ChaCha8 keyed by `sha256(seed ‖ position as u32 LE)`,
/// each 32-bit output `x` read as `u = ((x >> 8) + 0.5) / 2²⁴` in (0, 1), then
/// `−ln(−ln u)`.
pub struct GumbelNoise(ChaCha8Rng);

impl GumbelNoise {
	/// The next draw.
	pub fn next(&mut self) -> f32 {
		let u = ((self.0.next_u32() >> 8) as f32 + 0.5) / 16_777_216.0;
		-(-u.ln()).ln()
	}

	/// Moves to draw `draw` of the stream (each draw is one 32-bit output).
	pub fn skip_to(&mut self, draw: u64) {
		self.0.set_word_pos(u128::from(draw));
	}
}

/// The noise stream of `position` under `seed`.
pub fn gumbel_noise(seed: &[u8; 32], position: u32) -> GumbelNoise {
	let mut key = seed.to_vec();
	key.extend_from_slice(&position.to_le_bytes());
	use sha2::Digest;
	GumbelNoise(ChaCha8Rng::from_seed(sha2::Sha256::digest(&key).into()))
}

struct Ranked {
	best: u32,
	best_score: f32,
	second_score: f32,
}

/// The best entry (lowest index on a tie) and the second-best score.
fn top_two(scores: &[f32]) -> Ranked {
	let mut ranked = Ranked { best: 0, best_score: f32::NEG_INFINITY, second_score: f32::NEG_INFINITY };
	for (index, &score) in scores.iter().enumerate() {
		if score > ranked.best_score {
			ranked.second_score = ranked.best_score;
			ranked.best_score = score;
			ranked.best = index as u32;
		} else if score > ranked.second_score {
			ranked.second_score = score;
		}
	}
	ranked
}

/// `ln Σ exp(scores)` as `max + ln Σ exp(score − max)`: the exponentials in f32 with the
/// kernels' own `exp` (within 2 ulp, the same bits on every vector unit), summed in 16
/// lanes in a fixed order, the logarithm in f64. A surprise is kept in steps of 1/16 logit;
/// the sum's rounding (relative 1e-7 per addition, about 3,000 per lane for SmolLM2's
/// vocabulary) moves the logarithm by far less.
fn log_sum_exp(scores: &[f32]) -> f64 {
	log_sum_exp_on(crate::kernels::dense::Unit::of(crate::kernels::Isa::current()), scores)
}

/// [`log_sum_exp`] compiled for `unit`.
fn log_sum_exp_on(unit: crate::kernels::dense::Unit, scores: &[f32]) -> f64 {
	const LANES: usize = 16;
	unit.run(
		#[inline(always)]
		|| {
			let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
			let mut lanes = [0f32; LANES];
			let chunks = scores.chunks_exact(LANES);
			let mut rest = 0f32;
			for score in chunks.remainder() {
				rest += crate::kernels::math::exp(score - max);
			}
			for chunk in chunks {
				for (lane, score) in lanes.iter_mut().zip(chunk) {
					*lane += crate::kernels::math::exp(score - max);
				}
			}
			let mut width = LANES;
			while width > 1 {
				width /= 2;
				for lane in 0..width {
					lanes[lane] += lanes[lane + width];
				}
			}
			f64::from(max) + f64::from(lanes[0] + rest).ln()
		},
	)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn top_two_prefers_the_lowest_index_on_ties() {
		let ranked = top_two(&[1.0, 3.0, 3.0, 2.0]);
		assert_eq!((ranked.best, ranked.best_score, ranked.second_score), (1, 3.0, 3.0));
	}

	#[test]
	fn gumbel_noise_is_a_pure_function_of_seed_and_position() {
		let draws = |seed: u8, position| {
			let mut noise = gumbel_noise(&[seed; 32], position);
			(0..4).map(|_| noise.next()).collect::<Vec<_>>()
		};
		assert_eq!(draws(1, 0), draws(1, 0));
		assert_ne!(draws(1, 0), draws(1, 1));
		assert_ne!(draws(1, 0), draws(2, 0));
		// Standard Gumbel: mean ≈ 0.5772 (Euler–Mascheroni).
		let mut noise = gumbel_noise(&[7; 32], 3);
		let mean = (0..100_000).map(|_| f64::from(noise.next())).sum::<f64>() / 100_000.0;
		assert!((mean - 0.5772).abs() < 0.02, "mean {mean}");
	}

	#[test]
	fn scores_drawn_in_chunks_are_the_sequential_stream() {
		let vocab = 3 * NOISE_CHUNK + 17;
		let logits = Logits { values: (0..vocab).map(|i| (i % 97) as f32 / 7.0).collect(), vocab };
		let settings = GenerationSettings { max_new_tokens: 4, temperature: 700, seed: [9; 32] };
		let mut noise = gumbel_noise(&settings.seed, 2);
		let sequential: Vec<f32> = logits.row(0).iter().map(|logit| logit / 0.7 + noise.next()).collect();
		assert_eq!(scores(&logits, 0, &settings, 2), sequential);
	}

	#[test]
	fn log_sum_exp_is_stable_and_close_to_f64() {
		assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-6);
		// A vocabulary-sized row of logits between -20 and 20, and a remainder.
		let scores: Vec<f32> = (0..49_157).map(|i| ((i * 7919) % 4001) as f32 / 100.0 - 20.0).collect();
		let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
		let exact = max + scores.iter().map(|s| (f64::from(*s) - max).exp()).sum::<f64>().ln();
		assert!((log_sum_exp(&scores) - exact).abs() < 1e-4, "{} against {exact}", log_sum_exp(&scores));
	}

	#[test]
	fn log_sum_exp_gives_the_same_bits_on_every_kernel() {
		use crate::kernels::{dense::Unit, Isa};
		let scores: Vec<f32> = (0..49_157).map(|i| ((i * 104_729) % 6007) as f32 / 150.0 - 20.0).collect();
		// Distinct units only: an AVX2 CPU without FMA runs the portable code for both kernels.
		let mut units: Vec<Unit> = Isa::available().into_iter().map(Unit::of).collect();
		units.dedup();
		let results: Vec<(Unit, u64)> =
			units.into_iter().map(|unit| (unit, log_sum_exp_on(unit, &scores).to_bits())).collect();
		for (isa, bits) in &results {
			assert_eq!(*bits, results[0].1, "{isa:?} against {:?}", results[0].0);
		}
	}

	#[test]
	fn content_drops_only_a_final_end_of_turn() {
		assert_eq!(content_of(&[5, 6, 2], 2), &[5, 6]);
		assert_eq!(content_of(&[5, 2, 6], 2), &[5, 2, 6]);
	}
}
