//! f32 linear layers (`y = act(x Wᵀ + b) + residual`) on the CPU's widest vector unit: the
//! layers of BERT-family encoders.
//!
//! Weights are packed once, at load, into panels of [`PANEL`] output features: for each
//! input feature, the panel's 32 weights side by side. A kernel holds a tile of up to
//! [`TILE_ROWS`] activation rows × 32 outputs in registers (24 of AVX-512's 32; AVX2 runs
//! it as 6-row halves) and, for each input feature, broadcasts one activation per row and
//! adds its products with the panel's weights by fused multiply-adds.
//!
//! Every output adds its input features in order, one fused multiply-add each, starting
//! from zero; then the bias, the activation and the residual, element by element. So the
//! AVX-512, AVX2 and portable kernels give the same bits, for any batch, tile or thread
//! count: a text's embedding does not depend on what else was in its batch or which CPU
//! computed it.

#[cfg(target_arch = "x86_64")]
mod x86;

use super::{math, parallel_for, pool, Isa};
use crate::error::{InferenceError, Result};
use std::ops::Range;

/// Output features per packed panel.
pub const PANEL: usize = 32;
/// Activation rows per kernel tile.
pub const TILE_ROWS: usize = 12;
/// Activation rows per task: a task's rows stay in the core's L2 cache while it runs
/// their tiles against each of its panels.
const TASK_ROWS: usize = 4 * TILE_ROWS;
/// Multiply-adds below which a product is not worth handing to another thread.
const MIN_PARALLEL_WORK: usize = 1 << 16;

/// What a layer applies to `x Wᵀ + b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
	Identity,
	/// GELU with the exact error function.
	GeluErf,
	/// GELU's tanh approximation.
	GeluTanh,
	Relu,
	Tanh,
}

impl Activation {
	#[inline(always)]
	fn apply(self, x: f32) -> f32 {
		match self {
			Self::Identity => x,
			Self::GeluErf => math::gelu_erf(x),
			Self::GeluTanh => math::gelu_tanh(x),
			Self::Relu => x.max(0.0),
			Self::Tanh => math::tanh(x),
		}
	}
}

/// The vector unit the f32 kernels run on, from the kernel choice [`Isa`] (which names
/// the integer units): AVX-512 F, or AVX2 with FMA, or portable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
	#[cfg(target_arch = "x86_64")]
	Avx512,
	#[cfg(target_arch = "x86_64")]
	Avx2,
	Portable,
}

impl Unit {
	pub(crate) fn of(isa: Isa) -> Self {
		match isa {
			#[cfg(target_arch = "x86_64")]
			Isa::Avx512Vnni => Self::Avx512,
			#[cfg(target_arch = "x86_64")]
			Isa::Avx2 if is_x86_feature_detected!("fma") => Self::Avx2,
			_ => Self::Portable,
		}
	}

	/// Runs `work` compiled for this unit: the element-wise loops it inlines vectorize to
	/// its width. `work` must be an `#[inline(always)]` closure calling `#[inline(always)]`
	/// functions, or it runs as baseline x86-64 code (with fused multiply-adds as library
	/// calls). Same bits on every unit.
	#[inline(always)]
	pub(crate) fn run<R>(self, work: impl FnOnce() -> R) -> R {
		match self {
			// SAFETY: `Isa::available` checked the features before the kernel was chosen.
			#[cfg(target_arch = "x86_64")]
			Self::Avx512 => unsafe { x86::with_avx512(work) },
			// SAFETY: as above, and `Unit::of` checked FMA.
			#[cfg(target_arch = "x86_64")]
			Self::Avx2 => unsafe { x86::with_avx2(work) },
			Self::Portable => work(),
		}
	}
}

/// A linear layer `[outputs × inputs]` with its bias, packed for the kernels.
pub struct DenseLinear {
	/// `[panel][input][PANEL]`; the last panel's missing outputs have zero weights.
	packed: Vec<f32>,
	bias: Vec<f32>,
	outputs: usize,
	inputs: usize,
}

