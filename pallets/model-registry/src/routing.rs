//! Routing: which model should run a job for a task, at a price the requester accepts.
//!
//! Candidates are the task's routable models (active, with a current approved version;
//! at most `MaxRoutableModels`, so ranking is bounded) whose price is at most `max_price`.
//! Each gets a score in parts per million:
//!
//! ```text
//! score     = PriceWeight·price + LatencyWeight·latency + AgreementWeight·agreement
//! price     = (max_price − price) / max_price          (1 when max_price = 0)
//! latency   = L / (L + mean blocks to result)          (½ with no completed job yet)
//! agreement = (agreeing replicas + 1) / (replicas + 2) (Laplace: ½ for a new model)
//! ```
//!
//! `L` is `LatencyReference` (blocks). Failed jobs count as disagreeing replicas, so
//! unreliable models fall. Ties go to the lower price, then to the older model.

use crate::{BalanceOf, Config, Error, Models, Routable, Usage, UsageStats};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_support::{defensive, traits::Get};
use infera_primitives::{ModelId, TaskKind, VersionId};
use scale_info::TypeInfo;
use sp_runtime::{traits::UniqueSaturatedInto, Permill};

/// A candidate model with its score and the parts of it (in JSON, scores are parts per
/// million and the price a decimal string).
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize), serde(rename_all = "camelCase"))]
pub struct RankedModel<Balance> {
	/// The model.
	pub model_id: ModelId,
	/// The version an unpinned job would run.
	pub version: VersionId,
	/// Its price per job.
	#[cfg_attr(feature = "std", serde(with = "infera_primitives::json::balance", bound(serialize = "Balance: core::fmt::Display")))]
	pub price: Balance,
	/// The weighted score.
	pub score: Permill,
	/// Price part of the score.
	pub price_score: Permill,
	/// Latency part of the score.
	pub latency_score: Permill,
	/// Agreement part of the score.
	pub agreement_score: Permill,
}

/// The price part: how far under the requester's maximum the price is.
pub fn price_score(price: u128, max_price: u128) -> Permill {
	if max_price == 0 {
		return Permill::one();
	}
	Permill::from_rational(max_price.saturating_sub(price), max_price)
}

/// The latency part: `L / (L + mean)`, one half while no job has completed.
pub fn latency_score(usage: &UsageStats, reference: u32) -> Permill {
	match usage.mean_blocks_to_result() {
		None => Permill::from_percent(50),
		Some(mean) => {
			let reference = u64::from(reference);
			Permill::from_rational(reference, reference.saturating_add(mean))
		},
	}
}

/// The agreement part: Laplace-smoothed share of replica results in the majority.
pub fn agreement_score(usage: &UsageStats) -> Permill {
	Permill::from_rational(
		usage.agreeing_replicas.saturating_add(1),
		usage.total_replicas.saturating_add(2),
	)
}

/// Scores one model against `max_price`, or `None` if it is not a candidate.
pub fn rank<T: Config>(model_id: ModelId, max_price: BalanceOf<T>) -> Option<RankedModel<BalanceOf<T>>> {
	let Some(model) = Models::<T>::get(model_id) else {
		defensive!("a routable model exists");
		return None;
	};
	let version = model.current_version?;
	if model.price > max_price {
		return None;
	}
	let usage = Usage::<T>::get(model_id);
	let price_score = price_score(
		model.price.unique_saturated_into(),
		max_price.unique_saturated_into(),
	);
	let latency_score = latency_score(&usage, T::LatencyReference::get());
	let agreement_score = agreement_score(&usage);
	let parts = T::PriceWeight::get()
		.mul_floor(price_score.deconstruct())
		.saturating_add(T::LatencyWeight::get().mul_floor(latency_score.deconstruct()))
		.saturating_add(T::AgreementWeight::get().mul_floor(agreement_score.deconstruct()));
	Some(RankedModel {
		model_id,
		version,
		price: model.price,
		score: Permill::from_parts(parts),
		price_score,
		latency_score,
		agreement_score,
	})
}

/// Routing order: higher score first, then the cheaper, then the older model.
fn routing_order<Balance: Ord>(a: &RankedModel<Balance>, b: &RankedModel<Balance>) -> core::cmp::Ordering {
	b.score.cmp(&a.score).then(a.price.cmp(&b.price)).then(a.model_id.cmp(&b.model_id))
}

fn candidates<T: Config>(
	task: TaskKind,
	max_price: BalanceOf<T>,
) -> impl Iterator<Item = RankedModel<BalanceOf<T>>> {
	Routable::<T>::get(task).into_iter().filter_map(move |model_id| rank::<T>(model_id, max_price))
}

/// The candidates for `task` at `max_price`, best first.
pub fn rank_models<T: Config>(
	task: TaskKind,
	max_price: BalanceOf<T>,
) -> Vec<RankedModel<BalanceOf<T>>> {
	let mut ranked: Vec<_> = candidates::<T>(task, max_price).collect();
	ranked.sort_by(routing_order);
	ranked
}

/// The first of [`rank_models`], found in one pass.
pub fn best_model<T: Config>(task: TaskKind, max_price: BalanceOf<T>) -> Option<RankedModel<BalanceOf<T>>> {
	candidates::<T>(task, max_price).min_by(routing_order)
}

/// Makes `model_id` routable for `task`.
pub(crate) fn add_routable<T: Config>(task: TaskKind, model_id: ModelId) -> Result<(), Error<T>> {
	Routable::<T>::try_mutate(task, |models| {
		if models.contains(&model_id) {
			defensive!("a model becomes routable once");
			return Ok(());
		}
		models.try_push(model_id).map_err(|_| Error::<T>::TooManyRoutableModels)
	})
}

/// Takes `model_id` out of routing for `task` (no-op if it was not routable).
pub(crate) fn remove_routable<T: Config>(task: TaskKind, model_id: ModelId) {
	Routable::<T>::mutate(task, |models| models.retain(|id| *id != model_id));
}
