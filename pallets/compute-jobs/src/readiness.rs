//! Readiness: which model versions a worker's node holds.
//!
//! A worker serves models, but runs *versions*: each version has its own weights, which its
//! node must fetch (from the registry's URL or CID) and verify against their digests before
//! it can answer. So a worker is drawn only for the versions it is marked ready for
//! ([`WorkerInfo::ready`]), which its off-chain worker sets with `set_readiness` once the
//! node reports the version held ([`crate::offchain`]), and clears when the node loses it.
//!
//! When curators approve a new version, workers start fetching it; until at least as many
//! workers are ready for it as a job asks replicas, an unpinned job runs the newest older
//! approved version that has them ([`Pallet::fallback_version`]), so jobs keep flowing while
//! the new weights download.
//!
//! A worker that marks a version ready without holding it gains nothing: it is drawn, fails
//! to commit or reveal, and is slashed like any absent worker.

use crate::{pallet::*, *};
use alloc::collections::btree_map::BTreeMap;
use frame_support::ensure;
use sp_runtime::DispatchResult;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_set_readiness(
		who: T::AccountId,
		model_id: ModelId,
		version: VersionId,
		ready: bool,
	) -> DispatchResult {
		let mut worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotWorker)?;
		ensure!(worker.models.contains(&model_id), Error::<T>::NotServingModel);
		let entry = ReadyVersion { model_id, version };
		let position = worker.ready.iter().position(|ready| *ready == entry);
		match (ready, position) {
			(true, None) => {
				ensure!(T::Models::artifacts(model_id, version).is_some(), Error::<T>::UnknownVersion);
				worker.ready.try_push(entry).map_err(|_| Error::<T>::TooManyReadyVersions)?;
			},
			(false, Some(index)) => {
				worker.ready.remove(index);
			},
			_ => return Err(Error::<T>::ReadinessUnchanged.into()),
		}
		Workers::<T>::insert(&who, worker);
		Self::deposit_event(Event::WorkerReadinessChanged { worker: who, model_id, version, ready });
		Ok(())
	}

	/// The older version an unpinned job for a model with `replicas` should run instead of
	/// the current approved one, `current`: none while at least `replicas` of the model's
	/// available workers are ready for `current`, else the newest older version that has
	/// that many ready (`ready`: available workers ready, per version). The caller checks
	/// that version still takes jobs.
	pub(crate) fn fallback_version(
		current: VersionId,
		replicas: u32,
		ready: &BTreeMap<VersionId, u32>,
	) -> Option<VersionId> {
		let enough = |version: &VersionId| ready.get(version).is_some_and(|count| *count >= replicas);
		if enough(&current) {
			return None;
		}
		ready.range(..current).rev().map(|(version, _)| *version).find(enough)
	}

	/// How many of `model_id`'s workers could take a job of `requester` (active, bonded at
	/// least `MinWorkerBond`, not the requester; busy ones count, since the job waits for
	/// them), per version they are ready for. Returns the counts and the worker records read.
	pub(crate) fn ready_workers(model_id: ModelId, requester: &T::AccountId) -> (BTreeMap<VersionId, u32>, u32) {
		let listed = ModelWorkers::<T>::get(model_id);
		let mut ready = BTreeMap::new();
		for worker in listed.iter().filter(|who| *who != requester).filter_map(Workers::<T>::get) {
			if !worker.takes_jobs() {
				continue;
			}
			for entry in worker.ready.iter().filter(|entry| entry.model_id == model_id) {
				*ready.entry(entry.version).or_insert(0u32) += 1;
			}
		}
		(ready, listed.len() as u32)
	}
}
