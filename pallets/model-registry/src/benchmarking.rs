//! Benchmarks of every call, at worst-case sizes: longest name, licence, URL and CID, the
//! most datasets and versions, and a full routing index.
//!
//! The datasets `0..d` named in lineages are made to exist in `T::Datasets` first
//! (`DatasetRegistry::ensure_datasets`).

use crate::{pallet::*, *};
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_core::H256;
use sp_runtime::traits::{Bounded, StaticLookup};

const TASK: TaskKind = TaskKind::TextEmbedding;

fn bounded<S: Get<u32>>(byte: u8, len: u32) -> BoundedVec<u8, S> {
	BoundedVec::truncate_from(vec![byte; len as usize])
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 4u32.into());
	who
}

/// A distinct weights digest per seed.
fn digest(seed: u64) -> H256 {
	let mut bytes = [0u8; 32];
	bytes[24..].copy_from_slice(&seed.to_be_bytes());
	H256(bytes)
}

/// Artifacts at their largest encoded size, with weights digest `seed`.
fn artifacts<T: Config>(seed: u64) -> Artifacts<T> {
	let mut url = b"https://".to_vec();
	url.resize(T::MaxUrlLen::get().max(9) as usize, b'a');
	let digest_len = T::MaxCidLen::get().saturating_sub(4).min(64);
	let mut cid = vec![0x01, 0x55, 0x12, digest_len as u8];
	cid.resize(4 + digest_len as usize, 7);
	Artifacts {
		format: ArtifactFormat::Safetensors,
		weights: digest(seed),
		tokenizer: Some(H256::repeat_byte(1)),
		config: Some(H256::repeat_byte(2)),
		size_bytes: u64::MAX,
		location: ArtifactLocation {
			url: Some(BoundedVec::truncate_from(url)),
			cid: Some(BoundedVec::truncate_from(cid)),
		},
	}
}

/// The lineage `0..d`, datasets that exist.
fn lineage<T: Config>(d: u32) -> DatasetsOf<T> {
	T::Datasets::ensure_datasets(d);
	BoundedVec::truncate_from((0..d).collect::<Vec<DatasetId>>())
}

/// Registers a model of `owner` at maximum sizes (every version with the longest lineage)
/// with `versions` versions, the first `approved` of which are approved.
fn model_with_versions<T: Config>(
	owner: &T::AccountId,
	seed: u64,
	versions: u32,
	approved: u32,
) -> ModelId {
	let model_id = NextModelId::<T>::get();
	Pallet::<T>::do_register_model(
		owner.clone(),
		bounded(b'n', T::MaxNameLen::get()),
		TASK,
		bounded(b'L', T::MaxLicenceLen::get()),
		1_000u32.into(),
		None,
		lineage::<T>(T::MaxDatasets::get()),
		artifacts::<T>(seed << 16),
	)
	.expect("fresh digest, funded owner; qed");
	for version in 2..=versions {
		Pallet::<T>::do_publish_version(
			owner.clone(),
			model_id,
			artifacts::<T>((seed << 16) + u64::from(version)),
			lineage::<T>(T::MaxDatasets::get()),
		)
		.expect("below MaxVersions, fresh digest; qed");
	}
	for version in 1..=approved {
		Pallet::<T>::do_approve_version(model_id, version).expect("pending version; qed");
	}
	model_id
}

/// Fills the task's routing index up to `MaxRoutableModels - free` with other model ids.
fn fill_routing<T: Config>(free: u32) {
	let filler: Vec<ModelId> =
		(0..T::MaxRoutableModels::get().saturating_sub(free)).map(|i| u32::MAX - i).collect();
	Routable::<T>::insert(TASK, BoundedVec::truncate_from(filler));
}

fn reason<T: Config>() -> ReasonOf<T> {
	bounded(b'r', T::MaxReasonLen::get())
}

