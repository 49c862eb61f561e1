//! Activations quantized to 8 bits per block of 32, as GGUF's Q8_0 and Q8_1 blocks have
//! them: the same arithmetic as candle's `BlockQ8_0::from_float` and
//! `BlockQ8_1::from_float`, so products are those of candle's reference.

use super::pack::BLOCK;
use half::f16;

/// Rows of activations quantized by blocks of [`BLOCK`].
pub struct QuantizedRows {
	pub(super) rows: usize,
	pub(super) blocks: usize,
	/// `[row][column]`.
	pub(super) quants: Vec<i8>,
	/// Per row and block, the f16 scale `d` (as f32).
	pub(super) scales: Vec<f32>,
	/// Per row and block, Q8_1's f16 `s = sum(quants) · d` (as f32).
	pub(super) scaled_sums: Vec<f32>,
	/// Per row and block, the sum of the quants.
	pub(super) sums: Vec<i32>,
}

/// The vectors of a [`QuantizedRows`] being filled, one row per task.
struct Rows {
	quants: *mut i8,
	scales: *mut f32,
	scaled_sums: *mut f32,
	sums: *mut i32,
}

// SAFETY: tasks write disjoint rows (see `Rows::row`).
unsafe impl Sync for Rows {}

impl Rows {
	/// Row `index`'s slots.
	///
	/// # Safety
	/// No other task may hold the same row, and `index` must be a row of the vectors.
	#[allow(clippy::mut_from_ref)]
	unsafe fn row(&self, index: usize, columns: usize, blocks: usize) -> (&mut [i8], &mut [f32], &mut [f32], &mut [i32]) {
		(
			std::slice::from_raw_parts_mut(self.quants.add(index * columns), columns),
			std::slice::from_raw_parts_mut(self.scales.add(index * blocks), blocks),
			std::slice::from_raw_parts_mut(self.scaled_sums.add(index * blocks), blocks),
			std::slice::from_raw_parts_mut(self.sums.add(index * blocks), blocks),
		)
	}
}

/// Rows below which quantizing on one thread is faster than handing rows out.
const PARALLEL_ROWS: usize = 8;

impl QuantizedRows {
	/// Quantizes `rows` rows of `columns` values (a whole number of blocks).
	pub fn quantize(input: &[f32], rows: usize, columns: usize) -> Self {
		debug_assert_eq!(input.len(), rows * columns);
		debug_assert_eq!(columns % BLOCK, 0);
		let blocks = columns / BLOCK;
		let mut quantized = Self {
			rows,
			blocks,
			quants: vec![0; rows * columns],
			scales: vec![0.0; rows * blocks],
			scaled_sums: vec![0.0; rows * blocks],
			sums: vec![0; rows * blocks],
		};
		let out = Rows {
			quants: quantized.quants.as_mut_ptr(),
			scales: quantized.scales.as_mut_ptr(),
			scaled_sums: quantized.scaled_sums.as_mut_ptr(),
			sums: quantized.sums.as_mut_ptr(),
		};
		let isa = super::Isa::current();
		let row = |index: usize| {
			// SAFETY: task `index` alone touches row `index`, within the vectors' lengths.
			let (quants, scales, scaled_sums, sums) = unsafe { out.row(index, columns, blocks) };
			let values = &input[index * columns..(index + 1) * columns];
			for (block, (values, quants)) in values.chunks_exact(BLOCK).zip(quants.chunks_exact_mut(BLOCK)).enumerate() {
				(scales[block], scaled_sums[block], sums[block]) = quantize_block(values, quants, isa);
			}
		};
		match rows < PARALLEL_ROWS {
			true => (0..rows).for_each(row),
			false => super::parallel_for(rows, &row),
		}
		quantized
	}

	/// The quants of one row and block.
	pub(super) fn block(&self, row: usize, block: usize) -> &[i8] {
		let at = (row * self.blocks + block) * BLOCK;
		&self.quants[at..at + BLOCK]
	}

	/// Index of one row and block in the per-block vectors.
	pub(super) fn index(&self, row: usize, block: usize) -> usize {
		row * self.blocks + block
	}
}

