//! A llama-architecture language model from a GGUF file (SmolLM2 and its kin), with a
//! KV cache and logits for any positions of a forward pass: one token at a time while
//! generating, every claimed position at once while verifying (see [`crate::generation`]).
//!
//! Weights stay quantized (`QMatMul`); activations are f32. The token embedding matrix is
//! also the output head when the file has no `output.weight` (tied embeddings).

use crate::error::{InferenceError, Result};
use candle_core::{
	quantized::{gguf_file, QMatMul, QTensor},
	DType, Device, IndexOp, Module, Tensor, D,
};
use std::{io::{Read, Seek}, sync::Arc};

/// The hyper-parameters a GGUF file declares under `llama.*`.
#[derive(Clone, Debug, PartialEq)]
pub struct LlamaConfig {
	pub layers: usize,
	pub hidden: usize,
	pub heads: usize,
	pub kv_heads: usize,
	pub head_dim: usize,
	pub context: usize,
	pub rope_base: f32,
	pub norm_eps: f64,
	pub vocab: usize,
}

impl LlamaConfig {
	fn from_gguf(content: &gguf_file::Content) -> Result<Self> {
		let arch = metadata_string(content, "general.architecture")?;
		if arch != "llama" {
			return Err(InferenceError::Unsupported(format!("GGUF architecture {arch:?}")));
		}
		let number = |key: &str| -> Result<usize> {
			let value = metadata(content, key)?;
			value
				.to_u32()
				.map(|n| n as usize)
				.or_else(|_| value.to_u64().map(|n| n as usize))
				.map_err(|_| invalid(format!("{key} is not an integer")))
		};
		let hidden = number("llama.embedding_length")?;
		let heads = number("llama.attention.head_count")?;
		let kv_heads = number("llama.attention.head_count_kv")?;
		if heads == 0 || kv_heads == 0 || hidden % heads != 0 || heads % kv_heads != 0 {
			return Err(invalid("inconsistent head counts".into()));
		}
		let float = |key: &str| -> Result<f32> {
			metadata(content, key)?.to_f32().map_err(|_| invalid(format!("{key} is not a float")))
		};
		let vocab = content
			.metadata
			.get("tokenizer.ggml.tokens")
			.and_then(|tokens| tokens.to_vec().ok())
			.map(|tokens| tokens.len())
			.ok_or_else(|| invalid("no tokenizer.ggml.tokens".into()))?;
		Ok(Self {
			layers: number("llama.block_count")?,
			hidden,
			heads,
			kv_heads,
			head_dim: hidden / heads,
			context: number("llama.context_length")?,
			rope_base: float("llama.rope.freq_base").unwrap_or(10_000.0),
			norm_eps: f64::from(float("llama.attention.layer_norm_rms_epsilon")?),
			vocab,
		})
	}
}

fn invalid(reason: String) -> InferenceError {
	InferenceError::InvalidModel(reason)
}

/// A metadata value of a GGUF file.
pub fn metadata<'a>(content: &'a gguf_file::Content, key: &str) -> Result<&'a gguf_file::Value> {
	content.metadata.get(key).ok_or_else(|| invalid(format!("GGUF metadata has no {key}")))
}

/// A string metadata value of a GGUF file.
pub fn metadata_string<'a>(content: &'a gguf_file::Content, key: &str) -> Result<&'a String> {
	metadata(content, key)?.to_string().map_err(|_| invalid(format!("{key} is not a string")))
}

struct Layer {
	attention_norm: Tensor,
	query: QMatMul,
	key: QMatMul,
	value: QMatMul,
	attention_out: QMatMul,
	ffn_norm: Tensor,
	gate: QMatMul,
	up: QMatMul,
	down: QMatMul,
}

/// Keys and values of the positions run so far, per layer.
#[derive(Default)]
pub struct KvCache {
	layers: Vec<Option<(Tensor, Tensor)>>,
	len: usize,
}

impl KvCache {
	/// Positions cached.
	pub fn len(&self) -> usize {
		self.len
	}

	/// Whether nothing is cached.
	pub fn is_empty(&self) -> bool {
		self.len == 0
	}
}

