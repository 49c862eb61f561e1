//! A llama-architecture language model from a GGUF file (SmolLM2 and its kin), with a
//! KV cache and logits for any positions of a forward pass: one token at a time while
//! generating, every claimed position at once while verifying (see [`crate::generation`]).
//!
//! It runs on the CPU: weights stay quantized and go through [`crate::kernels`];
//! activations are f32 in plain buffers, and the rest of the layer (RMS norm, rotary
//! embedding, attention, SiLU) is plain Rust with a fixed order of operations. So a
//! position's logits are the same bits whether it is decoded alone or in a batch, on any
//! thread count and any x86-64 CPU (`docs/verification.md`). The token embedding matrix
//! is also the output head when the file has no `output.weight` (tied embeddings).

use crate::{
	error::{InferenceError, Result},
	kernels::{LayerInput, QuantizedLinear},
};
use candle_core::{
	quantized::{gguf_file, QTensor},
	Device,
};
use std::io::{Read, Seek};

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
	attention_norm: Vec<f32>,
	query: QuantizedLinear,
	key: QuantizedLinear,
	value: QuantizedLinear,
	attention_out: QuantizedLinear,
	ffn_norm: Vec<f32>,
	gate: QuantizedLinear,
	up: QuantizedLinear,
	down: QuantizedLinear,
}

/// Keys and values of the positions run so far: per layer, `[position][kv head][head_dim]`.
#[derive(Clone, Default)]
pub struct KvCache {
	pub(crate) layers: Vec<(Vec<f32>, Vec<f32>)>,
	pub(crate) len: usize,
	/// Floats per position in each layer's keys (and values): kv heads × head_dim.
	pub(crate) width: usize,
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

	/// A copy of the first `len` positions (all of them if there are fewer). A position's
	/// keys and values depend only on the tokens up to it, so running the rest of a
	/// sequence after this copy gives the bits of running the whole sequence.
	pub fn prefix(&self, len: usize) -> KvCache {
		let len = len.min(self.len);
		debug_assert!(self.layers.iter().all(|(keys, values)| keys.len().min(values.len()) >= len * self.width));
		let layers = self
			.layers
			.iter()
			.map(|(keys, values)| {
				let floats = len * self.width;
				(keys[..floats].to_vec(), values[..floats].to_vec())
			})
			.collect();
		KvCache { layers, len, width: self.width }
	}

	/// Bytes of keys and values one position takes.
	pub fn bytes_per_position(&self) -> usize {
		self.layers.len() * 2 * self.width * std::mem::size_of::<f32>()
	}

	/// Bytes of keys and values held.
	pub fn bytes(&self) -> usize {
		self.layers.iter().map(|(keys, values)| (keys.len() + values.len()) * std::mem::size_of::<f32>()).sum()
	}
}

/// Logits of some positions: `rows × vocab`.
pub struct Logits {
	pub(crate) values: Vec<f32>,
	pub(crate) vocab: usize,
}

impl Logits {
	/// The logits of the `index`-th position asked for.
	pub fn row(&self, index: usize) -> &[f32] {
		&self.values[index * self.vocab..(index + 1) * self.vocab]
	}

	/// Positions.
	pub fn rows(&self) -> usize {
		self.values.len() / self.vocab
	}
}

/// A loaded model.
pub struct Llama {
	config: LlamaConfig,
	/// `[vocab][hidden]`.
	embeddings: Vec<f32>,
	layers: Vec<Layer>,
	norm: Vec<f32>,
	output: QuantizedLinear,
	/// `[context][head_dim / 2]`.
	cos: Vec<f32>,
	sin: Vec<f32>,
}