impl DenseLinear {
	/// Packs `weight` (`outputs × inputs`, row-major as PyTorch stores `Linear.weight`);
	/// `bias` has `outputs` values (zeros when absent).
	pub fn new(
		weight: &[f32],
		outputs: usize,
		inputs: usize,
		bias: Option<&[f32]>,
	) -> Result<Self> {
		if outputs == 0 || inputs == 0 || weight.len() != outputs * inputs {
			return Err(InferenceError::InvalidModel(format!(
				"{} weights are not a {outputs} × {inputs} layer",
				weight.len()
			)));
		}
		let bias = match bias {
			Some(bias) if bias.len() == outputs => bias.to_vec(),
			Some(bias) => {
				return Err(InferenceError::InvalidModel(format!(
					"{} biases for {outputs} outputs",
					bias.len()
				)))
			}
			None => vec![0.0; outputs],
		};
		let panels = outputs.div_ceil(PANEL);
		let mut packed = vec![0f32; panels * inputs * PANEL];
		for (output, row) in weight.chunks_exact(inputs).enumerate() {
			let (panel, lane) = (output / PANEL, output % PANEL);
			for (input, &value) in row.iter().enumerate() {
				packed[(panel * inputs + input) * PANEL + lane] = value;
			}
		}
		Ok(Self {
			packed,
			bias,
			outputs,
			inputs,
		})
	}

	/// Output features.
	pub fn outputs(&self) -> usize {
		self.outputs
	}

	/// Input features.
	pub fn inputs(&self) -> usize {
		self.inputs
	}

	fn panels(&self) -> usize {
		self.outputs.div_ceil(PANEL)
	}

	/// `activation(x Wᵀ + b) + residual` for `rows` rows of `input`; `residual`, when given,
	/// is `rows × outputs`. Runs on the kernel [`Isa::current`] chose.
	pub fn forward(
		&self,
		input: &[f32],
		rows: usize,
		activation: Activation,
		residual: Option<&[f32]>,
	) -> Result<Vec<f32>> {
		self.forward_on(Unit::of(Isa::current()), input, rows, activation, residual)
	}

	pub(crate) fn forward_on(
		&self,
		unit: Unit,
		input: &[f32],
		rows: usize,
		activation: Activation,
		residual: Option<&[f32]>,
	) -> Result<Vec<f32>> {
		if input.len() != rows * self.inputs {
			return Err(InferenceError::InvalidInput(format!(
				"{} values are not {rows} rows of {} input features",
				input.len(),
				self.inputs
			)));
		}
		if residual.is_some_and(|residual| residual.len() != rows * self.outputs) {
			return Err(InferenceError::InvalidInput(format!(
				"the residual is not {rows} rows of {}",
				self.outputs
			)));
		}
		let mut output = vec![0f32; rows * self.outputs];
		if rows == 0 {
			return Ok(output);
		}
		let tiles = Tiles { values: output.as_mut_ptr(), columns: self.outputs };
		let job = Job { input, activation, residual, tiles: &tiles };
		let row_tasks = rows.div_ceil(TASK_ROWS);
		let threads = match rows * self.inputs * self.outputs < MIN_PARALLEL_WORK
			|| rayon::current_num_threads() == 1
		{
			true => 1,
			false => pool::Pool::global().threads(),
		};
		// About four tasks per thread, across panels when there are few rows.
		let panel_tasks = (4 * threads).div_ceil(row_tasks).clamp(1, self.panels());
		let panels_per_task = self.panels().div_ceil(panel_tasks);
		let panel_tasks = self.panels().div_ceil(panels_per_task);
		let run = |task: usize| {
			let (row_task, panel_task) = (task / panel_tasks, task % panel_tasks);
			let rows = row_task * TASK_ROWS..((row_task + 1) * TASK_ROWS).min(rows);
			let panels = panel_task * panels_per_task
				..((panel_task + 1) * panels_per_task).min(self.panels());
			unit.run(
				#[inline(always)]
				|| self.run_task(unit, &job, rows, panels),
			);
		};
		if threads == 1 {
			(0..row_tasks * panel_tasks).for_each(run);
		} else {
			parallel_for(row_tasks * panel_tasks, &run);
		}
		Ok(output)
	}

