//! Invariants of the registry, checked by `try-runtime` and at the end of unit tests.

use crate::{pallet::*, *};
use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
use frame_support::{ensure, traits::Get};
use sp_runtime::{traits::Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Checks, for the whole registry:
	/// - every model id is below `NextModelId`, and its versions are exactly
	///   `1..=latest_version` with `latest_version ≤ MaxVersions`;
	/// - the current version is the newest approved one;
	/// - every version's lineage names each dataset once, and only known datasets;
	/// - the digest index holds exactly one entry per version, pointing back at it;
	/// - each account's held `ModelDeposit` equals the deposits of the models it owns;
	/// - a model is routable for its task iff it is active with a current version, once;
	/// - usage records belong to registered models.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let next_id = NextModelId::<T>::get();
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut versions_seen = 0u64;
		let mut indexed_versions = 0u64;

		for (model_id, model) in Models::<T>::iter() {
			ensure!(model_id < next_id, "model id at or above NextModelId");
			ensure!(
				(1..=T::MaxVersions::get()).contains(&model.latest_version),
				"latest_version out of range"
			);
			let mut newest_approved = None;
			let mut owed = model.deposit;
			for version in 1..=model.latest_version {
				let record = Versions::<T>::get(model_id, version).ok_or("missing version")?;
				versions_seen += 1;
				Self::check_datasets(&record.datasets).map_err(|error| match error {
					Error::<T>::DuplicateDataset => "a version's lineage names a dataset twice",
					_ => "a version's lineage names an unknown dataset",
				})?;
				if record.status == CurationStatus::Approved {
					newest_approved = Some(version);
				}
				owed = owed.saturating_add(record.deposit);
				if matches!(record.status, CurationStatus::Rejected { .. }) {
					// Rejection frees the digest; it may be registered again elsewhere.
					let reused = DigestIndex::<T>::get(record.artifacts.weights);
					ensure!(
						reused.is_none_or(|e| e.model_id != model_id || e.version != version),
						"a rejected version is still indexed"
					);
					continue;
				}
				indexed_versions += 1;
				let indexed = DigestIndex::<T>::get(record.artifacts.weights)
					.ok_or("version's weights are not in the digest index")?;
				ensure!(
					indexed.model_id == model_id && indexed.version == version,
					"digest index points at another version"
				);
			}
			ensure!(model.current_version == newest_approved, "current is not newest approved");
			let entry = deposits.entry(model.owner.clone()).or_default();
			*entry = entry.saturating_add(owed);

			let routable = Routable::<T>::get(model.task).contains(&model_id);
			let should_route =
				model.lifecycle == Lifecycle::Active && model.current_version.is_some();
			ensure!(routable == should_route, "routing index disagrees with the model");
		}

		let per_model_versions = Versions::<T>::iter_keys().count() as u64;
		ensure!(per_model_versions == versions_seen, "versions stored for unknown models");
		ensure!(
			DigestIndex::<T>::iter_keys().count() as u64 == indexed_versions,
			"digest index entries without a version"
		);

		for (who, owed) in &deposits {
			ensure!(Self::held_deposits(who) == *owed, "held deposit differs from model deposits");
		}
		// Accounts holding deposits without owning a model.
		for (who, _) in frame_system::Account::<T>::iter() {
			if !deposits.contains_key(&who) {
				ensure!(
					Self::held_deposits(&who) == Default::default(),
					"deposit held by an account owning no model"
				);
			}
		}

		for task in TaskKind::ALL {
			let routable = Routable::<T>::get(task);
			let unique: BTreeSet<_> = routable.iter().collect();
			ensure!(unique.len() == routable.len(), "a model is routable twice");
			for model_id in routable.iter() {
				let model = Models::<T>::get(model_id).ok_or("routable model not registered")?;
				ensure!(model.task == task, "model routable under another task");
			}
		}

		for model_id in Usage::<T>::iter_keys() {
			ensure!(Models::<T>::contains_key(model_id), "usage of an unregistered model");
		}
		Ok(())
	}
}
