//! Routing: `best_model` ranks approved models by price, latency and agreement.

use crate::{mock::*, routing::*, *};
use frame_support::assert_ok;
use sp_runtime::Permill;

fn complete(model: ModelId, blocks: u32, agreeing: u32, replicas: u32) {
	assert_ok!(Registry::note_job_opened(model));
	Registry::note_job_closed(
		model,
		JobOutcome::Completed { blocks_to_result: blocks, agreeing, replicas },
	);
}

#[test]
fn score_parts_follow_the_documented_formulas() {
	assert_eq!(price_score(0, 100), Permill::one());
	assert_eq!(price_score(25, 100), Permill::from_percent(75));
	assert_eq!(price_score(100, 100), Permill::zero());
	assert_eq!(price_score(0, 0), Permill::one());

	let fresh = UsageStats::default();
	assert_eq!(latency_score(&fresh, 10), Permill::from_percent(50));
	assert_eq!(agreement_score(&fresh), Permill::from_percent(50));

	let used = UsageStats {
		jobs_completed: 4,
		total_blocks_to_result: 40,
		agreeing_replicas: 10,
		total_replicas: 12,
		..Default::default()
	};
	// Mean 10 blocks against a reference of 10: one half.
	assert_eq!(latency_score(&used, 10), Permill::from_percent(50));
	// (10 + 1) / (12 + 2)
	assert_eq!(agreement_score(&used), Permill::from_rational(11u32, 14u32));
}

#[test]
fn cheaper_wins_between_new_models_and_price_caps_filter() {
	ExtBuilder::default().build_and_execute(|| {
		let dear = register_approved(ALICE, 1, 80);
		let cheap = register_approved(BOB, 2, 20);
		assert_eq!(Registry::best_model(TaskKind::TextEmbedding, 100), Some(cheap));
		let ranked = Registry::rank_models(TaskKind::TextEmbedding, 100);
		assert_eq!(ranked.iter().map(|r| r.model_id).collect::<Vec<_>>(), vec![cheap, dear]);
		assert_eq!(
			crate::routing::best_model::<Test>(TaskKind::TextEmbedding, 100).as_ref(),
			ranked.first()
		);
		// 0.3 × 0.8 + 0.3 × 0.5 + 0.4 × 0.5 = 0.59
		assert_eq!(ranked[0].score, Permill::from_percent(59));
		assert_eq!(ranked[0].version, 1);
		// Under a cap of 50 only the cheap one is a candidate; under 10 none is.
		assert_eq!(Registry::rank_models(TaskKind::TextEmbedding, 50).len(), 1);
		assert_eq!(Registry::best_model(TaskKind::TextEmbedding, 10), None);
		// Other tasks are separate.
		assert_eq!(Registry::best_model(TaskKind::TextGeneration, 100), None);
	});
}

#[test]
fn fast_and_agreeing_models_overtake_cheap_unreliable_ones() {
	ExtBuilder::default().build_and_execute(|| {
		let reliable = register_approved(ALICE, 1, 50);
		let flaky = register_approved(BOB, 2, 40);
		assert_eq!(Registry::best_model(TaskKind::TextEmbedding, 100), Some(flaky));
		for _ in 0..5 {
			complete(reliable, 2, 3, 3);
			assert_ok!(Registry::note_job_opened(flaky));
			Registry::note_job_closed(flaky, JobOutcome::Failed { replicas: 3 });
		}
		assert_eq!(Registry::best_model(TaskKind::TextEmbedding, 100), Some(reliable));
	});
}

#[test]
fn ties_go_to_the_lower_price_then_the_older_model() {
	ExtBuilder::default().build_and_execute(|| {
		let older = register_approved(ALICE, 1, 30);
		let _younger = register_approved(BOB, 2, 30);
		assert_eq!(Registry::best_model(TaskKind::TextEmbedding, 100), Some(older));
	});
}
