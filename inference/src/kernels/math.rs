//! Element-wise functions for the f32 layers: `exp`, `erf`, `tanh` and the activations built
//! on them, as straight-line IEEE arithmetic (fused multiply-adds, no table lookups, no
//! branches on the value), so a loop over them vectorizes wherever it is compiled for a
//! wider unit, and every unit gives the same bits.

/// `exp(x)` within 2 ulp for `x` in [-87, 88]; clamped outside (about 1e-38 below, 2e38
/// above); NaN stays NaN.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
	const LOG2_E: f32 = std::f32::consts::LOG2_E;
	// ln 2 in two parts: the first has few mantissa bits, so `n · LN2_HIGH` is exact.
	const LN2_HIGH: f32 = 0.693_359_4;
	const LN2_LOW: f32 = -2.121_944_4e-4;
	let x = x.clamp(-87.0, 88.0);
	let n = x.mul_add(LOG2_E, 0.5).floor();
	let r = n.mul_add(-LN2_LOW, n.mul_add(-LN2_HIGH, x));
	// e^r on [-ln2/2, ln2/2], a minimax polynomial (Cephes' `expf` coefficients).
	let mut p = 1.987_569_1e-4f32;
	p = p.mul_add(r, 1.398_199_9e-3);
	p = p.mul_add(r, 8.333_452e-3);
	p = p.mul_add(r, 4.166_579_6e-2);
	p = p.mul_add(r, 1.666_666_5e-1);
	p = p.mul_add(r, 0.5);
	let e = p.mul_add(r * r, r) + 1.0;
	// 2^n by its exponent bits (n is in [-126, 127] after the clamp).
	e * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// `erf(x)` within a few ulp: a rational minimax approximation in `x²` on [-4, 4]; exactly
/// ±1 from |x| = 3.9 on, where erf rounds to ±1 in f32.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
	let saturated = x.abs() >= 3.9;
	let sign = x;
	let x = x.clamp(-4.0, 4.0);
	let x2 = x * x;
	let mut p = -2.726_142_3e-10f32;
	p = p.mul_add(x2, 2.770_681_4e-8);
	p = p.mul_add(x2, -2.101_024e-6);
	p = p.mul_add(x2, -5.692_506_4e-5);
	p = p.mul_add(x2, -7.349_906_3e-4);
	p = p.mul_add(x2, -2.954_6e-3);
	p = p.mul_add(x2, -1.609_603_3e-2);
	let mut q = -1.456_607_2e-5f32;
	q = q.mul_add(x2, -2.133_740_6e-4);
	q = q.mul_add(x2, -1.682_827e-3);
	q = q.mul_add(x2, -7.373_329e-3);
	q = q.mul_add(x2, -1.426_474e-2);
	let ratio = x * p / q;
	if saturated {
		1f32.copysign(sign)
	} else {
		ratio
	}
}

/// `tanh(x)`, from `exp(-2|x|)` (no cancellation for large |x|; about 1e-7 absolute near 0).
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
	let e = exp(-2.0 * x.abs());
	((1.0 - e) / (1.0 + e)).copysign(x)
}

/// GELU with the exact error function, `x/2 · (1 + erf(x/√2))` (BERT's `gelu`).
#[inline(always)]
pub fn gelu_erf(x: f32) -> f32 {
	0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// GELU's tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
#[inline(always)]
pub fn gelu_tanh(x: f32) -> f32 {
	const SQRT_2_OVER_PI: f32 = 0.797_884_6;
	0.5 * x * (1.0 + tanh(SQRT_2_OVER_PI * (x + 0.044_715 * x * x * x)))
}

#[cfg(test)]
mod tests {
	use super::*;

	/// erf in f64: its Taylor series up to |x| = 3, then 1 − erfc by erfc's continued
	/// fraction.
	fn erf_reference(x: f64) -> f64 {
		if x.abs() > 3.0 {
			let mut fraction = x.abs();
			for n in (1..100).rev() {
				fraction = x.abs() + n as f64 / 2.0 / fraction;
			}
			let erfc = (-x * x).exp() / std::f64::consts::PI.sqrt() / fraction;
			return (1.0 - erfc).copysign(x);
		}
		let (mut term, mut sum) = (x, x);
		for n in 1..200 {
			term *= -x * x / n as f64;
			sum += term / (2 * n + 1) as f64;
		}
		sum * 2.0 / std::f64::consts::PI.sqrt()
	}

	fn grid(from: f32, to: f32, steps: usize) -> impl Iterator<Item = f32> {
		(0..=steps).map(move |i| from + (to - from) * i as f32 / steps as f32)
	}

	#[test]
	fn exp_is_within_two_ulp() {
		for x in grid(-87.0, 88.0, 200_000).chain([0.0, -0.0, 1e-8, -1e-8]) {
			let (ours, exact) = (exp(x) as f64, (x as f64).exp());
			assert!(
				((ours - exact) / exact).abs() < 2.5e-7,
				"exp({x}) = {ours}, not {exact}"
			);
		}
		assert!(exp(-1000.0) < 1e-37 && exp(-1000.0) >= 0.0);
		assert!(exp(f32::NAN).is_nan());
		assert_eq!(exp(0.0), 1.0);
	}

	#[test]
	fn erf_is_within_a_few_ulp() {
		for x in grid(-6.0, 6.0, 100_000) {
			let (ours, exact) = (erf(x) as f64, erf_reference(x as f64));
			assert!(
				(ours - exact).abs() < 2e-7 + 4e-7 * exact.abs(),
				"erf({x}) = {ours}, not {exact}"
			);
		}
		assert_eq!(erf(0.0), 0.0);
		assert_eq!((erf(10.0), erf(-10.0)), (1.0, -1.0));
	}

	#[test]
	fn tanh_and_the_activations_match_f64() {
		for x in grid(-20.0, 20.0, 100_000) {
			let x64 = x as f64;
			assert!((tanh(x) as f64 - x64.tanh()).abs() < 3e-7, "tanh({x})");
			let gelu = 0.5 * x64 * (1.0 + erf_reference(x64 / 2f64.sqrt()));
			assert!(
				(gelu_erf(x) as f64 - gelu).abs() < 1e-6 * (1.0 + gelu.abs()),
				"gelu_erf({x})"
			);
			let inner = (2.0 / std::f64::consts::PI).sqrt() * (x64 + 0.044715 * x64 * x64 * x64);
			let gelu_tanh64 = 0.5 * x64 * (1.0 + inner.tanh());
			assert!(
				(gelu_tanh(x) as f64 - gelu_tanh64).abs() < 1e-6 * (1.0 + gelu_tanh64.abs()),
				"gelu_tanh({x})"
			);
		}
	}
}
