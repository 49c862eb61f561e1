//! Usage statistics reported by the compute-jobs pallet through `ModelRegistry`.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};

#[test]
fn outcomes_update_the_statistics() {
	ExtBuilder::default().with_approved_model(ALICE, 1, 10).build_and_execute(|| {
		assert_noop!(Registry::note_job_opened(9), Error::<Test>::UnknownModel);
		for _ in 0..4 {
			assert_ok!(Registry::note_job_opened(MODEL));
		}
		assert_eq!(Usage::<Test>::get(MODEL).open_jobs, 4);
		Registry::note_job_closed(MODEL, JobOutcome::Completed { blocks_to_result: 3, agreeing: 2, replicas: 3 });
		Registry::note_job_closed(MODEL, JobOutcome::Completed { blocks_to_result: 5, agreeing: 3, replicas: 3 });
		Registry::note_job_closed(MODEL, JobOutcome::Failed { replicas: 3 });
		Registry::note_job_closed(MODEL, JobOutcome::Withdrawn);

		let usage = Usage::<Test>::get(MODEL);
		assert_eq!(
			usage,
			UsageStats {
				open_jobs: 0,
				jobs_completed: 2,
				jobs_failed: 1,
				total_blocks_to_result: 8,
				agreeing_replicas: 5,
				total_replicas: 9,
			}
		);
		assert_eq!(usage.mean_blocks_to_result(), Some(4));
		// The usage record is covered by the model's deposit and removed on retirement.
		assert_ok!(Registry::retire(RuntimeOrigin::signed(ALICE), MODEL));
		assert!(!Usage::<Test>::contains_key(MODEL));
	});
}

/// A defensive failure: panics where debug assertions are on, and otherwise leaves the
/// open-job count at zero instead of wrapping.
#[test]
#[cfg_attr(debug_assertions, should_panic(expected = "a job closes only after it was opened"))]
fn closing_more_jobs_than_opened_is_a_defensive_failure() {
	ExtBuilder::default().with_approved_model(ALICE, 1, 10).build_and_execute(|| {
		Registry::note_job_closed(MODEL, JobOutcome::Withdrawn);
		assert_eq!(Usage::<Test>::get(MODEL).open_jobs, 0);
	});
}

#[test]
fn views_return_models_versions_and_usage() {
	ExtBuilder::default().with_approved_model(ALICE, 1, 10).build_and_execute(|| {
		assert_ok!(Registry::publish_version(RuntimeOrigin::signed(ALICE), MODEL, artifacts(2), datasets(&[1, 2])));
		assert_ok!(Registry::reject_version(RuntimeOrigin::root(), MODEL, 2, bounded(b"bad weights")));
		let classifier = register_for(BOB, 3, 5, TaskKind::TextClassification);

		let details = Registry::model_details(MODEL).unwrap();
		assert_eq!(details.name, b"all-MiniLM-L6-v2".to_vec());
		assert_eq!(details.deposit, held(ALICE));
		assert_eq!(details.versions.len(), 2);
		assert_eq!(details.versions[0].status, views::VersionStatus::Approved);
		assert_eq!(details.versions[1].status, views::VersionStatus::Rejected(b"bad weights".to_vec()));
		assert_eq!(details.current_version, Some(1));
		assert!(Registry::model_details(9).is_none());

		assert_eq!(Registry::models(0, 10, None).len(), 2);
		let only_classifiers = Registry::models(0, 10, Some(TaskKind::TextClassification));
		assert_eq!(only_classifiers.iter().map(|m| m.id).collect::<Vec<_>>(), vec![classifier]);
		assert_eq!(Registry::models(1, 10, None).len(), 1);
		assert_eq!(Registry::models(0, 1, None).len(), 1);

		let location = Registry::digest_location(artifacts(1).weights).unwrap();
		assert_eq!((location.model_id, location.version), (MODEL, 1));
		// A rejected version's digest is free again.
		assert!(Registry::digest_location(artifacts(2).weights).is_none());
	});
}
