//! The BERT encoder on plain f32 buffers.
//!
//! Texts are not padded: the tokens of every text in a pass are rows of one matrix, so
//! each linear layer is one product over all of them ([`DenseLinear`], with its bias,
//! activation and residual fused), and attention runs per text and head over that text's
//! own tokens. Every row's arithmetic has a fixed order and depends only on its own text,
//! so a text's hidden states are the same bits alone or in any batch, on any thread count
//! and on every vector unit.

use crate::{
	error::{InferenceError, Result},
	kernels::{dense::Unit, math, parallel_chunks, Activation, DenseLinear, Isa},
};
use candle_core::Tensor;
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{Config, HiddenAct};
use std::ops::Range;

/// Layer normalization over the last dimension, with a learned scale and shift.
struct LayerNorm {
	weight: Vec<f32>,
	bias: Vec<f32>,
	eps: f32,
}

/// A transformer layer: self-attention, then the feed-forward block, each with a residual
/// connection and layer normalization after it (post-norm).
struct Layer {
	/// Query, key and value projections, one after the other: `3·hidden` outputs.
	qkv: DenseLinear,
	attention_output: DenseLinear,
	attention_norm: LayerNorm,
	intermediate: DenseLinear,
	output: DenseLinear,
	output_norm: LayerNorm,
}

/// A BERT encoder: embeddings and transformer layers.
pub(crate) struct Encoder {
	word_embeddings: Vec<f32>,
	position_embeddings: Vec<f32>,
	token_type_embeddings: Vec<f32>,
	embedding_norm: LayerNorm,
	layers: Vec<Layer>,
	hidden: usize,
	heads: usize,
	activation: Activation,
	vocab: usize,
	positions: usize,
	token_types: usize,
}

/// One text's tokens.
pub(crate) struct Tokens<'a> {
	pub ids: &'a [u32],
	pub type_ids: &'a [u32],
}

fn invalid(error: impl std::fmt::Display) -> InferenceError {
	InferenceError::InvalidModel(format!("BERT weights: {error}"))
}

fn values(tensor: Tensor) -> Result<Vec<f32>> {
	Ok(tensor.flatten_all()?.to_vec1::<f32>()?)
}

fn get(weights: &VarBuilder, shape: &[usize], name: &str) -> Result<Vec<f32>> {
	values(weights.get(shape, name).map_err(invalid)?)
}

impl LayerNorm {
	fn load(weights: VarBuilder, size: usize, eps: f64) -> Result<Self> {
		Ok(Self {
			weight: get(&weights, &[size], "weight")?,
			bias: get(&weights, &[size], "bias")?,
			eps: eps as f32,
		})
	}

	/// Normalizes each row of `rows` (rows of `weight.len()` values) in place.
	#[inline(always)]
	fn apply_row(&self, row: &mut [f32]) {
		let count = row.len() as f32;
		let mean = ordered_sum(row, |x| x) / count;
		let variance = ordered_sum(row, |x| (x - mean) * (x - mean)) / count;
		let scale = 1.0 / (variance + self.eps).sqrt();
		for ((x, weight), bias) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
			*x = ((*x - mean) * scale).mul_add(*weight, *bias);
		}
	}

	/// Normalizes every row of `values` in place, rows shared among the kernel threads.
	fn apply(&self, unit: Unit, values: &mut [f32]) {
		let width = self.weight.len();
		parallel_chunks(values, 64 * width, &|_, rows| {
			unit.run(
				#[inline(always)]
				|| {
					rows.chunks_exact_mut(width)
						.for_each(|row| self.apply_row(row))
				},
			)
		});
	}
}

/// The sum of `map(value)` over `values` in a fixed order whatever the vector unit: value
/// `i` into lane `i mod 16`, then the 16 lanes pairwise.
#[inline(always)]
fn ordered_sum(values: &[f32], map: impl Fn(f32) -> f32) -> f32 {
	let mut lanes = [0f32; 16];
	let chunks = values.chunks_exact(16);
	let tail = chunks.remainder();
	for chunk in chunks {
		for (lane, &value) in lanes.iter_mut().zip(chunk) {
			*lane += map(value);
		}
	}
	for (lane, &value) in lanes.iter_mut().zip(tail) {
		*lane += map(value);
	}
	for width in [8, 4, 2, 1] {
		for lane in 0..width {
			lanes[lane] += lanes[lane + width];
		}
	}
	lanes[0]
}

