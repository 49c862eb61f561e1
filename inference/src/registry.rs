//! Reads the model registry through a node's JSON-RPC (`infera_model`, `infera_models`,
//! `infera_modelByDigest`; see `docs/rpc.md`), for operators' tools such as
//! `infera-node models fetch` and `models list`.

use crate::fetch::{FetchConfig, Fetcher};
use infera_primitives::{ArtifactFormat, ArtifactRef, ModelId, TaskKind, VersionId};
use serde_json::{json, Value};
use sp_core::H256;
use std::str::FromStr;

/// Largest JSON-RPC answer read (a page of 100 models with their versions fits easily).
const MAX_ANSWER_BYTES: u64 = 64 << 20;

/// One model version as the registry records it.
#[derive(Clone, Debug)]
pub struct RegisteredVersion {
	/// The model.
	pub model_id: ModelId,
	/// The model's name.
	pub name: String,
	/// The version number.
	pub version: VersionId,
	/// Its files and where they are.
	pub artifacts: ArtifactRef,
}

impl std::fmt::Display for RegisteredVersion {
	fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
		write!(f, "model {} ({}) version {}", self.model_id, self.name, self.version)
	}
}

/// What `infera-node models fetch` was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
	/// A model id (its current approved version, else its latest, unless `--version`).
	Model(ModelId),
	/// The version registered with these weights.
	Weights(H256),
}

impl FromStr for Target {
	type Err = String;

	fn from_str(text: &str) -> Result<Self, String> {
		if text.starts_with("0x") {
			return H256::from_str(text)
				.map(Target::Weights)
				.map_err(|_| format!("{text:?}: expected a model id or the 0x-hex SHA-256 of a version's weights"));
		}
		text.parse().map(Target::Model).map_err(|_| format!("{text:?}: expected a model id or a 0x-hex weights digest"))
	}
}

/// A JSON-RPC client of one node.
pub struct RegistryClient {
	url: String,
	http: Fetcher,
}

impl RegistryClient {
	/// A client of the node at `url` (`http://127.0.0.1:9944`).
	pub fn new(url: &str) -> Result<Self, String> {
		let http = Fetcher::new(FetchConfig::default(), None).map_err(|error| format!("HTTP client: {error}"))?;
		Ok(Self { url: url.to_string(), http })
	}

	fn call(&self, method: &str, params: Value) -> Result<Value, String> {
		let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
		let answer = self
			.http
			.post_json(&self.url, request.to_string().into_bytes(), MAX_ANSWER_BYTES)
			.map_err(|error| format!("{method} at {}: {error}", self.url))?;
		let mut answer: Value = serde_json::from_slice(&answer)
			.map_err(|error| format!("{method} at {}: the answer is not JSON: {error}", self.url))?;
		if let Some(error) = answer.get("error") {
			return Err(format!("{method}: {}", error.get("message").and_then(Value::as_str).unwrap_or("error")));
		}
		answer.get_mut("result").map(Value::take).ok_or_else(|| format!("{method}: the answer has no result"))
	}

	/// The version `target` names (`version` picks one of a model's versions).
	pub fn version(&self, target: Target, version: Option<VersionId>) -> Result<RegisteredVersion, String> {
		let (model_id, version) = match target {
			Target::Model(id) => (id, version),
			Target::Weights(_) if version.is_some() =>
				return Err("--version does not go with a weights digest, which names one version".into()),
			Target::Weights(digest) => {
				let location = self.call("infera_modelByDigest", json!([digest]))?;
				let field = |name: &str| {
					location
						.get(name)
						.and_then(Value::as_u64)
						.and_then(|n| u32::try_from(n).ok())
						.ok_or_else(|| format!("infera_modelByDigest: expected a numeric {name:?} in {location}"))
				};
				(field("modelId")?, Some(field("version")?))
			},
		};
		let model = self.call("infera_model", json!([model_id]))?;
		let chosen = match version {
			Some(version) => version,
			None => ["currentVersion", "latestVersion"]
				.iter()
				.find_map(|field| model.get(*field).and_then(Value::as_u64))
				.and_then(|n| u32::try_from(n).ok())
				.ok_or_else(|| format!("model {model_id} has no version"))?,
		};
		versions_of(&model)?
			.into_iter()
			.find(|registered| registered.version == chosen)
			.ok_or_else(|| format!("model {model_id} has no version {chosen}"))
	}

	/// Every version of every registered model (`infera_models`, page by page).
	pub fn all_versions(&self) -> Result<Vec<RegisteredVersion>, String> {
		let mut all = Vec::new();
		let mut start: u64 = 0;
		loop {
			let page = self.call("infera_models", json!([null, start, 100]))?;
			let models = page.as_array().ok_or_else(|| format!("infera_models: expected a list, got {page}"))?;
			for model in models {
				all.extend(versions_of(model)?);
			}
			let Some(last) = models.last().and_then(|model| model.get("id")).and_then(Value::as_u64) else { break };
			if models.len() < 100 {
				break;
			}
			start = last + 1;
		}
		Ok(all)
	}
}

