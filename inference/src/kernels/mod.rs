//! Products of f32 activations with GGUF-quantized weights (Q4_1, Q8_0) on the CPU, with
//! the widest integer dot-product instructions the CPU has, chosen at run time.
//!
//! candle runs these formats with portable scalar code unless the whole binary is built
//! for a newer CPU, which a node shipped to every worker is not. These kernels keep
//! candle's arithmetic exactly: activations are quantized as candle quantizes them, block
//! sums are exact integers, and each output adds its blocks in candle's order with
//! separate multiplies and adds. So every kernel ([`Isa`]), thread count and batch size
//! gives the same bits as candle's reference, which is what lets replicas and verifiers on
//! different CPUs agree (see `docs/verification.md`).
//!
//! - [`pack`]: the weight layout: rows in groups of 16, quants of a group side by side.
//! - [`activations`]: activations quantized by blocks of 32.
//! - [`scalar`]: the reference kernel; `x86`: AVX-512 VNNI and AVX2 kernels.
//! - [`QuantizedLinear`]: a layer's weights, packed when the kernels run their format.
//! - [`dense`]: f32 layers with bias and activation (BERT encoders), on AVX-512 or AVX2
//!   fused multiply-adds, the same bits on every unit; [`math`]: their `exp`, `erf`, `tanh`.

mod activations;
pub mod dense;
pub(crate) mod math;
mod pack;
mod pool;
mod scalar;
#[cfg(target_arch = "x86_64")]
mod x86;

pub use activations::QuantizedRows;
pub use dense::{Activation, DenseLinear};
pub use pack::{PackedMatrix, WeightFormat, BLOCK, GROUP};

use crate::error::{InferenceError, Result};
use candle_core::{quantized::{QMatMul, QTensor}, Device, Module, Tensor};
use std::{
	cell::OnceCell,
	ops::Range,
	sync::{
		atomic::{AtomicU8, Ordering},
		OnceLock,
	},
};

/// The instruction sets a kernel is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
	/// AVX-512 F, BW and VNNI.
	Avx512Vnni,
	/// AVX2 with F16C.
	Avx2,
	/// Portable Rust.
	Scalar,
}

impl Isa {
	/// The best kernel this CPU runs (detected once).
	pub fn best() -> Self {
		static BEST: OnceLock<Isa> = OnceLock::new();
		*BEST.get_or_init(|| Self::available()[0])
	}

	/// The kernel layers run: [`Isa::best`] unless [`Isa::choose`] chose another.
	pub fn current() -> Self {
		match CHOSEN.load(Ordering::Relaxed) {
			1 => Self::Avx512Vnni,
			2 => Self::Avx2,
			3 => Self::Scalar,
			_ => Self::best(),
		}
	}

	/// Makes every layer of this process run `isa` (benchmarks and tests compare them);
	/// refused when this CPU cannot.
	pub fn choose(isa: Self) -> Result<()> {
		if !Self::available().contains(&isa) {
			return Err(InferenceError::Unsupported(format!("{} kernels on this CPU", isa.name())));
		}
		let code = match isa {
			Self::Avx512Vnni => 1,
			Self::Avx2 => 2,
			Self::Scalar => 3,
		};
		CHOSEN.store(code, Ordering::Relaxed);
		Ok(())
	}

	/// Every kernel this CPU runs, best first.
	pub fn available() -> Vec<Self> {
		let mut available = Vec::new();
		#[cfg(target_arch = "x86_64")]
		{
			if is_x86_feature_detected!("avx512f") &&
				is_x86_feature_detected!("avx512bw") &&
				is_x86_feature_detected!("avx512vnni")
			{
				available.push(Self::Avx512Vnni);
			}
			if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("f16c") {
				available.push(Self::Avx2);
			}
		}
		available.push(Self::Scalar);
		available
	}

	/// A short name, for logs and benchmark reports.
	pub fn name(self) -> &'static str {
		match self {
			Self::Avx512Vnni => "avx512-vnni",
			Self::Avx2 => "avx2",
			Self::Scalar => "scalar",
		}
	}
}

/// The kernel [`Isa::choose`] set: 0 for the best.
static CHOSEN: AtomicU8 = AtomicU8::new(0);

/// Where tasks write their outputs: `[activation rows][weight rows]`, row-major.
pub(crate) struct Output {
	values: *mut f32,
	rows: usize,
	columns: usize,
}

// SAFETY: tasks write disjoint columns (their own groups), see `write_group`.
unsafe impl Send for Output {}
unsafe impl Sync for Output {}

