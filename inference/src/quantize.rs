//! The on-chain encoding of embeddings: each component of the unit vector times 127,
//! rounded to the nearest integer (ties away from zero) and clamped to `-127..=127`.

/// Quantizes a unit-length embedding.
pub fn quantize(embedding: &[f32]) -> Vec<i8> {
	embedding.iter().map(|x| (x * 127.0).round().clamp(-127.0, 127.0) as i8).collect()
}

/// Cosine similarity of two quantized embeddings (for tests and tools; the chain computes
/// the same in integers).
pub fn cosine(a: &[i8], b: &[i8]) -> f64 {
	let dot: i64 = a.iter().zip(b).map(|(x, y)| i64::from(*x) * i64::from(*y)).sum();
	let norm = |v: &[i8]| v.iter().map(|x| i64::from(*x).pow(2)).sum::<i64>() as f64;
	dot as f64 / (norm(a).sqrt() * norm(b).sqrt())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn components_scale_round_and_clamp() {
		assert_eq!(quantize(&[1.0, -1.0, 0.5, -0.004, 0.0039, 1.2]), vec![127, -127, 64, -1, 0, 127]);
		let v = quantize(&[0.6, 0.8]);
		assert!((cosine(&v, &v) - 1.0).abs() < 1e-12);
		assert!(cosine(&[127, 0], &[0, 127]).abs() < 1e-12);
	}
}
