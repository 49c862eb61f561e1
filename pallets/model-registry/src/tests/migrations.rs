//! The v1 → v2 storage migration: lineage moves from the model onto each of its versions.

use crate::{
	migrations::v2::{old, MigrateToV2},
	mock::*,
	*,
};
use frame_support::{
	assert_ok,
	storage::unhashed,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
};

#[cfg(feature = "try-runtime")]
type Unchecked = crate::migrations::v2::UncheckedMigrateToV2<Test>;
#[cfg(feature = "try-runtime")]
use frame_support::traits::UncheckedOnRuntimeUpgrade;

/// Rewrites model `id` and its versions in the v1 layout, the model declaring `lineage`
/// and the versions none.
fn write_v1(id: ModelId, lineage: &[DatasetId]) {
	let model = Models::<Test>::get(id).unwrap();
	for version in 1..=model.latest_version {
		let record = Versions::<Test>::get(id, version).unwrap();
		let v1 = old::ModelVersion::<Test> {
			artifacts: record.artifacts,
			status: record.status,
			published_at: record.published_at,
			deposit: record.deposit,
		};
		unhashed::put(&Versions::<Test>::hashed_key_for(id, version), &v1);
	}
	let v1 = old::ModelInfo::<Test> {
		owner: model.owner,
		pending_owner: model.pending_owner,
		name: model.name,
		task: model.task,
		licence: model.licence,
		price: model.price,
		parent: model.parent,
		datasets: datasets(lineage),
		lifecycle: model.lifecycle,
		latest_version: model.latest_version,
		current_version: model.current_version,
		registered_at: model.registered_at,
		deposit: model.deposit,
	};
	unhashed::put(&Models::<Test>::hashed_key_for(id), &v1);
}

/// A v1 chain: the first model (approved v1, rejected v2, pending v3) declares datasets 4
/// and 5, the second (one pending version) none. After the migration every version of a
/// model carries its model's lineage, jobs pay it, the rest of each record is unchanged,
/// and the registry's invariants hold.
#[test]
fn v1_lineage_moves_onto_every_version_of_its_model() {
	ExtBuilder::default().build_and_execute(|| {
		let first = register_approved(ALICE, 1, 10);
		for seed in [2, 3] {
			assert_ok!(Registry::publish_version(
				RuntimeOrigin::signed(ALICE),
				first,
				artifacts(seed),
				datasets(&[])
			));
		}
		assert_ok!(Registry::reject_version(RuntimeOrigin::root(), first, 2, bounded(b"no")));
		let second = register(BOB, 4, 20);
		let models_before: Vec<_> =
			[first, second].map(|id| Models::<Test>::get(id).unwrap()).into();
		let held_before = (held(ALICE), held(BOB));
		write_v1(first, &[4, 5]);
		write_v1(second, &[]);
		StorageVersion::new(1).put::<Pallet<Test>>();

		// With `try-runtime`, the migration's own pre- and post-upgrade checks run too.
		#[cfg(feature = "try-runtime")]
		let state = <Unchecked as UncheckedOnRuntimeUpgrade>::pre_upgrade().unwrap();
		MigrateToV2::<Test>::on_runtime_upgrade();
		#[cfg(feature = "try-runtime")]
		<Unchecked as UncheckedOnRuntimeUpgrade>::post_upgrade(state).unwrap();

		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(2));
		for version in 1..=3 {
			assert_eq!(Versions::<Test>::get(first, version).unwrap().datasets.to_vec(), vec![4, 5]);
		}
		assert!(Versions::<Test>::get(second, 1).unwrap().datasets.is_empty());
		assert_eq!(
			Versions::<Test>::get(first, 2).unwrap().status,
			CurationStatus::Rejected { reason: bounded(b"no") }
		);
		assert_eq!(Registry::job_terms(first, None).unwrap().datasets, vec![4, 5]);
		assert_eq!(Registry::model_details(first).unwrap().datasets, vec![4, 5]);
		assert_eq!(
			[first, second].map(|id| Models::<Test>::get(id).unwrap()).to_vec(),
			models_before
		);
		assert_eq!((held(ALICE), held(BOB)), held_before);
		Registry::do_try_state().expect("invariants hold after the migration");

		// Run again: a no-op at version 2.
		MigrateToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Versions::<Test>::get(first, 1).unwrap().datasets.to_vec(), vec![4, 5]);
	});
}
