//! Issue 14, finding 2: a model's dataset lineage decides who is paid the data share of its
//! jobs, so it is curated with each version. Owners declare it when publishing and cannot
//! rewrite it; curators amend it.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_runtime::DispatchError;

/// The real training set of the model in these tests.
const REAL: DatasetId = 3;
/// A sham dataset the owner created and controls, named to keep the data share.
const SHAM: DatasetId = 7;

fn reason() -> ReasonOf<Test> {
	bounded(b"weights do not match the card")
}

/// Registers an embedding model of `ALICE` with weights `seed`, version 1 trained on `lineage`.
fn register_trained_on(seed: u8, lineage: &[DatasetId]) -> ModelId {
	let id = NextModelId::<Test>::get();
	assert_ok!(Registry::register_model(
		RuntimeOrigin::signed(ALICE),
		bounded(b"all-MiniLM-L6-v2"),
		TaskKind::TextEmbedding,
		bounded(b"Apache-2.0"),
		10,
		None,
		datasets(lineage),
		artifacts(seed),
	));
	id
}

fn publish(id: ModelId, seed: u8, lineage: &[DatasetId]) {
	assert_ok!(Registry::publish_version(
		RuntimeOrigin::signed(ALICE),
		id,
		artifacts(seed),
		datasets(lineage)
	));
}

fn amend(id: ModelId, version: VersionId, lineage: &[DatasetId]) -> sp_runtime::DispatchResult {
	Registry::amend_lineage(RuntimeOrigin::root(), id, version, datasets(lineage))
}

fn lineage_of(id: ModelId, version: VersionId) -> Vec<DatasetId> {
	Versions::<Test>::get(id, version).unwrap().datasets.into_inner()
}

/// Honest path: the lineage declared with version 1 is what its jobs pay once curators
/// approve it; a new version with a new lineage supersedes it for unpinned jobs, while jobs
/// pinning the older version keep the older lineage. The views show each version's lineage
/// and, at model level, the current version's.
#[test]
fn an_approved_versions_lineage_is_what_its_jobs_pay() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register_trained_on(1, &[REAL]);
		assert_eq!(lineage_of(id, 1), vec![REAL]);
		// No approved version yet: the model-level view shows no lineage.
		assert!(Registry::model_details(id).unwrap().datasets.is_empty());
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), id, 1));
		assert_eq!(Registry::job_terms(id, None).unwrap().datasets, vec![REAL]);

		// Version 2 was also trained on dataset 4.
		publish(id, 2, &[REAL, 4]);
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), id, 2));
		let terms = Registry::job_terms(id, None).unwrap();
		assert_eq!((terms.version, terms.datasets), (2, vec![REAL, 4]));
		let pinned = Registry::job_terms(id, Some(1)).unwrap();
		assert_eq!((pinned.version, pinned.datasets), (1, vec![REAL]));

		let details = Registry::model_details(id).unwrap();
		assert_eq!(details.datasets, vec![REAL, 4]);
		assert_eq!(details.versions[0].datasets, vec![REAL]);
		assert_eq!(details.versions[1].datasets, vec![REAL, 4]);
	});
}

/// Gaming path: the owner publishes version 2 naming a sham dataset it controls. While v2 is
/// pending, unpinned jobs still run v1 and pay v1's lineage; the owner cannot amend any
/// lineage; curators amend v2 to the real dataset and approve it, and jobs pay the amended
/// lineage.
#[test]
fn a_sham_lineage_in_a_new_version_is_amended_before_it_pays() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register_trained_on(1, &[REAL]);
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), id, 1));
		publish(id, 2, &[SHAM]);
		assert_eq!(lineage_of(id, 2), vec![SHAM]);

		// Pending v2 pays nothing yet: unpinned jobs get v1 and its lineage.
		let terms = Registry::job_terms(id, None).unwrap();
		assert_eq!((terms.version, terms.datasets), (1, vec![REAL]));

		// The owner cannot rewrite a lineage, of the pending version or the approved one.
		for version in [1, 2] {
			assert_noop!(
				Registry::amend_lineage(RuntimeOrigin::signed(ALICE), id, version, datasets(&[SHAM])),
				DispatchError::BadOrigin
			);
		}

		let deposit = held(ALICE);
		assert_ok!(amend(id, 2, &[REAL]));
		System::assert_last_event(
			Event::LineageAmended { model_id: id, version: 2, datasets: datasets(&[REAL]) }.into(),
		);
		// Amending neither approves the version nor moves the deposit.
		assert_eq!(Versions::<Test>::get(id, 2).unwrap().status, CurationStatus::Pending);
		assert_eq!(held(ALICE), deposit);
		assert_eq!(Registry::job_terms(id, None).unwrap().version, 1);

		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), id, 2));
		let terms = Registry::job_terms(id, None).unwrap();
		assert_eq!((terms.version, terms.datasets), (2, vec![REAL]));
		assert_eq!(Registry::model_details(id).unwrap().versions[1].datasets, vec![REAL]);
	});
}

