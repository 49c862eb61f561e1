//! The referendum tracks. Each track is the origin its referenda dispatch with, and has its
//! own deposit, concurrency, periods and passing curves.
//!
//! | id | track               | origin                      | may                                   |
//! |----|---------------------|-----------------------------|---------------------------------------|
//! | 0  | `root`              | root                        | anything: runtime upgrades, sudo-like |
//! | 1  | `curator`           | `Governance::Curator`       | approve/suspend models, curate data   |
//! | 2  | `protocol_parameters` | `Governance::ParameterAdmin` | `parameters.setParameter`          |
//! | 3  | `treasurer`         | `Governance::Treasurer`     | treasury spends up to 100,000 INFR    |
//!
//! Approval (conviction-weighted ayes over all votes) must stay above a line falling from
//! 100 % to 50 % over the decision period; support (ayes' capital over the active issuance)
//! above a line falling from the track's ceiling to 0 %. A referendum passes once both hold
//! for the whole confirm period.

use crate::{Balance, BlockNumber, OriginCaller, DAYS, HOURS, MINUTES, UNIT};
use alloc::borrow::Cow;
use pallet_governance::Timing;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::{str_array as name, Perbill};

/// Track ids.
pub const ROOT: u16 = 0;
pub const CURATOR: u16 = 1;
pub const PROTOCOL_PARAMETERS: u16 = 2;
pub const TREASURER: u16 = 3;

/// How long each phase lasts, in blocks.
#[derive(Clone, Copy)]
struct Periods {
	prepare: BlockNumber,
	decision: BlockNumber,
	confirm: BlockNumber,
	min_enactment: BlockNumber,
}

/// Fast timing, every track: a proposal with enough support is enacted about
/// 2 + 2 + 1 blocks after its decision deposit, and fails after 30 blocks of deciding.
const FAST: Periods = Periods { prepare: 2, decision: 30, confirm: 2, min_enactment: 1 };

/// Approval: from 100 % down to 50 % over the decision period.
const APPROVAL: Curve = Curve::LinearDecreasing {
	length: Perbill::from_percent(100),
	floor: Perbill::from_percent(50),
	ceil: Perbill::from_percent(100),
};

/// Support: from `ceil_percent` down to 0 % over the decision period.
const fn support(ceil_percent: u32) -> Curve {
	Curve::LinearDecreasing {
		length: Perbill::from_percent(100),
		floor: Perbill::zero(),
		ceil: Perbill::from_percent(ceil_percent),
	}
}

const fn track(
	id: u16,
	track_name: &str,
	max_deciding: u32,
	decision_deposit: Balance,
	periods: Periods,
	support_ceil_percent: u32,
) -> Track<u16, Balance, BlockNumber> {
	Track {
		id,
		info: TrackInfo {
			name: name(track_name),
			max_deciding,
			decision_deposit,
			prepare_period: periods.prepare,
			decision_period: periods.decision,
			confirm_period: periods.confirm,
			min_enactment_period: periods.min_enactment,
			min_approval: APPROVAL,
			min_support: support(support_ceil_percent),
		},
	}
}

/// `production` on production chains, [`FAST`] on fast ones.
const fn periods(timing: Timing, production: Periods) -> Periods {
	match timing {
		Timing::Production => production,
		Timing::Fast => FAST,
	}
}

/// Every track: one table for both timings, which differ only in their periods.
const fn all_tracks(timing: Timing) -> [Track<u16, Balance, BlockNumber>; 4] {
	[
		track(
			ROOT,
			"root",
			1,
			1_000 * UNIT,
			periods(timing, Periods { prepare: 2 * HOURS, decision: 14 * DAYS, confirm: DAYS, min_enactment: DAYS }),
			50,
		),
		track(
			CURATOR,
			"curator",
			10,
			100 * UNIT,
			periods(timing, Periods { prepare: HOURS, decision: 7 * DAYS, confirm: 3 * HOURS, min_enactment: 10 * MINUTES }),
			10,
		),
		track(
			PROTOCOL_PARAMETERS,
			"protocol_parameters",
			5,
			500 * UNIT,
			periods(timing, Periods { prepare: 2 * HOURS, decision: 7 * DAYS, confirm: DAYS, min_enactment: DAYS }),
			25,
		),
		track(
			TREASURER,
			"treasurer",
			10,
			200 * UNIT,
			periods(timing, Periods { prepare: 2 * HOURS, decision: 14 * DAYS, confirm: DAYS, min_enactment: DAYS }),
			25,
		),
	]
}

/// Tracks of public networks.
static PRODUCTION_TRACKS: [Track<u16, Balance, BlockNumber>; 4] = all_tracks(Timing::Production);

/// The same tracks with fast periods, for development and local chains.
static FAST_TRACKS: [Track<u16, Balance, BlockNumber>; 4] = all_tracks(Timing::Fast);

/// The tracks of this chain's timing (genesis state, see `pallet_governance::Timing`).
pub struct TracksInfo;

impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = u16;
	type RuntimeOrigin = OriginCaller;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<u16, Balance, BlockNumber>>> {
		let tracks: &'static [Track<u16, Balance, BlockNumber>] =
			match pallet_governance::Pallet::<crate::Runtime>::timing() {
				Timing::Production => &PRODUCTION_TRACKS,
				Timing::Fast => &FAST_TRACKS,
			};
		tracks.iter().map(Cow::Borrowed)
	}

	fn track_for(origin: &OriginCaller) -> Result<u16, ()> {
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(ROOT),
			OriginCaller::Governance(pallet_governance::Origin::Curator) => Ok(CURATOR),
			OriginCaller::Governance(pallet_governance::Origin::ParameterAdmin) =>
				Ok(PROTOCOL_PARAMETERS),
			OriginCaller::Governance(pallet_governance::Origin::Treasurer) => Ok(TREASURER),
			_ => Err(()),
		}
	}
}
