//! Tokens per second of the engine on SmolLM2-135M-Instruct: prompt processing (one
//! forward pass over the prompt), generation (greedy decoding with the KV cache) and
//! verification (one teacher-forced pass over prompt and reply), on the same prompts
//! `bench/generation.sh` gives llama.cpp, for every kernel this CPU runs, side by side.
//! Prints one JSON object; its top-level numbers are the best kernel's.
//!
//! `generation_bench <model.gguf> <prompts.json> <new_tokens> <runs> [kernel,…]` (default:
//! every kernel this CPU runs)

use infera_inference::{generation::TextGenerator, kernels::Isa};
use infera_primitives::inference::GenerationSettings;
use std::{path::Path, time::Instant};

fn main() {
	let args: Vec<String> = std::env::args().collect();
	// Every prompt runs in full, as llama.cpp's does in `bench/generation.sh`.
	let generator = TextGenerator::load(Path::new(&args[1])).unwrap().with_prefix_cache(0);
	let prompts: Vec<String> = serde_json::from_str(&std::fs::read_to_string(&args[2]).unwrap()).unwrap();
	let new_tokens: u32 = args[3].parse().unwrap();
	let runs: usize = args[4].parse().unwrap();
	let settings = GenerationSettings { max_new_tokens: new_tokens, temperature: 0, seed: [0; 32] };
	let mut kernels = serde_json::Map::new();
	let mut replies = Vec::new();
	let chosen: Vec<Isa> = match args.get(5) {
		Some(names) => Isa::available().into_iter().filter(|isa| names.split(',').any(|name| name == isa.name())).collect(),
		None => Isa::available(),
	};
	for &isa in &chosen {
		Isa::choose(isa).unwrap();
		let (mut prompt_tokens, mut prompt_seconds) = (0usize, 0f64);
		let (mut generated, mut generation_seconds) = (0usize, 0f64);
		let mut verification_seconds = 0f64;
		replies.clear();
		for _ in 0..runs {
			for prompt in &prompts {
				let started = Instant::now();
				let (count, _) = generator.prefill(prompt).unwrap();
				let prefill = started.elapsed().as_secs_f64();
				prompt_seconds += prefill;
				prompt_tokens += count;
				let started = Instant::now();
				let generation = generator.generate(prompt, &settings).unwrap();
				// Decoding time alone: the whole generation less a prompt pass.
				generation_seconds += started.elapsed().as_secs_f64() - prefill;
				generated += generation.tokens.len();
				let started = Instant::now();
				generator.verify(prompt, &settings, &generation.clone().into_output()).unwrap();
				verification_seconds += started.elapsed().as_secs_f64();
				replies.push(generation.text);
			}
		}
		eprintln!("# {}: {prompt_tokens} prompt tokens in {prompt_seconds:.2} s, {generated} generated in {generation_seconds:.2} s", isa.name());
		kernels.insert(
			isa.name().into(),
			serde_json::json!({
				"promptTokensPerSecond": prompt_tokens as f64 / prompt_seconds,
				"generationTokensPerSecond": generated as f64 / generation_seconds,
				"verificationSecondsPerGeneratedToken": verification_seconds / generated as f64,
				"generationSecondsPerGeneratedToken": generation_seconds / generated as f64,
				"verificationOverGeneration": verification_seconds / (generation_seconds + prompt_seconds),
				"promptTokens": prompt_tokens,
				"generatedTokens": generated,
			}),
		);
	}
	let best = kernels[chosen[0].name()].clone();
	let mut json = serde_json::json!({ "engine": "infera (candle GGUF loading, infera kernels)", "bestKernel": chosen[0].name() });
	json.as_object_mut().unwrap().extend(best.as_object().unwrap().clone());
	json["kernels"] = serde_json::Value::Object(kernels);
	json["replies"] = serde_json::json!(replies);
	println!("{json}");
}