/// Gaming path, caught late: the sham lineage was approved with its version. Curators amend
/// the approved version; jobs submitted from then on pay the correction.
#[test]
fn curators_amend_an_approved_versions_lineage() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register_trained_on(1, &[SHAM]);
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), id, 1));
		// A job submitted now snapshots the sham lineage.
		let before = Registry::job_terms(id, None).unwrap();
		assert_eq!(before.datasets, vec![SHAM]);

		let deposit = held(ALICE);
		assert_ok!(amend(id, 1, &[REAL, 4]));
		System::assert_last_event(
			Event::LineageAmended { model_id: id, version: 1, datasets: datasets(&[REAL, 4]) }
				.into(),
		);
		assert_eq!(Versions::<Test>::get(id, 1).unwrap().status, CurationStatus::Approved);
		assert_eq!(held(ALICE), deposit);
		let after = Registry::job_terms(id, None).unwrap();
		assert_eq!((after.version, after.datasets), (1, vec![REAL, 4]));
		assert_eq!(Registry::model_details(id).unwrap().datasets, vec![REAL, 4]);
		// An empty lineage is a lineage too: the owner then keeps the whole price.
		assert_ok!(amend(id, 1, &[]));
		assert!(Registry::job_terms(id, None).unwrap().datasets.is_empty());
	});
}

/// Curators may correct a suspended version before approving it again; a rejected version
/// never takes jobs again and keeps the lineage it was refused with.
#[test]
fn suspended_versions_can_be_amended_and_rejected_ones_cannot() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register_trained_on(1, &[SHAM]);
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), id, 1));
		assert_ok!(Registry::suspend_version(RuntimeOrigin::root(), id, 1, reason()));
		assert_ok!(amend(id, 1, &[REAL]));
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), id, 1));
		assert_eq!(Registry::job_terms(id, None).unwrap().datasets, vec![REAL]);

		publish(id, 2, &[SHAM]);
		assert_ok!(Registry::reject_version(RuntimeOrigin::root(), id, 2, reason()));
		assert_noop!(amend(id, 2, &[REAL]), Error::<Test>::VersionRejected);
		assert_eq!(lineage_of(id, 2), vec![SHAM]);
	});
}

/// Errors: unknown model or version, a dataset named twice, a dataset that does not exist;
/// nothing changes.
#[test]
fn amending_is_checked() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register_trained_on(1, &[REAL]);
		assert_noop!(amend(9, 1, &[REAL]), Error::<Test>::UnknownModel);
		assert_noop!(amend(id, 2, &[REAL]), Error::<Test>::UnknownVersion);
		assert_noop!(amend(id, 0, &[REAL]), Error::<Test>::UnknownVersion);
		assert_noop!(amend(id, 1, &[4, 5, 4]), Error::<Test>::DuplicateDataset);
		// Datasets 0..10 exist in the mock.
		assert_noop!(amend(id, 1, &[4, 10]), Error::<Test>::UnknownDataset);
		assert_noop!(
			Registry::amend_lineage(RuntimeOrigin::signed(BOB), id, 1, BoundedVec::new()),
			DispatchError::BadOrigin
		);
		assert_eq!(lineage_of(id, 1), vec![REAL]);
	});
}
