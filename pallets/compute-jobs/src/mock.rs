//! Mock runtime: balances, the real model registry and compute jobs.

use crate as pallet_compute_jobs;
use crate::*;
use codec::Encode;
use frame_system::pallet_prelude::BlockNumberFor;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
	BoundedVec,
};
use frame_system::EnsureRoot;
use pallet_model_registry::{ArtifactFormat, ArtifactLocation, Artifacts};
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
	#[runtime::pallet_index(3)]
	pub type ComputeJobs = pallet_compute_jobs;
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
	type ExistentialDeposit = ExistentialDeposit;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	/// A governance parameter in the runtime; tests change it with `ReplicaLimit::set`.
	pub static ReplicaLimit: u32 = 5;
}

parameter_types! {
	pub const PriceWeight: Permill = Permill::from_percent(30);
	pub const LatencyWeight: Permill = Permill::from_percent(30);
	pub const AgreementWeight: Permill = Permill::from_percent(40);
}

impl pallet_model_registry::Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Datasets = ();
	type DepositBase = ConstU64<10>;
	type DepositPerByte = ConstU64<0>;
	type MaxNameLen = ConstU32<32>;
	type MaxLicenceLen = ConstU32<32>;
	type MaxUrlLen = ConstU32<64>;
	type MaxCidLen = ConstU32<40>;
	type MaxReasonLen = ConstU32<32>;
	type MaxDatasets = ConstU32<4>;
	type MaxVersions = ConstU32<4>;
	type MaxRoutableModels = ConstU32<8>;
	type PriceWeight = PriceWeight;
	type LatencyWeight = LatencyWeight;
	type AgreementWeight = AgreementWeight;
	type LatencyReference = ConstU32<10>;
	type WeightInfo = ();
}

impl Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Models = Registry;
	type Randomness = MockVrf<Test>;
	type MinWorkerBond = ConstU64<1_000>;
	type UnbondingDelay = ConstU64<10>;
	type WorkerFee = ConstU64<5>;
	type MaxReplicas = ConstU32<5>;
	type ReplicaLimit = ReplicaLimit;
	/// `DRAW_DELAY` + `CommitWindow` + `RevealWindow`.
	type MinDeadline = ConstU64<8>;
	type MaxDeadline = ConstU64<100>;
	type MaxModelsPerWorker = ConstU32<3>;
	type MaxWorkersPerModel = ConstU32<4>;
	type MaxInputLen = ConstU32<64>;
	type MaxUrlLen = ConstU32<64>;
	type MaxOutputLen = ConstU32<16>;
	type CommitWindow = ConstU64<3>;
	type RevealWindow = ConstU64<2>;
	type MaxDeadlineSpill = ConstU32<2>;
	type MaxQueuedPerRequester = ConstU32<2>;
	type MaxStakeUnits = ConstU32<10>;
	type EmbeddingAgreement = EmbeddingAgreement;
	type DisagreeSlash = DisagreeSlash;
	type NoShowSlash = NoShowSlash;
	type ReputationStep = ReputationStep;
	type TreasuryShare = TreasuryShare;
	type TreasuryAccount = TreasuryAccount;
	type Lineage = MockLineage;
	type DataShare = DataShare;
	type MaxLineage = ConstU32<2>;
	type ClosedJobRetention = ConstU64<20>;
	type OffchainWorker = ();
	type MaxJobsPerBlock = ConstU32<4>;
	type MaxQueuedJobs = ConstU32<3>;
	type WeightInfo = ();
}

parameter_types! {
	pub const EmbeddingAgreement: Permill = Permill::from_percent(99);
	pub const DisagreeSlash: Permill = Permill::from_percent(10);
	pub const NoShowSlash: Permill = Permill::from_percent(1);
	pub const ReputationStep: Permill = Permill::from_percent(10);
	pub const TreasuryShare: Permill = Permill::from_percent(10);
	pub const TreasuryAccount: AccountId = TREASURY;
	pub const DataShare: Permill = Permill::from_percent(30);
	/// Settable so tests can make small payments fail to create accounts.
	pub static ExistentialDeposit: Balance = 1;
	/// Lineage income recorded through [`MockLineage`], in order.
	pub static LineageIncome: Vec<(DatasetId, Balance)> = Vec::new();
}

parameter_types! {
	/// When set, parent blocks carry no VRF output (as before BABE's first block).
	pub static VrfMissing: bool = false;
	/// Mixed into every block's mock VRF output, so tests can play "another output".
	pub static VrfSalt: u64 = 0;
}