impl Llama {
	/// Loads the model from an opened GGUF file (`content` read from `reader`).
	pub fn load<R: Read + Seek>(content: &gguf_file::Content, reader: &mut R) -> Result<Self> {
		let config = LlamaConfig::from_gguf(content)?;
		let device = Device::Cpu;
		let mut tensor = |name: &str| -> Result<QTensor> {
			content.tensor(reader, name, &device).map_err(|e| invalid(format!("tensor {name}: {e}")))
		};
		let vector = |tensor: QTensor| -> Result<Vec<f32>> {
			Ok(tensor.dequantize(&Device::Cpu)?.flatten_all()?.to_vec1::<f32>()?)
		};
		let embedding_q = tensor("token_embd.weight")?;
		if embedding_q.shape().dims() != [config.vocab, config.hidden] {
			return Err(invalid(format!("token_embd is {:?}", embedding_q.shape())));
		}
		let embeddings = embedding_q.dequantize(&device)?.flatten_all()?.to_vec1::<f32>()?;
		let output = match content.tensor_infos.contains_key("output.weight") {
			true => QuantizedLinear::new(tensor("output.weight")?)?,
			false => QuantizedLinear::new(embedding_q)?,
		};
		let norm = vector(tensor("output_norm.weight")?)?;
		let (q_features, kv_features) = (config.heads * config.head_dim, config.kv_heads * config.head_dim);
		let mut layers = Vec::with_capacity(config.layers);
		for i in 0..config.layers {
			let mut matmul = |part: &str| QuantizedLinear::new(tensor(&format!("blk.{i}.{part}.weight"))?);
			let layer = Layer {
				query: matmul("attn_q")?,
				key: matmul("attn_k")?,
				value: matmul("attn_v")?,
				attention_out: matmul("attn_output")?,
				gate: matmul("ffn_gate")?,
				up: matmul("ffn_up")?,
				down: matmul("ffn_down")?,
				attention_norm: vector(tensor(&format!("blk.{i}.attn_norm.weight"))?)?,
				ffn_norm: vector(tensor(&format!("blk.{i}.ffn_norm.weight"))?)?,
			};
			let shape = |linear: &QuantizedLinear| (linear.rows(), linear.columns());
			let (hidden, ffn) = (config.hidden, layer.gate.rows());
			if shape(&layer.query) != (q_features, hidden) ||
				shape(&layer.key) != (kv_features, hidden) ||
				shape(&layer.value) != (kv_features, hidden) ||
				shape(&layer.attention_out) != (hidden, q_features) ||
				shape(&layer.gate) != (ffn, hidden) ||
				shape(&layer.up) != (ffn, hidden) ||
				shape(&layer.down) != (hidden, ffn) ||
				layer.attention_norm.len() != hidden ||
				layer.ffn_norm.len() != hidden
			{
				return Err(invalid(format!("block {i} has inconsistent shapes")));
			}
			layers.push(layer);
		}
		if norm.len() != config.hidden || output.columns() != config.hidden || output.rows() != config.vocab {
			return Err(invalid("the output head does not match the model".into()));
		}
		let (cos, sin) = rope_tables(&config);
		Ok(Self { config, embeddings, layers, norm, output, cos, sin })
	}

	/// The model's hyper-parameters.
	pub fn config(&self) -> &LlamaConfig {
		&self.config
	}

	/// Whether a position's results are the same bits whatever else runs in its pass (every
	/// layer on Infera's kernels, see [`QuantizedLinear::rows_are_independent`]), so that
	/// passes may start from remembered keys and values.
	pub fn rows_are_independent(&self) -> bool {
		self.output.rows_are_independent() &&
			self.layers.iter().all(|layer| {
				[&layer.query, &layer.key, &layer.value, &layer.attention_out, &layer.gate, &layer.up, &layer.down]
					.iter()
					.all(|linear| linear.rows_are_independent())
			})
	}

