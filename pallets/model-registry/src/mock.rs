//! A mock runtime with balances and the registry, small limits to reach every bound.

use crate as pallet_model_registry;
use crate::*;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
	BoundedVec,
};
use frame_system::EnsureRoot;
use sp_core::H256;
use sp_runtime::{BuildStorage, Permill};

type Block = frame_system::mocking::MockBlock<Test>;
pub type Balance = u64;
pub type AccountId = u64;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(2)]
	pub type Registry = pallet_model_registry;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU64<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// Datasets 0..10 exist.
pub struct TenDatasets;
impl DatasetRegistry for TenDatasets {
	fn dataset_exists(dataset: DatasetId) -> bool {
		dataset < 10
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_datasets(count: u32) {
		assert!(count <= 10, "the mock knows datasets 0..10");
	}
}

parameter_types! {
	pub const PriceWeight: Permill = Permill::from_percent(30);
	pub const LatencyWeight: Permill = Permill::from_percent(30);
	pub const AgreementWeight: Permill = Permill::from_percent(40);
}

impl Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Datasets = TenDatasets;
	type DepositBase = ConstU64<100>;
	type DepositPerByte = ConstU64<1>;
	type MaxNameLen = ConstU32<32>;
	type MaxLicenceLen = ConstU32<32>;
	type MaxUrlLen = ConstU32<64>;
	type MaxCidLen = ConstU32<40>;
	type MaxReasonLen = ConstU32<32>;
	type MaxDatasets = ConstU32<4>;
	type MaxVersions = ConstU32<4>;
	type MaxRoutableModels = ConstU32<3>;
	type PriceWeight = PriceWeight;
	type LatencyWeight = LatencyWeight;
	type AgreementWeight = AgreementWeight;
	type LatencyReference = ConstU32<10>;
	type WeightInfo = ();
}

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// Has less than one deposit.
pub const PAUPER: AccountId = 4;
pub const INITIAL_BALANCE: Balance = 1_000_000;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(ALICE, INITIAL_BALANCE),
			(BOB, INITIAL_BALANCE),
			(CHARLIE, INITIAL_BALANCE),
			(PAUPER, 50),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` on a fresh chain, then checks the registry's invariants.
pub fn run_test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Registry::do_try_state().expect("registry invariants hold");
	});
}

pub fn bounded<S: frame_support::traits::Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
	BoundedVec::try_from(bytes.to_vec()).expect("test value within bound")
}

/// Safetensors artifacts with weights digest `seed`, fetched over HTTPS.
pub fn artifacts(seed: u8) -> Artifacts<Test> {
	Artifacts {
		format: ArtifactFormat::Safetensors,
		weights: H256::repeat_byte(seed),
		tokenizer: Some(H256::repeat_byte(0xaa)),
		config: Some(H256::repeat_byte(0xbb)),
		size_bytes: 90_000_000,
		location: ArtifactLocation {
			url: Some(bounded(b"https://models.example/minilm")),
			cid: None,
		},
	}
}

/// Registers an embedding model of `owner` priced `price` with weights `seed`, version 1
/// trained on datasets 1 and 2; returns its id.
pub fn register(owner: AccountId, seed: u8, price: Balance) -> ModelId {
	register_for(owner, seed, price, TaskKind::TextEmbedding)
}

pub fn register_for(owner: AccountId, seed: u8, price: Balance, task: TaskKind) -> ModelId {
	let id = NextModelId::<Test>::get();
	frame_support::assert_ok!(Registry::register_model(
		RuntimeOrigin::signed(owner),
		bounded(b"all-MiniLM-L6-v2"),
		task,
		bounded(b"Apache-2.0"),
		price,
		None,
		datasets(&[1, 2]),
		artifacts(seed),
	));
	id
}

/// A lineage of the given datasets (0..10 exist).
pub fn datasets(ids: &[DatasetId]) -> DatasetsOf<Test> {
	BoundedVec::try_from(ids.to_vec()).expect("test lineage within MaxDatasets")
}

/// Registers and approves version 1.
pub fn register_approved(owner: AccountId, seed: u8, price: Balance) -> ModelId {
	let id = register(owner, seed, price);
	frame_support::assert_ok!(Registry::approve_version(RuntimeOrigin::root(), id, 1));
	id
}

pub fn held(who: AccountId) -> Balance {
	Registry::held_deposits(&who)
}

pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}
