//! BERT-family models: sentence embeddings (mean pooling over each text's tokens, then L2
//! normalisation, as sentence-transformers does for all-MiniLM-L6-v2) and sequence
//! classification (pooler over `[CLS]`, then a linear classifier, as Hugging Face's
//! `BertForSequenceClassification`).
//!
//! The weights are read from safetensors with candle; the forward pass runs on plain f32
//! buffers through [`crate::kernels::dense`] (see [`encoder`]), texts unpadded.

mod encoder;

use crate::error::{InferenceError, Result};
use crate::kernels::{Activation, DenseLinear};
use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::Config;
use encoder::{Encoder, Tokens};
use std::{ops::Range, path::Path};
use tokenizers::{Encoding, Tokenizer, TruncationParams};

/// Longest input in tokens; longer inputs are truncated (sentence-transformers'
/// `max_seq_length` for all-MiniLM-L6-v2).
pub const MAX_TOKENS: usize = 256;

/// Most tokens in one forward pass: larger requests run in consecutive passes, so memory
/// stays bounded (the widest activations are `tokens × intermediate size` floats).
pub const MAX_PASS_TOKENS: usize = 4096;

/// The files of a safetensors model, already verified.
pub struct ModelFiles<'a> {
	pub weights: &'a Path,
	pub tokenizer: &'a Path,
	pub config: &'a Path,
}

fn invalid(what: &str) -> impl FnOnce(String) -> InferenceError + '_ {
	move |error| InferenceError::InvalidModel(format!("{what}: {error}"))
}

/// The config, tokenizer (truncating at [`MAX_TOKENS`], no padding: texts are never padded)
/// and a variable builder over the weights.
fn load_parts(files: &ModelFiles) -> Result<(Config, Tokenizer, VarBuilder<'static>)> {
	let config_text =
		std::fs::read_to_string(files.config).map_err(|e| invalid("config.json")(e.to_string()))?;
	let config: Config =
		serde_json::from_str(&config_text).map_err(|e| invalid("config.json")(e.to_string()))?;
	let mut tokenizer = Tokenizer::from_file(files.tokenizer)
		.map_err(|e| invalid("tokenizer.json")(e.to_string()))?;
	let max_length = MAX_TOKENS.min(config.max_position_embeddings);
	tokenizer
		.with_truncation(Some(TruncationParams {
			max_length,
			..Default::default()
		}))
		.map_err(|e| invalid("tokenizer.json")(e.to_string()))?;
	tokenizer.with_padding(None);
	// Read (not mmap) the weights: the file was verified against its digest, and a buffer
	// cannot change under the model afterwards.
	let bytes = std::fs::read(files.weights).map_err(|e| invalid("weights")(e.to_string()))?;
	let weights = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
		.map_err(|e| invalid("safetensors")(e.to_string()))?;
	Ok((config, tokenizer, weights))
}

/// Loads the encoder, trying the bare names (`embeddings.*`), then `bert.*`, then the
/// config's `model_type` as the prefix; the error is the bare names'.
fn load_encoder(weights: &VarBuilder, config: &Config) -> Result<Encoder> {
	Encoder::load(weights.clone(), config).or_else(|bare| {
		let prefixes = std::iter::once("bert").chain(
			config
				.model_type
				.as_deref()
				.filter(|prefix| *prefix != "bert"),
		);
		prefixes
			.filter_map(|prefix| Encoder::load(weights.pp(prefix), config).ok())
			.next()
			.ok_or(bare)
	})
}

/// A tokenizer and encoder, run over texts in passes of at most [`MAX_PASS_TOKENS`].
struct TextEncoder {
	encoder: Encoder,
	tokenizer: Tokenizer,
}

impl TextEncoder {
	/// Calls `pass` with the hidden states of consecutive runs of `texts` (all of them
	/// when they fit one pass) and each text's rows in them, in order.
	fn run(
		&self,
		texts: &[&str],
		mut pass: impl FnMut(&[f32], &[Range<usize>]) -> Result<()>,
	) -> Result<()> {
		let encodings: Vec<Encoding> = match texts {
			[text] => vec![self
				.tokenizer
				.encode(*text, true)
				.map_err(|e| InferenceError::InvalidInput(e.to_string()))?],
			_ => self
				.tokenizer
				.encode_batch(texts.to_vec(), true)
				.map_err(|error| InferenceError::InvalidInput(error.to_string()))?,
		};
		if encodings
			.iter()
			.any(|encoding| encoding.get_ids().is_empty())
		{
			return Err(InferenceError::InvalidInput("a text has no tokens".into()));
		}
		let mut first = 0;
		while first < encodings.len() {
			let mut last = first + 1;
			let mut tokens = encodings[first].len();
			while last < encodings.len() && tokens + encodings[last].len() <= MAX_PASS_TOKENS {
				tokens += encodings[last].len();
				last += 1;
			}
			let texts: Vec<Tokens> = encodings[first..last]
				.iter()
				.map(|encoding| Tokens {
					ids: encoding.get_ids(),
					type_ids: encoding.get_type_ids(),
				})
				.collect();
			let (states, spans) = self.encoder.forward(&texts)?;
			pass(&states, &spans)?;
			first = last;
		}
		Ok(())
	}
}