	/// Runs `tokens` after the positions in `cache` and appends them to it. Returns the
	/// logits at the last `logits_for` positions of `tokens`: 1 while generating, the
	/// claimed positions while verifying.
	pub fn forward(&self, tokens: &[u32], cache: &mut KvCache, logits_for: usize) -> Result<Logits> {
		let c = &self.config;
		let (start, count) = (cache.len, tokens.len());
		if count == 0 || logits_for == 0 || logits_for > count {
			return Err(InferenceError::InvalidInput("nothing to run".into()));
		}
		if start + count > c.context {
			return Err(InferenceError::InvalidInput(format!(
				"{} positions exceed the model's context of {}",
				start + count,
				c.context
			)));
		}
		if let Some(token) = tokens.iter().find(|token| **token as usize >= c.vocab) {
			return Err(InferenceError::InvalidInput(format!("token {token} is not in the vocabulary")));
		}
		cache.layers.resize_with(self.layers.len(), Default::default);
		cache.width = c.kv_heads * c.head_dim;
		// Positions a failed call appended to some layers only are dropped.
		let cached = start * cache.width;
		for (keys, values) in cache.layers.iter_mut() {
			keys.truncate(cached);
			values.truncate(cached);
		}
		let mut x: Vec<f32> = tokens
			.iter()
			.flat_map(|token| &self.embeddings[*token as usize * c.hidden..(*token as usize + 1) * c.hidden])
			.copied()
			.collect();
		for (layer, (keys, values)) in self.layers.iter().zip(cache.layers.iter_mut()) {
			let h = rms_norm(&x, &layer.attention_norm, c.norm_eps as f32);
			let h = LayerInput::new(&h, count);
			let mut q = layer.query.forward(&h)?;
			let mut k = layer.key.forward(&h)?;
			let v = layer.value.forward(&h)?;
			self.rotate(&mut q, start, c.heads);
			self.rotate(&mut k, start, c.kv_heads);
			keys.extend_from_slice(&k);
			values.extend_from_slice(&v);
			let attended = attention(c, &q, keys, values, start, count);
			add(&mut x, &layer.attention_out.forward(&LayerInput::new(&attended, count))?);
			let h = rms_norm(&x, &layer.ffn_norm, c.norm_eps as f32);
			let h = LayerInput::new(&h, count);
			let mut gate = layer.gate.forward(&h)?;
			let up = layer.up.forward(&h)?;
			let ffn = layer.gate.rows();
			let chunk = ffn * rows_per_task(count);
			crate::kernels::parallel_chunks(&mut gate, chunk, &|task, gate| {
				for (g, u) in gate.iter_mut().zip(&up[task * chunk..]) {
					*g = silu(*g) * u;
				}
			});
			add(&mut x, &layer.down.forward(&LayerInput::new(&gate, count))?);
		}
		cache.len += count;
		let last = &x[(count - logits_for) * c.hidden..];
		let h = rms_norm(last, &self.norm, c.norm_eps as f32);
		Ok(Logits { values: self.output.forward(&LayerInput::new(&h, logits_for))?, vocab: c.vocab })
	}

	/// Rotary embedding of rows `[position][heads][head_dim]` from position `start`, in
	/// GGUF's interleaved layout (llama's query and key rows are stored permuted for it).
	fn rotate(&self, rows: &mut [f32], start: usize, heads: usize) {
		let (dim, half) = (self.config.head_dim, self.config.head_dim / 2);
		for (offset, position) in rows.chunks_exact_mut(heads * dim).enumerate() {
			let at = (start + offset) * half;
			let (cos, sin) = (&self.cos[at..at + half], &self.sin[at..at + half]);
			for head in position.chunks_exact_mut(dim) {
				for (i, pair) in head.chunks_exact_mut(2).enumerate() {
					let (a, b) = (pair[0], pair[1]);
					pair[0] = a * cos[i] - b * sin[i];
					pair[1] = a * sin[i] + b * cos[i];
				}
			}
		}
	}
}

/// Rows below which the element-wise steps of a layer run on one thread.
const PARALLEL_ROWS: usize = 8;

