//! The JSON-RPC reads behind `infera-node models fetch|list`, against a fake node on
//! 127.0.0.1 answering `infera_model`, `infera_models` and `infera_modelByDigest` in the
//! shapes `docs/rpc.md` gives, then a fetch of the version it names.

mod support;

use infera_inference::{
	registry::{RegistryClient, Target},
	store::flight::Progress,
};
use serde_json::{json, Value};
use sp_core::H256;
use support::*;

fn version_json(number: u32, spec: &infera_primitives::ArtifactRef) -> Value {
	json!({
		"version": number, "format": "safetensors",
		"weights": format!("{:?}", spec.weights),
		"tokenizer": spec.tokenizer.map(|d| format!("{d:?}")),
		"config": spec.config.map(|d| format!("{d:?}")),
		"sizeBytes": spec.size_bytes,
		"url": spec.url.as_ref().map(|url| String::from_utf8_lossy(url).into_owned()),
		"cid": null, "datasets": [], "status": "approved", "reason": null, "publishedAt": 3, "deposit": "100"
	})
}

#[test]
fn versions_are_read_by_id_or_digest_and_fetched() {
	let (old, new) = (bytes(2_000, 1), bytes(3_000, 2));
	let (tokenizer, config) = (bytes(300, 3), bytes(30, 4));
	let files = file_server(vec![
		("/v1/model.safetensors".into(), old.clone()),
		("/v2/model.safetensors".into(), new.clone()),
		("/v2/tokenizer.json".into(), tokenizer.clone()),
		("/v2/config.json".into(), config.clone()),
	]);
	let v1 = weights_only(&format!("{}/v1", files.url), &old);
	let v2 = version(&format!("{}/v2", files.url), &new, &tokenizer, &config);
	let model = json!({
		"id": 0, "name": "tiny", "task": "textEmbedding", "currentVersion": 2, "latestVersion": 2,
		"versions": [version_json(1, &v1), version_json(2, &v2)]
	});
	let (by_digest, answer_model) = (v1.weights, model.clone());
	let node = serve(move |head, conn| {
		let request: Value = serde_json::from_slice(&head.body).unwrap();
		let params = &request["params"];
		let result = match request["method"].as_str().unwrap() {
			"infera_model" if params[0] == 0 => json!({ "result": answer_model }),
			"infera_model" =>
				json!({ "error": { "code": 4001, "message": format!("model {} is not registered", params[0]) } }),
			"infera_modelByDigest" if params[0] == format!("{by_digest:?}") =>
				json!({ "result": { "modelId": 0, "version": 1, "registeredAt": 3 } }),
			"infera_modelByDigest" => json!({ "error": { "code": 4002, "message": "unknown digest" } }),
			"infera_models" => json!({ "result": [answer_model] }),
			other => panic!("unexpected {other}"),
		};
		let mut answer = json!({ "jsonrpc": "2.0", "id": request["id"] });
		answer.as_object_mut().unwrap().extend(result.as_object().unwrap().clone());
		conn.reply(200, answer.to_string().as_bytes());
	});
	let registry = RegistryClient::new(&node.url).unwrap();
	// A model id: its current version.
	let current = registry.version(Target::Model(0), None).unwrap();
	assert_eq!((current.model_id, current.version, &current.artifacts), (0, 2, &v2));
	assert_eq!(current.to_string(), "model 0 (tiny) version 2");
	// A digest names its version; --version picks one by number.
	assert_eq!(registry.version(Target::Weights(v1.weights), None).unwrap().artifacts, v1);
	assert_eq!(registry.version(Target::Model(0), Some(1)).unwrap().artifacts, v1);
	assert!(registry.version(Target::Weights(v1.weights), Some(1)).is_err());
	let unknown = registry.version(Target::Model(9), None).unwrap_err();
	assert!(unknown.contains("model 9 is not registered"), "{unknown}");
	assert!(registry.version(Target::Model(0), Some(7)).unwrap_err().contains("no version 7"));
	assert!(registry.version(Target::Weights(H256::repeat_byte(9)), None).unwrap_err().contains("unknown digest"));
	assert_eq!(registry.all_versions().unwrap().len(), 2);
	// What it read is what the store fetches.
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = store(dir.path(), quick(), None);
	store.ensure_version(&current.artifacts, &Progress::default()).unwrap();
	assert!(store.is_ready(&v2));
	// A node that is not there.
	let error = RegistryClient::new(&closed_port_url()).unwrap().version(Target::Model(0), None).unwrap_err();
	assert!(error.contains("unreachable"), "{error}");
}
