//! The registry as OpenAI's `/v1/models` shows it, and the model a request names.

use crate::{error::ApiError, rpc::NodeClient};
use codec::Decode;
use infera_primitives::TaskKind;
use infera_runtime::{Balance, RuntimeCall, UncheckedExtrinsic};
use pallet_compute_jobs::ModelChoice;
use serde::Deserialize;
use serde_json::{json, Value};
use std::{collections::HashMap, sync::Mutex};

/// Models per `infera_models` page (its maximum).
const PAGE: u32 = 100;

/// A model as `infera_models` returns it (the fields the gateway reads; `usage` as it is).
#[derive(Deserialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ModelRecord {
	/// Model id.
	pub id: u32,
	/// Owner (SS58).
	pub owner: String,
	/// Name.
	pub name: String,
	/// Task, e.g. `textEmbedding`.
	pub task: String,
	/// Price per job, in planck (a decimal string).
	pub price: String,
	/// Deprecated models take no jobs.
	pub deprecated: bool,
	/// The version unpinned jobs run, if one is approved.
	pub current_version: Option<u32>,
	/// Block of registration.
	pub registered_at: u32,
	/// Usage statistics.
	pub usage: Value,
}

impl ModelRecord {
	/// Whether it takes jobs now.
	pub fn approved(&self) -> bool {
		!self.deprecated && self.current_version.is_some()
	}

	/// Its price.
	pub fn price(&self) -> Balance {
		self.price.parse().unwrap_or(Balance::MAX)
	}
}

/// Reads the registry, remembering when each model was registered.
pub struct Registry {
	registered_times: Mutex<HashMap<u32, u64>>,
}

impl Registry {
	/// A reader with nothing remembered.
	pub fn new() -> Self {
		Self { registered_times: Mutex::new(HashMap::new()) }
	}

	/// Every model that takes jobs now, in id order.
	pub async fn approved(&self, node: &NodeClient) -> Result<Vec<ModelRecord>, ApiError> {
		let mut models = Vec::new();
		let mut start = 0u32;
		loop {
			let page: Vec<ModelRecord> =
				node.call("infera_models", json!([null, start, PAGE])).await.map_err(ApiError::node)?;
			let full = page.len() as u32 == PAGE;
			start = match page.last() {
				Some(last) => last.id + 1,
				None => break,
			};
			models.extend(page.into_iter().filter(ModelRecord::approved));
			if !full {
				break;
			}
		}
		Ok(models)
	}

	/// The Unix time (seconds) of block `number`, read from its timestamp inherent (block
	/// bodies are kept when state is pruned), remembered per model.
	pub async fn registered_time(&self, node: &NodeClient, model: &ModelRecord) -> Result<u64, ApiError> {
		if let Some(time) = self.registered_times.lock().unwrap_or_else(|e| e.into_inner()).get(&model.id) {
			return Ok(*time);
		}
		let hash = node.block_hash(model.registered_at).await.map_err(ApiError::node)?;
		let block = node.block(hash).await.map_err(ApiError::node)?;
		let millis = block
			.extrinsics
			.iter()
			.filter_map(|bytes| UncheckedExtrinsic::decode(&mut &bytes.0[..]).ok())
			.find_map(|extrinsic| match extrinsic.function {
				RuntimeCall::Timestamp(pallet_timestamp::Call::set { now }) => Some(now),
				_ => None,
			})
			.ok_or_else(|| ApiError::internal(format!("block {} has no timestamp", model.registered_at)))?;
		let seconds = millis / 1000;
		self.registered_times.lock().unwrap_or_else(|e| e.into_inner()).insert(model.id, seconds);
		Ok(seconds)
	}

	/// The model a request's `model` names, for `task`: `auto` routes to the best model
	/// priced at most `max_price` (the chain picks it at inclusion); otherwise a model id or
	/// a name among the approved models, held to `max_price` if given, else to its price now.
	pub async fn choose(
		&self,
		node: &NodeClient,
		requested: &str,
		task: TaskKind,
		max_price: Option<Balance>,
	) -> Result<ModelChoice<Balance>, ApiError> {
		if requested == "auto" {
			let max_price = max_price.ok_or_else(|| {
				ApiError::bad_request(Some("max_price"), "max_price_required", "model `auto` needs `max_price` (planck), or a gateway started with --max-price")
			})?;
			return Ok(ModelChoice::Task { task, max_price });
		}
		let model = self.find(node, requested).await?;
		if model.task != task.as_str() {
			return Err(ApiError::bad_request(
				Some("model"),
				"wrong_task",
				format!("model `{requested}` (id {}) is a {} model; this endpoint needs a {} model", model.id, model.task, task.as_str()),
			));
		}
		let price = model.price();
		let max_price = max_price.unwrap_or(price);
		if price > max_price {
			return Err(ApiError::payment(
				"price_above_max_price",
				format!("model `{requested}` costs {price} planck per job, above max_price {max_price}"),
			));
		}
		Ok(ModelChoice::Model { model_id: model.id, version: None, max_price })
	}

	/// The approved model `requested` names: a numeric id, or a name exactly one approved
	/// model has (a name two share is refused with their ids).
	pub async fn find(&self, node: &NodeClient, requested: &str) -> Result<ModelRecord, ApiError> {
		let approved = self.approved(node).await?;
		let mut matches: Vec<ModelRecord> = match requested.parse::<u32>() {
			Ok(id) => approved.into_iter().filter(|model| model.id == id).collect(),
			Err(_) => approved.into_iter().filter(|model| model.name == requested).collect(),
		};
		match matches.len() {
			0 => Err(ApiError::not_found("model_not_found", format!("no approved model `{requested}`: GET /v1/models lists them"))),
			1 => Ok(matches.remove(0)),
			several => {
				let ids: Vec<String> = matches.iter().map(|model| model.id.to_string()).collect();
				Err(ApiError::bad_request(
					Some("model"),
					"ambiguous_model",
					format!("{several} approved models are named `{requested}` (ids {}): name one by id", ids.join(", ")),
				))
			},
		}
	}

	/// The `/v1/models` entry of `model`.
	pub async fn openai_entry(&self, node: &NodeClient, model: &ModelRecord) -> Result<Value, ApiError> {
		Ok(json!({
			"id": model.name,
			"object": "model",
			"created": self.registered_time(node, model).await?,
			"owned_by": model.owner,
			"infera": {
				"modelId": model.id,
				"version": model.current_version,
				"task": model.task,
				"price": model.price,
				"usage": model.usage,
			},
		}))
	}
}
