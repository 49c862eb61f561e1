//! x86-64 kernels, chosen at run time (see [`super::Isa`]).
//!
//! Integer block sums are exact and each output lane adds its blocks in candle's order
//! with separate multiplies and adds (no fused multiply-add), so every kernel here gives
//! bit for bit the results of [`super::scalar`].
//!
//! - AVX-512 VNNI: a 512-bit register holds 16 rows' quants; `vpdpbusd` multiplies them by
//!   4 broadcast activations and sums into 16 lanes. Up to 4 activation rows share each
//!   unpacked block of weights.
//! - AVX2 (with F16C): the same on 8 rows at a time, with `vpmaddubsw` and `vpmaddwd`; up
//!   to 4 activation rows share each unpacked block, taken in two phases of 4 quads.

use super::{
	activations::QuantizedRows,
	pack::{PackedMatrix, WeightFormat, BLOCK, GROUP},
	Output,
};
use std::{arch::x86_64::*, ops::Range};

/// Activation rows that share each unpacked block of weights (AVX-512, 32 registers).
const TILE_512: usize = 4;
/// The same for AVX2: its 16 registers hold a block's quants for 4 rows when the block is
/// taken in two phases of 4 quads.
const TILE_256: usize = 4;

/// The AVX-512 VNNI kernel.
///
/// # Safety
/// The CPU must support AVX-512 F, BW and VNNI; tasks must be given disjoint groups.
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
pub(super) unsafe fn matmul_avx512(
	weights: &PackedMatrix,
	input: &QuantizedRows,
	groups: Range<usize>,
	output: &Output,
) {
	for group in groups {
		let mut row = 0;
		while row < input.rows {
			let tile = (input.rows - row).min(TILE_512);
			match (weights.format, tile) {
				(WeightFormat::Q4_1, 8) => q4_1_512::<8>(weights, input, group, row, output),
				(WeightFormat::Q4_1, 7) => q4_1_512::<7>(weights, input, group, row, output),
				(WeightFormat::Q4_1, 6) => q4_1_512::<6>(weights, input, group, row, output),
				(WeightFormat::Q4_1, 5) => q4_1_512::<5>(weights, input, group, row, output),
				(WeightFormat::Q4_1, 4) => q4_1_512::<4>(weights, input, group, row, output),
				(WeightFormat::Q4_1, 3) => q4_1_512::<3>(weights, input, group, row, output),
				(WeightFormat::Q4_1, 2) => q4_1_512::<2>(weights, input, group, row, output),
				(WeightFormat::Q4_1, _) => q4_1_512::<1>(weights, input, group, row, output),
				(WeightFormat::Q8_0, 8) => q8_0_512::<8>(weights, input, group, row, output),
				(WeightFormat::Q8_0, 7) => q8_0_512::<7>(weights, input, group, row, output),
				(WeightFormat::Q8_0, 6) => q8_0_512::<6>(weights, input, group, row, output),
				(WeightFormat::Q8_0, 5) => q8_0_512::<5>(weights, input, group, row, output),
				(WeightFormat::Q8_0, 4) => q8_0_512::<4>(weights, input, group, row, output),
				(WeightFormat::Q8_0, 3) => q8_0_512::<3>(weights, input, group, row, output),
				(WeightFormat::Q8_0, 2) => q8_0_512::<2>(weights, input, group, row, output),
				(WeightFormat::Q8_0, _) => q8_0_512::<1>(weights, input, group, row, output),
			}
			row += tile;
		}
	}
}

/// The f16 scales of one group and block, widened.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn halves_512(values: &[u16], at: usize) -> __m512 {
	_mm512_cvtph_ps(_mm256_loadu_si256(values.as_ptr().add(at) as *const __m256i))
}

/// The 4 activations at `quad` (of 8) of one block, in every lane.
#[inline(always)]
unsafe fn activation_quad(input: &QuantizedRows, row: usize, block: usize, quad: usize) -> i32 {
	(input.block(row, block).as_ptr() as *const i32).add(quad).read_unaligned()
}

