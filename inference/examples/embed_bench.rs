//! The engine's side of `bench/embedding.sh`: all-MiniLM-L6-v2 embedding latency and
//! throughput at batch 1 and batch N on the CPU, for each kernel asked for (default: every
//! kernel this CPU runs, best first), one JSON line per kernel and batch size. The first
//! kernel's lines are `"impl": "candle"`, the others' `"candle-<kernel>"`.
//!
//!     cargo run --release -p infera-inference --example embed_bench -- <model dir> <sentences.json> <rounds> [kernel,…]

use infera_inference::{kernels::Isa, store::local_artifacts, store::ModelStore, Engine};
use infera_primitives::TaskKind;
use std::{path::PathBuf, time::Instant};

fn median(mut samples: Vec<f64>) -> f64 {
	samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
	samples[samples.len() / 2]
}

fn main() {
	let args: Vec<String> = std::env::args().collect();
	let dir = PathBuf::from(&args[1]);
	let sentences: Vec<String> = serde_json::from_str(&std::fs::read_to_string(&args[2]).unwrap()).unwrap();
	let rounds: usize = args.get(3).map(|r| r.parse().unwrap()).unwrap_or(5);
	let kernels: Vec<Isa> = match args.get(4) {
		Some(names) => Isa::available().into_iter().filter(|isa| names.split(',').any(|name| name == isa.name())).collect(),
		None => Isa::available(),
	};
	let spec = local_artifacts(&dir, TaskKind::TextEmbedding).unwrap();
	let store = std::env::temp_dir().join("infera-embed-bench-store");
	let engine = Engine::new(ModelStore::open(&store).unwrap());
	let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();
	let load = Instant::now();
	engine.embed(&spec, &texts[..1]).unwrap();
	let load_s = load.elapsed().as_secs_f64();
	let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
	for (index, &isa) in kernels.iter().enumerate() {
		Isa::choose(isa).unwrap();
		engine.embed(&spec, &texts).unwrap();
		let mut single = Vec::new();
		for _ in 0..rounds {
			for text in &texts {
				let start = Instant::now();
				engine.embed(&spec, &[text]).unwrap();
				single.push(start.elapsed().as_secs_f64());
			}
		}
		let mut batched = Vec::new();
		for _ in 0..rounds {
			let start = Instant::now();
			engine.embed(&spec, &texts).unwrap();
			batched.push(start.elapsed().as_secs_f64());
		}
		// The first kernel (the best this CPU runs, unless told otherwise) is "candle".
		let name = if index == 0 { "candle".to_string() } else { format!("candle-{}", isa.name()) };
		for (batch, samples) in [(1usize, single.clone()), (texts.len(), batched)] {
			let latency = median(samples);
			println!(
				"{}",
				serde_json::json!({
					"impl": name,
					"kernel": isa.name(),
					"batch": batch,
					"median_latency_ms": latency * 1e3,
					"sentences_per_s": batch as f64 / latency,
					"threads": threads,
					"first_load_and_run_s": load_s,
				})
			);
		}
	}
}
