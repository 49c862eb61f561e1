//! Benchmarks of every call at its worst case: the longest texts, the most curators, a
//! finished era rolled in the same call, and a full block of expiring reviews.

use super::*;
use crate::{pallet::*, Pallet as DataRewards};
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::{Inspect, Mutate}, Get},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_core::H256;
use sp_runtime::traits::{One, Saturating};

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = T::Currency::minimum_balance()
		.saturating_mul(1_000_000u32.into())
		.saturating_add(T::DatasetDeposit::get())
		.saturating_add(T::ContributionDeposit::get().saturating_mul(1_000u32.into()));
	T::Currency::set_balance(&who, amount);
	who
}

fn full<S: Get<u32>>(byte: u8) -> BoundedVec<u8, S> {
	BoundedVec::truncate_from(vec![byte; S::get() as usize])
}

fn spec<T: Config>() -> DatasetSpec<T> {
	DatasetSpec {
		name: full(b'n'),
		description: full(b'd'),
		licence: full(b'l'),
		format: full(b'f'),
		rules: full(b'r'),
		rules_digest: H256::repeat_byte(7),
	}
}

fn policy<T: Config>(curators: u32, quorum: u32) -> ReviewPolicy<T> {
	let curators: alloc::vec::Vec<_> = (0..curators).map(|i| funded::<T>("curator", i)).collect();
	ReviewPolicy {
		curators: BoundedVec::truncate_from(curators),
		quorum,
		reward_per_era: Some(T::Currency::minimum_balance().saturating_mul(10u32.into())),
	}
}

fn dataset<T: Config>(curators: u32, quorum: u32) -> DatasetId {
	let sponsor = funded::<T>("sponsor", 0);
	let budget = T::Currency::minimum_balance().saturating_mul(100u32.into());
	let id = NextDatasetId::<T>::get();
	DataRewards::<T>::do_create_dataset(sponsor, spec::<T>(), policy::<T>(curators, quorum), budget)
		.expect("funded sponsor and valid policy");
	id
}

fn submit_contribution<T: Config>(dataset: DatasetId, who: &T::AccountId, seed: u32) -> ContributionId {
	let id = NextContributionId::<T>::get();
	DataRewards::<T>::do_contribute(
		who.clone(),
		dataset,
		digest_of(seed),
		1 << 20,
		full(b'u'),
		Some(full(b'x')),
	)
	.expect("a fresh digest within the limits");
	id
}

/// A distinct content digest per seed.
fn digest_of(seed: u32) -> H256 {
	let mut bytes = [1u8; 32];
	bytes[..4].copy_from_slice(&seed.to_le_bytes());
	H256(bytes)
}

/// Moves to the first block of the next era.
fn next_era<T: Config>() {
	let next = CurrentEra::<T>::get().started_at.saturating_add(T::EraLength::get());
	frame_system::Pallet::<T>::set_block_number(next);
	assert!(DataRewards::<T>::advance_era(next));
}