/// A sentence-embedding model.
pub struct SentenceEmbedder {
	text: TextEncoder,
}

impl SentenceEmbedder {
	/// Loads verified files.
	pub fn load(files: &ModelFiles) -> Result<Self> {
		let (config, tokenizer, weights) = load_parts(files)?;
		let encoder = load_encoder(&weights, &config)?;
		Ok(Self {
			text: TextEncoder { encoder, tokenizer },
		})
	}

	/// Unit-length embeddings of `texts`, one row each: the mean of each text's hidden
	/// states over its tokens, L2-normalised.
	pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
		let hidden = self.text.encoder.hidden();
		let mut embeddings = Vec::with_capacity(texts.len());
		self.text.run(texts, |states, spans| {
			for span in spans {
				let mut mean = vec![0f32; hidden];
				for token in states[span.start * hidden..span.end * hidden].chunks_exact(hidden) {
					mean.iter_mut().zip(token).for_each(|(sum, x)| *sum += x);
				}
				mean.iter_mut().for_each(|sum| *sum /= span.len() as f32);
				let norm = mean.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
				mean.iter_mut().for_each(|x| *x /= norm);
				embeddings.push(mean);
			}
			Ok(())
		})?;
		Ok(embeddings)
	}
}

/// A sequence classifier.
pub struct Classifier {
	text: TextEncoder,
	pooler: DenseLinear,
	classifier: DenseLinear,
}

impl Classifier {
	/// Loads verified files; the number of labels comes from `config.json`'s `id2label`,
	/// and `classifier.weight` must have that many rows.
	pub fn load(files: &ModelFiles) -> Result<Self> {
		let (config, tokenizer, weights) = load_parts(files)?;
		let labels = Self::label_count(files.config)?;
		let encoder = load_encoder(&weights, &config)?;
		let hidden = config.hidden_size;
		let linear = |names: &[&str], outputs: usize| -> Result<DenseLinear> {
			let mut last = None;
			for name in names {
				let layer = weights.pp(*name);
				match (
					layer.get((outputs, hidden), "weight"),
					layer.get(outputs, "bias"),
				) {
					(Ok(weight), Ok(bias)) => {
						let values = |t: candle_core::Tensor| -> Result<Vec<f32>> {
							Ok(t.flatten_all()?.to_vec1()?)
						};
						return DenseLinear::new(
							&values(weight)?,
							outputs,
							hidden,
							Some(&values(bias)?),
						);
					}
					(Err(error), _) | (_, Err(error)) => last = Some(error),
				}
			}
			Err(InferenceError::InvalidModel(format!(
				"{}: {}",
				names[0],
				last.map(|e| e.to_string()).unwrap_or_default()
			)))
		};
		let pooler = linear(&["bert.pooler.dense", "pooler.dense"], hidden)?;
		let classifier = linear(&["classifier"], labels)?;
		Ok(Self {
			text: TextEncoder { encoder, tokenizer },
			pooler,
			classifier,
		})
	}

	fn label_count(config: &Path) -> Result<usize> {
		let text =
			std::fs::read_to_string(config).map_err(|e| invalid("config.json")(e.to_string()))?;
		let value: serde_json::Value =
			serde_json::from_str(&text).map_err(|e| invalid("config.json")(e.to_string()))?;
		match value.get("id2label").and_then(|labels| labels.as_object()) {
			Some(labels) if !labels.is_empty() => Ok(labels.len()),
			_ => Err(InferenceError::InvalidModel(
				"config.json has no id2label for a classifier".into(),
			)),
		}
	}

	/// The most likely label id of each text (the first of equals): the classifier over
	/// the pooled (`tanh` of a linear layer) state of its first token (`[CLS]`).
	pub fn classify(&self, texts: &[&str]) -> Result<Vec<u32>> {
		let hidden = self.text.encoder.hidden();
		let mut labels = Vec::with_capacity(texts.len());
		self.text.run(texts, |states, spans| {
			let first_tokens: Vec<f32> = spans
				.iter()
				.flat_map(|span| &states[span.start * hidden..(span.start + 1) * hidden])
				.copied()
				.collect();
			let pooled = self
				.pooler
				.forward(&first_tokens, spans.len(), Activation::Tanh, None)?;
			let logits =
				self.classifier
					.forward(&pooled, spans.len(), Activation::Identity, None)?;
			for scores in logits.chunks_exact(self.classifier.outputs()) {
				let best =
					scores
						.iter()
						.enumerate()
						.fold(0, |best, (i, s)| if *s > scores[best] { i } else { best });
				labels.push(best as u32);
			}
			Ok(())
		})?;
		Ok(labels)
	}
}