impl Output {
	/// Writes one group's outputs for activation row `row`, leaving out padding rows.
	///
	/// # Safety
	/// No other task may write the same group; `row` must be an activation row.
	pub(crate) unsafe fn write_group(&self, row: usize, group: usize, values: &[f32; GROUP]) {
		debug_assert!(row < self.rows);
		let first = group * GROUP;
		let count = GROUP.min(self.columns - first);
		std::ptr::copy_nonoverlapping(values.as_ptr(), self.values.add(row * self.columns + first), count);
	}
}

/// Runs `run(0)`, …, `run(tasks − 1)` on the kernels' pool (one thread where rayon is
/// told to use one); for the rest of a model's layer, so it does not wake rayon's workers
/// while the pool's helpers spin.
pub fn parallel_for(tasks: usize, run: &(dyn Fn(usize) + Sync)) {
	if rayon::current_num_threads() == 1 {
		(0..tasks).for_each(run);
	} else {
		pool::Pool::global().run(tasks, run);
	}
}

/// Runs `run(index, chunk)` for consecutive chunks of `values` (`chunk` long, the last
/// shorter) on the kernels' pool, like [`parallel_for`]; each task owns its chunk.
pub fn parallel_chunks<T: Send>(values: &mut [T], chunk: usize, run: &(dyn Fn(usize, &mut [T]) + Sync)) {
	/// The chunks' base, shared by tasks that take disjoint ranges of it.
	struct Base<T>(*mut T);
	// SAFETY: tasks build disjoint slices from it (see below), and `T: Send`.
	unsafe impl<T: Send> Sync for Base<T> {}
	let (len, chunk) = (values.len(), chunk.max(1));
	let base = Base(values.as_mut_ptr());
	parallel_for(len.div_ceil(chunk), &|task| {
		let start = task * chunk;
		let base = &base;
		// SAFETY: task `task` alone takes `start..start + chunk` (within `values`), and
		// `values` stays mutably borrowed until every task has finished.
		let slice = unsafe { std::slice::from_raw_parts_mut(base.0.add(start), chunk.min(len - start)) };
		run(task, slice);
	});
}

/// Group-blocks (× activation rows) below which a task is not worth handing to another
/// thread (a few microseconds of work).
const MIN_TASK_WORK: usize = 512;

/// `input` (`rows × weights.columns()`, row-major) times the transposed weights: `rows ×
/// weights.rows()`. The result does not depend on `isa` or the thread count.
pub fn matmul(weights: &PackedMatrix, input: &[f32], rows: usize, isa: Isa) -> Vec<f32> {
	assert_eq!(input.len(), rows * weights.columns, "activations do not match the weights");
	if rows == 0 {
		return Vec::new();
	}
	matmul_quantized(weights, &QuantizedRows::quantize(input, rows, weights.columns), isa)
}

/// [`matmul`] of activations already quantized (several layers can share them).
pub fn matmul_quantized(weights: &PackedMatrix, input: &QuantizedRows, isa: Isa) -> Vec<f32> {
	assert_eq!(input.blocks * BLOCK, weights.columns, "activations do not match the weights");
	let rows = input.rows;
	if rows == 0 {
		return Vec::new();
	}
	let mut values = vec![0f32; rows * weights.rows];
	let output = Output { values: values.as_mut_ptr(), rows, columns: weights.rows };
	let work_per_group = weights.blocks * rows;
	// One thread where rayon is told to use one (RAYON_NUM_THREADS=1, the tests' pools).
	let pool = pool::Pool::global();
	let threads = if rayon::current_num_threads() == 1 { 1 } else { pool.threads() };
	let tasks = task_groups(weights.groups, MIN_TASK_WORK.div_ceil(work_per_group), threads);
	let run = |task: usize| run_kernel(isa, weights, input, tasks[task].clone(), &output);
	if tasks.len() == 1 || threads == 1 {
		(0..tasks.len()).for_each(run);
	} else {
		pool.run(tasks.len(), &run);
	}
	values
}

/// How a product's `groups` are cut into tasks for `threads` threads, each task at least
/// `least` groups (the last may be shorter). Where that floor leaves room, in tasks of
/// falling size, each 1 / (2 · threads) of what is left: threads take tasks in order, so
/// the big ones go first and the last to finish waits at most for a small one. (Equal
/// tasks, 4 per thread, finish together only when no thread is held up: one slowed by
/// another process on the machine left the other waiting for up to a whole task, an
/// eighth of the product on 2 threads.)
fn task_groups(groups: usize, least: usize, threads: usize) -> Vec<Range<usize>> {
	let least = least.max(1);
	if threads <= 1 {
		return vec![0..groups];
	}
	if least >= groups.div_ceil(threads * 4) {
		// Small products: equal tasks of the floor.
		return (0..groups).step_by(least).map(|start| start..(start + least).min(groups)).collect();
	}
	let mut tasks = Vec::new();
	let mut start = 0;
	while start < groups {
		let size = (groups - start).div_ceil(2 * threads).max(least).min(groups - start);
		tasks.push(start..start + size);
		start += size;
	}
	tasks
}