/// Rows per task for the element-wise steps of a pass of `count` rows: all of them below
/// [`PARALLEL_ROWS`] (one task, no hand-off), otherwise a quarter per thread. Each row is
/// computed the same way in any task, so this changes no bit.
fn rows_per_task(count: usize) -> usize {
	match count < PARALLEL_ROWS {
		true => count.max(1),
		false => count.div_ceil(4 * rayon::current_num_threads().max(1)),
	}
}

/// Per row of `x`: `x / sqrt(mean(x²) + eps) · weight`, the sum of squares taken in order.
fn rms_norm(x: &[f32], weight: &[f32], eps: f32) -> Vec<f32> {
	let dim = weight.len();
	let mut out = vec![0f32; x.len()];
	let chunk = dim * rows_per_task(x.len() / dim);
	crate::kernels::parallel_chunks(&mut out, chunk, &|task, out| {
		let rows = x[task * chunk..].chunks_exact(dim);
		for (row, out) in rows.zip(out.chunks_exact_mut(dim)) {
			let squares = row.iter().map(|v| v * v).sum::<f32>();
			let root = (squares / dim as f32 + eps).sqrt();
			for ((o, v), w) in out.iter_mut().zip(row).zip(weight) {
				*o = v / root * w;
			}
		}
	});
	out
}

fn silu(x: f32) -> f32 {
	x / (1.0 + (-x).exp())
}

fn add(x: &mut [f32], y: &[f32]) {
	for (x, y) in x.iter_mut().zip(y) {
		*x += y;
	}
}

/// Attention work (query positions × visible keys) below which threads do not pay.
const MIN_PARALLEL_ATTENTION: usize = 2048;

/// Causal grouped-query attention of `count` queries at positions `start..` over the
/// cached keys and values: `[query][heads · head_dim]`. Each query and head is computed
/// alone, over exactly the keys it sees, in a fixed order ([`attend`]); with AVX2 and
/// 64-wide heads, [`attend_avx2_64`] does the same operations, with the same bits.
fn attention(c: &LlamaConfig, queries: &[f32], keys: &[f32], values: &[f32], start: usize, count: usize) -> Vec<f32> {
	let dim = c.head_dim;
	let mut out = vec![0f32; count * c.heads * dim];
	let parts = AttentionInputs { config: c, queries, keys, values, start };
	#[cfg(target_arch = "x86_64")]
	let wide = c.head_dim == 64 &&
		crate::kernels::Isa::current() != crate::kernels::Isa::Scalar &&
		is_x86_feature_detected!("avx2");
	let head = |index: usize, out: &mut [f32]| {
		#[cfg(target_arch = "x86_64")]
		if wide {
			// SAFETY: the CPU has AVX2 and heads are 64 wide (checked above).
			return unsafe { attend_avx2_64(&parts, index, out) };
		}
		attend(&parts, index, out)
	};
	let work = count * (start + count);
	if work < MIN_PARALLEL_ATTENTION {
		out.chunks_mut(dim).enumerate().for_each(|(index, out)| head(index, out));
	} else {
		crate::kernels::parallel_chunks(&mut out, dim, &head);
	}
	out
}

/// What [`attend`] reads: the queries of one pass and the whole cache.
struct AttentionInputs<'a> {
	config: &'a LlamaConfig,
	queries: &'a [f32],
	keys: &'a [f32],
	values: &'a [f32],
	start: usize,
}

impl AttentionInputs<'_> {
	/// The key and value head that query head `index` (query · heads + head) reads, and
	/// how many positions it sees (the cached ones and its own pass's up to itself).
	#[inline(always)]
	fn head_of(&self, index: usize) -> (usize, usize) {
		let c = self.config;
		let (query, head) = (index / c.heads, index % c.heads);
		(head / (c.heads / c.kv_heads), self.start + query + 1)
	}

	/// What dot products of queries with keys are multiplied by: 1 / √head_dim.
	#[inline(always)]
	fn scale(&self) -> f32 {
		1.0 / (self.config.head_dim as f32).sqrt()
	}

	/// The key or value (of `cache`) of `position` for `kv_head`.
	#[inline(always)]
	fn row<'c>(&self, cache: &'c [f32], position: usize, kv_head: usize) -> &'c [f32] {
		let (c, dim) = (self.config, self.config.head_dim);
		&cache[(position * c.kv_heads + kv_head) * dim..][..dim]
	}
}

