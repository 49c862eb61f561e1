//! Other models of the same shape as a GGUF file, written from it: what a worker who cuts
//! corners would run instead of the registered weights. For the verification tests, the
//! benchmark and the e2e fixture (`tests/fixtures/smollm-swapped.json`).

use crate::error::{InferenceError, Result};
use candle_core::{
	quantized::{gguf_file, GgmlDType, QTensor},
	Device,
};
use std::path::Path;

/// Writes `source` to `target` with every Q4_1 tensor requantized to `dtype` and, when
/// `swap` names two blocks, those blocks' tensors exchanged.
pub fn write_variant(source: &Path, target: &Path, dtype: GgmlDType, swap: Option<(usize, usize)>) -> Result<()> {
	let io = |path: &Path| {
		let path = path.display().to_string();
		move |error| InferenceError::Io { path, error }
	};
	let mut file = std::fs::File::open(source).map_err(io(source))?;
	let content = gguf_file::Content::read(&mut file)?;
	let mut tensors: Vec<(String, QTensor)> = Vec::new();
	for name in content.tensor_infos.keys() {
		let tensor = content.tensor(&mut file, name, &Device::Cpu)?;
		let tensor = match tensor.dtype() {
			GgmlDType::Q4_1 => QTensor::quantize(&tensor.dequantize(&Device::Cpu)?, dtype)?,
			_ => tensor,
		};
		let renamed = match swap {
			Some((a, b)) if name.starts_with(&format!("blk.{a}.")) =>
				name.replacen(&format!("blk.{a}."), &format!("blk.{b}."), 1),
			Some((a, b)) if name.starts_with(&format!("blk.{b}.")) =>
				name.replacen(&format!("blk.{b}."), &format!("blk.{a}."), 1),
			_ => name.clone(),
		};
		tensors.push((renamed, tensor));
	}
	let metadata: Vec<(&str, &gguf_file::Value)> = content.metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
	let tensors: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
	let mut out = std::fs::File::create(target).map_err(io(target))?;
	gguf_file::write(&mut out, &metadata, &tensors)?;
	Ok(())
}
