//! Tokens per second of the candle engine on SmolLM2-135M-Instruct: prompt processing (one
//! forward pass over the prompt) and generation (greedy decoding with the KV cache),
//! measured separately on the same prompts `bench/generation.sh` gives llama.cpp. Prints
//! one JSON object.
//!
//! `generation_bench <model.gguf> <prompts.json> <new_tokens> <runs>`

use candle_core::Device;
use infera_inference::generation::TextGenerator;
use infera_primitives::inference::GenerationSettings;
use std::{path::Path, time::Instant};

fn main() {
	let args: Vec<String> = std::env::args().collect();
	let generator = TextGenerator::load(Path::new(&args[1]), &Device::Cpu).unwrap();
	let prompts: Vec<String> = serde_json::from_str(&std::fs::read_to_string(&args[2]).unwrap()).unwrap();
	let new_tokens: u32 = args[3].parse().unwrap();
	let runs: usize = args[4].parse().unwrap();
	let settings = GenerationSettings { max_new_tokens: new_tokens, temperature: 0, seed: [0; 32] };
	let (mut prompt_tokens, mut prompt_seconds) = (0usize, 0f64);
	let (mut generated, mut generation_seconds) = (0usize, 0f64);
	let (mut verified, mut verification_seconds) = (0usize, 0f64);
	for _ in 0..runs {
		for prompt in &prompts {
			let started = Instant::now();
			let (count, _) = generator.prefill(prompt).unwrap();
			prompt_seconds += started.elapsed().as_secs_f64();
			prompt_tokens += count;
			let started = Instant::now();
			let generation = generator.generate(prompt, &settings).unwrap();
			let total = started.elapsed().as_secs_f64();
			// Decoding time alone: the whole generation less its prompt pass.
			let started = Instant::now();
			generator.prefill(prompt).unwrap();
			generation_seconds += total - started.elapsed().as_secs_f64();
			generated += generation.tokens.len();
			let started = Instant::now();
			generator.verify(prompt, &settings, &generation.clone().into_output()).unwrap();
			verification_seconds += started.elapsed().as_secs_f64();
			verified += generation.tokens.len();
		}
	}
	let json = serde_json::json!({
		"engine": "candle",
		"promptTokensPerSecond": prompt_tokens as f64 / prompt_seconds,
		"generationTokensPerSecond": generated as f64 / generation_seconds,
		"verificationSecondsPerGeneratedToken": verification_seconds / verified as f64,
		"generationSecondsPerGeneratedToken": generation_seconds / generated as f64,
		"promptTokens": prompt_tokens,
		"generatedTokens": generated,
	});
	println!("{json}");
}