#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
#[inline]
unsafe fn q4_1_512<const T: usize>(
	weights: &PackedMatrix,
	input: &QuantizedRows,
	group: usize,
	first_row: usize,
	output: &Output,
) {
	let nibble = _mm512_set1_epi8(0x0F);
	let mut sums = [_mm512_setzero_ps(); T];
	for block in 0..weights.blocks {
		let lines = weights.lines_of(group, block);
		let mut quants = [_mm512_setzero_si512(); 8];
		for (line, packed) in lines.iter().enumerate() {
			let packed = _mm512_load_si512(packed.0.as_ptr() as *const _);
			quants[line] = _mm512_and_si512(packed, nibble);
			quants[line + 4] = _mm512_and_si512(_mm512_srli_epi16::<4>(packed), nibble);
		}
		let slot = weights.scale_index(group, block);
		let scale = halves_512(&weights.scales, slot);
		let minimum = halves_512(&weights.minimums, slot);
		for (t, sum) in sums.iter_mut().enumerate() {
			let row = first_row + t;
			let mut integer = _mm512_setzero_si512();
			for (quad, quant) in quants.iter().enumerate() {
				let activations = _mm512_set1_epi32(activation_quad(input, row, block, quad));
				integer = _mm512_dpbusd_epi32(integer, *quant, activations);
			}
			let at = input.index(row, block);
			let product = _mm512_mul_ps(
				_mm512_mul_ps(_mm512_cvtepi32_ps(integer), scale),
				_mm512_set1_ps(input.scales[at]),
			);
			let offset = _mm512_mul_ps(minimum, _mm512_set1_ps(input.scaled_sums[at]));
			*sum = _mm512_add_ps(*sum, _mm512_add_ps(product, offset));
		}
	}
	store_512(&sums, group, first_row, output);
}

#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
#[inline]
unsafe fn q8_0_512<const T: usize>(
	weights: &PackedMatrix,
	input: &QuantizedRows,
	group: usize,
	first_row: usize,
	output: &Output,
) {
	let mut sums = [_mm512_setzero_ps(); T];
	for block in 0..weights.blocks {
		let lines = weights.lines_of(group, block);
		let mut quants = [_mm512_setzero_si512(); 8];
		for (line, packed) in lines.iter().enumerate() {
			quants[line] = _mm512_load_si512(packed.0.as_ptr() as *const _);
		}
		let scale = halves_512(&weights.scales, weights.scale_index(group, block));
		for (t, sum) in sums.iter_mut().enumerate() {
			let row = first_row + t;
			let at = input.index(row, block);
			// The quants are stored plus 128: take 128 × the activations' sum back off.
			let mut integer = _mm512_set1_epi32(-128 * input.sums[at]);
			for (quad, quant) in quants.iter().enumerate() {
				let activations = _mm512_set1_epi32(activation_quad(input, row, block, quad));
				integer = _mm512_dpbusd_epi32(integer, *quant, activations);
			}
			let product = _mm512_mul_ps(
				_mm512_mul_ps(_mm512_cvtepi32_ps(integer), scale),
				_mm512_set1_ps(input.scales[at]),
			);
			*sum = _mm512_add_ps(*sum, product);
		}
	}
	store_512(&sums, group, first_row, output);
}

#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn store_512<const T: usize>(sums: &[__m512; T], group: usize, first_row: usize, output: &Output) {
	for (t, sum) in sums.iter().enumerate() {
		let mut values = [0f32; GROUP];
		_mm512_storeu_ps(values.as_mut_ptr(), *sum);
		output.write_group(first_row + t, group, &values);
	}
}

/// The AVX2 kernel.
///
/// # Safety
/// The CPU must support AVX2 and F16C; tasks must be given disjoint groups.
#[target_feature(enable = "avx2,f16c")]
pub(super) unsafe fn matmul_avx2(
	weights: &PackedMatrix,
	input: &QuantizedRows,
	groups: Range<usize>,
	output: &Output,
) {
	for group in groups {
		let mut row = 0;
		while row < input.rows {
			let tile = (input.rows - row).min(TILE_256);
			let mut values = [[0f32; GROUP]; TILE_256];
			for half in 0..2 {
				match (weights.format, tile) {
					(WeightFormat::Q4_1, 4) => q4_1_256::<4>(weights, input, group, half, row, &mut values),
					(WeightFormat::Q4_1, 3) => q4_1_256::<3>(weights, input, group, half, row, &mut values),
					(WeightFormat::Q4_1, 2) => q4_1_256::<2>(weights, input, group, half, row, &mut values),
					(WeightFormat::Q4_1, _) => q4_1_256::<1>(weights, input, group, half, row, &mut values),
					(WeightFormat::Q8_0, 4) => q8_0_256::<4>(weights, input, group, half, row, &mut values),
					(WeightFormat::Q8_0, 3) => q8_0_256::<3>(weights, input, group, half, row, &mut values),
					(WeightFormat::Q8_0, 2) => q8_0_256::<2>(weights, input, group, half, row, &mut values),
					(WeightFormat::Q8_0, _) => q8_0_256::<1>(weights, input, group, half, row, &mut values),
				}
			}
			for (t, values) in values.iter().take(tile).enumerate() {
				output.write_group(row + t, group, values);
			}
			row += tile;
		}
	}
}