/// The versions of a model in `infera_model`'s JSON.
fn versions_of(model: &Value) -> Result<Vec<RegisteredVersion>, String> {
	let bad = |what: &str| format!("infera_model: expected {what} in the model's JSON");
	let model_id =
		model.get("id").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok()).ok_or_else(|| bad("an \"id\""))?;
	let name = model.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
	let task =
		model.get("task").and_then(Value::as_str).and_then(TaskKind::from_name).ok_or_else(|| bad("a \"task\""))?;
	let versions = model.get("versions").and_then(Value::as_array).ok_or_else(|| bad("\"versions\""))?;
	versions
		.iter()
		.map(|version| {
			Ok(RegisteredVersion {
				model_id,
				name: name.clone(),
				version: version
					.get("version")
					.and_then(Value::as_u64)
					.and_then(|n| u32::try_from(n).ok())
					.ok_or_else(|| bad("a version number"))?,
				artifacts: artifacts_of(task, version)?,
			})
		})
		.collect()
}

/// A version's [`ArtifactRef`] from its JSON (`weights`, `tokenizer`, `config`, `sizeBytes`,
/// `url`, `cid`, `format`).
fn artifacts_of(task: TaskKind, version: &Value) -> Result<ArtifactRef, String> {
	let bad = |what: &str| format!("infera_model: expected {what} in {version}");
	let digest = |field: &str| -> Result<Option<H256>, String> {
		match version.get(field) {
			None | Some(Value::Null) => Ok(None),
			Some(Value::String(hex)) => H256::from_str(hex).map(Some).map_err(|_| bad(&format!("a 0x-hex {field:?}"))),
			Some(_) => Err(bad(&format!("a 0x-hex {field:?}"))),
		}
	};
	let format = match version.get("format").and_then(Value::as_str) {
		Some("safetensors") => ArtifactFormat::Safetensors,
		Some("gguf") => ArtifactFormat::Gguf,
		Some("onnx") => ArtifactFormat::Onnx,
		_ => return Err(bad("a \"format\"")),
	};
	let cid = match version.get("cid") {
		None | Some(Value::Null) => None,
		Some(Value::String(hex)) => Some(sp_core::bytes::from_hex(hex).map_err(|_| bad("a 0x-hex \"cid\""))?),
		Some(_) => return Err(bad("a 0x-hex \"cid\"")),
	};
	Ok(ArtifactRef {
		task,
		format,
		weights: digest("weights")?.ok_or_else(|| bad("\"weights\""))?,
		tokenizer: digest("tokenizer")?,
		config: digest("config")?,
		size_bytes: version.get("sizeBytes").and_then(Value::as_u64).ok_or_else(|| bad("a numeric \"sizeBytes\""))?,
		url: version.get("url").and_then(Value::as_str).map(|url| url.as_bytes().to_vec()),
		cid,
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_version_reads_from_the_rpc_json() {
		let model = json!({
			"id": 3, "name": "all-MiniLM-L6-v2", "task": "textEmbedding", "currentVersion": 1, "latestVersion": 2,
			"versions": [{
				"version": 1, "format": "safetensors",
				"weights": format!("{:?}", H256::repeat_byte(1)), "tokenizer": format!("{:?}", H256::repeat_byte(2)),
				"config": null, "sizeBytes": 91335235, "url": "https://models.example/minilm", "cid": "0x01551220aa",
				"status": "approved", "reason": null
			}]
		});
		let versions = versions_of(&model).unwrap();
		assert_eq!(versions.len(), 1);
		let artifacts = &versions[0].artifacts;
		assert_eq!((versions[0].model_id, versions[0].version), (3, 1));
		assert_eq!(artifacts.weights, H256::repeat_byte(1));
		assert_eq!(artifacts.tokenizer, Some(H256::repeat_byte(2)));
		assert_eq!(artifacts.config, None);
		assert_eq!(artifacts.size_bytes, 91_335_235);
		assert_eq!(artifacts.url.as_deref(), Some(&b"https://models.example/minilm"[..]));
		assert_eq!(artifacts.cid.as_deref(), Some(&[0x01, 0x55, 0x12, 0x20, 0xaa][..]));
	}

	#[test]
	fn targets_are_ids_or_digests() {
		assert_eq!("7".parse(), Ok(Target::Model(7)));
		assert_eq!(format!("{:?}", H256::repeat_byte(1)).parse(), Ok(Target::Weights(H256::repeat_byte(1))));
		assert!("0x12".parse::<Target>().is_err());
		assert!("minilm".parse::<Target>().is_err());
	}
}
