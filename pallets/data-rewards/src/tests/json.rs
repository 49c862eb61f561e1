//! The JSON the `infera_*` data-rewards methods return: the views' own serialisation.

use crate::{views::*, CuratorStanding, RejectReason, Vote};
use serde_json::{json, Value};
use sp_core::H256;

fn contribution(state: ContributionState<u64>) -> ContributionDetails<u64, u128, u32> {
	ContributionDetails {
		id: 4,
		dataset: 1,
		contributor: 9,
		digest: H256::repeat_byte(2),
		size: 2048,
		url: b"https://d/x".to_vec(),
		label: Some(b"pos".to_vec()),
		deposit: 10,
		submitted_at: 7,
		review_until: 107,
		state,
	}
}

#[test]
fn contributions_say_their_status_votes_and_reasons() {
	let pending = contribution(ContributionState::Pending {
		votes: vec![(5, Vote::Accept { quality: 80 }), (6, Vote::Reject { reason: RejectReason::OffSchema })],
	});
	let json = serde_json::to_value(&pending).unwrap();
	assert_eq!(json["status"], "pending");
	assert_eq!(
		json["votes"],
		json!([
			{ "curator": 5, "vote": "accept", "quality": 80, "reason": null },
			{ "curator": 6, "vote": "reject", "quality": null, "reason": "offSchema" },
		])
	);
	assert_eq!((json["sizeBytes"].clone(), json["url"].clone()), (json!(2048), json!("https://d/x")));
	assert_eq!((json["era"].clone(), json["rejectReason"].clone()), (Value::Null, Value::Null));
	let accepted = contribution(ContributionState::Accepted { era: 3, points: 160, claimed: false });
	let json = serde_json::to_value(&accepted).unwrap();
	assert_eq!(json["status"], "accepted");
	assert_eq!((json["era"].clone(), json["points"].clone(), json["claimed"].clone()), (json!(3), json!(160), json!(false)));
	assert_eq!(json["votes"], json!([]));
	assert_eq!(json["deposit"], "10");
	assert_eq!(json["label"], "pos");
	assert_eq!(json["reviewUntil"], 107);
	let rejected = contribution(ContributionState::Rejected { reason: RejectReason::Malicious });
	let json = serde_json::to_value(&rejected).unwrap();
	assert_eq!((json["status"].clone(), json["rejectReason"].clone()), (json!("rejected"), json!("malicious")));
	let expired = serde_json::to_value(contribution(ContributionState::Expired)).unwrap();
	assert_eq!(expired["status"], "expired");
}

#[test]
fn datasets_and_rewards_give_amounts_as_strings() {
	let dataset = DatasetDetails::<u64, u128, u32> {
		id: 0,
		sponsor: 1,
		account: 2,
		name: b"reviews".to_vec(),
		description: b"movie reviews".to_vec(),
		licence: b"CC-BY-4.0".to_vec(),
		format: b"text".to_vec(),
		rules: b"English".to_vec(),
		rules_digest: H256::zero(),
		curators: vec![(3, CuratorStanding { agreed: 4, disagreed: 1, strikes: 0 })],
		quorum: 1,
		reward_per_era: None,
		pot: 500,
		owed: 20,
		lineage_income: 7,
		era: 2,
		era_points: u128::MAX,
		current_era: 3,
		accepted: 6,
		pending: 1,
		created_at: 1,
	};
	let json = serde_json::to_value(&dataset).unwrap();
	assert_eq!(json["curators"], json!([{ "account": 3, "agreed": 4, "disagreed": 1, "strikes": 0 }]));
	assert_eq!(json["rewardPerEra"], Value::Null);
	assert_eq!((json["pot"].clone(), json["owed"].clone(), json["lineageIncome"].clone()), (json!("500"), json!("20"), json!("7")));
	assert_eq!(json["eraPoints"], u128::MAX.to_string());
	assert_eq!((json["name"].clone(), json["rulesDigest"].clone()), (json!("reviews"), json!(format!("0x{}", "00".repeat(32)))));
	let capped = DatasetDetails { reward_per_era: Some(30), ..dataset };
	assert_eq!(serde_json::to_value(&capped).unwrap()["rewardPerEra"], "30");
	let rewards = PendingRewards::<u128> {
		claimable: 5,
		estimated: 0,
		rewards: vec![PendingReward { contribution: 4, dataset: 1, era: 2, points: 160, amount: 5, claimable: true }],
	};
	assert_eq!(
		serde_json::to_value(&rewards).unwrap(),
		json!({
			"claimable": "5", "estimated": "0",
			"rewards": [{ "contribution": 4, "dataset": 1, "era": 2, "points": 160, "amount": "5", "claimable": true }],
		})
	);
}