/// What one call of an AVX2 kernel reads, as raw pointers checked once: activation rows
/// `first_row..first_row + rows`, and 8 weight rows (half `half`) of one group.
struct HalfTile {
	blocks: usize,
	columns: usize,
	/// Row `first_row`'s quants; each next row is `columns` further.
	activations: *const i8,
	/// Row `first_row`'s scale per block; each next row is `blocks` further.
	activation_scales: *const f32,
	/// Row `first_row`'s Q8_1 scaled sum per block, laid out like the scales.
	scaled_sums: *const f32,
	/// The group's first line at this half; each line is a `Line` further, each block
	/// `lines_per_block` lines.
	lines: *const u8,
	lines_per_block: usize,
	/// The group's first block's f16 scales at this half; each next block is `GROUP` further.
	scales: *const u16,
	/// The same for Q4_1's minimums (unused by Q8_0).
	minimums: *const u16,
}

impl HalfTile {
	/// Panics unless every pointer the kernel derives stays inside `weights` and `input`.
	#[inline(always)]
	fn new(weights: &PackedMatrix, input: &QuantizedRows, group: usize, half: usize, first_row: usize, rows: usize) -> Self {
		let (blocks, lines_per_block) = (weights.blocks, weights.format.lines());
		assert!(
			input.blocks == blocks && first_row + rows <= input.rows && group < weights.groups && half < 2,
			"a tile outside its matrices"
		);
		let first_scale = weights.scale_index(group, 0) + 8 * half;
		Self {
			blocks,
			columns: blocks * BLOCK,
			activations: input.quants[first_row * blocks * BLOCK..].as_ptr(),
			activation_scales: input.scales[first_row * blocks..].as_ptr(),
			scaled_sums: input.scaled_sums[first_row * blocks..].as_ptr(),
			lines: weights.quants[group * blocks * lines_per_block..].as_ptr().cast::<u8>().wrapping_add(32 * half),
			lines_per_block,
			scales: weights.scales[first_scale..].as_ptr(),
			minimums: weights.minimums.as_ptr().wrapping_add(first_scale),
		}
	}

	/// Row `t`'s activations of quads `4 · phase..4 · phase + 4` in block `block`, 4 per i32.
	#[inline(always)]
	unsafe fn quads(&self, t: usize, block: usize, phase: usize) -> *const i32 {
		self.activations.add(t * self.columns + block * BLOCK + 16 * phase).cast()
	}

	/// Row `t`'s scale of block `block`.
	#[inline(always)]
	unsafe fn activation_scale(&self, t: usize, block: usize) -> f32 {
		*self.activation_scales.add(t * self.blocks + block)
	}

	/// Row `t`'s scaled sum of block `block`.
	#[inline(always)]
	unsafe fn scaled_sum(&self, t: usize, block: usize) -> f32 {
		*self.scaled_sums.add(t * self.blocks + block)
	}

	/// This half of line `line` of block `block`: 8 weight rows' 4 quant bytes each.
	#[inline(always)]
	unsafe fn line(&self, block: usize, line: usize) -> *const __m256i {
		self.lines.add((block * self.lines_per_block + line) * std::mem::size_of::<super::pack::Line>()).cast()
	}

	/// This half's 8 f16 scales of block `block`.
	#[inline(always)]
	unsafe fn scales(&self, block: usize) -> *const __m128i {
		self.scales.add(block * GROUP).cast()
	}

	/// This half's 8 f16 minimums of block `block` (Q4_1).
	#[inline(always)]
	unsafe fn minimums(&self, block: usize) -> *const __m128i {
		debug_assert_eq!(self.lines_per_block, 4, "only Q4_1 has minimums");
		self.minimums.add(block * GROUP).cast()
	}
}

