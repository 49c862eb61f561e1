//! x86-64 f32 kernels (see [`super`]): a tile of rows × 32 outputs in registers, one
//! broadcast activation per row and input feature, fused multiply-adds in input order.

use super::{PANEL, TILE_ROWS};
use std::arch::x86_64::*;

/// Runs `work` compiled for AVX-512 F (and FMA): what it inlines vectorizes to 512 bits.
///
/// # Safety
/// The CPU must support AVX-512 F.
#[target_feature(enable = "avx512f,avx2,fma")]
pub(super) unsafe fn with_avx512<R>(work: impl FnOnce() -> R) -> R {
	work()
}

/// Runs `work` compiled for AVX2 with FMA.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn with_avx2<R>(work: impl FnOnce() -> R) -> R {
	work()
}

/// `ROWS` rows × 32 outputs in 2 × `ROWS` registers (up to 24 of 32).
#[target_feature(enable = "avx512f")]
unsafe fn tile_avx512<const ROWS: usize>(
	activations: *const f32,
	inputs: usize,
	panel: *const f32,
	tile: &mut [[f32; PANEL]; TILE_ROWS],
) {
	let mut sums = [[_mm512_setzero_ps(); 2]; ROWS];
	for input in 0..inputs {
		let low = _mm512_loadu_ps(panel.add(input * PANEL));
		let high = _mm512_loadu_ps(panel.add(input * PANEL + 16));
		for (row, sums) in sums.iter_mut().enumerate() {
			let x = _mm512_set1_ps(*activations.add(row * inputs + input));
			sums[0] = _mm512_fmadd_ps(low, x, sums[0]);
			sums[1] = _mm512_fmadd_ps(high, x, sums[1]);
		}
	}
	for (row, sums) in sums.iter().enumerate() {
		_mm512_storeu_ps(tile[row].as_mut_ptr(), sums[0]);
		_mm512_storeu_ps(tile[row].as_mut_ptr().add(16), sums[1]);
	}
}

/// `ROWS` (≤ 6) rows × 16 outputs (half a panel, from `half`) in 2 × `ROWS` registers.
#[target_feature(enable = "avx2,fma")]
unsafe fn tile_avx2<const ROWS: usize>(
	activations: *const f32,
	inputs: usize,
	panel: *const f32,
	half: usize,
	tile: &mut [[f32; PANEL]; TILE_ROWS],
	first_row: usize,
) {
	let mut sums = [[_mm256_setzero_ps(); 2]; ROWS];
	let panel = panel.add(half * 16);
	for input in 0..inputs {
		let low = _mm256_loadu_ps(panel.add(input * PANEL));
		let high = _mm256_loadu_ps(panel.add(input * PANEL + 8));
		for (row, sums) in sums.iter_mut().enumerate() {
			let x = _mm256_set1_ps(*activations.add(row * inputs + input));
			sums[0] = _mm256_fmadd_ps(low, x, sums[0]);
			sums[1] = _mm256_fmadd_ps(high, x, sums[1]);
		}
	}
	for (row, sums) in sums.iter().enumerate() {
		let out = tile[first_row + row].as_mut_ptr().add(half * 16);
		_mm256_storeu_ps(out, sums[0]);
		_mm256_storeu_ps(out.add(8), sums[1]);
	}
}

/// [`super::product`] on AVX-512.
///
/// # Safety
/// The CPU must support AVX-512 F; `activations` holds `count × inputs` values, `panel`
/// `inputs × PANEL`, and `count ≤ TILE_ROWS`.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn product_avx512(
	activations: &[f32],
	count: usize,
	inputs: usize,
	panel: &[f32],
	tile: &mut [[f32; PANEL]; TILE_ROWS],
) {
	let (x, w) = (activations.as_ptr(), panel.as_ptr());
	match count {
		1 => tile_avx512::<1>(x, inputs, w, tile),
		2 => tile_avx512::<2>(x, inputs, w, tile),
		3 => tile_avx512::<3>(x, inputs, w, tile),
		4 => tile_avx512::<4>(x, inputs, w, tile),
		5 => tile_avx512::<5>(x, inputs, w, tile),
		6 => tile_avx512::<6>(x, inputs, w, tile),
		7 => tile_avx512::<7>(x, inputs, w, tile),
		8 => tile_avx512::<8>(x, inputs, w, tile),
		9 => tile_avx512::<9>(x, inputs, w, tile),
		10 => tile_avx512::<10>(x, inputs, w, tile),
		11 => tile_avx512::<11>(x, inputs, w, tile),
		12 => tile_avx512::<12>(x, inputs, w, tile),
		_ => unreachable!("tiles have 1 to {TILE_ROWS} rows"),
	}
}

/// [`super::product`] on AVX2: 6-row halves of the tile, each half-panel at a time.
///
/// # Safety
/// The CPU must support AVX2 and FMA; lengths as for [`product_avx512`].
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn product_avx2(
	activations: &[f32],
	count: usize,
	inputs: usize,
	panel: &[f32],
	tile: &mut [[f32; PANEL]; TILE_ROWS],
) {
	let w = panel.as_ptr();
	let mut first = 0;
	while first < count {
		let rows = 6.min(count - first);
		let x = activations.as_ptr().add(first * inputs);
		for half in 0..2 {
			match rows {
				1 => tile_avx2::<1>(x, inputs, w, half, tile, first),
				2 => tile_avx2::<2>(x, inputs, w, half, tile, first),
				3 => tile_avx2::<3>(x, inputs, w, half, tile, first),
				4 => tile_avx2::<4>(x, inputs, w, half, tile, first),
				5 => tile_avx2::<5>(x, inputs, w, half, tile, first),
				_ => tile_avx2::<6>(x, inputs, w, half, tile, first),
			}
		}
		first += rows;
	}
}
