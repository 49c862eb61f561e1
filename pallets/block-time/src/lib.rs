//! # Block time pallet
//!
//! Holds the chain's slot duration (BABE's, or any slot-based engine's) as genesis state instead of a compile-time
//! constant, so the very same runtime Wasm runs a development chain with short blocks
//! and production networks with 6 s blocks.
//!
//! The value is written once at genesis and has no setter: changing the slot duration of
//! a live chain would re-map every future slot (and BABE epoch) to a different author. A runtime
//! upgrade with a migration is the only way to change it.
//!
//! Use [`MinimumPeriod`] as `pallet_timestamp::Config::MinimumPeriod`: BABE's slot
//! duration is twice it (`pallet_babe::Pallet::slot_duration`).

#![cfg_attr(not(feature = "std"), no_std)]

pub use pallet::*;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[frame_support::pallet]
pub mod pallet {
	use crate::{is_valid_slot_duration, MIN_SLOT_DURATION_MILLIS};
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::BlockNumberFor;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Slot duration in milliseconds when genesis does not set one.
		#[pallet::constant]
		type DefaultSlotDuration: Get<u64>;
	}

	/// The slot duration in milliseconds: the target block time. Even and non-zero.
	#[pallet::storage]
	pub type SlotDurationMillis<T: Config> =
		StorageValue<_, u64, ValueQuery, T::DefaultSlotDuration>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Slot duration in milliseconds; `0` means `DefaultSlotDuration`.
		pub slot_duration_millis: u64,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if self.slot_duration_millis == 0 {
				return;
			}
			assert!(
				is_valid_slot_duration(self.slot_duration_millis),
				"blockTime.slotDurationMillis must be even and at least {MIN_SLOT_DURATION_MILLIS} ms, got {}",
				self.slot_duration_millis,
			);
			SlotDurationMillis::<T>::put(self.slot_duration_millis);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				is_valid_slot_duration(T::DefaultSlotDuration::get()),
				"DefaultSlotDuration must be even and at least {MIN_SLOT_DURATION_MILLIS} ms",
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), frame_support::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	impl<T: Config> Pallet<T> {
		/// The slot duration in milliseconds.
		pub fn slot_duration_millis() -> u64 {
			SlotDurationMillis::<T>::get()
		}

		/// Invariant: the stored slot duration is one BABE and the timestamp pallet accept.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), frame_support::sp_runtime::TryRuntimeError> {
			ensure!(
				is_valid_slot_duration(SlotDurationMillis::<T>::get()),
				"slot duration must be even and at least the minimum"
			);
			Ok(())
		}
	}
}

/// Shortest slot the chain accepts, in milliseconds.
pub const MIN_SLOT_DURATION_MILLIS: u64 = 500;

/// Whether `millis` can be a slot duration: even (the timestamp pallet's minimum period
/// is half of it) and at least [`MIN_SLOT_DURATION_MILLIS`].
pub fn is_valid_slot_duration(millis: u64) -> bool {
	millis >= MIN_SLOT_DURATION_MILLIS && millis % 2 == 0
}

/// Half the slot duration: `pallet_timestamp::Config::MinimumPeriod`.
pub struct MinimumPeriod<T>(core::marker::PhantomData<T>);

impl<T: Config> frame_support::traits::Get<u64> for MinimumPeriod<T> {
	fn get() -> u64 {
		SlotDurationMillis::<T>::get() / 2
	}
}
