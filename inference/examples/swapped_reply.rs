//! Writes `tests/fixtures/smollm-swapped.json`: the honest greedy reply of
//! SmolLM2-135M-Instruct to the e2e prompt, and the reply of the same model with every Q4_1
//! tensor requantized to Q4_0 (a worker cutting corners), with its margins.
//!
//! `cargo run --release -p infera-inference --example swapped_reply -- <model.gguf> <out.json>`

use candle_core::quantized::GgmlDType;
use infera_inference::{generation::TextGenerator, variants::write_variant};
use infera_primitives::inference::GenerationSettings;
use std::path::Path;

const PROMPT: &str = "What is the capital of France?";
const MAX_NEW_TOKENS: u32 = 16;

fn main() {
	let args: Vec<String> = std::env::args().collect();
	let (source, out) = (Path::new(&args[1]), Path::new(&args[2]));
	let dir = tempfile_dir();
	let swapped_path = dir.join("q4_0.gguf");
	write_variant(source, &swapped_path, GgmlDType::Q4_0, None).unwrap();
	let settings = GenerationSettings { max_new_tokens: MAX_NEW_TOKENS, temperature: 0, seed: [0; 32] };
	let honest = TextGenerator::load(source).unwrap().generate(PROMPT, &settings).unwrap();
	let swapped = TextGenerator::load(&swapped_path).unwrap().generate(PROMPT, &settings).unwrap();
	let gap = honest.margins.iter().zip(&swapped.margins).map(|(a, b)| a.abs_diff(*b)).max().unwrap_or(0);
	let json = serde_json::json!({
		"prompt": PROMPT,
		"maxNewTokens": MAX_NEW_TOKENS,
		"honestTokens": honest.tokens,
		"honestText": honest.text,
		"model": "SmolLM2-135M-Instruct with every Q4_1 tensor requantized to Q4_0",
		"text": swapped.text,
		"tokens": swapped.tokens,
		"margins": swapped.margins,
		"maxMarginGap": gap,
	});
	std::fs::write(out, serde_json::to_string_pretty(&json).unwrap() + "\n").unwrap();
	std::fs::remove_dir_all(&dir).ok();
	println!("honest {:?}\nswapped {:?} (margins differ by up to {gap})", honest.text, swapped.text);
}

fn tempfile_dir() -> std::path::PathBuf {
	let dir = std::env::temp_dir().join(format!("infera-swapped-{}", std::process::id()));
	std::fs::create_dir_all(&dir).unwrap();
	dir
}