/// One block as candle's `from_float` quantizes it: the quants, and the f16 scale, f16
/// scaled sum (Q8_1's `s`) and integer sum. On AVX-512 and AVX2 kernels the vector code does
/// it, with the same bits (see `x86::quantize_block_avx512`).
#[inline]
fn quantize_block(values: &[f32], quants: &mut [i8], isa: super::Isa) -> (f32, f32, i32) {
	#[cfg(target_arch = "x86_64")]
	{
		// SAFETY: an `Isa` is only chosen where the CPU has its features (AVX-512 F for
		// `Avx512Vnni`, AVX2 for `Avx2`); blocks hold `BLOCK` (32) values.
		let vector = match isa {
			super::Isa::Avx512Vnni => unsafe { super::x86::quantize_block_avx512(values, quants) },
			super::Isa::Avx2 => unsafe { super::x86::quantize_block_avx2(values, quants) },
			super::Isa::Scalar => None,
		};
		if let Some((scale, sum)) = vector {
			return finish_block(scale, sum);
		}
	}
	let _ = isa;
	let largest = values.iter().fold(0f32, |largest, x| largest.max(x.abs()));
	let scale = largest / 127.0;
	let inverse = if scale != 0.0 { 1.0 / scale } else { 0.0 };
	let mut sum = 0i32;
	for (quant, value) in quants.iter_mut().zip(values) {
		*quant = round_to_i8(value * inverse);
		sum += i32::from(*quant);
	}
	finish_block(scale, sum)
}

/// The f16 scale and scaled sum of a block, widened back to f32.
#[inline]
fn finish_block(scale: f32, sum: i32) -> (f32, f32, i32) {
	let scale = f16::from_f32(scale);
	(scale.to_f32(), (f16::from_f32(sum as f32) * scale).to_f32(), sum)
}

/// `f32::round(value) as i8` (half away from zero, saturating) without a call to libm's
/// `roundf`, which baseline x86-64 has no instruction for. Exact: `value − trunc(value)`
/// is exact for every f32 below 2²³, and quantized activations stay within ±127.
#[inline]
fn round_to_i8(value: f32) -> i8 {
	let truncated = value as i32;
	let fraction = value - truncated as f32;
	let rounded = truncated.saturating_add(i32::from(fraction >= 0.5) - i32::from(fraction <= -0.5));
	rounded.clamp(i32::from(i8::MIN), i32::from(i8::MAX)) as i8
}

#[cfg(test)]
mod tests {
	#[test]
	fn vector_quantization_gives_the_portable_bits() {
		use super::super::Isa;
		let mut blocks: Vec<Vec<f32>> = (0..2000)
			.map(|b| (0..32).map(|i| ((b * 37 + i * 11) % 257) as f32 / 13.0 - 9.0 + (b % 7) as f32 * 1e-3).collect())
			.collect();
		// Values landing on halves, zeros, tiny and huge scales, and non-finite values.
		blocks.push((0..32).map(|i| (i as f32 - 16.0) * 127.0 / 16.0 / 2.0).collect());
		blocks.push(vec![0.0; 32]);
		blocks.push((0..32).map(|i| i as f32 * 1e-44).collect());
		blocks.push((0..32).map(|i| i as f32 * 1e37).collect());
		for special in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
			let mut block: Vec<f32> = (0..32).map(|i| i as f32).collect();
			block[5] = special;
			blocks.push(block);
		}
		let vector_units: Vec<Isa> = Isa::available().into_iter().filter(|isa| *isa != Isa::Scalar).collect();
		assert!(cfg!(not(target_arch = "x86_64")) || !vector_units.is_empty(), "an x86-64 CPU without AVX2");
		for block in blocks {
			let mut portable = [0i8; 32];
			let b = super::quantize_block(&block, &mut portable, Isa::Scalar);
			for &isa in &vector_units {
				let mut vector = [0i8; 32];
				let a = super::quantize_block(&block, &mut vector, isa);
				assert_eq!(
					(vector, a.0.to_bits(), a.1.to_bits(), a.2),
					(portable, b.0.to_bits(), b.1.to_bits(), b.2),
					"{} on {block:?}",
					isa.name()
				);
			}
		}
	}

	#[test]
	fn rounding_is_f32_round_then_a_saturating_cast() {
		let mut values = vec![0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.49999997, 126.5, 127.00002, -127.4, 300.0, -300.0, f32::NAN];
		values.extend((0..20_000).map(|i| (i as f32 - 10_000.0) / 77.0));
		for value in values {
			assert_eq!(super::round_to_i8(value), f32::round(value) as i8, "{value}");
		}
	}
}
