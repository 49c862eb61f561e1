//! PROVISIONAL weights for `pallet_data_rewards`, to be replaced by the output of
//! `scripts/benchmark-weights pallet_data_rewards`.

#![allow(unused_parens)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// The weight of each call of `pallet_data_rewards`.
pub trait WeightInfo {
	fn create_dataset(c: u32, ) -> Weight;
	fn top_up() -> Weight;
	fn update_policy(c: u32, ) -> Weight;
	fn contribute() -> Weight;
	fn review(c: u32, ) -> Weight;
	fn claim() -> Weight;
	fn expire_reviews(e: u32, ) -> Weight;
}

fn provisional<D: Get<frame_support::weights::RuntimeDbWeight>>(reads: u64, writes: u64, per: u32, per_reads: u64, per_writes: u64) -> Weight {
	Weight::from_parts(200_000_000, 10_000)
		.saturating_add(Weight::from_parts(20_000_000, 3_000).saturating_mul(per.into()))
		.saturating_add(D::get().reads_writes(reads, writes))
		.saturating_add(D::get().reads_writes(per_reads.saturating_mul(per.into()), per_writes.saturating_mul(per.into())))
}

/// Weights with database costs from the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn create_dataset(c: u32, ) -> Weight { provisional::<T::DbWeight>(3, 4, c, 0, 0) }
	fn top_up() -> Weight { provisional::<T::DbWeight>(3, 3, 0, 0, 0) }
	fn update_policy(c: u32, ) -> Weight { provisional::<T::DbWeight>(1, 1, c, 0, 0) }
	fn contribute() -> Weight { provisional::<T::DbWeight>(8, 9, 0, 0, 0) }
	fn review(c: u32, ) -> Weight { provisional::<T::DbWeight>(7, 7, c, 1, 1) }
	fn claim() -> Weight { provisional::<T::DbWeight>(6, 6, 0, 0, 0) }
	fn expire_reviews(e: u32, ) -> Weight { provisional::<T::DbWeight>(1, 1, e, 5, 5) }
}

impl WeightInfo for () {
	fn create_dataset(c: u32, ) -> Weight { provisional::<RocksDbWeight>(3, 4, c, 0, 0) }
	fn top_up() -> Weight { provisional::<RocksDbWeight>(3, 3, 0, 0, 0) }
	fn update_policy(c: u32, ) -> Weight { provisional::<RocksDbWeight>(1, 1, c, 0, 0) }
	fn contribute() -> Weight { provisional::<RocksDbWeight>(8, 9, 0, 0, 0) }
	fn review(c: u32, ) -> Weight { provisional::<RocksDbWeight>(7, 7, c, 1, 1) }
	fn claim() -> Weight { provisional::<RocksDbWeight>(6, 6, 0, 0, 0) }
	fn expire_reviews(e: u32, ) -> Weight { provisional::<RocksDbWeight>(1, 1, e, 5, 5) }
}
