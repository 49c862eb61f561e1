use super::*;
use candle_core::quantized::GgmlDType;

/// Deterministic values in about [-1, 1], some large, some exactly zero.
fn values(count: usize, seed: u64) -> Vec<f32> {
	let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
	(0..count)
		.map(|i| {
			state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
			let unit = (state >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0;
			match i % 97 {
				0 => 0.0,
				1 => unit * 40.0,
				_ => unit,
			}
		})
		.collect()
}

fn quantized(dtype: GgmlDType, rows: usize, columns: usize, seed: u64) -> QTensor {
	let weights = Tensor::from_vec(values(rows * columns, seed), (rows, columns), &Device::Cpu).unwrap();
	QTensor::quantize(&weights, dtype).unwrap()
}

/// candle's own product (its portable reference in a baseline x86-64 build).
fn candle_product(weights: &QTensor, input: &[f32], rows: usize) -> Vec<f32> {
	let columns = weights.shape().dims2().unwrap().1;
	let x = Tensor::from_vec(input.to_vec(), (rows, columns), &Device::Cpu).unwrap();
	let reference = QMatMul::from_qtensor(quantized_copy(weights)).unwrap();
	reference.forward(&x).unwrap().flatten_all().unwrap().to_vec1().unwrap()
}

/// A second tensor with the same blocks. (Borrowed: candle 0.9.2's `QStorage::from_data`
/// reads an owned buffer after dropping it.)
fn quantized_copy(tensor: &QTensor) -> QTensor {
	let data = tensor.data().unwrap().into_owned();
	let storage = candle_core::quantized::QStorage::from_data(
		std::borrow::Cow::Borrowed(&data),
		&Device::Cpu,
		tensor.dtype(),
	)
	.unwrap();
	QTensor::new(storage, tensor.shape().clone()).unwrap()
}

#[test]
fn every_kernel_gives_candles_bits() {
	for dtype in [GgmlDType::Q4_1, GgmlDType::Q8_0] {
		// 40 rows: two full groups and a partial one; 96 columns: three blocks.
		for (out_features, in_features) in [(40, 96), (64, 576)] {
			let tensor = quantized(dtype, out_features, in_features, 7);
			let packed = PackedMatrix::from_qtensor(&tensor).unwrap().unwrap();
			for rows in [1, 2, 3, 4, 5, 9] {
				let input = values(rows * in_features, rows as u64);
				let expected = candle_product(&tensor, &input, rows);
				for isa in Isa::available() {
					let got = matmul(&packed, &input, rows, isa);
					assert_eq!(
						got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
						expected.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
						"{dtype:?} {out_features}×{in_features}, {rows} rows, {isa:?}"
					);
				}
			}
		}
	}
}

/// One thread (rayon told to use one) against the pool with every core: the pool's
/// helpers are one per core whatever rayon's pool size.
#[test]
fn thread_count_does_not_change_a_bit() {
	let tensor = quantized(GgmlDType::Q4_1, 1536, 576, 3);
	let packed = PackedMatrix::from_qtensor(&tensor).unwrap().unwrap();
	let input = values(7 * 576, 11);
	let on = |threads| {
		let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
		pool.install(|| matmul(&packed, &input, 7, Isa::best()))
	};
	assert_eq!(on(1), on(2));
	assert_eq!(on(1), on(3));
	// No rows: nothing to compute.
	assert!(matmul(&packed, &[], 0, Isa::best()).is_empty());
}

#[test]
fn tasks_cover_every_group_once_the_big_ones_first() {
	for (groups, least, threads) in [(96, 1, 2), (96, 5, 2), (36, 29, 2), (1, 1, 2), (200, 3, 8), (96, 1, 1), (13, 20, 2)] {
		let tasks = task_groups(groups, least, threads);
		assert_eq!(tasks.first().map(|task| task.start), Some(0), "{groups} {least} {threads}");
		assert!(tasks.windows(2).all(|pair| pair[0].end == pair[1].start && pair[0].len() >= pair[1].len()));
		assert_eq!(tasks.last().map(|task| task.end), Some(groups));
		// The floor holds but for the last task.
		assert!(tasks.iter().rev().skip(1).all(|task| task.len() >= least));
	}
	// A verification pass's feed-forward product on 2 threads: falling sizes, down to one
	// group (a hundredth of the product) at the end.
	let sizes: Vec<usize> = task_groups(96, 1, 2).iter().map(|task| task.len()).collect();
	assert_eq!(sizes, [24, 18, 14, 10, 8, 6, 4, 3, 3, 2, 1, 1, 1, 1]);
	// Where the floor binds (decoding), equal tasks of the floor, as before.
	assert_eq!(task_groups(36, 29, 2), [0..29, 29..36]);
	assert_eq!(task_groups(96, 1, 1), [0..96]);
}

#[test]
fn the_layer_runs_other_formats_through_candle() {
	let tensor = quantized(GgmlDType::Q4_0, 32, 64, 5);
	let layer = QuantizedLinear::new(tensor).unwrap();
	assert!(matches!(layer, QuantizedLinear::Candle { rows: 32, columns: 64, .. }));
	assert_eq!(layer.forward(&LayerInput::new(&values(2 * 64, 1), 2)).unwrap().len(), 2 * 32);
}

#[test]
fn the_layer_checks_its_input() {
	let layer = QuantizedLinear::new(quantized(GgmlDType::Q4_1, 32, 64, 5)).unwrap();
	assert!(matches!(layer, QuantizedLinear::Packed(_)));
	assert_eq!(layer.forward(&LayerInput::new(&values(2 * 64, 1), 2)).unwrap().len(), 2 * 32);
	assert!(matches!(
		layer.forward(&LayerInput::new(&values(2 * 32, 1), 2)),
		Err(crate::error::InferenceError::InvalidInput(_))
	));
}

#[test]
fn packing_refuses_what_is_not_whole_blocks() {
	assert!(PackedMatrix::pack(WeightFormat::Q4_1, 2, 48, &[0; 80]).is_err());
	assert!(PackedMatrix::pack(WeightFormat::Q4_1, 2, 64, &[0; 79]).is_err());
	assert!(PackedMatrix::pack(WeightFormat::Q8_0, 2, 64, &[0; 4 * 34]).is_ok());
}


#[test]
fn concurrent_callers_share_the_pool_and_get_their_own_results() {
	let tensor = quantized(GgmlDType::Q4_1, 1536, 576, 3);
	let packed = PackedMatrix::from_qtensor(&tensor).unwrap().unwrap();
	let inputs: Vec<Vec<f32>> = (0..4).map(|seed| values(3 * 576, seed)).collect();
	let serial: Vec<Vec<f32>> = {
		let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
		inputs.iter().map(|input| pool.install(|| matmul(&packed, input, 3, Isa::best()))).collect()
	};
	std::thread::scope(|scope| {
		for (input, expected) in inputs.iter().zip(&serial) {
			let packed = &packed;
			scope.spawn(move || {
				for _ in 0..300 {
					assert_eq!(&matmul(packed, input, 3, Isa::best()), expected);
				}
			});
		}
	});
}
