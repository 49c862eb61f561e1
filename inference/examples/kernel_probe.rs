use candle_core::{quantized::{GgmlDType, QTensor}, Device, Tensor};
use infera_inference::kernels::{matmul, Isa, PackedMatrix};
use std::time::Instant;
fn main() {
	for (rows, n, k, dtype) in [(1usize, 1536usize, 576usize, GgmlDType::Q4_1), (38, 1536, 576, GgmlDType::Q4_1), (128, 1536, 576, GgmlDType::Q4_1), (1, 49152, 576, GgmlDType::Q8_0), (32, 49152, 576, GgmlDType::Q8_0)] {
		let w: Vec<f32> = (0..n * k).map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0).collect();
		let q = QTensor::quantize(&Tensor::from_vec(w, (n, k), &Device::Cpu).unwrap(), dtype).unwrap();
		let packed = PackedMatrix::from_qtensor(&q).unwrap().unwrap();
		let x: Vec<f32> = (0..rows * k).map(|i| ((i * 31) % 100) as f32 / 50.0 - 1.0).collect();
		for isa in Isa::available() {
			let reps = (2_000_000_000 / (rows * n * k)).max(3);
			let started = Instant::now();
			for _ in 0..reps { std::hint::black_box(matmul(&packed, &x, rows, isa)); }
			let s = started.elapsed().as_secs_f64() / reps as f64;
			println!("{rows:4} × {n}×{k} {dtype:?} {:12}: {:8.1} µs, {:6.1} GMAC/s", isa.name(), s * 1e6, (rows * n * k) as f64 / s / 1e9);
		}
	}
}
