//! BERT-family models: sentence embeddings (mean pooling over the attention mask, then L2
//! normalisation, as sentence-transformers does for all-MiniLM-L6-v2) and sequence
//! classification (pooler over `[CLS]`, then a linear classifier, as Hugging Face's
//! `BertForSequenceClassification`).

use crate::error::{InferenceError, Result};
use candle_core::{DType, Device, Module, Tensor, D};
use candle_nn::{linear, Linear, VarBuilder};
use candle_transformers::models::bert::{BertModel, Config};
use std::path::Path;
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// Longest input in tokens; longer inputs are truncated (sentence-transformers'
/// `max_seq_length` for all-MiniLM-L6-v2).
pub const MAX_TOKENS: usize = 256;

/// The files of a safetensors model, already verified.
pub struct ModelFiles<'a> {
	pub weights: &'a Path,
	pub tokenizer: &'a Path,
	pub config: &'a Path,
}

fn invalid(what: &str) -> impl FnOnce(String) -> InferenceError + '_ {
	move |error| InferenceError::InvalidModel(format!("{what}: {error}"))
}

/// The config, tokenizer (padding to the longest input, truncating at [`MAX_TOKENS`]) and a
/// variable builder over the weights.
fn load_parts(files: &ModelFiles, device: &Device) -> Result<(Config, Tokenizer, VarBuilder<'static>)> {
	let config_text = std::fs::read_to_string(files.config).map_err(|e| invalid("config.json")(e.to_string()))?;
	let config: Config = serde_json::from_str(&config_text).map_err(|e| invalid("config.json")(e.to_string()))?;
	let mut tokenizer = Tokenizer::from_file(files.tokenizer).map_err(|e| invalid("tokenizer.json")(e.to_string()))?;
	let max_length = MAX_TOKENS.min(config.max_position_embeddings);
	tokenizer
		.with_truncation(Some(TruncationParams { max_length, ..Default::default() }))
		.map_err(|e| invalid("tokenizer.json")(e.to_string()))?;
	tokenizer.with_padding(Some(PaddingParams { strategy: PaddingStrategy::BatchLongest, ..Default::default() }));
	// Read (not mmap) the weights: the file was verified against its digest, and a buffer
	// cannot change under the model afterwards.
	let bytes = std::fs::read(files.weights).map_err(|e| invalid("weights")(e.to_string()))?;
	let weights = VarBuilder::from_buffered_safetensors(bytes, DType::F32, device)
		.map_err(|e| invalid("safetensors")(e.to_string()))?;
	Ok((config, tokenizer, weights))
}

/// Token ids, type ids and attention mask of a batch, each `[batch, tokens]`.
fn encode(tokenizer: &Tokenizer, texts: &[&str], device: &Device) -> Result<(Tensor, Tensor, Tensor)> {
	let encodings = tokenizer
		.encode_batch(texts.to_vec(), true)
		.map_err(|error| InferenceError::InvalidInput(error.to_string()))?;
	let stack = |pick: &dyn Fn(&tokenizers::Encoding) -> &[u32]| -> Result<Tensor> {
		let rows = encodings
			.iter()
			.map(|encoding| Tensor::new(pick(encoding), device))
			.collect::<candle_core::Result<Vec<_>>>()?;
		Ok(Tensor::stack(&rows, 0)?)
	};
	Ok((
		stack(&|e| e.get_ids())?,
		stack(&|e| e.get_type_ids())?,
		stack(&|e| e.get_attention_mask())?,
	))
}

/// Texts per padded forward pass. Inputs are sorted by length and cut into batches of this
/// size, so short texts are not padded to the longest of a large request: on the CPU the
/// cost of a pass grows with batch × longest length.
pub const BUCKET: usize = 8;

/// Runs `run` over `texts` in length-sorted buckets of [`BUCKET`] and returns its rows in
/// the order of `texts`.
fn by_length_buckets<T: Send>(
	texts: &[&str],
	run: impl Fn(&[&str]) -> Result<Vec<T>> + Sync,
) -> Result<Vec<T>> {
	if texts.len() <= BUCKET {
		return run(texts);
	}
	let mut order: Vec<usize> = (0..texts.len()).collect();
	order.sort_by_key(|&index| texts[index].len());
	let buckets: Vec<&[usize]> = order.chunks(BUCKET).collect();
	// One thread per core takes every n-th bucket: candle's element-wise kernels run on one
	// core, so a second pass in flight keeps the other busy.
	let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(buckets.len());
	let results: Vec<Result<Vec<(usize, T)>>> = std::thread::scope(|scope| {
		let workers: Vec<_> = (0..threads)
			.map(|first| {
				let (buckets, run) = (&buckets, &run);
				scope.spawn(move || -> Result<Vec<(usize, T)>> {
					let mut rows = Vec::new();
					for bucket in buckets.iter().skip(first).step_by(threads) {
						let batch: Vec<&str> = bucket.iter().map(|&index| texts[index]).collect();
						rows.extend(bucket.iter().copied().zip(run(&batch)?));
					}
					Ok(rows)
				})
			})
			.collect();
		workers.into_iter().map(|worker| worker.join().expect("inference threads do not panic; qed")).collect()
	});
	let mut rows: Vec<Option<T>> = (0..texts.len()).map(|_| None).collect();
	for result in results {
		for (index, row) in result? {
			rows[index] = Some(row);
		}
	}
	Ok(rows.into_iter().map(|row| row.expect("every index is in one bucket; qed")).collect())
}

