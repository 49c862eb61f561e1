//! The reference kernel: plain Rust on the packed layout, one output at a time, in
//! candle's order of operations. Every other kernel must give exactly its results.

use super::{
	activations::QuantizedRows,
	pack::{PackedMatrix, WeightFormat, BLOCK, GROUP},
	Output,
};
use half::f16;
use std::ops::Range;

/// Computes the outputs of row groups `groups` for every activation row.
pub(super) fn matmul(weights: &PackedMatrix, input: &QuantizedRows, groups: Range<usize>, output: &Output) {
	for group in groups {
		for row in 0..input.rows {
			let mut values = [0f32; GROUP];
			for (lane, value) in values.iter_mut().enumerate() {
				*value = dot(weights, input, group, lane, row);
			}
			// SAFETY: the caller gives each task its own groups, so its own output columns.
			unsafe { output.write_group(row, group, &values) };
		}
	}
}

/// One output: row `GROUP · group + lane` of the weights times activation row `row`.
fn dot(weights: &PackedMatrix, input: &QuantizedRows, group: usize, lane: usize, row: usize) -> f32 {
	let mut sum = 0f32;
	for block in 0..weights.blocks {
		let lines = weights.lines_of(group, block);
		let activations = input.block(row, block);
		let slot = weights.scale_index(group, block) + lane;
		let scale = f16::from_bits(weights.scales[slot]).to_f32();
		let at = input.index(row, block);
		let mut integer = 0i32;
		match weights.format {
			WeightFormat::Q4_1 => {
				for (line, quads) in lines.iter().enumerate() {
					for i in 0..4 {
						let byte = quads.0[4 * lane + i];
						integer += i32::from(byte & 0x0F) * i32::from(activations[4 * line + i]) +
							i32::from(byte >> 4) * i32::from(activations[BLOCK / 2 + 4 * line + i]);
					}
				}
				let minimum = f16::from_bits(weights.minimums[slot]).to_f32();
				sum += integer as f32 * scale * input.scales[at] + minimum * input.scaled_sums[at];
			},
			WeightFormat::Q8_0 => {
				for (line, quads) in lines.iter().enumerate() {
					for i in 0..4 {
						let quant = (quads.0[4 * lane + i] ^ 0x80) as i8;
						integer += i32::from(quant) * i32::from(activations[4 * line + i]);
					}
				}
				sum += integer as f32 * scale * input.scales[at];
			},
		}
	}
	sum
}
