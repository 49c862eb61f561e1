//! GGUF weight blocks rearranged for the kernels: the rows of a matrix in groups of
//! [`GROUP`], and within a group, block by block, the quants of all its rows side by side.
//!
//! One 64-byte line holds, for each of the group's 16 rows, 4 consecutive quants of one
//! block (row `r` in bytes `4r..4r + 4`). A 512-bit register loaded from it multiplies 16
//! rows by the same 4 activations at once; a 256-bit register takes half the rows.
//!
//! - Q4_1 (4 lines per block): line `j` holds the block's bytes `qs[4j..4j + 4]` unchanged,
//!   so its low nibbles are quants `4j..4j + 4` and its high nibbles quants
//!   `16 + 4j..16 + 4j + 4` (GGUF puts quant `i` and `i + 16` in byte `i`).
//! - Q8_0 (8 lines per block): line `j` holds quants `4j..4j + 4` plus 128, as unsigned bytes
//!   (the kernels take 128 × the activations' sum back off).
//!
//! Scales (and Q4_1's minimums) stay f16, 16 per group and block.

use crate::error::{InferenceError, Result};
use candle_core::quantized::{GgmlDType, QTensor};

/// Output rows per group: one 32-bit lane each of a 512-bit register.
pub const GROUP: usize = 16;
/// Weights per quantization block (Q4_1 and Q8_0 alike).
pub const BLOCK: usize = 32;

/// A cache line of quants.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub struct Line(pub [u8; 64]);

/// The GGUF block formats the kernels run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightFormat {
	/// 32 unsigned 4-bit quants with an f16 scale and minimum (activations as Q8_1).
	Q4_1,
	/// 32 signed 8-bit quants with an f16 scale (activations as Q8_0).
	Q8_0,
}

impl WeightFormat {
	/// The format of a GGUF tensor type, if the kernels run it.
	pub fn of(dtype: GgmlDType) -> Option<Self> {
		match dtype {
			GgmlDType::Q4_1 => Some(Self::Q4_1),
			GgmlDType::Q8_0 => Some(Self::Q8_0),
			_ => None,
		}
	}

	/// Bytes of one GGUF block.
	fn block_bytes(self) -> usize {
		match self {
			Self::Q4_1 => 20,
			Self::Q8_0 => 34,
		}
	}

	/// Lines of quants per group and block.
	pub fn lines(self) -> usize {
		match self {
			Self::Q4_1 => 4,
			Self::Q8_0 => 8,
		}
	}
}

/// A weight matrix `[rows, columns]` (output features × input features) in kernel layout.
pub struct PackedMatrix {
	pub(super) format: WeightFormat,
	pub(super) rows: usize,
	pub(super) columns: usize,
	pub(super) blocks: usize,
	pub(super) groups: usize,
	/// `[group][block][line]`.
	pub(super) quants: Vec<Line>,
	/// `[group][block][row of group]`, f16 bits.
	pub(super) scales: Vec<u16>,
	/// Q4_1's minimums, laid out like `scales`; empty for Q8_0.
	pub(super) minimums: Vec<u16>,
}

impl PackedMatrix {
	/// Packs a 2-D GGUF tensor; `None` when its format is not one the kernels run.
	pub fn from_qtensor(tensor: &QTensor) -> Option<Result<Self>> {
		let format = WeightFormat::of(tensor.dtype())?;
		let packed = (|| {
			let (rows, columns) = tensor
				.shape()
				.dims2()
				.map_err(|_| InferenceError::InvalidModel(format!("{:?} is not a matrix", tensor.shape())))?;
			let raw = tensor.data()?;
			Self::pack(format, rows, columns, &raw)
		})();
		Some(packed)
	}

	/// Packs `rows` rows of `columns` weights given as GGUF blocks, row after row.
	pub fn pack(format: WeightFormat, rows: usize, columns: usize, raw: &[u8]) -> Result<Self> {
		if columns == 0 || !columns.is_multiple_of(BLOCK) || rows == 0 {
			return Err(InferenceError::InvalidModel(format!(
				"a {rows}×{columns} matrix is not whole blocks of {BLOCK}"
			)));
		}
		let blocks = columns / BLOCK;
		if raw.len() != rows * blocks * format.block_bytes() {
			return Err(InferenceError::InvalidModel(format!(
				"{} bytes for a {rows}×{columns} {format:?} matrix",
				raw.len()
			)));
		}
		let groups = rows.div_ceil(GROUP);
		let lines = format.lines();
		let empty_line = match format {
			WeightFormat::Q4_1 => Line([0; 64]),
			WeightFormat::Q8_0 => Line([0x80; 64]),
		};
		let mut quants = vec![empty_line; groups * blocks * lines];
		let mut scales = vec![0u16; groups * blocks * GROUP];
		let mut minimums = match format {
			WeightFormat::Q4_1 => vec![0u16; groups * blocks * GROUP],
			WeightFormat::Q8_0 => Vec::new(),
		};
		let half = |bytes: &[u8]| u16::from_le_bytes([bytes[0], bytes[1]]);
		for row in 0..rows {
			let (group, lane) = (row / GROUP, row % GROUP);
			for block in 0..blocks {
				let at = (row * blocks + block) * format.block_bytes();
				let source = &raw[at..at + format.block_bytes()];
				let slot = (group * blocks + block) * GROUP + lane;
				let first_line = (group * blocks + block) * lines;
				scales[slot] = half(&source[0..2]);
				let qs = match format {
					WeightFormat::Q4_1 => {
						minimums[slot] = half(&source[2..4]);
						&source[4..20]
					},
					WeightFormat::Q8_0 => &source[2..34],
				};
				for (line, quads) in qs.chunks_exact(4).enumerate() {
					let target = &mut quants[first_line + line].0[4 * lane..4 * lane + 4];
					for (to, from) in target.iter_mut().zip(quads) {
						*to = match format {
							WeightFormat::Q4_1 => *from,
							WeightFormat::Q8_0 => *from ^ 0x80,
						};
					}
				}
			}
		}
		Ok(Self { format, rows, columns, blocks, groups, quants, scales, minimums })
	}

	/// Output features.
	pub fn rows(&self) -> usize {
		self.rows
	}

	/// Input features.
	pub fn columns(&self) -> usize {
		self.columns
	}

	/// The block format.
	pub fn format(&self) -> WeightFormat {
		self.format
	}

	/// The quant lines of one group and block.
	pub(super) fn lines_of(&self, group: usize, block: usize) -> &[Line] {
		let lines = self.format.lines();
		let first = (group * self.blocks + block) * lines;
		&self.quants[first..first + lines]
	}

	/// Index of the first scale of one group and block.
	pub(super) fn scale_index(&self, group: usize, block: usize) -> usize {
		(group * self.blocks + block) * GROUP
	}
}
