//! The real all-MiniLM-L6-v2 (fetched and verified by scripts/setup) against embeddings
//! computed independently by PyTorch sentence-transformers from the same files
//! (tests/fixtures/minilm-reference.json; how it was made is recorded inside it).
//!
//! Tolerance: every embedding within cosine ≥ 0.9999 and 2e-4 per component of the
//! reference, and its i8 quantization within ±1 per component (float rounding differs
//! between PyTorch and candle; these are the bounds measured with margin).

use infera_inference::{quantize::quantize, store::local_artifacts, store::ModelStore, Engine};
use infera_primitives::TaskKind;
use sp_core::H256;
use std::{path::PathBuf, str::FromStr};

fn models_dir() -> PathBuf {
	std::env::var_os("INFERA_MODELS")
		.map(PathBuf::from)
		.unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/infera/models"))
}

#[test]
fn minilm_matches_sentence_transformers() {
	let root = env!("CARGO_MANIFEST_DIR");
	let fixture: serde_json::Value =
		serde_json::from_str(&std::fs::read_to_string(format!("{root}/../tests/fixtures/minilm-reference.json")).unwrap())
			.unwrap();
	let source = models_dir().join("all-MiniLM-L6-v2");
	assert!(source.join("model.safetensors").exists(), "{} is missing: run scripts/setup", source.display());
	let digest = |name: &str| H256::from_str(fixture["files"][name].as_str().unwrap()).unwrap();
	let spec = local_artifacts(&source, TaskKind::TextEmbedding).unwrap();
	assert_eq!(
		(spec.weights, spec.tokenizer, spec.config),
		(digest("model.safetensors"), Some(digest("tokenizer.json")), Some(digest("config.json"))),
		"the files in {} are not the ones the reference was computed from",
		source.display()
	);
	let store = tempfile::tempdir().unwrap();
	let engine = Engine::new(ModelStore::open(store.path()).unwrap());
	let sentences: Vec<&str> = fixture["sentences"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
	let ours = engine.embed(&spec, &sentences).unwrap();
	for ((sentence, mine), reference) in sentences.iter().zip(&ours).zip(fixture["embeddings"].as_array().unwrap()) {
		let reference: Vec<f32> = reference.as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect();
		assert_eq!(mine.len(), 384);
		let cosine: f32 = mine.iter().zip(&reference).map(|(a, b)| a * b).sum();
		let worst = mine.iter().zip(&reference).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
		assert!(cosine >= 0.9999, "{sentence:?}: cosine {cosine}");
		assert!(worst <= 2e-4, "{sentence:?}: component off by {worst}");
		let (q, rq) = (quantize(mine), quantize(&reference));
		assert!(q.iter().zip(&rq).all(|(a, b)| (i16::from(*a) - i16::from(*b)).abs() <= 1), "{sentence:?}");
	}
}