/// A loaded model.
pub struct Llama {
	config: LlamaConfig,
	embeddings: Tensor,
	layers: Vec<Layer>,
	norm: Tensor,
	output: QMatMul,
	cos: Tensor,
	sin: Tensor,
	device: Device,
}

impl Llama {
	/// Loads the model from an opened GGUF file (`content` read from `reader`).
	pub fn load<R: Read + Seek>(
		content: &gguf_file::Content,
		reader: &mut R,
		device: &Device,
	) -> Result<Self> {
		let config = LlamaConfig::from_gguf(content)?;
		let mut tensor = |name: &str| -> Result<QTensor> {
			content.tensor(reader, name, device).map_err(|e| invalid(format!("tensor {name}: {e}")))
		};
		let embedding_q = tensor("token_embd.weight")?;
		let embeddings = embedding_q.dequantize(device)?;
		let output = match content.tensor_infos.contains_key("output.weight") {
			true => QMatMul::from_qtensor(tensor("output.weight")?)?,
			false => QMatMul::from_arc(Arc::new(embedding_q))?,
		};
		let norm = tensor("output_norm.weight")?.dequantize(device)?;
		let mut layers = Vec::with_capacity(config.layers);
		for i in 0..config.layers {
			let mut matmul = |part: &str| -> Result<QMatMul> {
				Ok(QMatMul::from_qtensor(tensor(&format!("blk.{i}.{part}.weight"))?)?)
			};
			layers.push(Layer {
				query: matmul("attn_q")?,
				key: matmul("attn_k")?,
				value: matmul("attn_v")?,
				attention_out: matmul("attn_output")?,
				gate: matmul("ffn_gate")?,
				up: matmul("ffn_up")?,
				down: matmul("ffn_down")?,
				attention_norm: tensor(&format!("blk.{i}.attn_norm.weight"))?.dequantize(device)?,
				ffn_norm: tensor(&format!("blk.{i}.ffn_norm.weight"))?.dequantize(device)?,
			});
		}
		if embeddings.dims() != [config.vocab, config.hidden] {
			return Err(invalid(format!("token_embd is {:?}", embeddings.dims())));
		}
		let (cos, sin) = rope_tables(&config, device)?;
		Ok(Self { config, embeddings, layers, norm, output, cos, sin, device: device.clone() })
	}

	/// The model's hyper-parameters.
	pub fn config(&self) -> &LlamaConfig {
		&self.config
	}

	/// Runs `tokens` after the positions in `cache` and appends them to it. Returns the
	/// logits (`[n, vocab]`) at the last `logits_for` positions of `tokens`: 1 while
	/// generating, the claimed positions while verifying.
	pub fn forward(&self, tokens: &[u32], cache: &mut KvCache, logits_for: usize) -> Result<Tensor> {
		let (start, count) = (cache.len, tokens.len());
		if count == 0 || logits_for == 0 || logits_for > count {
			return Err(InferenceError::InvalidInput("nothing to run".into()));
		}
		if start + count > self.config.context {
			return Err(InferenceError::InvalidInput(format!(
				"{} positions exceed the model's context of {}",
				start + count,
				self.config.context
			)));
		}
		cache.layers.resize_with(self.layers.len(), || None);
		let ids = Tensor::new(tokens, &self.device)?;
		let mut x = self.embeddings.index_select(&ids, 0)?.unsqueeze(0)?;
		let mask = (count > 1).then(|| causal_mask(start, count, &self.device)).transpose()?;
		let cos = self.cos.narrow(0, start, count)?;
		let sin = self.sin.narrow(0, start, count)?;
		for (layer, kv) in self.layers.iter().zip(cache.layers.iter_mut()) {
			let residual = &x;
			let h = candle_nn::ops::rms_norm(&x, &layer.attention_norm, self.config.norm_eps as f32)?;
			let h = self.attention(layer, &h, kv, mask.as_ref(), &cos, &sin)?;
			let x1 = (residual + h)?;
			let h = candle_nn::ops::rms_norm(&x1, &layer.ffn_norm, self.config.norm_eps as f32)?;
			let gate = candle_nn::ops::silu(&layer.gate.forward(&h)?)?;
			let h = layer.down.forward(&(gate * layer.up.forward(&h)?)?)?;
			x = (x1 + h)?;
		}
		cache.len += count;
		let x = x.i((.., count - logits_for.., ..))?;
		let x = candle_nn::ops::rms_norm(&x, &self.norm, self.config.norm_eps as f32)?;
		Ok(self.output.forward(&x)?.squeeze(0)?.to_dtype(DType::F32)?)
	}

