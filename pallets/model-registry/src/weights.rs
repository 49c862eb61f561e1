//! PROVISIONAL: replaced by the output of `infera-node benchmark pallet` before this lands.

#![allow(missing_docs)]
use frame_support::weights::Weight;

pub trait WeightInfo {
	fn register_model(d: u32) -> Weight;
	fn publish_version() -> Weight;
	fn set_price() -> Weight;
	fn set_metadata() -> Weight;
	fn offer_ownership() -> Weight;
	fn accept_ownership(v: u32) -> Weight;
	fn deprecate() -> Weight;
	fn retire(v: u32) -> Weight;
	fn approve_version() -> Weight;
	fn reject_version() -> Weight;
	fn suspend_version(v: u32) -> Weight;
}

pub struct SubstrateWeight<T>(core::marker::PhantomData<T>);
impl<T> WeightInfo for SubstrateWeight<T> {
	fn register_model(_d: u32) -> Weight { Weight::MAX }
	fn publish_version() -> Weight { Weight::MAX }
	fn set_price() -> Weight { Weight::MAX }
	fn set_metadata() -> Weight { Weight::MAX }
	fn offer_ownership() -> Weight { Weight::MAX }
	fn accept_ownership(_v: u32) -> Weight { Weight::MAX }
	fn deprecate() -> Weight { Weight::MAX }
	fn retire(_v: u32) -> Weight { Weight::MAX }
	fn approve_version() -> Weight { Weight::MAX }
	fn reject_version() -> Weight { Weight::MAX }
	fn suspend_version(_v: u32) -> Weight { Weight::MAX }
}
impl WeightInfo for () {
	fn register_model(_d: u32) -> Weight { Weight::zero() }
	fn publish_version() -> Weight { Weight::zero() }
	fn set_price() -> Weight { Weight::zero() }
	fn set_metadata() -> Weight { Weight::zero() }
	fn offer_ownership() -> Weight { Weight::zero() }
	fn accept_ownership(_v: u32) -> Weight { Weight::zero() }
	fn deprecate() -> Weight { Weight::zero() }
	fn retire(_v: u32) -> Weight { Weight::zero() }
	fn approve_version() -> Weight { Weight::zero() }
	fn reject_version() -> Weight { Weight::zero() }
	fn suspend_version(_v: u32) -> Weight { Weight::zero() }
}