/// The Q4_1 AVX2 kernel for `T` activation rows. Sixteen registers do not hold a block's 8
/// unpacked quant vectors next to 4 rows' sums, so a block runs in two phases, low nibbles
/// (activations 0..16) then high (16..32), each with 4 quant vectors; every row's integer
/// sum is the same exact integer in either order.
#[target_feature(enable = "avx2,f16c")]
#[inline]
unsafe fn q4_1_256<const T: usize>(
	weights: &PackedMatrix,
	input: &QuantizedRows,
	group: usize,
	half: usize,
	first_row: usize,
	values: &mut [[f32; GROUP]; TILE_256],
) {
	let tile = HalfTile::new(weights, input, group, half, first_row, T);
	let nibble = _mm256_set1_epi8(0x0F);
	let ones = _mm256_set1_epi16(1);
	let mut sums = [_mm256_setzero_ps(); T];
	for block in 0..tile.blocks {
		// Pairs of products of 4-bit by 8-bit quants stay within i16 for all 8 quads:
		// 8 · 2 · 15 · 127 < 2¹⁵.
		let mut pairs = [_mm256_setzero_si256(); T];
		for phase in 0..2 {
			// Plain loops, not closures: a closure would not inherit this function's features.
			let mut quants = [_mm256_setzero_si256(); 4];
			for (line, quant) in quants.iter_mut().enumerate() {
				let packed = _mm256_loadu_si256(tile.line(block, line));
				let shifted = if phase == 0 { packed } else { _mm256_srli_epi16::<4>(packed) };
				*quant = _mm256_and_si256(shifted, nibble);
			}
			for (t, pairs) in pairs.iter_mut().enumerate() {
				// The 4 activations of each quad of this phase, as one i32.
				let quads = tile.quads(t, block, phase);
				let mut products = [_mm256_setzero_si256(); 4];
				for (line, product) in products.iter_mut().enumerate() {
					let broadcast = _mm256_set1_epi32(quads.add(line).read_unaligned());
					*product = _mm256_maddubs_epi16(quants[line], broadcast);
				}
				let quad_sum = _mm256_add_epi16(
					_mm256_add_epi16(products[0], products[1]),
					_mm256_add_epi16(products[2], products[3]),
				);
				*pairs = _mm256_add_epi16(*pairs, quad_sum);
			}
		}
		let scale = _mm256_cvtph_ps(_mm_loadu_si128(tile.scales(block)));
		let minimum = _mm256_cvtph_ps(_mm_loadu_si128(tile.minimums(block)));
		for (t, sum) in sums.iter_mut().enumerate() {
			let integer = _mm256_madd_epi16(pairs[t], ones);
			let product = _mm256_mul_ps(
				_mm256_mul_ps(_mm256_cvtepi32_ps(integer), scale),
				_mm256_set1_ps(tile.activation_scale(t, block)),
			);
			let offset = _mm256_mul_ps(minimum, _mm256_set1_ps(tile.scaled_sum(t, block)));
			*sum = _mm256_add_ps(*sum, _mm256_add_ps(product, offset));
		}
	}
	for (t, sum) in sums.iter().enumerate() {
		_mm256_storeu_ps(values[t].as_mut_ptr().add(8 * half), *sum);
	}
}