	/// The tiles of `rows` × `panels`, finished and written.
	#[inline(always)]
	fn run_task(&self, unit: Unit, job: &Job, rows: Range<usize>, panels: Range<usize>) {
		let Job { input, activation, residual, tiles } = job;
		let mut tile = [[0f32; PANEL]; TILE_ROWS];
		for panel in panels {
			let weights =
				&self.packed[panel * self.inputs * PANEL..(panel + 1) * self.inputs * PANEL];
			let first = panel * PANEL;
			let width = PANEL.min(self.outputs - first);
			let bias = &self.bias[first..first + width];
			let mut row = rows.start;
			while row < rows.end {
				let count = TILE_ROWS.min(rows.end - row);
				let activations = &input[row * self.inputs..(row + count) * self.inputs];
				product(unit, activations, count, self.inputs, weights, &mut tile);
				for (offset, values) in tile[..count].iter_mut().enumerate() {
					let values = &mut values[..width];
					for (value, bias) in values.iter_mut().zip(bias) {
						*value = activation.apply(*value + bias);
					}
					if let Some(residual) = residual {
						let start = (row + offset) * self.outputs + first;
						for (value, residual) in
							values.iter_mut().zip(&residual[start..start + width])
						{
							*value += residual;
						}
					}
					// SAFETY: each task writes its own rows × panels.
					unsafe { tiles.write(row + offset, first, values) };
				}
				row += count;
			}
		}
	}
}

/// `count` (≤ [`TILE_ROWS`]) rows of `activations` (`count × inputs`) times a panel
/// (`inputs × PANEL`), into `tile`'s first `count` rows.
#[inline(always)]
fn product(
	unit: Unit,
	activations: &[f32],
	count: usize,
	inputs: usize,
	panel: &[f32],
	tile: &mut [[f32; PANEL]; TILE_ROWS],
) {
	debug_assert!(
		count <= TILE_ROWS && activations.len() == count * inputs && panel.len() == inputs * PANEL
	);
	match unit {
		// SAFETY: `Unit::of` checked the CPU; the slices have the lengths asserted above.
		#[cfg(target_arch = "x86_64")]
		Unit::Avx512 => unsafe { x86::product_avx512(activations, count, inputs, panel, tile) },
		// SAFETY: as above.
		#[cfg(target_arch = "x86_64")]
		Unit::Avx2 => unsafe { x86::product_avx2(activations, count, inputs, panel, tile) },
		Unit::Portable => product_portable(activations, count, inputs, panel, tile),
	}
}

/// The reference kernel: one fused multiply-add per input feature, in order.
fn product_portable(
	activations: &[f32],
	count: usize,
	inputs: usize,
	panel: &[f32],
	tile: &mut [[f32; PANEL]; TILE_ROWS],
) {
	for (row, sums) in activations.chunks_exact(inputs).zip(&mut tile[..count]) {
		*sums = [0.0; PANEL];
		for (x, weights) in row.iter().zip(panel.chunks_exact(PANEL)) {
			for (sum, w) in sums.iter_mut().zip(weights) {
				*sum = w.mul_add(*x, *sum);
			}
		}
	}
}

/// What every task of one product shares.
struct Job<'a> {
	input: &'a [f32],
	activation: Activation,
	residual: Option<&'a [f32]>,
	tiles: &'a Tiles,
}

/// The output of a product, written by tasks that own disjoint rows × panels.
struct Tiles {
	values: *mut f32,
	columns: usize,
}

// SAFETY: tasks write disjoint parts (see `write`); the buffer outlives them.
unsafe impl Sync for Tiles {}

