//! Throughput of the quantized products alone: a SmolLM2-135M feed-forward shape (1536 ×
//! 576, Q4_1 and Q8_0, random weights) times 1 to 160 activation rows, on every kernel this
//! CPU runs, in GMAC/s (multiply-adds per second, all threads). Prints one JSON line per
//! kernel, format and row count. For comparing kernel changes side by side:
//!
//!     product_bench [milliseconds per case, default 300]

use candle_core::{
	quantized::{GgmlDType, QTensor},
	Device, Tensor,
};
use infera_inference::kernels::{matmul, Isa, PackedMatrix};
use std::time::Instant;

fn values(count: usize, seed: u32) -> Vec<f32> {
	let mut state = seed.wrapping_mul(2654435761) | 1;
	(0..count)
		.map(|_| {
			state ^= state << 13;
			state ^= state >> 17;
			state ^= state << 5;
			(state >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
		})
		.collect()
}

fn main() {
	let budget: f64 = std::env::args().nth(1).map_or(300.0, |ms| ms.parse().unwrap()) / 1e3;
	let (rows, columns) = (1536, 576);
	let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
	for dtype in [GgmlDType::Q4_1, GgmlDType::Q8_0] {
		let weights = Tensor::from_vec(values(rows * columns, 1), (rows, columns), &Device::Cpu).unwrap();
		let tensor = QTensor::quantize(&weights, dtype).unwrap();
		let packed: PackedMatrix = PackedMatrix::from_qtensor(&tensor).unwrap().unwrap();
		for isa in Isa::available() {
			for activations in [1usize, 4, 16, 64, 160] {
				let input = values(activations * columns, 2);
				matmul(&packed, &input, activations, isa);
				let (started, mut calls) = (Instant::now(), 0u64);
				while started.elapsed().as_secs_f64() < budget {
					std::hint::black_box(matmul(&packed, &input, activations, isa));
					calls += 1;
				}
				let seconds = started.elapsed().as_secs_f64();
				let macs = (calls * (activations * rows * columns) as u64) as f64;
				println!(
					"{}",
					serde_json::json!({
						"kernel": isa.name(),
						"format": format!("{dtype:?}"),
						"rows": activations,
						"gmacPerS": macs / seconds / 1e9,
						"microsPerCall": seconds / calls as f64 * 1e6,
						"threads": threads,
					})
				);
			}
		}
	}
}