/// The Q8_0 AVX2 kernel for `T` activation rows, in two phases of 4 quads like
/// [`q4_1_256`], each quad's magnitude taken once for all rows.
#[target_feature(enable = "avx2,f16c")]
#[inline]
unsafe fn q8_0_256<const T: usize>(
	weights: &PackedMatrix,
	input: &QuantizedRows,
	group: usize,
	half: usize,
	first_row: usize,
	values: &mut [[f32; GROUP]; TILE_256],
) {
	let tile = HalfTile::new(weights, input, group, half, first_row, T);
	let bias = _mm256_set1_epi8(-128);
	let ones = _mm256_set1_epi16(1);
	let mut sums = [_mm256_setzero_ps(); T];
	for block in 0..tile.blocks {
		let mut integers = [_mm256_setzero_si256(); T];
		// Two phases of 4 quads, so each quad's magnitude is taken once for all rows.
		for phase in 0..2 {
			let mut quants = [_mm256_setzero_si256(); 4];
			let mut magnitudes = [_mm256_setzero_si256(); 4];
			for line in 0..4 {
				let packed = _mm256_loadu_si256(tile.line(block, 4 * phase + line));
				quants[line] = _mm256_xor_si256(packed, bias);
				magnitudes[line] = _mm256_sign_epi8(quants[line], quants[line]);
			}
			for (t, integer) in integers.iter_mut().enumerate() {
				let quads = tile.quads(t, block, phase);
				let mut products = [_mm256_setzero_si256(); 4];
				for (line, product) in products.iter_mut().enumerate() {
					// |w| · (y · sign w): unsigned by signed, as vpmaddubsw takes them; a pair
					// of products stays within i16 (2 · 128 · 127 < 2¹⁵). Activations are never
					// −128 (whose sign flip wraps): a block's scale is its largest magnitude
					// / 127, so its quants stay within ±127.
					let broadcast = _mm256_set1_epi32(quads.add(line).read_unaligned());
					let signed = _mm256_sign_epi8(broadcast, quants[line]);
					*product = _mm256_madd_epi16(_mm256_maddubs_epi16(magnitudes[line], signed), ones);
				}
				let quad_sum = _mm256_add_epi32(
					_mm256_add_epi32(products[0], products[1]),
					_mm256_add_epi32(products[2], products[3]),
				);
				*integer = _mm256_add_epi32(*integer, quad_sum);
			}
		}
		let scale = _mm256_cvtph_ps(_mm_loadu_si128(tile.scales(block)));
		for (t, sum) in sums.iter_mut().enumerate() {
			let product = _mm256_mul_ps(
				_mm256_mul_ps(_mm256_cvtepi32_ps(integers[t]), scale),
				_mm256_set1_ps(tile.activation_scale(t, block)),
			);
			*sum = _mm256_add_ps(*sum, product);
		}
	}
	for (t, sum) in sums.iter().enumerate() {
		_mm256_storeu_ps(values[t].as_mut_ptr().add(8 * half), *sum);
	}
}

/// One block of 32 activations quantized as [`super::activations`] does in portable Rust,
/// 16 lanes at a time: the largest magnitude, then `round(value / scale)` (half away from
/// zero) and the quants' sum. Every step is exact or one IEEE operation per value, so the
/// quants are the portable code's. Returns `None`, leaving the block to the portable code,
/// when a value is not finite or the scale's inverse overflows (where the lane conversions
/// would saturate differently).
///
/// # Safety
/// The CPU must support AVX-512 F; `values` and `quants` must hold 32 entries.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn quantize_block_avx512(values: &[f32], quants: &mut [i8]) -> Option<(f32, i32)> {
	debug_assert!(values.len() == 32 && quants.len() == 32);
	let halves = [_mm512_loadu_ps(values.as_ptr()), _mm512_loadu_ps(values.as_ptr().add(16))];
	let magnitudes = [_mm512_abs_ps(halves[0]), _mm512_abs_ps(halves[1])];
	let infinity = _mm512_set1_ps(f32::INFINITY);
	let finite = |magnitude| _mm512_cmp_ps_mask::<_CMP_LT_OQ>(magnitude, infinity) == u16::MAX;
	if !(finite(magnitudes[0]) && finite(magnitudes[1])) {
		return None;
	}
	let largest = _mm512_reduce_max_ps(_mm512_max_ps(magnitudes[0], magnitudes[1]));
	let scale = largest / 127.0;
	let inverse = if scale != 0.0 { 1.0 / scale } else { 0.0 };
	if !inverse.is_finite() {
		return None;
	}
	let (one, inverse) = (_mm512_set1_epi32(1), _mm512_set1_ps(inverse));
	let mut total = _mm512_setzero_si512();
	for (half, values) in halves.into_iter().enumerate() {
		let scaled = _mm512_mul_ps(values, inverse);
		let truncated = _mm512_cvttps_epi32(scaled);
		let fraction = _mm512_sub_ps(scaled, _mm512_cvtepi32_ps(truncated));
		let up = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(fraction, _mm512_set1_ps(0.5));
		let down = _mm512_cmp_ps_mask::<_CMP_LE_OQ>(fraction, _mm512_set1_ps(-0.5));
		let raised = _mm512_mask_add_epi32(truncated, up, truncated, one);
		let rounded = _mm512_mask_sub_epi32(raised, down, raised, one);
		let clamped = _mm512_min_epi32(_mm512_max_epi32(rounded, _mm512_set1_epi32(-128)), _mm512_set1_epi32(127));
		_mm_storeu_si128(quants.as_mut_ptr().add(16 * half) as *mut __m128i, _mm512_cvtepi32_epi8(clamped));
		total = _mm512_add_epi32(total, clamped);
	}
	Some((scale, _mm512_reduce_add_epi32(total)))
}

