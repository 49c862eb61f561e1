//! Native runtime tests of OpenGov: tracks follow the preset's timing, each track origin
//! reaches exactly what it should, and a referendum goes from preimage to enactment by
//! the scheduler, or is rejected.

use codec::Encode;
use frame_support::traits::{
	schedule::DispatchTime, Bounded, EnsureOrigin, EnsureOriginWithArg, Get, OriginTrait,
};
use infera_runtime::{
	configs::{
		dynamic_params::jobs,
		tracks::{CURATOR, PROTOCOL_PARAMETERS, ROOT, TREASURER},
		RuntimeParameters, RuntimeParametersKey,
	},
	ConvictionVoting, OriginCaller, Preimage, Referenda, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeOrigin, Scheduler, System, DAYS, MILLI_UNIT, UNIT,
};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use pallet_governance::{Origin as Track, Timing};
use pallet_referenda::{ReferendumInfo, TracksInfo as _};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve, Ferdie};
use sp_runtime::traits::Hash;

mod common;
use common::{market::run_to_block, preset_ext};

type Tracks = infera_runtime::configs::tracks::TracksInfo;

fn signed(who: sp_keyring::Sr25519Keyring) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.to_account_id())
}

fn origin_of(track: Track) -> RuntimeOrigin {
	RuntimeOrigin::from(track)
}

fn set_worker_fee(fee: u128) -> RuntimeCall {
	RuntimeCall::Parameters(pallet_parameters::Call::set_parameter {
		key_value: RuntimeParameters::Jobs(jobs::Parameters::WorkerFee(jobs::WorkerFee, Some(fee))),
	})
}

/// Notes `call` as Alice's preimage and proposes it on `track`; returns the referendum index.
fn propose(track: OriginCaller, call: RuntimeCall) -> u32 {
	let encoded = call.encode();
	let hash = <Runtime as frame_system::Config>::Hashing::hash(&encoded);
	frame_support::assert_ok!(Preimage::note_preimage(signed(Alice), encoded.clone()));
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	frame_support::assert_ok!(Referenda::submit(
		signed(Alice),
		Box::new(track),
		Bounded::Lookup { hash, len: encoded.len() as u32 },
		DispatchTime::After(1),
	));
	index
}

fn vote(who: sp_keyring::Sr25519Keyring, index: u32, aye: bool, conviction: Conviction, balance: u128) {
	frame_support::assert_ok!(ConvictionVoting::vote(
		signed(who),
		index,
		AccountVote::Standard { vote: Vote { aye, conviction }, balance },
	));
}

#[test]
fn tracks_follow_the_presets_timing() {
	preset_ext("development").execute_with(|| {
		assert_eq!(pallet_governance::TrackTiming::<Runtime>::get(), Timing::Fast);
		Tracks::check_integrity().unwrap();
		let root = Tracks::info(ROOT).unwrap();
		assert_eq!((root.prepare_period, root.decision_period, root.confirm_period), (2, 30, 2));
		assert_eq!(Tracks::track_ids().collect::<Vec<_>>(), vec![ROOT, CURATOR, PROTOCOL_PARAMETERS, TREASURER]);
	});
	preset_ext("local_testnet").execute_with(|| {
		assert_eq!(pallet_governance::TrackTiming::<Runtime>::get(), Timing::Fast);
	});
	preset_ext("testnet").execute_with(|| {
		assert_eq!(pallet_governance::TrackTiming::<Runtime>::get(), Timing::Production);
		Tracks::check_integrity().unwrap();
		assert_eq!(Tracks::info(ROOT).unwrap().decision_period, 14 * DAYS);
		assert_eq!(Tracks::info(PROTOCOL_PARAMETERS).unwrap().confirm_period, DAYS);
		assert_eq!(
			<Runtime as pallet_conviction_voting::Config>::VoteLockingPeriod::get(),
			7 * DAYS
		);
		// No sudo on a public network: root only through a `root` referendum.
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
	});
}

#[test]
fn each_origin_has_its_own_track() {
	preset_ext("development").execute_with(|| {
		let caller = |o: RuntimeOrigin| o.caller().clone();
		assert_eq!(Tracks::track_for(&caller(RuntimeOrigin::root())), Ok(ROOT));
		assert_eq!(Tracks::track_for(&caller(origin_of(Track::Curator))), Ok(CURATOR));
		assert_eq!(Tracks::track_for(&caller(origin_of(Track::ParameterAdmin))), Ok(PROTOCOL_PARAMETERS));
		assert_eq!(Tracks::track_for(&caller(origin_of(Track::Treasurer))), Ok(TREASURER));
		assert_eq!(Tracks::track_for(&caller(signed(Alice))), Err(()));
	});
}

