//! Mock runtime: balances, the real model registry and compute jobs, and the accounts and
//! values the tests use. What a test starts from is in `mock/builder.rs`.

use crate as pallet_compute_jobs;
use crate::*;
use codec::Encode;
use frame_support::{
	parameter_types,
	traits::{ConstU32, ConstU64, ConstU8},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::Permill;

mod builder;
pub use builder::*;

pub type Balance = u64;
pub type AccountId = u64;

infera_test_support::mock_runtime! {
	runtime: Test,
	block: frame_system::mocking::MockBlock<Test>,
	account_id: AccountId,
	existential_deposit: ExistentialDeposit,
	pallets: {
		2 => Registry: pallet_model_registry,
		3 => ComputeJobs: pallet_compute_jobs,
	},
}

parameter_types! {
	/// A governance parameter in the runtime; tests change it with `ReplicaLimit::set`.
	pub static ReplicaLimit: u32 = 5;
}

infera_test_support::impl_model_registry_config! {
	runtime: Test,
	datasets: (),
	deposit_base: ConstU64<10>,
	deposit_per_byte: ConstU64<0>,
	max_routable_models: 8,
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
	type MaxReadyVersions = ConstU32<4>;
	type MaxNewTokens = ConstU32<64>;
	type TokenFee = ConstU64<1>;
	type GenerationMarginTolerance = ConstU8<4>;
	type GenerationMaxDeficit = ConstU8<8>;
	type GenerationMeanMarginTolerance = ConstU8<2>;
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
/// Price of the model [`ExtBuilder::with_approved_model`] registers.
pub const PRICE: Balance = 20;
/// The model [`ExtBuilder::with_approved_model`] registers.
pub const MODEL: ModelId = 0;
/// Each worker's bond (the minimum) as [`workers`] registers it.
pub const BOND: Balance = 1_000;

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