/// [`quantize_block_avx512`] with AVX2, 8 lanes at a time: the same steps, so the same bits
/// as the portable code, and `None` in the same cases.
///
/// # Safety
/// The CPU must support AVX2; `values` and `quants` must hold 32 entries.
#[target_feature(enable = "avx2")]
pub(super) unsafe fn quantize_block_avx2(values: &[f32], quants: &mut [i8]) -> Option<(f32, i32)> {
	debug_assert!(values.len() == 32 && quants.len() == 32);
	// Plain loops, not closures: a closure would not inherit this function's features.
	let mut parts = [_mm256_setzero_ps(); 4];
	let mut magnitudes = [_mm256_setzero_ps(); 4];
	let infinity = _mm256_set1_ps(f32::INFINITY);
	let mut finite = 0xFF;
	for part in 0..4 {
		parts[part] = _mm256_loadu_ps(values.as_ptr().add(8 * part));
		magnitudes[part] = _mm256_andnot_ps(_mm256_set1_ps(-0.0), parts[part]);
		finite &= _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LT_OQ>(magnitudes[part], infinity));
	}
	if finite != 0xFF {
		return None;
	}
	let widest = _mm256_max_ps(_mm256_max_ps(magnitudes[0], magnitudes[1]), _mm256_max_ps(magnitudes[2], magnitudes[3]));
	let halves = _mm_max_ps(_mm256_castps256_ps128(widest), _mm256_extractf128_ps::<1>(widest));
	let pairs = _mm_max_ps(halves, _mm_movehl_ps(halves, halves));
	let largest = _mm_cvtss_f32(_mm_max_ss(pairs, _mm_shuffle_ps::<1>(pairs, pairs)));
	let scale = largest / 127.0;
	let inverse = if scale != 0.0 { 1.0 / scale } else { 0.0 };
	if !inverse.is_finite() {
		return None;
	}
	let inverse = _mm256_set1_ps(inverse);
	let mut rounded = [_mm256_setzero_si256(); 4];
	for part in 0..4 {
		let scaled = _mm256_mul_ps(parts[part], inverse);
		let truncated = _mm256_cvttps_epi32(scaled);
		let fraction = _mm256_sub_ps(scaled, _mm256_cvtepi32_ps(truncated));
		// Comparisons give −1 where true: subtract "up", add "down".
		let up = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_GE_OQ>(fraction, _mm256_set1_ps(0.5)));
		let down = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_LE_OQ>(fraction, _mm256_set1_ps(-0.5)));
		let nearest = _mm256_add_epi32(_mm256_sub_epi32(truncated, up), down);
		rounded[part] = _mm256_min_epi32(_mm256_max_epi32(nearest, _mm256_set1_epi32(-128)), _mm256_set1_epi32(127));
	}
	// Packing interleaves 128-bit lanes; the permutation puts the 32 quants back in order.
	let bytes = _mm256_packs_epi16(
		_mm256_packs_epi32(rounded[0], rounded[1]),
		_mm256_packs_epi32(rounded[2], rounded[3]),
	);
	let ordered = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
	_mm256_storeu_si256(quants.as_mut_ptr() as *mut __m256i, ordered);
	let total = _mm256_add_epi32(_mm256_add_epi32(rounded[0], rounded[1]), _mm256_add_epi32(rounded[2], rounded[3]));
	let total = _mm_add_epi32(_mm256_castsi256_si128(total), _mm256_extracti128_si256::<1>(total));
	let total = _mm_add_epi32(total, _mm_unpackhi_epi64(total, total));
	let total = _mm_add_epi32(total, _mm_shuffle_epi32::<1>(total));
	Some((scale, _mm_cvtsi128_si32(total)))
}
