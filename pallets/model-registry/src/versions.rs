//! Publishing new versions of a model (each pending curation) and the lineage of the
//! datasets each version was trained on.

use crate::{pallet::*, *};
use frame_support::{ensure, pallet_prelude::*};
use sp_runtime::DispatchResult;

impl<T: Config> Pallet<T> {
	/// Adds version `latest_version + 1` trained on `datasets`, pending curation; holds its
	/// deposit.
	pub(crate) fn do_publish_version(
		who: T::AccountId,
		model_id: ModelId,
		artifacts: Artifacts<T>,
		datasets: DatasetsOf<T>,
	) -> DispatchResult {
		validation::check_artifacts::<T>(&artifacts)?;
		let mut model = Self::owned_model(&who, model_id)?;
		ensure!(model.lifecycle == Lifecycle::Active, Error::<T>::ModelDeprecated);
		ensure!(model.latest_version < T::MaxVersions::get(), Error::<T>::TooManyVersions);
		ensure!(
			!DigestIndex::<T>::contains_key(artifacts.weights),
			Error::<T>::DigestAlreadyRegistered
		);
		Self::check_datasets(&datasets)?;
		let version_id = model.latest_version.saturating_add(1);
		let now = frame_system::Pallet::<T>::block_number();
		let version = ModelVersion::<T> {
			deposit: Self::version_deposit(&artifacts),
			artifacts,
			datasets,
			status: CurationStatus::Pending,
			published_at: now,
		};
		Self::hold_deposit(&who, version.deposit)?;

		let (weights, deposit) = (version.artifacts.weights, version.deposit);
		DigestIndex::<T>::insert(
			weights,
			DigestRecord::<T> { model_id, version: version_id, registered_at: now },
		);
		Versions::<T>::insert(model_id, version_id, version);
		model.latest_version = version_id;
		Models::<T>::insert(model_id, model);
		Self::deposit_event(Event::VersionPublished {
			model_id,
			version: version_id,
			weights,
			deposit,
		});
		Ok(())
	}

	/// A lineage names each dataset once, and only datasets `T::Datasets` knows.
	pub(crate) fn check_datasets(datasets: &DatasetsOf<T>) -> Result<(), Error<T>> {
		for (index, dataset) in datasets.iter().enumerate() {
			ensure!(!datasets[..index].contains(dataset), Error::<T>::DuplicateDataset);
			ensure!(T::Datasets::dataset_exists(*dataset), Error::<T>::UnknownDataset);
		}
		Ok(())
	}

	/// Replaces the lineage of a pending, approved or suspended version (a rejected one never
	/// takes jobs again, so its lineage pays nothing and stays as it was refused). The
	/// deposit was sized for the longest lineage, so it does not move.
	pub(crate) fn do_amend_lineage(
		model_id: ModelId,
		version: VersionId,
		datasets: DatasetsOf<T>,
	) -> DispatchResult {
		ensure!(Models::<T>::contains_key(model_id), Error::<T>::UnknownModel);
		let mut record = Versions::<T>::get(model_id, version).ok_or(Error::<T>::UnknownVersion)?;
		ensure!(
			!matches!(record.status, CurationStatus::Rejected { .. }),
			Error::<T>::VersionRejected
		);
		Self::check_datasets(&datasets)?;
		record.datasets = datasets.clone();
		Versions::<T>::insert(model_id, version, record);
		Self::deposit_event(Event::LineageAmended { model_id, version, datasets });
		Ok(())
	}

	/// The lineage of the version unpinned jobs run now; empty without an approved version.
	pub fn current_lineage(model_id: ModelId, model: &ModelInfo<T>) -> DatasetsOf<T> {
		model
			.current_version
			.and_then(|version| Versions::<T>::get(model_id, version))
			.map(|record| record.datasets)
			.unwrap_or_default()
	}
}