#[test]
fn track_origins_reach_only_what_they_govern() {
	preset_ext("development").execute_with(|| {
		type RegistryAdmin = <Runtime as pallet_model_registry::Config>::AdminOrigin;
		type PublicDatasets = <Runtime as pallet_data_rewards::Config>::TreasuryOrigin;
		type ParameterAdmin = <Runtime as pallet_parameters::Config>::AdminOrigin;
		type Spend = <Runtime as pallet_treasury::Config>::SpendOrigin;

		assert!(RegistryAdmin::try_origin(origin_of(Track::Curator)).is_ok());
		// Treasury money for public datasets answers to the treasurer, within its limit.
		assert!(PublicDatasets::try_origin(origin_of(Track::Curator)).is_err());
		assert_eq!(PublicDatasets::try_origin(origin_of(Track::Treasurer)).ok(), Some(100_000 * UNIT));
		assert!(RegistryAdmin::try_origin(origin_of(Track::ParameterAdmin)).is_err());
		assert!(RegistryAdmin::try_origin(signed(Alice)).is_err());

		let key = RuntimeParametersKey::Jobs(jobs::ParametersKey::WorkerFee(jobs::WorkerFee));
		assert!(ParameterAdmin::try_origin(origin_of(Track::ParameterAdmin), &key).is_ok());
		assert!(ParameterAdmin::try_origin(RuntimeOrigin::root(), &key).is_ok());
		assert!(ParameterAdmin::try_origin(origin_of(Track::Curator), &key).is_err());
		assert!(ParameterAdmin::try_origin(origin_of(Track::Treasurer), &key).is_err());

		assert_eq!(Spend::try_origin(origin_of(Track::Treasurer)).ok(), Some(100_000 * UNIT));
		assert_eq!(Spend::try_origin(RuntimeOrigin::root()).ok(), Some(u128::MAX));
		assert!(Spend::try_origin(origin_of(Track::Curator)).is_err());
		assert!(Spend::try_origin(signed(Alice)).is_err());
	});
}

#[test]
fn a_parameter_referendum_is_enacted_by_the_scheduler() {
	preset_ext("development").execute_with(|| {
		run_to_block::<Scheduler>(1);
		assert_eq!(jobs::WorkerFee::get(), MILLI_UNIT);
		let index = propose(OriginCaller::Governance(Track::ParameterAdmin), set_worker_fee(2 * MILLI_UNIT));
		frame_support::assert_ok!(Referenda::place_decision_deposit(signed(Bob), index));

		// 3.6 M INFR of ayes: support 30 % of the issuance, above the track's 25 % ceiling.
		// 0.1 M of nays locked 6× weigh 0.6 M: approval 86 %, which the approval curve
		// (100 % → 50 % over 30 blocks) allows after 9 blocks of deciding.
		for who in [Alice, Bob, Charlie, Dave] {
			vote(who, index, true, Conviction::Locked1x, 900_000 * UNIT);
		}
		vote(Eve, index, false, Conviction::Locked6x, 100_000 * UNIT);

		run_to_block::<Scheduler>(10);
		assert_eq!(jobs::WorkerFee::get(), MILLI_UNIT, "not before approval and enactment");
		run_to_block::<Scheduler>(25);
		assert!(matches!(
			pallet_referenda::ReferendumInfoFor::<Runtime>::get(index),
			Some(ReferendumInfo::Approved(..))
		));
		assert_eq!(jobs::WorkerFee::get(), 2 * MILLI_UNIT);
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Parameters(pallet_parameters::Event::Updated { .. })
		)));
		// The decision deposit comes back once the referendum is over.
		frame_support::assert_ok!(Referenda::refund_decision_deposit(signed(Bob), index));
	});
}

