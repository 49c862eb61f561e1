//! Tolerance-aware agreement and majority clusters.

use crate::{agreement::*, mock::*, settlement::next_reputation, *};
use frame_support::BoundedVec;
use sp_runtime::Permill;

fn embedding(values: &[i8]) -> JobOutput<Test> {
	JobOutput::<Test>::Embedding(BoundedVec::truncate_from(values.to_vec()))
}

#[test]
fn embeddings_agree_by_integer_cosine() {
	let threshold = Permill::from_percent(99);
	let a = [100, -50, 30, 0, 12, 90];
	// One component off by one: cosine ≈ 0.99997.
	assert!(embeddings_agree(&a, &[100, -50, 31, 0, 12, 90], threshold));
	// A different direction.
	assert!(!embeddings_agree(&a, &[-100, 50, 30, 0, 12, 90], threshold));
	// Opposite vectors, lengths that differ, zero vectors.
	assert!(!embeddings_agree(&a, &a.map(|x| -x), threshold));
	assert!(!embeddings_agree(&a, &a[..5], threshold));
	assert!(!embeddings_agree(&[0; 6], &[0; 6], threshold));
	// Scale does not matter; the threshold does.
	assert!(embeddings_agree(&[2, 4], &[1, 2], threshold));
	assert!(embeddings_agree(&[10, 0], &[10, 3], Permill::from_percent(95)));
	assert!(!embeddings_agree(&[10, 0], &[10, 3], Permill::from_percent(96)));
	// The largest values cannot overflow.
	assert!(embeddings_agree(&[127; 16], &[127; 16], Permill::one()));
	assert!(embeddings_agree(&[-128; 16], &[-128; 16], Permill::one()));
}

#[test]
fn outputs_of_different_kinds_never_agree() {
	let threshold = Permill::from_percent(99);
	assert!(outputs_agree::<Test>(&JobOutput::<Test>::Label(3), &JobOutput::<Test>::Label(3), threshold));
	assert!(!outputs_agree::<Test>(&JobOutput::<Test>::Label(3), &JobOutput::<Test>::Label(4), threshold));
	let text = generated(b"hi", &[5, 2], &[40, 9]);
	assert!(outputs_agree::<Test>(&text, &text.clone(), threshold));
	assert!(!outputs_agree::<Test>(&text, &JobOutput::<Test>::Label(3), threshold));
}

fn generated(text: &[u8], tokens: &[u32], margins: &[u8]) -> JobOutput<Test> {
	JobOutput::<Test>::Text {
		text: BoundedVec::truncate_from(text.to_vec()),
		tokens: BoundedVec::truncate_from(tokens.to_vec()),
		margins: BoundedVec::truncate_from(margins.to_vec()),
	}
}

#[test]
fn generations_agree_on_tokens_and_margins_within_the_tolerance() {
	let threshold = Permill::from_percent(99);
	let honest = generated(b"Paris.", &[7, 8, 2], &[40, 9, 120]);
	// The mock's tolerance is 4 steps of 1/16 logit.
	assert!(outputs_agree::<Test>(&honest, &generated(b"Paris.", &[7, 8, 2], &[44, 5, 120]), threshold));
	// The same tokens from a computation whose margins differ more: another model or
	// quantization.
	assert!(!outputs_agree::<Test>(&honest, &generated(b"Paris.", &[7, 8, 2], &[40, 14, 120]), threshold));
	// Another token, another text, or a truncated reply.
	assert!(!outputs_agree::<Test>(&honest, &generated(b"Paris.", &[7, 9, 2], &[40, 9, 120]), threshold));
	assert!(!outputs_agree::<Test>(&honest, &generated(b"Paris!", &[7, 8, 2], &[40, 9, 120]), threshold));
	assert!(!outputs_agree::<Test>(&honest, &generated(b"Paris.", &[7, 8], &[40, 9]), threshold));
	assert!(!outputs_agree::<Test>(&honest, &generated(b"Paris.", &[7, 8, 2], &[40, 9]), threshold));
}

#[test]
fn the_majority_needs_more_than_half_of_the_replicas() {
	let threshold = Permill::from_percent(99);
	let (a, b) = (Verdict::<Test>::Output(JobOutput::<Test>::Label(1)), Verdict::<Test>::Output(JobOutput::<Test>::Label(2)));
	// 2 of 3 agree.
	assert_eq!(majority::<Test>(&[Some(&a), Some(&b), Some(&a)], 3, threshold), Some((0, vec![0, 2])));
	// 1 of 1.
	assert_eq!(majority::<Test>(&[Some(&b)], 1, threshold), Some((0, vec![0])));
	// 2 of 4 is not a majority; neither is 1 + 1 + no-show.
	assert_eq!(majority::<Test>(&[Some(&a), Some(&b), Some(&a), Some(&b)], 4, threshold), None);
	assert_eq!(majority::<Test>(&[Some(&a), Some(&b), None], 3, threshold), None);
	// 2 of 3 with a no-show is.
	assert_eq!(majority::<Test>(&[None, Some(&b), Some(&b)], 3, threshold), Some((1, vec![1, 2])));
	// Near-equal embeddings cluster together.
	let e1 = Verdict::Output(embedding(&[100, 50, 20]));
	let e2 = Verdict::Output(embedding(&[100, 51, 20]));
	let far = Verdict::Output(embedding(&[-100, 50, 20]));
	assert_eq!(
		majority::<Test>(&[Some(&far), Some(&e1), Some(&e2)], 3, threshold),
		Some((1, vec![1, 2]))
	);
}

#[test]
fn failure_reports_agree_by_reason_and_never_with_an_output() {
	let threshold = Permill::from_percent(99);
	let bad = Verdict::<Test>::Failure(FailureReason::InvalidInput);
	let gone = Verdict::<Test>::Failure(FailureReason::ModelUnavailable);
	let output = Verdict::<Test>::Output(JobOutput::<Test>::Label(1));
	assert!(verdicts_agree::<Test>(&bad, &bad.clone(), threshold));
	assert!(!verdicts_agree::<Test>(&bad, &gone, threshold));
	assert!(!verdicts_agree::<Test>(&bad, &output, threshold));
	assert_eq!(majority::<Test>(&[Some(&bad), Some(&output), Some(&bad)], 3, threshold), Some((0, vec![0, 2])));
	assert_eq!(majority::<Test>(&[Some(&bad), Some(&gone), Some(&output)], 3, threshold), None);
}

#[test]
fn reputation_moves_a_step_towards_the_outcome() {
	let step = Permill::from_percent(10);
	assert_eq!(next_reputation(Permill::from_percent(50), step, true), Permill::from_percent(55));
	assert_eq!(next_reputation(Permill::from_percent(50), step, false), Permill::from_percent(45));
	assert_eq!(next_reputation(Permill::one(), step, true), Permill::one());
	assert_eq!(next_reputation(Permill::zero(), step, false), Permill::zero());
}