/// Stands in for BABE's parent-block VRF output: a hash of the parent's number and
/// [`VrfSalt`], or none while [`VrfMissing`].
pub struct MockVrf<T>(core::marker::PhantomData<T>);
impl<T: frame_system::Config> frame_support::traits::Randomness<Option<H256>, BlockNumberFor<T>>
	for MockVrf<T>
{
	fn random(subject: &[u8]) -> (Option<H256>, BlockNumberFor<T>) {
		use sp_runtime::traits::{One, Saturating};
		let parent = frame_system::Pallet::<T>::block_number().saturating_sub(One::one());
		let output = (!VrfMissing::get())
			.then(|| H256(sp_io::hashing::blake2_256(&(subject, parent, VrfSalt::get()).encode())));
		(output, parent)
	}
}

/// Datasets 7 and 8 take lineage rewards into accounts 70 and 80; others take none.
pub struct MockLineage;
impl LineageRewards<AccountId, Balance> for MockLineage {
	fn lineage_account(dataset: DatasetId) -> Option<AccountId> {
		match dataset {
			7 => Some(70),
			8 => Some(80),
			_ => None,
		}
	}

	fn note_lineage_income(dataset: DatasetId, amount: Balance) {
		LineageIncome::mutate(|income| income.push((dataset, amount)));
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn lineage_recipient(seed: u32) -> DatasetId {
		7 + seed % 2
	}
}

pub const TREASURY: AccountId = 100;

pub const OWNER: AccountId = 1;
pub const REQUESTER: AccountId = 2;
pub const W1: AccountId = 11;
pub const W2: AccountId = 12;
pub const W3: AccountId = 13;
pub const W4: AccountId = 14;
pub const W5: AccountId = 15;
pub const POOR: AccountId = 99;
/// Funded accounts the random-sequence test uses as squatters.
pub const SQUATTERS: [AccountId; 4] = [31, 32, 33, 34];
pub const INITIAL_BALANCE: Balance = 100_000;
/// Price of the embedding model registered at genesis of every test.
pub const PRICE: Balance = 20;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances: Vec<_> =
		[OWNER, REQUESTER, W1, W2, W3, W4, W5].iter().map(|who| (*who, INITIAL_BALANCE)).collect();
	balances.push((POOR, 500));
	balances.extend(SQUATTERS.iter().map(|who| (*who, 5_000)));
	balances.push((TREASURY, 1));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Registers an approved embedding model of `OWNER` at `price` with weights `seed`.
pub fn approved_model(seed: u8, price: Balance) -> ModelId {
	approved_model_trained_on(seed, price, &[])
}

/// Like [`approved_model`], declaring it was trained on `datasets`.
pub fn approved_model_trained_on(seed: u8, price: Balance, datasets: &[DatasetId]) -> ModelId {
	let id = pallet_model_registry::NextModelId::<Test>::get();
	assert_ok!(Registry::register_model(
		RuntimeOrigin::signed(OWNER),
		BoundedVec::truncate_from(b"minilm".to_vec()),
		TaskKind::TextEmbedding,
		BoundedVec::truncate_from(b"Apache-2.0".to_vec()),
		price,
		None,
		BoundedVec::truncate_from(datasets.to_vec()),
		Artifacts {
			format: ArtifactFormat::Safetensors,
			weights: H256::repeat_byte(seed),
			tokenizer: Some(H256::repeat_byte(0xaa)),
			config: Some(H256::repeat_byte(0xbb)),
			size_bytes: 1_000,
			location: ArtifactLocation {
				url: Some(BoundedVec::truncate_from(b"file:///models/minilm".to_vec())),
				cid: None,
			},
		},
	));
	assert_ok!(Registry::approve_version(RuntimeOrigin::root(), id, 1));
	id
}

/// A fresh chain with one approved model (id 0, priced `PRICE`); checks both pallets'
/// invariants afterwards.
pub fn run_test(test: impl FnOnce(ModelId)) {
	new_test_ext().execute_with(|| {
		let model = approved_model(1, PRICE);
		test(model);
		ComputeJobs::do_try_state().expect("compute-jobs invariants hold");
	});
}

pub fn models(ids: &[ModelId]) -> ServedModelsOf<Test> {
	BoundedVec::truncate_from(ids.to_vec())
}

pub fn text(input: &[u8]) -> JobInput<Test> {
	JobInput::Inline(BoundedVec::truncate_from(input.to_vec()))
}

pub fn worker_bond(who: AccountId) -> Balance {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&HoldReason::WorkerBond.into(), &who)
}

pub fn escrow_of(who: AccountId) -> Balance {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&HoldReason::JobEscrow.into(), &who)
}

pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}