/// Softmax's numerators in place: each scaled score becomes exp(score − the largest).
/// Returns their sum, added in order.
#[inline(always)]
fn exponentiate(weights: &mut [f32]) -> f32 {
	let max = weights.iter().fold(f32::NEG_INFINITY, |max, weight| max.max(*weight));
	let mut total = 0f32;
	for weight in weights.iter_mut() {
		*weight = (*weight - max).exp();
		total += *weight;
	}
	total
}

/// Attention of one query and head (`index` = query · heads + head) into `out`
/// (`head_dim` zeros): softmax of the scaled dot products with every visible key, then the
/// weighted sum of their values, each in one fixed order.
#[inline(always)]
fn attend(parts: &AttentionInputs, index: usize, out: &mut [f32]) {
	let (dim, scale) = (parts.config.head_dim, parts.scale());
	let (kv_head, visible) = parts.head_of(index);
	let q = &parts.queries[index * dim..(index + 1) * dim];
	let mut weights = vec![0f32; visible];
	for (position, weight) in weights.iter_mut().enumerate() {
		*weight = dot(q, parts.row(parts.keys, position, kv_head)) * scale;
	}
	let total = exponentiate(&mut weights);
	for (position, weight) in weights.iter().enumerate() {
		let weight = weight / total;
		let value = parts.row(parts.values, position, kv_head);
		for (o, v) in out.iter_mut().zip(value) {
			*o += weight * v;
		}
	}
}

/// [`attend`] for 64-wide heads (SmolLM2's) with AVX2: the query and the output stay in
/// registers, a key's 8 partial sums are the 8 lanes of one register, and their tree is two
/// horizontal adds. Every operation and its order are [`attend`]'s (no fused multiply-adds),
/// so the bits are too.
///
/// # Safety
/// The CPU must support AVX2. (Heads and `out` other than 64 wide panic.)
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn attend_avx2_64(parts: &AttentionInputs, index: usize, out: &mut [f32]) {
	use std::arch::x86_64::*;
	const DIM: usize = 64;
	assert!(parts.config.head_dim == DIM && out.len() == DIM, "attend_avx2_64 takes 64-wide heads");
	let scale = parts.scale();
	let (kv_head, visible) = parts.head_of(index);
	let q_at = parts.queries[index * DIM..(index + 1) * DIM].as_ptr();
	let mut q = [_mm256_setzero_ps(); 8];
	for (chunk, q) in q.iter_mut().enumerate() {
		*q = _mm256_loadu_ps(q_at.add(8 * chunk));
	}
	let mut weights = vec![0f32; visible];
	for (position, weight) in weights.iter_mut().enumerate() {
		let key = parts.row(parts.keys, position, kv_head).as_ptr();
		// Lane l adds a[8i + l] · b[8i + l] over i, from +0.0, as `dot`'s `lanes` do.
		let mut lanes = _mm256_setzero_ps();
		for (chunk, q) in q.iter().enumerate() {
			lanes = _mm256_add_ps(lanes, _mm256_mul_ps(*q, _mm256_loadu_ps(key.add(8 * chunk))));
		}
		// [l0+l1, l2+l3, l4+l5, l6+l7], then [(l0+l1)+(l2+l3), (l4+l5)+(l6+l7), …], then
		// their sum: `dot`'s tree (its empty remainder, −0.0, changes no sum).
		let pairs = _mm_hadd_ps(_mm256_castps256_ps128(lanes), _mm256_extractf128_ps::<1>(lanes));
		let quads = _mm_hadd_ps(pairs, pairs);
		let total = _mm_add_ss(quads, _mm_movehdup_ps(quads));
		*weight = _mm_cvtss_f32(total) * scale;
	}
	let total = exponentiate(&mut weights);
	let mut sums = [_mm256_setzero_ps(); 8];
	for (chunk, sum) in sums.iter_mut().enumerate() {
		*sum = _mm256_loadu_ps(out.as_ptr().add(8 * chunk));
	}
	for (position, weight) in weights.iter().enumerate() {
		let weight = _mm256_set1_ps(weight / total);
		let value = parts.row(parts.values, position, kv_head).as_ptr();
		for (chunk, sum) in sums.iter_mut().enumerate() {
			*sum = _mm256_add_ps(*sum, _mm256_mul_ps(weight, _mm256_loadu_ps(value.add(8 * chunk))));
		}
	}
	for (chunk, sum) in sums.iter().enumerate() {
		_mm256_storeu_ps(out.as_mut_ptr().add(8 * chunk), *sum);
	}
}