impl Tiles {
	/// Writes `values` at `row`, from column `first`.
	///
	/// # Safety
	/// No other task writes these positions; they are inside the buffer.
	unsafe fn write(&self, row: usize, first: usize, values: &[f32]) {
		debug_assert!(first + values.len() <= self.columns);
		std::ptr::copy_nonoverlapping(
			values.as_ptr(),
			self.values.add(row * self.columns + first),
			values.len(),
		);
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn values(count: usize, seed: u32) -> Vec<f32> {
		let mut state = seed.wrapping_mul(2654435761).wrapping_add(12345);
		(0..count)
			.map(|_| {
				state ^= state << 13;
				state ^= state >> 17;
				state ^= state << 5;
				(state >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
			})
			.collect()
	}

	fn units() -> Vec<Unit> {
		Isa::available().into_iter().map(Unit::of).collect()
	}

	#[test]
	fn every_unit_gives_the_same_bits_and_matches_f64() {
		for (rows, outputs, inputs) in [
			(1, 1, 1),
			(5, 8, 8),
			(13, 33, 7),
			(37, 96, 64),
			(100, 40, 129),
		] {
			let (weight, bias) = (values(outputs * inputs, 1), values(outputs, 2));
			let (input, residual) = (values(rows * inputs, 3), values(rows * outputs, 4));
			let layer = DenseLinear::new(&weight, outputs, inputs, Some(&bias)).unwrap();
			for activation in [Activation::Identity, Activation::GeluErf, Activation::Tanh] {
				let outputs_by_unit: Vec<Vec<f32>> = units()
					.into_iter()
					.map(|unit| {
						layer
							.forward_on(unit, &input, rows, activation, Some(&residual))
							.unwrap()
					})
					.collect();
				for other in &outputs_by_unit[1..] {
					assert!(
						other
							.iter()
							.zip(&outputs_by_unit[0])
							.all(|(a, b)| a.to_bits() == b.to_bits()),
						"{rows}×{outputs}×{inputs} {activation:?}"
					);
				}
				if activation != Activation::Identity {
					continue;
				}
				for row in 0..rows {
					for output in 0..outputs {
						let exact: f64 = (0..inputs)
							.map(|i| {
								input[row * inputs + i] as f64 * weight[output * inputs + i] as f64
							})
							.sum::<f64>()
							+ bias[output] as f64
							+ residual[row * outputs + output] as f64;
						let ours = outputs_by_unit[0][row * outputs + output] as f64;
						assert!(
							(ours - exact).abs() < 1e-5 * (inputs as f64).sqrt(),
							"{row},{output}: {ours} vs {exact}"
						);
					}
				}
			}
		}
	}

	#[test]
	fn a_row_gives_the_same_bits_alone_or_in_any_batch() {
		let (outputs, inputs) = (70, 50);
		let layer = DenseLinear::new(&values(outputs * inputs, 5), outputs, inputs, None).unwrap();
		let input = values(61 * inputs, 6);
		let batch = layer
			.forward(&input, 61, Activation::GeluErf, None)
			.unwrap();
		for row in [0, 11, 12, 47, 48, 60] {
			let alone = layer
				.forward(
					&input[row * inputs..(row + 1) * inputs],
					1,
					Activation::GeluErf,
					None,
				)
				.unwrap();
			assert_eq!(
				alone,
				batch[row * outputs..(row + 1) * outputs],
				"row {row}"
			);
		}
	}

	#[test]
	fn mismatched_shapes_are_errors() {
		assert!(matches!(
			DenseLinear::new(&[1.0; 5], 2, 3, None),
			Err(InferenceError::InvalidModel(_))
		));
		assert!(matches!(
			DenseLinear::new(&[1.0; 6], 2, 3, Some(&[0.0])),
			Err(InferenceError::InvalidModel(_))
		));
		let layer = DenseLinear::new(&[1.0; 6], 2, 3, None).unwrap();
		assert!(matches!(
			layer.forward(&[1.0; 5], 2, Activation::Identity, None),
			Err(InferenceError::InvalidInput(_))
		));
		assert!(matches!(
			layer.forward(&[1.0; 6], 2, Activation::Identity, Some(&[0.0; 3])),
			Err(InferenceError::InvalidInput(_))
		));
		assert_eq!(
			layer.forward(&[], 0, Activation::Identity, None).unwrap(),
			Vec::<f32>::new()
		);
	}
}