fn admin<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_model(d: Linear<0, { T::MaxDatasets::get() }>) {
		let owner = funded::<T>("owner", 0);
		let parent = model_with_versions::<T>(&owner, 1, 1, 0);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner.clone()),
			bounded(b'n', T::MaxNameLen::get()),
			TASK,
			bounded(b'L', T::MaxLicenceLen::get()),
			1_000u32.into(),
			Some(parent),
			lineage::<T>(d),
			artifacts::<T>(2 << 16),
		);

		assert!(Models::<T>::contains_key(parent + 1));
	}

	/// With an empty lineage: the call's weight adds one database read per dataset named.
	#[benchmark]
	fn publish_version() {
		let owner = funded::<T>("owner", 0);
		let model_id = model_with_versions::<T>(&owner, 1, 1, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model_id, artifacts::<T>(99 << 16), BoundedVec::new());

		assert!(Versions::<T>::contains_key(model_id, 2));
	}

	#[benchmark]
	fn set_price() {
		let owner = funded::<T>("owner", 0);
		let model_id = model_with_versions::<T>(&owner, 1, 1, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model_id, 5_000u32.into());

		assert_eq!(Models::<T>::get(model_id).unwrap().price, 5_000u32.into());
	}

	#[benchmark]
	fn set_metadata() {
		let owner = funded::<T>("owner", 0);
		let model_id = model_with_versions::<T>(&owner, 1, 1, 0);
		// Shrink first, so the call grows the record and holds more.
		Pallet::<T>::do_set_metadata(
			owner.clone(),
			model_id,
			bounded(b'n', 1),
			bounded(b'L', 1),
		)
		.unwrap();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner),
			model_id,
			bounded(b'm', T::MaxNameLen::get()),
			bounded(b'M', T::MaxLicenceLen::get()),
		);

		assert_eq!(Models::<T>::get(model_id).unwrap().name.len() as u32, T::MaxNameLen::get());
	}

	#[benchmark]
	fn offer_ownership() {
		let owner = funded::<T>("owner", 0);
		let heir = funded::<T>("heir", 0);
		let model_id = model_with_versions::<T>(&owner, 1, 1, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model_id, Some(T::Lookup::unlookup(heir.clone())));

		assert_eq!(Models::<T>::get(model_id).unwrap().pending_owner, Some(heir));
	}

	#[benchmark]
	fn accept_ownership(v: Linear<1, { T::MaxVersions::get() }>) {
		let owner = funded::<T>("owner", 0);
		let heir = funded::<T>("heir", 0);
		let model_id = model_with_versions::<T>(&owner, 1, v, 0);
		Pallet::<T>::do_offer_ownership(owner, model_id, Some(heir.clone())).unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(heir.clone()), model_id);

		assert_eq!(Models::<T>::get(model_id).unwrap().owner, heir);
	}

	#[benchmark]
	fn deprecate() {
		let owner = funded::<T>("owner", 0);
		fill_routing::<T>(1);
		let model_id = model_with_versions::<T>(&owner, 1, 1, 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model_id);

		assert!(!Routable::<T>::get(TASK).contains(&model_id));
	}

	#[benchmark]
	fn retire(v: Linear<1, { T::MaxVersions::get() }>) {
		let owner = funded::<T>("owner", 0);
		fill_routing::<T>(1);
		let model_id = model_with_versions::<T>(&owner, 1, v, 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model_id);

		assert!(!Models::<T>::contains_key(model_id));
	}

	#[benchmark]
	fn approve_version() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		fill_routing::<T>(1);
		let model_id = model_with_versions::<T>(&owner, 1, 1, 0);
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model_id, 1);

		assert!(Routable::<T>::get(TASK).contains(&model_id));
		Ok(())
	}

	#[benchmark]
	fn reject_version() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let model_id = model_with_versions::<T>(&owner, 1, 1, 0);
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model_id, 1, reason::<T>());

		assert!(matches!(
			Versions::<T>::get(model_id, 1).unwrap().status,
			CurationStatus::Rejected { .. }
		));
		Ok(())
	}

	/// Suspends the current version `v` when no older version is approved: the fallback
	/// scans `v - 1` versions and the model leaves a full routing index.
	#[benchmark]
	fn suspend_version(v: Linear<1, { T::MaxVersions::get() }>) -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		fill_routing::<T>(1);
		let model_id = model_with_versions::<T>(&owner, 1, v, 0);
		Pallet::<T>::do_approve_version(model_id, v).unwrap();
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model_id, v, reason::<T>());

		assert_eq!(Models::<T>::get(model_id).unwrap().current_version, None);
		Ok(())
	}

	/// Amends the lineage of an approved version (stored with the longest lineage) to the
	/// `d` datasets `0..d`, each checked for existence.
	#[benchmark]
	fn amend_lineage(d: Linear<0, { T::MaxDatasets::get() }>) -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let model_id = model_with_versions::<T>(&owner, 1, 1, 1);
		let origin = admin::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model_id, 1, lineage::<T>(d));

		assert_eq!(Versions::<T>::get(model_id, 1).unwrap().datasets.len() as u32, d);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