/// Loads the encoder, trying the bare names (`embeddings.*`) and then `bert.*`.
fn load_encoder(weights: VarBuilder, config: &Config) -> Result<BertModel> {
	BertModel::load(weights.clone(), config)
		.or_else(|_| BertModel::load(weights.pp("bert"), config))
		.map_err(|error| InferenceError::InvalidModel(format!("BERT weights: {error}")))
}

/// A sentence-embedding model.
pub struct SentenceEmbedder {
	model: BertModel,
	tokenizer: Tokenizer,
	device: Device,
}

impl SentenceEmbedder {
	/// Loads verified files.
	pub fn load(files: &ModelFiles, device: &Device) -> Result<Self> {
		let (config, tokenizer, weights) = load_parts(files, device)?;
		let model = load_encoder(weights, &config)?;
		Ok(Self { model, tokenizer, device: device.clone() })
	}

	/// Unit-length embeddings of `texts`, one row each, in length-sorted padded batches.
	pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
		if texts.is_empty() {
			return Ok(Vec::new());
		}
		by_length_buckets(texts, |batch| self.embed_padded(batch))
	}

	/// Embeddings of `texts` as one padded batch.
	fn embed_padded(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
		let (ids, type_ids, mask) = encode(&self.tokenizer, texts, &self.device)?;
		let hidden = self.model.forward(&ids, &type_ids, Some(&mask))?;
		// Mean over the real tokens: sum(hidden · mask) / sum(mask).
		let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
		let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
		let counts = mask.sum(1)?;
		let mean = summed.broadcast_div(&counts)?;
		let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
		Ok(mean.broadcast_div(&norms)?.to_vec2::<f32>()?)
	}
}

/// A sequence classifier.
pub struct Classifier {
	model: BertModel,
	pooler: Linear,
	classifier: Linear,
	tokenizer: Tokenizer,
	device: Device,
}

impl Classifier {
	/// Loads verified files; the number of labels comes from `classifier.weight`'s shape
	/// (`id2label` in `config.json` when present must agree).
	pub fn load(files: &ModelFiles, device: &Device) -> Result<Self> {
		let (config, tokenizer, weights) = load_parts(files, device)?;
		let labels = Self::label_count(files.config)?;
		let model = load_encoder(weights.clone(), &config)?;
		let pooler = linear(config.hidden_size, config.hidden_size, weights.pp("bert.pooler.dense"))
			.or_else(|_| linear(config.hidden_size, config.hidden_size, weights.pp("pooler.dense")))
			.map_err(|error| InferenceError::InvalidModel(format!("pooler: {error}")))?;
		let classifier = linear(config.hidden_size, labels, weights.pp("classifier"))
			.map_err(|error| InferenceError::InvalidModel(format!("classifier head: {error}")))?;
		Ok(Self { model, pooler, classifier, tokenizer, device: device.clone() })
	}

	fn label_count(config: &Path) -> Result<usize> {
		let text = std::fs::read_to_string(config).map_err(|e| invalid("config.json")(e.to_string()))?;
		let value: serde_json::Value =
			serde_json::from_str(&text).map_err(|e| invalid("config.json")(e.to_string()))?;
		match value.get("id2label").and_then(|labels| labels.as_object()) {
			Some(labels) if !labels.is_empty() => Ok(labels.len()),
			_ => Err(InferenceError::InvalidModel("config.json has no id2label for a classifier".into())),
		}
	}

	/// The most likely label id of each text, in length-sorted padded batches.
	pub fn classify(&self, texts: &[&str]) -> Result<Vec<u32>> {
		if texts.is_empty() {
			return Ok(Vec::new());
		}
		by_length_buckets(texts, |batch| self.classify_padded(batch))
	}

	/// Label ids of `texts` as one padded batch.
	fn classify_padded(&self, texts: &[&str]) -> Result<Vec<u32>> {
		let (ids, type_ids, mask) = encode(&self.tokenizer, texts, &self.device)?;
		let hidden = self.model.forward(&ids, &type_ids, Some(&mask))?;
		let cls = hidden.narrow(1, 0, 1)?.squeeze(1)?;
		let pooled = self.pooler.forward(&cls)?.tanh()?;
		let logits = self.classifier.forward(&pooled)?;
		Ok(logits.argmax(D::Minus1)?.to_vec1::<u32>()?)
	}
}
