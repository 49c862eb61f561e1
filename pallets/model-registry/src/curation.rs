//! Curation: the admin origin approves, rejects or suspends versions; what is approved
//! takes jobs and is routed, what is rejected frees its weights digest.

use crate::{pallet::*, routing, *};
use frame_support::{ensure, pallet_prelude::*};
use sp_runtime::DispatchResult;

impl<T: Config> Pallet<T> {
	/// Approves a pending or suspended version; a newer one becomes the current version
	/// (and the model routable if it had none).
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

	/// Rejects a pending version for `reason` and frees its weights digest.
	pub(crate) fn do_reject_version(
		model_id: ModelId,
		version: VersionId,
		reason: ReasonOf<T>,
	) -> DispatchResult {
		validation::check_reason::<T>(&reason)?;
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

	/// Suspends an approved version and, if it was current, falls back to the newest older
	/// approved one. Returns how many versions were scanned for the fallback.
	pub(crate) fn do_suspend_version(
		model_id: ModelId,
		version: VersionId,
		reason: ReasonOf<T>,
	) -> Result<u32, DispatchError> {
		validation::check_reason::<T>(&reason)?;
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

	/// Removes `weights` from the digest index if it is indexed for this very version (a
	/// rejected version's digest may have been registered again by another model since).
	pub(crate) fn unindex_digest(model_id: ModelId, version: VersionId, weights: sp_core::H256) {
		DigestIndex::<T>::mutate_exists(weights, |entry| {
			if entry.as_ref().is_some_and(|e| e.model_id == model_id && e.version == version) {
				*entry = None;
			}
		});
	}
}
