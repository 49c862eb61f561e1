//! The JSON the `infera_*` model methods return: the views' own serialisation.

use crate::{routing::RankedModel, views::*, ArtifactFormat, TaskKind, UsageStats};
use serde_json::{json, Value};
use sp_core::H256;
use sp_runtime::Permill;

fn version(status: VersionStatus) -> VersionDetails<u128, u32> {
	VersionDetails {
		version: 1,
		format: ArtifactFormat::Safetensors,
		weights: H256::repeat_byte(1),
		tokenizer: Some(H256::repeat_byte(2)),
		config: None,
		size_bytes: 90_000_000,
		url: Some(b"https://models.example/minilm".to_vec()),
		cid: Some(vec![0x01, 0x55]),
		datasets: vec![3],
		status,
		published_at: 5,
		deposit: 10u128.pow(20),
	}
}

#[test]
fn a_model_serialises_with_texts_strings_and_flattened_versions() {
	let model = ModelDetails::<u64, u128, u32> {
		id: 2,
		owner: 1,
		pending_owner: None,
		name: b"MiniLM".to_vec(),
		task: TaskKind::TextEmbedding,
		licence: b"Apache-2.0".to_vec(),
		price: 70,
		parent: Some(0),
		datasets: vec![3],
		deprecated: false,
		current_version: Some(1),
		latest_version: 2,
		registered_at: 4,
		deposit: 12,
		versions: vec![version(VersionStatus::Approved), version(VersionStatus::Rejected(b"bad".to_vec()))],
		usage: UsageStats::default(),
	};
	let json = serde_json::to_value(&model).unwrap();
	assert_eq!(json["name"], "MiniLM");
	assert_eq!(json["task"], "textEmbedding");
	assert_eq!(json["licence"], "Apache-2.0");
	assert_eq!((json["price"].clone(), json["deposit"].clone()), (json!("70"), json!("12")));
	assert_eq!((json["pendingOwner"].clone(), json["parent"].clone()), (Value::Null, json!(0)));
	assert_eq!((json["currentVersion"].clone(), json["latestVersion"].clone()), (json!(1), json!(2)));
	let approved = &json["versions"][0];
	assert_eq!(approved["format"], "safetensors");
	assert_eq!(approved["weights"], format!("0x{}", "01".repeat(32)));
	assert_eq!(approved["config"], Value::Null);
	assert_eq!(approved["sizeBytes"], 90_000_000);
	assert_eq!(approved["url"], "https://models.example/minilm");
	assert_eq!(approved["cid"], "0x0155");
	assert_eq!((approved["status"].clone(), approved["reason"].clone()), (json!("approved"), Value::Null));
	assert_eq!(approved["deposit"], "100000000000000000000");
	assert_eq!(approved["publishedAt"], 5);
	let rejected = &json["versions"][1];
	assert_eq!((rejected["status"].clone(), rejected["reason"].clone()), (json!("rejected"), json!("bad")));
	assert_eq!(json["usage"]["meanBlocksToResult"], Value::Null);
	assert_eq!(json["usage"]["agreementRate"], Value::Null);
}

#[test]
fn usage_derives_mean_latency_and_agreement_rate() {
	let used = UsageStats {
		open_jobs: 1,
		jobs_completed: 3,
		jobs_failed: 1,
		total_blocks_to_result: 12,
		agreeing_replicas: 8,
		total_replicas: 12,
	};
	assert_eq!(
		serde_json::to_value(used).unwrap(),
		json!({
			"openJobs": 1, "jobsCompleted": 3, "jobsFailed": 1, "meanBlocksToResult": 4,
			"agreeingReplicas": 8, "totalReplicas": 12, "agreementRate": 666_666,
		})
	);
}

#[test]
fn routing_candidates_and_digest_locations_serialise_flat() {
	let ranked = RankedModel::<u128> {
		model_id: 1,
		version: 2,
		price: u128::MAX,
		score: Permill::from_percent(80),
		price_score: Permill::one(),
		latency_score: Permill::zero(),
		agreement_score: Permill::from_parts(1),
	};
	assert_eq!(
		serde_json::to_value(&ranked).unwrap(),
		json!({
			"modelId": 1, "version": 2, "price": u128::MAX.to_string(), "score": 800_000,
			"priceScore": 1_000_000, "latencyScore": 0, "agreementScore": 1,
		})
	);
	let location = DigestLocation::<u32> { model_id: 1, version: 2, registered_at: 9 };
	assert_eq!(serde_json::to_value(&location).unwrap(), json!({ "modelId": 1, "version": 2, "registeredAt": 9 }));
}