impl Layer {
	fn load(weights: VarBuilder, config: &Config) -> Result<Self> {
		let (hidden, intermediate) = (config.hidden_size, config.intermediate_size);
		let linear = |weights: VarBuilder, outputs: usize, inputs: usize| -> Result<DenseLinear> {
			DenseLinear::new(
				&get(&weights, &[outputs, inputs], "weight")?,
				outputs,
				inputs,
				Some(&get(&weights, &[outputs], "bias")?),
			)
		};
		let attention = weights.pp("attention");
		// Nothing is sized from the config before the file's tensors are: a config may lie.
		let (mut qkv_weight, mut qkv_bias) = (Vec::new(), Vec::new());
		for name in ["query", "key", "value"] {
			qkv_weight.extend(get(
				&attention.pp("self").pp(name),
				&[hidden, hidden],
				"weight",
			)?);
			qkv_bias.extend(get(&attention.pp("self").pp(name), &[hidden], "bias")?);
		}
		Ok(Self {
			qkv: DenseLinear::new(&qkv_weight, 3 * hidden, hidden, Some(&qkv_bias))?,
			attention_output: linear(attention.pp("output").pp("dense"), hidden, hidden)?,
			attention_norm: LayerNorm::load(
				attention.pp("output").pp("LayerNorm"),
				hidden,
				config.layer_norm_eps,
			)?,
			intermediate: linear(weights.pp("intermediate").pp("dense"), intermediate, hidden)?,
			output: linear(weights.pp("output").pp("dense"), hidden, intermediate)?,
			output_norm: LayerNorm::load(
				weights.pp("output").pp("LayerNorm"),
				hidden,
				config.layer_norm_eps,
			)?,
		})
	}
}

impl Encoder {
	/// Loads the encoder under `weights` (`embeddings.*`, `encoder.layer.N.*`).
	pub(crate) fn load(weights: VarBuilder, config: &Config) -> Result<Self> {
		let hidden = config.hidden_size;
		if hidden == 0
			|| config.num_attention_heads == 0
			|| !hidden.is_multiple_of(config.num_attention_heads)
		{
			return Err(invalid(format!(
				"{} attention heads do not divide {hidden} hidden features",
				config.num_attention_heads
			)));
		}
		let embeddings = weights.pp("embeddings");
		let layers = (0..config.num_hidden_layers)
			.map(|index| Layer::load(weights.pp("encoder.layer").pp(index.to_string()), config))
			.collect::<Result<Vec<_>>>()?;
		Ok(Self {
			word_embeddings: get(
				&embeddings.pp("word_embeddings"),
				&[config.vocab_size, hidden],
				"weight",
			)?,
			position_embeddings: get(
				&embeddings.pp("position_embeddings"),
				&[config.max_position_embeddings, hidden],
				"weight",
			)?,
			token_type_embeddings: get(
				&embeddings.pp("token_type_embeddings"),
				&[config.type_vocab_size, hidden],
				"weight",
			)?,
			embedding_norm: LayerNorm::load(
				embeddings.pp("LayerNorm"),
				hidden,
				config.layer_norm_eps,
			)?,
			layers,
			hidden,
			heads: config.num_attention_heads,
			activation: match config.hidden_act {
				HiddenAct::Gelu => Activation::GeluErf,
				HiddenAct::GeluApproximate => Activation::GeluTanh,
				HiddenAct::Relu => Activation::Relu,
			},
			vocab: config.vocab_size,
			positions: config.max_position_embeddings,
			token_types: config.type_vocab_size,
		})
	}

	/// Hidden features.
	pub(crate) fn hidden(&self) -> usize {
		self.hidden
	}

	/// The last layer's hidden states of every token of `texts`, `hidden` values per
	/// token, and each text's rows in them.
	pub(crate) fn forward(&self, texts: &[Tokens]) -> Result<(Vec<f32>, Vec<Range<usize>>)> {
		let unit = crate::kernels::dense::Unit::of(Isa::current());
		let mut spans = Vec::with_capacity(texts.len());
		let mut rows = 0;
		for text in texts {
			spans.push(rows..rows + text.ids.len());
			rows += text.ids.len();
		}
		let mut states = self.embed(texts, rows)?;
		self.embedding_norm.apply(unit, &mut states);
		for layer in &self.layers {
			let qkv = layer
				.qkv
				.forward_on(unit, &states, rows, Activation::Identity, None)?;
			let context = self.attention(unit, &qkv, &spans);
			let mut attended = layer.attention_output.forward_on(
				unit,
				&context,
				rows,
				Activation::Identity,
				Some(&states),
			)?;
			layer.attention_norm.apply(unit, &mut attended);
			let intermediate =
				layer
					.intermediate
					.forward_on(unit, &attended, rows, self.activation, None)?;
			states = layer.output.forward_on(
				unit,
				&intermediate,
				rows,
				Activation::Identity,
				Some(&attended),
			)?;
			layer.output_norm.apply(unit, &mut states);
		}
		Ok((states, spans))
	}

