//! What the calls do, once the origin and the shape of the input have been checked.

use crate::{pallet::*, routing, *};
use codec::{Encode, MaxEncodedLen};
use frame_system::pallet_prelude::BlockNumberFor;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::Precision,
	},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// `DepositBase + DepositPerByte × bytes`.
	pub fn deposit_for(bytes: usize) -> BalanceOf<T> {
		let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
		T::DepositBase::get().saturating_add(T::DepositPerByte::get().saturating_mul(bytes.into()))
	}

	/// Deposit for a model record and its usage record. The record is sized as if an
	/// ownership offer were pending, so offers never move the deposit.
	pub fn model_deposit(model: &ModelInfo<T>) -> BalanceOf<T> {
		let mut sized = model.clone();
		sized.pending_owner = Some(sized.owner.clone());
		sized.deposit = Zero::zero();
		Self::deposit_for(sized.encoded_size().saturating_add(UsageStats::max_encoded_len()))
	}

	/// Deposit for a version record and its digest-index entry. The status is sized at its
	/// longest (a rejection with the longest reason) and the lineage at its longest
	/// (`MaxDatasets`), so curation, lineage amendments included, never moves the deposit.
	pub fn version_deposit(artifacts: &Artifacts<T>) -> BalanceOf<T> {
		let bytes = artifacts.encoded_size() +
			DatasetsOf::<T>::max_encoded_len() +
			CurationStatus::<T>::max_encoded_len() +
			BlockNumberFor::<T>::max_encoded_len() +
			BalanceOf::<T>::max_encoded_len() +
			sp_core::H256::max_encoded_len() +
			DigestRecord::<T>::max_encoded_len();
		Self::deposit_for(bytes)
	}

	/// The model, if `who` owns it.
	pub(crate) fn owned_model(who: &T::AccountId, model_id: ModelId) -> Result<ModelInfo<T>, Error<T>> {
		let model = Models::<T>::get(model_id).ok_or(Error::<T>::UnknownModel)?;
		ensure!(&model.owner == who, Error::<T>::NotOwner);
		Ok(model)
	}

	fn hold_deposit(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		T::Currency::hold(&HoldReason::ModelDeposit.into(), who, amount)
	}

	fn release_deposit(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		T::Currency::release(&HoldReason::ModelDeposit.into(), who, amount, Precision::Exact)
			.map(|_| ())
	}

	/// A lineage names each dataset once, and only datasets `T::Datasets` knows.
	pub(crate) fn check_datasets(datasets: &DatasetsOf<T>) -> Result<(), Error<T>> {
		for (index, dataset) in datasets.iter().enumerate() {
			ensure!(!datasets[..index].contains(dataset), Error::<T>::DuplicateDataset);
			ensure!(T::Datasets::dataset_exists(*dataset), Error::<T>::UnknownDataset);
		}
		Ok(())
	}

	/// Registers a model and its first version, trained on `datasets`; holds both deposits
	/// from `owner`.
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn do_register_model(
		owner: T::AccountId,
		name: NameOf<T>,
		task: TaskKind,
		licence: LicenceOf<T>,
		price: BalanceOf<T>,
		parent: Option<ModelId>,
		datasets: DatasetsOf<T>,
		artifacts: Artifacts<T>,
	) -> DispatchResult {
		ensure!(
			!DigestIndex::<T>::contains_key(artifacts.weights),
			Error::<T>::DigestAlreadyRegistered
		);
		if let Some(parent) = parent {
			ensure!(Models::<T>::contains_key(parent), Error::<T>::UnknownParentModel);
		}
		Self::check_datasets(&datasets)?;
		let model_id = NextModelId::<T>::get();
		let next_id = model_id.checked_add(1).ok_or(Error::<T>::ModelIdsExhausted)?;
		let now = frame_system::Pallet::<T>::block_number();

		let mut model = ModelInfo::<T> {
			owner: owner.clone(),
			pending_owner: None,
			name,
			task,
			licence,
			price,
			parent,
			lifecycle: Lifecycle::Active,
			latest_version: 1,
			current_version: None,
			registered_at: now,
			deposit: Zero::zero(),
		};
		model.deposit = Self::model_deposit(&model);
		let version = ModelVersion::<T> {
			deposit: Self::version_deposit(&artifacts),
			artifacts,
			datasets,
			status: CurationStatus::Pending,
			published_at: now,
		};
		let deposit = model.deposit.saturating_add(version.deposit);
		Self::hold_deposit(&owner, deposit)?;

		let weights = version.artifacts.weights;
		DigestIndex::<T>::insert(
			weights,
			DigestRecord::<T> { model_id, version: 1, registered_at: now },
		);
		Versions::<T>::insert(model_id, 1, version);
		Models::<T>::insert(model_id, model);
		NextModelId::<T>::put(next_id);
		Self::deposit_event(Event::ModelRegistered { model_id, owner, task, weights, deposit });
		Ok(())
	}

	/// Adds version `latest_version + 1` trained on `datasets`, pending curation; holds its
	/// deposit.
	pub(crate) fn do_publish_version(
		who: T::AccountId,
		model_id: ModelId,
		artifacts: Artifacts<T>,
		datasets: DatasetsOf<T>,
	) -> DispatchResult {
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

	pub(crate) fn do_set_price(
		who: T::AccountId,
		model_id: ModelId,
		new_price: BalanceOf<T>,
	) -> DispatchResult {
		let mut model = Self::owned_model(&who, model_id)?;
		let old_price = core::mem::replace(&mut model.price, new_price);
		Models::<T>::insert(model_id, model);
		Self::deposit_event(Event::PriceChanged { model_id, old_price, new_price });
		Ok(())
	}

	/// Replaces name and licence and moves the deposit to the record's new size.
	pub(crate) fn do_set_metadata(
		who: T::AccountId,
		model_id: ModelId,
		name: NameOf<T>,
		licence: LicenceOf<T>,
	) -> DispatchResult {
		let mut model = Self::owned_model(&who, model_id)?;
		model.name = name;
		model.licence = licence;
		let old_deposit = model.deposit;
		let new_deposit = Self::model_deposit(&model);
		if new_deposit > old_deposit {
			Self::hold_deposit(&who, new_deposit.saturating_sub(old_deposit))?;
		} else if new_deposit < old_deposit {
			Self::release_deposit(&who, old_deposit.saturating_sub(new_deposit))?;
		}
		model.deposit = new_deposit;
		Models::<T>::insert(model_id, model);
		Self::deposit_event(Event::MetadataUpdated { model_id, deposit: new_deposit });
		Ok(())
	}

	pub(crate) fn do_offer_ownership(
		who: T::AccountId,
		model_id: ModelId,
		to: Option<T::AccountId>,
	) -> DispatchResult {
		let mut model = Self::owned_model(&who, model_id)?;
		match to {
			Some(to) => {
				ensure!(to != who, Error::<T>::AlreadyOwner);
				model.pending_owner = Some(to.clone());
				Self::deposit_event(Event::OwnershipOffered { model_id, owner: who, to });
			},
			None => {
				ensure!(model.pending_owner.take().is_some(), Error::<T>::NoOwnershipOffer);
				Self::deposit_event(Event::OwnershipOfferWithdrawn { model_id });
			},
		}
		Models::<T>::insert(model_id, model);
		Ok(())
	}

	/// The total deposit of a model: its record plus every version. Returns the versions
	/// counted too (the weight driver).
	pub fn total_deposit(model_id: ModelId, model: &ModelInfo<T>) -> (BalanceOf<T>, u32) {
		let mut total = model.deposit;
		let mut versions = 0;
		for version in 1..=model.latest_version {
			if let Some(record) = Versions::<T>::get(model_id, version) {
				total = total.saturating_add(record.deposit);
				versions += 1;
			}
		}
		(total, versions)
	}

	/// Moves ownership and the whole deposit to the accepting account. Returns the number
	/// of versions whose deposits moved.
	pub(crate) fn do_accept_ownership(who: T::AccountId, model_id: ModelId) -> Result<u32, DispatchError> {
		let mut model = Models::<T>::get(model_id).ok_or(Error::<T>::UnknownModel)?;
		ensure!(model.pending_owner.as_ref() == Some(&who), Error::<T>::NotPendingOwner);
		let (deposit, versions) = Self::total_deposit(model_id, &model);
		Self::hold_deposit(&who, deposit)?;
		Self::release_deposit(&model.owner, deposit)?;
		let from = core::mem::replace(&mut model.owner, who.clone());
		model.pending_owner = None;
		Models::<T>::insert(model_id, model);
		Self::deposit_event(Event::OwnershipTransferred { model_id, from, to: who });
		Ok(versions)
	}

	pub(crate) fn do_deprecate(who: T::AccountId, model_id: ModelId) -> DispatchResult {
		let mut model = Self::owned_model(&who, model_id)?;
		ensure!(model.lifecycle == Lifecycle::Active, Error::<T>::ModelDeprecated);
		model.lifecycle = Lifecycle::Deprecated;
		routing::remove_routable::<T>(model.task, model_id);
		Models::<T>::insert(model_id, model);
		Self::deposit_event(Event::ModelDeprecated { model_id });
		Ok(())
	}

	/// Removes the model with everything it stored and releases the deposit. Returns the
	/// number of versions removed.
	pub(crate) fn do_retire(who: T::AccountId, model_id: ModelId) -> Result<u32, DispatchError> {
		let model = Self::owned_model(&who, model_id)?;
		ensure!(Usage::<T>::get(model_id).open_jobs == 0, Error::<T>::ModelHasOpenJobs);
		let mut released = model.deposit;
		let mut removed = 0;
		for version in 1..=model.latest_version {
			if let Some(record) = Versions::<T>::take(model_id, version) {
				released = released.saturating_add(record.deposit);
				Self::unindex_digest(model_id, version, record.artifacts.weights);
				removed += 1;
			}
		}
		routing::remove_routable::<T>(model.task, model_id);
		Usage::<T>::remove(model_id);
		Models::<T>::remove(model_id);
		Self::release_deposit(&who, released)?;
		Self::deposit_event(Event::ModelRetired { model_id, owner: who, deposit_released: released });
		Ok(removed)
	}

	pub(crate) fn do_approve_version(model_id: ModelId, version: VersionId) -> DispatchResult {
		let mut model = Models::<T>::get(model_id).ok_or(Error::<T>::UnknownModel)?;
		let mut record = Versions::<T>::get(model_id, version).ok_or(Error::<T>::UnknownVersion)?;
		match record.status {
			CurationStatus::Approved => return Err(Error::<T>::VersionAlreadyApproved.into()),
			CurationStatus::Rejected { .. } => return Err(Error::<T>::VersionRejected.into()),
			CurationStatus::Pending | CurationStatus::Suspended { .. } => {},
		}
		record.status = CurationStatus::Approved;
		Versions::<T>::insert(model_id, version, record);
		Self::deposit_event(Event::VersionApproved { model_id, version });

		let from = model.current_version;
		if from < Some(version) {
			if from.is_none() && model.lifecycle == Lifecycle::Active {
				routing::add_routable::<T>(model.task, model_id)?;
			}
			model.current_version = Some(version);
			Models::<T>::insert(model_id, model);
			Self::deposit_event(Event::CurrentVersionChanged { model_id, from, to: Some(version) });
		}
		Ok(())
	}

	pub(crate) fn do_reject_version(
		model_id: ModelId,
		version: VersionId,
		reason: ReasonOf<T>,
	) -> DispatchResult {
		ensure!(Models::<T>::contains_key(model_id), Error::<T>::UnknownModel);
		let mut record = Versions::<T>::get(model_id, version).ok_or(Error::<T>::UnknownVersion)?;
		ensure!(record.status == CurationStatus::Pending, Error::<T>::VersionNotPending);
		// A rejected version can never be approved: its weights digest is freed at once, so
		// registering someone else's popular digest and getting rejected blocks nobody.
		Self::unindex_digest(model_id, version, record.artifacts.weights);
		record.status = CurationStatus::Rejected { reason: reason.clone() };
		Versions::<T>::insert(model_id, version, record);
		Self::deposit_event(Event::VersionRejected { model_id, version, reason });
		Ok(())
	}

	/// Removes `weights` from the digest index if it is indexed for this very version (a
	/// rejected version's digest may have been registered again by another model since).
	fn unindex_digest(model_id: ModelId, version: VersionId, weights: sp_core::H256) {
		DigestIndex::<T>::mutate_exists(weights, |entry| {
			if entry.as_ref().is_some_and(|e| e.model_id == model_id && e.version == version) {
				*entry = None;
			}
		});
	}

	/// Suspends an approved version and, if it was current, falls back to the newest older
	/// approved one. Returns how many versions were scanned for the fallback.
	pub(crate) fn do_suspend_version(
		model_id: ModelId,
		version: VersionId,
		reason: ReasonOf<T>,
	) -> Result<u32, DispatchError> {
		let mut model = Models::<T>::get(model_id).ok_or(Error::<T>::UnknownModel)?;
		let mut record = Versions::<T>::get(model_id, version).ok_or(Error::<T>::UnknownVersion)?;
		ensure!(record.status == CurationStatus::Approved, Error::<T>::VersionNotApproved);
		record.status = CurationStatus::Suspended { reason: reason.clone() };
		Versions::<T>::insert(model_id, version, record);
		Self::deposit_event(Event::VersionSuspended { model_id, version, reason });

		let mut scanned = 0;
		if model.current_version == Some(version) {
			let fallback = (1..version).rev().find(|older| {
				scanned += 1;
				Versions::<T>::get(model_id, older)
					.is_some_and(|record| record.status == CurationStatus::Approved)
			});
			if fallback.is_none() {
				routing::remove_routable::<T>(model.task, model_id);
			}
			model.current_version = fallback;
			Models::<T>::insert(model_id, model);
			Self::deposit_event(Event::CurrentVersionChanged {
				model_id,
				from: Some(version),
				to: fallback,
			});
		}
		Ok(scanned)
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

	/// How much `who` holds as model deposits.
	pub fn held_deposits(who: &T::AccountId) -> BalanceOf<T> {
		use frame_support::traits::fungible::InspectHold;
		T::Currency::balance_on_hold(&HoldReason::ModelDeposit.into(), who)
	}
}
