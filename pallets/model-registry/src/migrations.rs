//! Storage migrations.
//!
//! **v1 → v2** ([`v2::MigrateToV2`]): a model's dataset lineage moved from the model
//! ([`ModelInfo`] had a `datasets` field) to each of its versions
//! ([`ModelVersion::datasets`]), where curators review and amend it. Every version of a
//! model gets the lineage the model declared, which is what jobs for it paid until now.
//!
//! Deposits are left as stored: what each owner holds still equals the sum of the stored
//! deposits. Records published from v2 on are sized with the longest lineage; migrated ones
//! keep the deposit they were charged (the model record's share of the lineage bytes moves
//! back to the owner only if `set_metadata` recomputes it).

use crate::{pallet::*, *};

/// The v1 → v2 migration.
pub mod v2 {
	use super::*;
	use alloc::collections::btree_map::BTreeMap;
	use codec::{Decode, Encode, MaxEncodedLen};
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};
	use frame_system::pallet_prelude::BlockNumberFor;

	/// Storage layout before v2.
	pub mod old {
		use super::*;

		/// A model as stored in v1: the lineage was the model's.
		#[derive(Encode, Decode, MaxEncodedLen, TypeInfo)]
		#[scale_info(skip_type_params(T))]
		pub struct ModelInfo<T: Config> {
			pub owner: T::AccountId,
			pub pending_owner: Option<T::AccountId>,
			pub name: NameOf<T>,
			pub task: TaskKind,
			pub licence: LicenceOf<T>,
			pub price: BalanceOf<T>,
			pub parent: Option<ModelId>,
			pub datasets: DatasetsOf<T>,
			pub lifecycle: Lifecycle,
			pub latest_version: VersionId,
			pub current_version: Option<VersionId>,
			pub registered_at: BlockNumberFor<T>,
			pub deposit: BalanceOf<T>,
		}

		/// A version as stored in v1: no lineage of its own.
		#[derive(Encode, Decode, MaxEncodedLen, TypeInfo)]
		#[scale_info(skip_type_params(T))]
		pub struct ModelVersion<T: Config> {
			pub artifacts: Artifacts<T>,
			pub status: CurationStatus<T>,
			pub published_at: BlockNumberFor<T>,
			pub deposit: BalanceOf<T>,
		}
	}

	/// The v1 model without its lineage.
	fn upgrade_model<T: Config>(model: old::ModelInfo<T>) -> (ModelInfo<T>, DatasetsOf<T>) {
		let upgraded = ModelInfo {
			owner: model.owner,
			pending_owner: model.pending_owner,
			name: model.name,
			task: model.task,
			licence: model.licence,
			price: model.price,
			parent: model.parent,
			lifecycle: model.lifecycle,
			latest_version: model.latest_version,
			current_version: model.current_version,
			registered_at: model.registered_at,
			deposit: model.deposit,
		};
		(upgraded, model.datasets)
	}

	/// The v1 version with `datasets` as its lineage.
	fn upgrade_version<T: Config>(
		version: old::ModelVersion<T>,
		datasets: DatasetsOf<T>,
	) -> ModelVersion<T> {
		ModelVersion {
			artifacts: version.artifacts,
			datasets,
			status: version.status,
			published_at: version.published_at,
			deposit: version.deposit,
		}
	}

	/// Moves each model's lineage onto every one of its versions.
	pub struct UncheckedMigrateToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut lineages: BTreeMap<ModelId, DatasetsOf<T>> = BTreeMap::new();
			Models::<T>::translate::<old::ModelInfo<T>, _>(|model_id, model| {
				let (upgraded, datasets) = upgrade_model(model);
				lineages.insert(model_id, datasets);
				Some(upgraded)
			});
			let mut versions = 0u64;
			Versions::<T>::translate::<old::ModelVersion<T>, _>(|model_id, _version, record| {
				versions += 1;
				// A version without a model (which `try_state` rules out) gets no lineage.
				let datasets = lineages.get(&model_id).cloned().unwrap_or_default();
				Some(upgrade_version(record, datasets))
			});
			let models = lineages.len() as u64;
			T::DbWeight::get().reads_writes(models + versions, models + versions)
		}

		/// Records each model's v1 lineage and the number of models and versions.
		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			use alloc::vec::Vec;
			let mut lineages: Vec<(ModelId, Vec<DatasetId>)> = Vec::new();
			for model_id in Models::<T>::iter_keys() {
				let key = Models::<T>::hashed_key_for(model_id);
				let model = frame_support::storage::unhashed::get::<old::ModelInfo<T>>(&key)
					.ok_or("a v1 model does not decode")?;
				lineages.push((model_id, model.datasets.into_inner()));
			}
			let versions = Versions::<T>::iter_keys().count() as u64;
			Ok((lineages, versions).encode())
		}

		/// Every model and version decodes in the new layout, every version of a model
		/// carries the lineage the model had, and the registry's invariants hold.
		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::vec::Vec;
			let (lineages, versions) =
				<(Vec<(ModelId, Vec<DatasetId>)>, u64)>::decode(&mut &state[..])
					.map_err(|_| "pre-upgrade state")?;
			ensure!(Models::<T>::iter_values().count() == lineages.len(), "a model failed to decode");
			ensure!(Versions::<T>::iter_values().count() as u64 == versions, "a version failed to decode");
			for (model_id, datasets) in lineages {
				for (_, record) in Versions::<T>::iter_prefix(model_id) {
					ensure!(record.datasets.to_vec() == datasets, "a version lost its model's lineage");
				}
			}
			Pallet::<T>::do_try_state()
		}
	}

	/// [`UncheckedMigrateToV2`], run only at storage version 1, which it moves to 2.
	pub type MigrateToV2<T> = VersionedMigration<
		1,
		2,
		UncheckedMigrateToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