	/// Word + token type + position embeddings of every token (before normalization).
	fn embed(&self, texts: &[Tokens], rows: usize) -> Result<Vec<f32>> {
		let hidden = self.hidden;
		let mut states = Vec::with_capacity(rows * hidden);
		for text in texts {
			if text.ids.len() != text.type_ids.len() {
				return Err(InferenceError::InvalidInput(
					"token and type ids differ in length".into(),
				));
			}
			if text.ids.len() > self.positions {
				return Err(InferenceError::InvalidInput(format!(
					"{} tokens, more than the model's {} positions",
					text.ids.len(),
					self.positions
				)));
			}
			for (position, (&id, &type_id)) in text.ids.iter().zip(text.type_ids).enumerate() {
				let (id, type_id) = (id as usize, type_id as usize);
				if id >= self.vocab || type_id >= self.token_types {
					return Err(invalid(format!(
						"the tokenizer gave token {id} (type {type_id}) for a vocabulary of {} ({} types)",
						self.vocab, self.token_types
					)));
				}
				let word = &self.word_embeddings[id * hidden..(id + 1) * hidden];
				let token_type =
					&self.token_type_embeddings[type_id * hidden..(type_id + 1) * hidden];
				let place = &self.position_embeddings[position * hidden..(position + 1) * hidden];
				states.extend(
					word.iter()
						.zip(token_type)
						.zip(place)
						.map(|((w, t), p)| (w + t) + p),
				);
			}
		}
		Ok(states)
	}

	/// Scaled dot-product attention of each text's tokens among themselves, per head:
	/// `rows × hidden` values, heads side by side.
	fn attention(&self, unit: Unit, qkv: &[f32], spans: &[Range<usize>]) -> Vec<f32> {
		let (hidden, heads) = (self.hidden, self.heads);
		let mut outputs: Vec<Vec<f32>> = vec![Vec::new(); spans.len() * heads];
		parallel_chunks(&mut outputs, 1, &|task, output| {
			let (span, head) = (&spans[task / heads], task % heads);
			output[0] = unit.run(
				#[inline(always)]
				|| attend(qkv, span.clone(), hidden, heads, head),
			);
		});
		let head_size = hidden / heads;
		let mut context = vec![0f32; spans.last().map_or(0, |span| span.end) * hidden];
		for (task, output) in outputs.iter().enumerate() {
			let (span, head) = (&spans[task / heads], task % heads);
			for (row, values) in span.clone().zip(output.chunks_exact(head_size)) {
				context[row * hidden + head * head_size..][..head_size].copy_from_slice(values);
			}
		}
		context
	}
}

/// One head's attention over the rows `span` of `qkv` (`3·hidden` per row: queries, keys,
/// values): `span.len() × head size` values.
#[inline(always)]
fn attend(qkv: &[f32], span: Range<usize>, hidden: usize, heads: usize, head: usize) -> Vec<f32> {
	let size = hidden / heads;
	let length = span.len();
	let row = |index: usize, part: usize| {
		let start = (span.start + index) * 3 * hidden + part * hidden + head * size;
		&qkv[start..start + size]
	};
	// Keys transposed, so each query's scores are computed across keys side by side.
	let mut keys = vec![0f32; size * length];
	for index in 0..length {
		for (feature, &value) in row(index, 1).iter().enumerate() {
			keys[feature * length + index] = value;
		}
	}
	let scale = (size as f32).sqrt();
	let mut output = vec![0f32; length * size];
	let mut scores = vec![0f32; length];
	for (query, out) in output.chunks_exact_mut(size).enumerate() {
		scores.fill(0.0);
		for (&q, keys) in row(query, 0).iter().zip(keys.chunks_exact(length)) {
			for (score, &k) in scores.iter_mut().zip(keys) {
				*score = q.mul_add(k, *score);
			}
		}
		let mut max = f32::NEG_INFINITY;
		for score in scores.iter_mut() {
			*score /= scale;
			max = max.max(*score);
		}
		for score in scores.iter_mut() {
			*score = math::exp(*score - max);
		}
		let total = ordered_sum(&scores, |x| x);
		for (key, &weight) in scores.iter().enumerate() {
			let weight = weight / total;
			for (value, &v) in out.iter_mut().zip(row(key, 2)) {
				*value = weight.mul_add(v, *value);
			}
		}
	}
	output
}
