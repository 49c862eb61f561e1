//! The engine on tiny random-weight BERT models built here: embeddings, classification,
//! batching, the model store's digest checks, and every bad-input path.

use candle_core::{DType, Device, Module, Tensor, D};
use candle_nn::{linear, Linear, VarBuilder, VarMap};
use candle_transformers::models::bert::{BertModel, Config};
use infera_inference::{
	store::{local_artifacts, sha256_file, ModelStore},
	Engine, InferenceError,
};
use infera_primitives::{
	inference::{InferenceFailure, InferenceOutput, InferenceRequest},
	ArtifactFormat, ArtifactRef, TaskKind,
};
use sp_core::H256;
use std::path::Path;

const VOCAB: [&str; 16] = [
	"[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
	"a", "cat", "##s", "sat",
];

fn tokenizer_json() -> String {
	let vocab: serde_json::Map<String, serde_json::Value> =
		VOCAB.iter().enumerate().map(|(i, t)| (t.to_string(), i.into())).collect();
	let special = |id: &str| serde_json::json!({ "SpecialToken": { "id": id, "type_id": 0 } });
	serde_json::json!({
		"version": "1.0",
		"truncation": null,
		"padding": null,
		"added_tokens": [],
		"normalizer": { "type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true },
		"pre_tokenizer": { "type": "BertPreTokenizer" },
		"post_processor": {
			"type": "TemplateProcessing",
			"single": [special("[CLS]"), { "Sequence": { "id": "A", "type_id": 0 } }, special("[SEP]")],
			"pair": [special("[CLS]"), { "Sequence": { "id": "A", "type_id": 0 } }, special("[SEP]"), { "Sequence": { "id": "B", "type_id": 1 } }, special("[SEP]")],
			"special_tokens": {
				"[CLS]": { "id": "[CLS]", "ids": [2], "tokens": ["[CLS]"] },
				"[SEP]": { "id": "[SEP]", "ids": [3], "tokens": ["[SEP]"] }
			}
		},
		"decoder": null,
		"model": { "type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": vocab }
	})
	.to_string()
}

fn config(labels: usize) -> (Config, serde_json::Value) {
	let mut json = serde_json::json!({
		"vocab_size": VOCAB.len(), "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
		"intermediate_size": 16, "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
		"max_position_embeddings": 32, "type_vocab_size": 2, "initializer_range": 0.02,
		"layer_norm_eps": 1e-12, "pad_token_id": 0, "classifier_dropout": null, "model_type": "bert"
	});
	if labels > 0 {
		let id2label: serde_json::Map<_, _> =
			(0..labels).map(|i| (i.to_string(), format!("label{i}").into())).collect();
		json["id2label"] = id2label.into();
	}
	(serde_json::from_value(json.clone()).unwrap(), json)
}

/// Writes a random-weight model into `dir` (classifier with `labels` labels when > 0) and
/// returns its spec, located at `dir`.
fn tiny_model(dir: &Path, task: TaskKind, labels: usize) -> ArtifactRef {
	std::fs::create_dir_all(dir).unwrap();
	let (config, json) = config(labels);
	let varmap = VarMap::new();
	let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
	if labels > 0 {
		BertModel::load(vb.pp("bert"), &config).unwrap();
		linear(8, 8, vb.pp("bert.pooler.dense")).unwrap();
		linear(8, labels, vb.pp("classifier")).unwrap();
	} else {
		BertModel::load(vb, &config).unwrap();
	}
	varmap.save(dir.join("model.safetensors")).unwrap();
	std::fs::write(dir.join("tokenizer.json"), tokenizer_json()).unwrap();
	std::fs::write(dir.join("config.json"), json.to_string()).unwrap();
	local_artifacts(dir, task).unwrap()
}

fn engine(root: &Path) -> Engine {
	Engine::new(ModelStore::open(root.join("store")).unwrap())
}

fn request(spec: &ArtifactRef, inputs: &[&[u8]]) -> InferenceRequest {
	InferenceRequest { model: spec.clone(), inputs: inputs.iter().map(|input| input.to_vec()).collect(), generation: None }
}

#[test]
fn embeddings_are_unit_length_and_a_batch_equals_its_parts() {
	let root = tempfile::tempdir().unwrap();
	let spec = tiny_model(&root.path().join("src"), TaskKind::TextEmbedding, 0);
	let engine = engine(root.path());
	let texts = ["the quick brown fox", "a cat sat", "the lazy dogs jumps over the fox fox fox"];
	let batch = engine.embed(&spec, &texts).unwrap();
	assert_eq!(batch.len(), 3);
	for (text, row) in texts.iter().zip(&batch) {
		let norm: f32 = row.iter().map(|x| x * x).sum::<f32>().sqrt();
		assert!((norm - 1.0).abs() < 1e-5, "{text}: norm {norm}");
		// Texts are not padded: a text's embedding is the same bits alone or in a batch.
		let alone = engine.embed(&spec, &[text]).unwrap().remove(0);
		assert_eq!(&alone, row, "{text}");
	}
	assert_ne!(batch[0], batch[1]);
	// The artifacts were fetched into the store under their digests.
	assert!(engine.store().path_of(&spec.weights).exists());
}

#[test]
fn large_requests_run_in_several_passes_and_keep_their_order() {
	let root = tempfile::tempdir().unwrap();
	let embedder = tiny_model(&root.path().join("embed"), TaskKind::TextEmbedding, 0);
	let classifier = tiny_model(&root.path().join("classify"), TaskKind::TextClassification, 3);
	let engine = engine(root.path());
	// More tokens than one pass (every text has at least 3), lengths out of order.
	let words = ["fox", "the quick brown fox", "a cat sat over the lazy dog", "dog", "cat sat"];
	let texts: Vec<String> = (0..infera_inference::bert::MAX_PASS_TOKENS / 3 + 1)
		.map(|i| format!("{} {}", words[i % words.len()], "fox ".repeat(i % 7)))
		.collect();
	let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
	let batch = engine.embed(&embedder, &texts).unwrap();
	let labels = engine.run(&request(&classifier, &texts.iter().map(|t| t.as_bytes()).collect::<Vec<_>>()));
	assert_eq!((batch.len(), labels.len()), (texts.len(), texts.len()));
	for (i, text) in texts.iter().enumerate() {
		let alone = engine.embed(&embedder, &[text]).unwrap().remove(0);
		assert_eq!(alone, batch[i], "row {i} ({text}) moved");
		let single = engine.run(&request(&classifier, &[text.as_bytes()])).remove(0);
		assert_eq!(labels[i], single, "row {i}");
	}
}

/// A wider random-weight model (several heads of 16, two layers) with `hidden_act`, as
/// candle writes it: the engine's own encoder is checked against candle's `BertModel`.
fn wide_model(dir: &Path, hidden_act: &str, labels: usize) -> (ArtifactRef, BertModel, Option<(Linear, Linear)>) {
	std::fs::create_dir_all(dir).unwrap();
	let (_, mut json) = config(labels);
	for (key, value) in [("hidden_size", 64), ("num_attention_heads", 4), ("intermediate_size", 96), ("num_hidden_layers", 2)] {
		json[key] = value.into();
	}
	json["hidden_act"] = hidden_act.into();
	let config: Config = serde_json::from_value(json.clone()).unwrap();
	let varmap = VarMap::new();
	let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
	let (model, head) = if labels > 0 {
		let model = BertModel::load(vb.pp("bert"), &config).unwrap();
		let pooler = linear(64, 64, vb.pp("bert.pooler.dense")).unwrap();
		(model, Some((pooler, linear(64, labels, vb.pp("classifier")).unwrap())))
	} else {
		(BertModel::load(vb, &config).unwrap(), None)
	};
	varmap.save(dir.join("model.safetensors")).unwrap();
	std::fs::write(dir.join("tokenizer.json"), tokenizer_json()).unwrap();
	std::fs::write(dir.join("config.json"), json.to_string()).unwrap();
	let task = if labels > 0 { TaskKind::TextClassification } else { TaskKind::TextEmbedding };
	(local_artifacts(dir, task).unwrap(), model, head)
}

#[test]
fn the_encoder_matches_candles_bert_for_every_activation() {
	let texts = ["the quick brown fox jumps over the lazy dog", "a cat sat", "dogs", "the fox the fox the fox sat"];
	let tokenizer = tokenizers::Tokenizer::from_bytes(tokenizer_json()).unwrap();
	for hidden_act in ["gelu", "geluapproximate", "relu"] {
		let root = tempfile::tempdir().unwrap();
		let (embedder, model, _) = wide_model(&root.path().join("embed"), hidden_act, 0);
		let (classifier, labelled, head) = wide_model(&root.path().join("classify"), hidden_act, 5);
		let (pooler, classify) = head.unwrap();
		let engine = engine(root.path());
		let embeddings = engine.embed(&embedder, &texts).unwrap();
		let labels = engine.run(&request(&classifier, &texts.iter().map(|t| t.as_bytes()).collect::<Vec<_>>()));
		for ((text, ours), label) in texts.iter().zip(&embeddings).zip(labels) {
			// candle, one unpadded text at a time: mean over tokens, L2-normalised.
			let encoding = tokenizer.encode(*text, true).unwrap();
			let ids = Tensor::new(encoding.get_ids(), &Device::Cpu).unwrap().unsqueeze(0).unwrap();
			let types = ids.zeros_like().unwrap();
			let states = model.forward(&ids, &types, None).unwrap().squeeze(0).unwrap();
			let mean = states.mean(0).unwrap();
			let norm = mean.sqr().unwrap().sum_all().unwrap().sqrt().unwrap();
			let expected: Vec<f32> = mean.broadcast_div(&norm).unwrap().to_vec1().unwrap();
			let gap = ours.iter().zip(&expected).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
			assert!(gap < 2e-5, "{hidden_act} {text:?}: off by {gap}");
			// The classifier's label: candle's pooler and head over [CLS].
			let states = labelled.forward(&ids, &types, None).unwrap();
			let cls = states.narrow(1, 0, 1).unwrap().squeeze(1).unwrap();
			let logits = classify.forward(&pooler.forward(&cls).unwrap().tanh().unwrap()).unwrap();
			let expected = logits.argmax(D::Minus1).unwrap().to_vec1::<u32>().unwrap()[0];
			assert_eq!(label, Ok(InferenceOutput::Label(expected)), "{hidden_act} {text:?}");
		}
	}
}

#[test]
fn requests_answer_per_input_and_bad_utf8_fails_alone() {
	let root = tempfile::tempdir().unwrap();
	let spec = tiny_model(&root.path().join("src"), TaskKind::TextEmbedding, 0);
	let engine = engine(root.path());
	let answers = engine.run(&request(&spec, &[b"the fox", &[0xff, 0xfe], b"a cat"]));
	assert_eq!(answers.len(), 3);
	let Ok(InferenceOutput::Embedding(first)) = &answers[0] else { panic!("{:?}", answers[0]) };
	assert_eq!(first.len(), 8);
	assert!(first.iter().any(|x| *x != 0));
	assert_eq!(answers[1], Err(InferenceFailure::InvalidInput));
	assert!(answers[2].is_ok());
}

#[test]
fn classifiers_answer_a_label_within_id2label() {
	let root = tempfile::tempdir().unwrap();
	let spec = tiny_model(&root.path().join("src"), TaskKind::TextClassification, 3);
	let engine = engine(root.path());
	for answer in engine.run(&request(&spec, &[b"the quick brown fox", b"a cat sat", b"dog"])) {
		let Ok(InferenceOutput::Label(label)) = answer else { panic!("{answer:?}") };
		assert!(label < 3);
	}
	// A classifier without id2label is not a loadable classifier.
	let unlabeled = tiny_model(&root.path().join("plain"), TaskKind::TextClassification, 0);
	assert_eq!(engine.run(&request(&unlabeled, &[b"the fox"])), vec![Err(InferenceFailure::InvalidModel)]);
}

#[test]
fn artifacts_that_do_not_match_their_digest_are_never_loaded() {
	let root = tempfile::tempdir().unwrap();
	let mut spec = tiny_model(&root.path().join("src"), TaskKind::TextEmbedding, 0);
	let engine = engine(root.path());
	// The registered digest is not what the location serves.
	let registered = spec.weights;
	spec.weights = H256::repeat_byte(7);
	let error = engine.embed(&spec, &["the fox"]).err().unwrap();
	assert!(matches!(error, InferenceError::DigestMismatch { .. }), "{error}");
	assert!(!engine.store().path_of(&spec.weights).exists(), "no partial file is kept");
	// A file swapped inside the store is caught before loading, too.
	spec.weights = registered;
	let stored = engine.store().path_of(&registered);
	std::fs::write(&stored, b"not the weights").unwrap();
	let fresh = self::engine(root.path());
	let error = fresh.embed(&spec, &["the fox"]).err().unwrap();
	assert_eq!(error.failure(), InferenceFailure::DigestMismatch);
}

#[test]
fn truncated_or_garbage_artifacts_fail_as_invalid_models() {
	let root = tempfile::tempdir().unwrap();
	let dir = root.path().join("src");
	let mut spec = tiny_model(&dir, TaskKind::TextEmbedding, 0);
	let engine = engine(root.path());
	// Truncated safetensors registered under their own (matching) digest.
	let weights = std::fs::read(dir.join("model.safetensors")).unwrap();
	std::fs::write(dir.join("model.safetensors"), &weights[..weights.len() / 2]).unwrap();
	spec.weights = sha256_file(&dir.join("model.safetensors")).unwrap();
	assert_eq!(engine.run(&request(&spec, &[b"the fox"])), vec![Err(InferenceFailure::InvalidModel)]);
	// A header claiming a huge tensor.
	let mut malicious = 64u64.to_le_bytes().to_vec();
	malicious.extend_from_slice(br#"{"embeddings.word_embeddings.weight":{"dtype":"F32","shape":[1000000000,8],"data_offsets":[0,8]}}"#);
	std::fs::write(dir.join("model.safetensors"), &malicious).unwrap();
	spec.weights = sha256_file(&dir.join("model.safetensors")).unwrap();
	assert_eq!(engine.run(&request(&spec, &[b"the fox"])), vec![Err(InferenceFailure::InvalidModel)]);
	// A config claiming far larger layers than the weights hold: an error, not an allocation.
	let mut huge = tiny_model(&root.path().join("huge"), TaskKind::TextEmbedding, 0);
	let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(root.path().join("huge/config.json")).unwrap()).unwrap();
	json["hidden_size"] = 1_000_000.into();
	json["intermediate_size"] = 4_000_000.into();
	json["num_attention_heads"] = 1.into();
	std::fs::write(root.path().join("huge/config.json"), json.to_string()).unwrap();
	huge.config = Some(sha256_file(&root.path().join("huge/config.json")).unwrap());
	assert_eq!(engine.run(&request(&huge, &[b"the fox"])), vec![Err(InferenceFailure::InvalidModel)]);
	// A tokenizer that is not one.
	let mut bad_tokenizer = tiny_model(&root.path().join("tok"), TaskKind::TextEmbedding, 0);
	std::fs::write(root.path().join("tok/tokenizer.json"), b"{\"model\": 3}").unwrap();
	bad_tokenizer.tokenizer = Some(sha256_file(&root.path().join("tok/tokenizer.json")).unwrap());
	assert_eq!(engine.run(&request(&bad_tokenizer, &[b"the fox"])), vec![Err(InferenceFailure::InvalidModel)]);
}

#[test]
fn unavailable_and_unsupported_models_fail_with_their_reason() {
	let root = tempfile::tempdir().unwrap();
	let spec = tiny_model(&root.path().join("src"), TaskKind::TextEmbedding, 0);
	let engine = engine(root.path());
	let remote = ArtifactRef { url: Some(b"https://example.invalid/minilm".to_vec()), ..spec.clone() };
	assert_eq!(engine.run(&request(&remote, &[b"x"])), vec![Err(InferenceFailure::ArtifactUnavailable)]);
	let nowhere = ArtifactRef { url: None, ..spec.clone() };
	assert_eq!(engine.run(&request(&nowhere, &[b"x"])), vec![Err(InferenceFailure::ArtifactUnavailable)]);
	let gguf = ArtifactRef { format: ArtifactFormat::Gguf, ..spec.clone() };
	assert_eq!(engine.run(&request(&gguf, &[b"x"])), vec![Err(InferenceFailure::Unsupported)]);
	let generation = ArtifactRef { task: TaskKind::TextGeneration, ..spec };
	assert_eq!(engine.run(&request(&generation, &[b"x"])), vec![Err(InferenceFailure::Unsupported)]);
}

#[test]
fn the_service_answers_scale_over_loopback_http() {
	use codec::{Decode, Encode};
	use std::io::{Read, Write};
	let root = tempfile::tempdir().unwrap();
	let spec = tiny_model(&root.path().join("src"), TaskKind::TextEmbedding, 0);
	let engine = std::sync::Arc::new(engine(root.path()));
	let service = infera_inference::service::spawn(engine, None, 0).unwrap();
	assert!(service.address.ip().is_loopback());
	let post = |path: &str, body: &[u8]| -> (String, Vec<u8>) {
		let mut stream = std::net::TcpStream::connect(service.address).unwrap();
		write!(stream, "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).unwrap();
		stream.write_all(body).unwrap();
		let mut raw = Vec::new();
		stream.read_to_end(&mut raw).unwrap();
		let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
		(String::from_utf8_lossy(&raw[..split]).into_owned(), raw[split + 4..].to_vec())
	};
	let (head, body) = post("/v1/infer", &request(&spec, &[b"the fox"]).encode());
	assert!(head.starts_with("HTTP/1.1 200"), "{head}");
	let answers = Vec::<Result<InferenceOutput, InferenceFailure>>::decode(&mut &body[..]).unwrap();
	assert!(matches!(answers[..], [Ok(InferenceOutput::Embedding(_))]));
	let (head, _) = post("/v1/infer", b"garbage");
	assert!(head.starts_with("HTTP/1.1 400"), "{head}");
	let (head, _) = post("/elsewhere", b"");
	assert!(head.starts_with("HTTP/1.1 404"), "{head}");
}