fn run_kernel(isa: Isa, weights: &PackedMatrix, input: &QuantizedRows, groups: Range<usize>, output: &Output) {
	match isa {
		// SAFETY: `Isa::available` checked the CPU's features; groups are disjoint per task.
		#[cfg(target_arch = "x86_64")]
		Isa::Avx512Vnni => unsafe { x86::matmul_avx512(weights, input, groups, output) },
		#[cfg(target_arch = "x86_64")]
		Isa::Avx2 => unsafe { x86::matmul_avx2(weights, input, groups, output) },
		_ => scalar::matmul(weights, input, groups, output),
	}
}

/// The input of one or more layers: `rows` rows of f32 values, quantized on first use
/// and then shared by every packed layer that reads it (a block's query, key and value
/// projections; its gate and up projections).
pub struct LayerInput<'a> {
	values: &'a [f32],
	rows: usize,
	quantized: OnceCell<QuantizedRows>,
}

impl<'a> LayerInput<'a> {
	/// `rows` rows of `values.len() / rows` values.
	pub fn new(values: &'a [f32], rows: usize) -> Self {
		Self { values, rows, quantized: OnceCell::new() }
	}

	fn columns(&self) -> usize {
		self.values.len().checked_div(self.rows).unwrap_or(0)
	}
}

/// A linear layer without bias, `y = x Wᵀ`, from a GGUF tensor: packed for the kernels when
/// its format is Q4_1 or Q8_0, otherwise run by candle (other formats, such as the Q4_0
/// variants the verification tests build).
pub enum QuantizedLinear {
	/// Run by [`matmul`] with [`Isa::current`].
	Packed(PackedMatrix),
	/// Run by candle on the CPU.
	Candle { matmul: QMatMul, rows: usize, columns: usize },
}

impl QuantizedLinear {
	/// Takes a weight tensor `[out_features, in_features]` on the CPU.
	pub fn new(tensor: QTensor) -> Result<Self> {
		if let Some(packed) = PackedMatrix::from_qtensor(&tensor) {
			return Ok(Self::Packed(packed?));
		}
		let (rows, columns) = tensor.shape().dims2()?;
		Ok(Self::Candle { matmul: QMatMul::from_qtensor(tensor)?, rows, columns })
	}

	/// Output features.
	pub fn rows(&self) -> usize {
		match self {
			Self::Packed(weights) => weights.rows,
			Self::Candle { rows, .. } => *rows,
		}
	}

	/// Whether each activation row's outputs are the same bits however many rows run
	/// together: true of Infera's kernels; candle may run a layer as a matrix product
	/// whose summation order depends on the row count (f16, bf16 and f32 weights).
	pub fn rows_are_independent(&self) -> bool {
		matches!(self, Self::Packed(_))
	}

	/// Input features.
	pub fn columns(&self) -> usize {
		match self {
			Self::Packed(weights) => weights.columns,
			Self::Candle { columns, .. } => *columns,
		}
	}

	/// `x Wᵀ` for the rows of `input`: `rows × self.rows()` values.
	pub fn forward(&self, input: &LayerInput) -> Result<Vec<f32>> {
		if input.values.len() != input.rows * self.columns() {
			return Err(InferenceError::InvalidInput(format!(
				"{} values are not {} rows of {} input features",
				input.values.len(),
				input.rows,
				self.columns()
			)));
		}
		if input.rows == 0 {
			return Ok(Vec::new());
		}
		match self {
			Self::Packed(weights) => {
				let quantized = input
					.quantized
					.get_or_init(|| QuantizedRows::quantize(input.values, input.rows, input.columns()));
				Ok(matmul_quantized(weights, quantized, Isa::current()))
			},
			Self::Candle { matmul, columns, .. } => {
				let x = Tensor::from_slice(input.values, (input.rows, *columns), &Device::Cpu)?;
				Ok(matmul.forward(&x)?.flatten_all()?.to_vec1()?)
			},
		}
	}
}

#[cfg(test)]
mod tests;