#[test]
fn a_referendum_voted_down_is_rejected_and_changes_nothing() {
	preset_ext("development").execute_with(|| {
		run_to_block::<Scheduler>(1);
		let index = propose(OriginCaller::Governance(Track::ParameterAdmin), set_worker_fee(7 * MILLI_UNIT));
		frame_support::assert_ok!(Referenda::place_decision_deposit(signed(Bob), index));
		vote(Alice, index, true, Conviction::None, 900_000 * UNIT);
		// Conviction decides: 0.5 M locked 6× outweighs 0.9 M unlocked (0.1×).
		vote(Ferdie, index, false, Conviction::Locked6x, 500_000 * UNIT);

		run_to_block::<Scheduler>(40);
		assert!(matches!(
			pallet_referenda::ReferendumInfoFor::<Runtime>::get(index),
			Some(ReferendumInfo::Rejected(..))
		));
		assert_eq!(jobs::WorkerFee::get(), MILLI_UNIT);
	});
}

#[test]
fn a_signed_account_cannot_set_parameters_or_spend() {
	preset_ext("testnet").execute_with(|| {
		use sp_runtime::traits::Dispatchable;
		let error = set_worker_fee(0).dispatch(signed(Alice)).unwrap_err().error;
		assert_eq!(error, sp_runtime::DispatchError::BadOrigin);
		let spend = RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount: UNIT,
			beneficiary: Box::new(Alice.to_account_id()),
			valid_from: None,
		});
		assert_eq!(spend.dispatch(signed(Alice)).unwrap_err().error, sp_runtime::DispatchError::BadOrigin);
	});
}

fn text<S: Get<u32>>(t: &str) -> frame_support::BoundedVec<u8, S> {
	frame_support::BoundedVec::truncate_from(t.as_bytes().to_vec())
}

/// Issue 14, finding 1: an enacted `curator` referendum tried to create a public dataset
/// with a treasury budget for curators it names, and to take over a sponsor's pot.
#[test]
fn the_curator_track_cannot_spend_the_treasury_or_redirect_a_pot() {
	preset_ext("development").execute_with(|| {
		use pallet_data_rewards::{DatasetSpec, ReviewPolicy};
		use sp_runtime::traits::Dispatchable;
		System::set_block_number(1);
		let spec = || DatasetSpec::<Runtime> {
			name: text("loot"),
			description: text("curators named by the proposal"),
			licence: text("CC0-1.0"),
			format: text("jsonl"),
			rules: text("anything"),
			rules_digest: sp_core::H256::repeat_byte(7),
		};
		let accomplices = || ReviewPolicy::<Runtime> {
			curators: frame_support::BoundedVec::truncate_from(vec![Eve.to_account_id()]),
			quorum: 1,
			reward_per_era: None,
		};
		let treasury = infera_runtime::configs::TreasuryAccount::get();
		let before = infera_runtime::Balances::free_balance(&treasury);
		let drain = RuntimeCall::DataRewards(pallet_data_rewards::Call::create_public_dataset {
			spec: spec(),
			policy: accomplices(),
			budget: before / 2,
		});
		assert_eq!(
			drain.clone().dispatch(origin_of(Track::Curator)).unwrap_err().error,
			sp_runtime::DispatchError::BadOrigin
		);
		assert_eq!(infera_runtime::Balances::free_balance(&treasury), before);
		// The treasurer track is bound by its spend limit.
		let over_limit = RuntimeCall::DataRewards(pallet_data_rewards::Call::create_public_dataset {
			spec: spec(),
			policy: accomplices(),
			budget: 100_000 * UNIT + 1,
		});
		assert_eq!(
			over_limit.dispatch(origin_of(Track::Treasurer)).unwrap_err().error,
			pallet_data_rewards::Error::<Runtime>::BudgetAboveLimit.into()
		);
		// A sponsor's pot: no track may replace its curators.
		frame_support::assert_ok!(infera_runtime::DataRewards::create_dataset(
			signed(Dave),
			spec(),
			ReviewPolicy {
				curators: frame_support::BoundedVec::truncate_from(vec![Ferdie.to_account_id()]),
				quorum: 1,
				reward_per_era: None,
			},
			1_000 * UNIT,
		));
		let take_over = RuntimeCall::DataRewards(pallet_data_rewards::Call::update_policy {
			dataset: 0,
			policy: accomplices(),
		});
		assert_eq!(
			take_over.clone().dispatch(origin_of(Track::Curator)).unwrap_err().error,
			sp_runtime::DispatchError::BadOrigin
		);
		assert_eq!(
			take_over.dispatch(origin_of(Track::Treasurer)).unwrap_err().error,
			pallet_data_rewards::Error::<Runtime>::NotSponsor.into()
		);
	});
}