/// A dot product in 8 interleaved partial sums, added in a fixed tree.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
	let mut lanes = [0f32; 8];
	let (a_chunks, b_chunks) = (a.chunks_exact(8), b.chunks_exact(8));
	// -0.0, as `Iterator::sum` of f32 starts (the empty sum of a 64-wide head).
	let mut rest = -0.0f32;
	for (a, b) in a_chunks.remainder().iter().zip(b_chunks.remainder()) {
		rest += a * b;
	}
	for (a, b) in a_chunks.zip(b_chunks) {
		for lane in 0..8 {
			lanes[lane] += a[lane] * b[lane];
		}
	}
	((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7])) + rest
}

/// Rotary embedding tables `[context][head_dim / 2]`: cosines and sines.
fn rope_tables(config: &LlamaConfig) -> (Vec<f32>, Vec<f32>) {
	let half = config.head_dim / 2;
	let inverse: Vec<f32> = (0..half)
		.map(|i| 1.0 / config.rope_base.powf(2.0 * i as f32 / config.head_dim as f32))
		.collect();
	let angles: Vec<f32> = (0..config.context)
		.flat_map(|position| inverse.iter().map(move |frequency| position as f32 * frequency))
		.collect();
	(angles.iter().map(|a| a.cos()).collect(), angles.iter().map(|a| a.sin()).collect())
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Deterministic values in [-2, 2), a different sequence per seed.
	fn values(count: usize, seed: usize) -> Vec<f32> {
		(0..count).map(|i| ((i * 7919 + seed * 104_729) % 4001) as f32 / 1000.25 - 2.0).collect()
	}

	#[test]
	#[cfg(target_arch = "x86_64")]
	fn attention_gives_the_same_bits_with_avx2() {
		if !is_x86_feature_detected!("avx2") {
			return;
		}
		// SmolLM2's grouping (3 query heads per key head) and head size.
		let head_dim = 64;
		let config = LlamaConfig {
			layers: 1,
			hidden: 6 * head_dim,
			heads: 6,
			kv_heads: 2,
			head_dim,
			context: 512,
			rope_base: 10_000.0,
			norm_eps: 1e-5,
			vocab: 1,
		};
		let (start, count) = (37, 29);
		let queries = values(count * 6 * head_dim, 1);
		let keys = values((start + count) * 2 * head_dim, 2);
		let cached = values((start + count) * 2 * head_dim, 3);
		let parts = AttentionInputs { config: &config, queries: &queries, keys: &keys, values: &cached, start };
		let mut differing = 0;
		for index in 0..count * 6 {
			let (mut portable, mut wide) = (vec![0f32; head_dim], vec![0f32; head_dim]);
			attend(&parts, index, &mut portable);
			// SAFETY: checked above.
			unsafe { attend_avx2_64(&parts, index, &mut wide) };
			let bits = |values: &[f32]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
			assert_eq!(bits(&wide), bits(&portable), "query and head {index}");
			differing += usize::from(portable.iter().any(|v| *v != 0.0));
		}
		assert_eq!(differing, count * 6, "every head attended to something");
	}
}