	fn attention(
		&self,
		layer: &Layer,
		x: &Tensor,
		kv: &mut Option<(Tensor, Tensor)>,
		mask: Option<&Tensor>,
		cos: &Tensor,
		sin: &Tensor,
	) -> Result<Tensor> {
		let c = &self.config;
		let (batch, count, _) = x.dims3()?;
		let heads = |t: Tensor, n: usize| -> Result<Tensor> {
			Ok(t.reshape((batch, count, n, c.head_dim))?.transpose(1, 2)?.contiguous()?)
		};
		let q = heads(layer.query.forward(x)?, c.heads)?;
		let k = heads(layer.key.forward(x)?, c.kv_heads)?;
		let v = heads(layer.value.forward(x)?, c.kv_heads)?;
		// GGUF stores llama's query and key rows in the interleaved rotary layout.
		let q = candle_nn::rotary_emb::rope_i(&q, cos, sin)?;
		let k = candle_nn::rotary_emb::rope_i(&k, cos, sin)?;
		let (k, v) = match kv.take() {
			Some((past_k, past_v)) => (Tensor::cat(&[&past_k, &k], 2)?, Tensor::cat(&[&past_v, &v], 2)?),
			None => (k, v),
		};
		*kv = Some((k.clone(), v.clone()));
		let group = c.heads / c.kv_heads;
		let k = repeat_kv(k, group)?;
		let v = repeat_kv(v, group)?;
		let scores = (q.matmul(&k.t()?)? / (c.head_dim as f64).sqrt())?;
		let scores = match mask {
			Some(mask) => scores.broadcast_add(mask)?,
			None => scores,
		};
		let weights = candle_nn::ops::softmax_last_dim(&scores)?;
		let out = weights.matmul(&v)?.transpose(1, 2)?.reshape((batch, count, c.hidden))?;
		Ok(layer.attention_out.forward(&out)?)
	}
}

/// `[count, start + count]`: 0 where a query may attend a key, −∞ for later keys.
fn causal_mask(start: usize, count: usize, device: &Device) -> Result<Tensor> {
	let keys = start + count;
	let values: Vec<f32> = (0..count)
		.flat_map(|q| (0..keys).map(move |k| if k <= start + q { 0.0 } else { f32::NEG_INFINITY }))
		.collect();
	Ok(Tensor::from_vec(values, (count, keys), device)?)
}

/// Each key/value head repeated `group` times, for grouped-query attention.
fn repeat_kv(x: Tensor, group: usize) -> Result<Tensor> {
	if group == 1 {
		return Ok(x);
	}
	let (batch, heads, len, dim) = x.dims4()?;
	Ok(x.unsqueeze(2)?.expand((batch, heads, group, len, dim))?.reshape((batch, heads * group, len, dim))?)
}

/// Rotary embedding tables `[context, head_dim / 2]`.
fn rope_tables(config: &LlamaConfig, device: &Device) -> Result<(Tensor, Tensor)> {
	let half = config.head_dim / 2;
	let inverse: Vec<f32> = (0..half)
		.map(|i| 1.0 / config.rope_base.powf(2.0 * i as f32 / config.head_dim as f32))
		.collect();
	let inverse = Tensor::from_vec(inverse, (1, half), device)?;
	let positions =
		Tensor::arange(0u32, config.context as u32, device)?.to_dtype(DType::F32)?.reshape((config.context, 1))?;
	let angles = positions.matmul(&inverse)?;
	Ok((angles.cos()?, angles.sin()?))
}

/// The logits of one position as a vector.
pub fn row(logits: &Tensor, position: usize) -> Result<Vec<f32>> {
	Ok(logits.get(position)?.to_vec1::<f32>()?)
}

/// The logits tensor's last dimension.
pub fn vocab_of(logits: &Tensor) -> Result<usize> {
	Ok(logits.dim(D::Minus1)?)
}
