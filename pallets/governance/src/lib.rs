//! # Governance pallet
//!
//! The runtime side of Infera's OpenGov that is not in `pallet-referenda` and friends:
//!
//! - **Origins.** Referenda on a track dispatch their call with that track's origin. Besides
//!   root, the tracks are [`Origin::Curator`] (approve, reject and suspend model versions,
//!   amend their dataset lineage), [`Origin::ParameterAdmin`] (protocol parameters: fee
//!   shares, slash rates, replica limits, era length) and [`Origin::Treasurer`] (treasury
//!   spends, public datasets and their review policies). [`EnsureCurator`], [`EnsureParameterAdmin`] and [`EnsureTreasurer`] let other
//!   pallets accept them.
//! - **Track timing.** [`TrackTiming`] picks between production periods (days) and fast
//!   periods (blocks) for every track. It is genesis state, like the slot duration of
//!   `pallet-block-time`, so one runtime Wasm serves development chains where a proposal
//!   is enacted in a minute and networks where voting takes weeks. There is no call to
//!   change it: switching a live network to fast periods would be a governance attack
//!   surface; a runtime upgrade with a migration is the way.
//!
//! The pallet has no calls and holds no funds.

#![cfg_attr(not(feature = "std"), no_std)]

pub use origins::{EnsureCurator, EnsureParameterAdmin, EnsureTreasurer};
pub use pallet::*;

mod origins;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[frame_support::pallet]
pub mod pallet {
	use frame_support::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	/// The origins of Infera's governance tracks, besides root.
	#[pallet::origin]
	#[derive(
		PartialEq,
		Eq,
		Clone,
		Copy,
		MaxEncodedLen,
		Encode,
		Decode,
		DecodeWithMemTracking,
		TypeInfo,
		Debug,
	)]
	pub enum Origin {
		/// Curates the model registry: approves, rejects and suspends model versions and
		/// amends their dataset lineage. (Retiring is the owner's; public datasets and
		/// their review policies are the treasurer's, since they spend treasury funds.)
		Curator,
		/// Sets protocol parameters (`pallet-parameters`).
		ParameterAdmin,
		/// Approves and rejects treasury spends, up to the runtime's per-spend limit.
		Treasurer,
	}

	/// How long each phase of a referendum lasts.
	#[derive(
		PartialEq,
		Eq,
		Clone,
		Copy,
		Default,
		MaxEncodedLen,
		Encode,
		Decode,
		DecodeWithMemTracking,
		TypeInfo,
		Debug,
		frame_support::Serialize,
		frame_support::Deserialize,
	)]
	#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
	pub enum Timing {
		/// Periods for public networks: hours to weeks.
		#[default]
		Production,
		/// Periods of a few blocks, so a proposal is decided and enacted within about a
		/// minute. For development and local chains only.
		Fast,
	}

	/// The timing of every governance track on this chain; set at genesis.
	#[pallet::storage]
	pub type TrackTiming<T: Config> = StorageValue<_, Timing, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The track timing; `production` when the preset says nothing.
		pub timing: Timing,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			TrackTiming::<T>::put(self.timing);
		}
	}

	impl<T: Config> Pallet<T> {
		/// The timing of the governance tracks.
		pub fn timing() -> Timing {
			TrackTiming::<T>::get()
		}
	}
}