/// Leaves `dataset` with accepted points in its era and funds sent straight to its account,
/// so the next touch finishes the era and sweeps the funds.
fn era_to_roll<T: Config>(dataset: DatasetId) {
	let contributor = funded::<T>("roller", 0);
	let id = submit_contribution::<T>(dataset, &contributor, 1_000_000);
	let curators = Datasets::<T>::get(dataset).expect("created").policy.curators;
	for curator in curators {
		DataRewards::<T>::do_review(curator, id, Vote::Accept { quality: MAX_QUALITY }).expect("pending");
	}
	T::Currency::transfer(
		&funded::<T>("donor", 0),
		&DataRewards::<T>::dataset_account(dataset),
		T::Currency::minimum_balance(),
		frame_support::traits::tokens::Preservation::Preserve,
	)
	.expect("funded donor");
	next_era::<T>();
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_dataset(c: Linear<1, { T::MaxCurators::get() }>) {
		let sponsor = funded::<T>("sponsor", 0);
		let policy = policy::<T>(c, c);
		let budget = T::Currency::minimum_balance().saturating_mul(100u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(sponsor), spec::<T>(), policy, budget);
		assert!(Datasets::<T>::contains_key(0));
	}

	#[benchmark]
	fn top_up() {
		let id = dataset::<T>(1, 1);
		era_to_roll::<T>(id);
		let who = funded::<T>("funder", 0);
		let amount = T::Currency::minimum_balance();
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id, amount);
		assert_eq!(EraRewards::<T>::iter_prefix(id).count(), 1);
	}

	#[benchmark]
	fn update_policy(c: Linear<1, { T::MaxCurators::get() }>) {
		let id = dataset::<T>(1, 1);
		let sponsor = Datasets::<T>::get(id).expect("created").sponsor;
		let policy = policy::<T>(c, c);
		#[extrinsic_call]
		_(RawOrigin::Signed(sponsor), id, policy);
		assert_eq!(Datasets::<T>::get(id).expect("created").policy.curators.len() as u32, c);
	}

	#[benchmark]
	fn contribute() {
		let id = dataset::<T>(1, 1);
		era_to_roll::<T>(id);
		let who = funded::<T>("contributor", 0);
		// An earlier contribution this era: the rate-limit counter is read and written.
		submit_contribution::<T>(id, &who, 0);
		let digest = H256::repeat_byte(9);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id, digest, 1 << 20, full(b'u'), Some(full(b'x')));
		assert!(ContributionDigests::<T>::contains_key(id, digest));
	}

	/// The last of `c` curators' votes rejects, deciding the contribution: every voter's
	/// standing is updated, the penalty moves to the pot and the rest of the deposit returns,
	/// after rolling a finished era.
	#[benchmark]
	fn review(c: Linear<1, { T::MaxCurators::get() }>) {
		let id = dataset::<T>(c, c);
		era_to_roll::<T>(id);
		let contributor = funded::<T>("contributor", 0);
		let contribution = submit_contribution::<T>(id, &contributor, 0);
		let curators = Datasets::<T>::get(id).expect("created").policy.curators;
		let reject = Vote::Reject { reason: RejectReason::LowQuality };
		for curator in curators.iter().take(c as usize - 1) {
			DataRewards::<T>::do_review(curator.clone(), contribution, reject).expect("pending");
		}
		let last = curators.last().expect("at least one curator").clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(last), contribution, reject);
		assert!(matches!(
			Contributions::<T>::get(contribution).expect("stored").status,
			ContributionStatus::Rejected { .. }
		));
	}

	/// The last claim of a finished era, rolled by the claim itself: pays the share and
	/// returns the era's dust to the pot.
	#[benchmark]
	fn claim() {
		let id = dataset::<T>(1, 1);
		let contributor = funded::<T>("contributor", 0);
		let contribution = submit_contribution::<T>(id, &contributor, 0);
		let curator = Datasets::<T>::get(id).expect("created").policy.curators[0].clone();
		DataRewards::<T>::do_review(curator, contribution, Vote::Accept { quality: 3 }).expect("pending");
		next_era::<T>();
		let caller = funded::<T>("caller", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), contribution);
		assert!(EraRewards::<T>::iter_prefix(id).next().is_none());
	}

	/// `e` pending contributions whose review window ends in one block.
	#[benchmark]
	fn expire_reviews(e: Linear<0, { T::MaxReviewsPerBlock::get() }>) {
		let id = dataset::<T>(1, 1);
		for seed in 0..e {
			let who = funded::<T>("contributor", seed);
			submit_contribution::<T>(id, &who, seed);
		}
		let due: BlockNumberFor<T> = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::ReviewWindow::get())
			.saturating_add(One::one());
		#[block]
		{
			DataRewards::<T>::expire_reviews(due);
		}
		assert_eq!(Datasets::<T>::get(id).expect("created").pending, 0);
	}

	/// `p` expired contributions whose retention ends in one block are removed.
	#[benchmark]
	fn prune_contributions(p: Linear<0, { T::MaxReviewsPerBlock::get() }>) {
		let id = dataset::<T>(1, 1);
		for seed in 0..p {
			let who = funded::<T>("contributor", seed);
			submit_contribution::<T>(id, &who, seed);
		}
		let due: BlockNumberFor<T> = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::ReviewWindow::get())
			.saturating_add(One::one());
		DataRewards::<T>::expire_reviews(due);
		let at = due.saturating_add(T::ContributionRetention::get());
		#[block]
		{
			DataRewards::<T>::prune_contributions(at);
		}
		assert_eq!(Contributions::<T>::iter().count(), 0);
	}

	impl_benchmark_test_suite!(DataRewards, crate::mock::new_test_ext(), crate::mock::Test);
}
