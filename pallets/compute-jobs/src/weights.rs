//! PROVISIONAL (work-in-progress branch): replaced by `scripts/benchmark-weights
//! pallet_compute_jobs` output once the pallet is wired into the runtime.

#![allow(missing_docs)]
use frame_support::weights::Weight;

pub trait WeightInfo {
	fn register_worker(m: u32) -> Weight;
	fn bond_more() -> Weight;
	fn set_served_models(m: u32) -> Weight;
	fn pause() -> Weight;
	fn resume() -> Weight;
	fn unbond() -> Weight;
	fn withdraw_bond(m: u32) -> Weight;
	fn submit_job() -> Weight;
	fn cancel_job() -> Weight;
	fn commit_result() -> Weight;
	fn reveal_result(r: u32) -> Weight;
	fn on_initialize(closed: u32, assigned: u32) -> Weight;
}

impl WeightInfo for () {
	fn register_worker(_m: u32) -> Weight { Weight::zero() }
	fn bond_more() -> Weight { Weight::zero() }
	fn set_served_models(_m: u32) -> Weight { Weight::zero() }
	fn pause() -> Weight { Weight::zero() }
	fn resume() -> Weight { Weight::zero() }
	fn unbond() -> Weight { Weight::zero() }
	fn withdraw_bond(_m: u32) -> Weight { Weight::zero() }
	fn submit_job() -> Weight { Weight::zero() }
	fn cancel_job() -> Weight { Weight::zero() }
	fn commit_result() -> Weight { Weight::zero() }
	fn reveal_result(_r: u32) -> Weight { Weight::zero() }
	fn on_initialize(_closed: u32, _assigned: u32) -> Weight { Weight::zero() }
}
