//! A mock runtime with balances and the registry, small limits to reach every bound.

use crate as pallet_model_registry;
use crate::*;
use frame_support::{assert_ok, traits::ConstU64, BoundedVec};
use infera_test_support::minilm;
use sp_core::H256;

pub type Balance = u64;
pub type AccountId = u64;

infera_test_support::mock_runtime! {
	runtime: Test,
	block: frame_system::mocking::MockBlock<Test>,
	account_id: AccountId,
	existential_deposit: ConstU64<1>,
	pallets: { 2 => Registry: pallet_model_registry },
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

infera_test_support::impl_model_registry_config! {
	runtime: Test,
	datasets: TenDatasets,
	deposit_base: ConstU64<100>,
	deposit_per_byte: ConstU64<1>,
	max_routable_models: 3,
}

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// Has less than one deposit.
pub const PAUPER: AccountId = 4;
pub const INITIAL_BALANCE: Balance = 1_000_000;

/// The model [`ExtBuilder::with_model`] or [`ExtBuilder::with_approved_model`] registers
/// first.
pub const MODEL: ModelId = 0;

/// What a test's chain starts from. By default [`ALICE`], [`BOB`] and [`CHARLIE`] hold
/// [`INITIAL_BALANCE`] and [`PAUPER`] 50, at block 1; the `with_*` methods add models
/// through the registry's own calls, with ids from [`MODEL`] on in the order given.
pub struct ExtBuilder {
	balances: Vec<(AccountId, Balance)>,
	/// Owner, weights seed, price, and whether version 1 is approved.
	models: Vec<(AccountId, u8, Balance, bool)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			balances: vec![
				(ALICE, INITIAL_BALANCE),
				(BOB, INITIAL_BALANCE),
				(CHARLIE, INITIAL_BALANCE),
				(PAUPER, 50),
			],
			models: Vec::new(),
		}
	}
}

impl ExtBuilder {
	/// An embedding model of `owner` (see [`register`]), its version 1 pending.
	pub fn with_model(mut self, owner: AccountId, seed: u8, price: Balance) -> Self {
		self.models.push((owner, seed, price, false));
		self
	}

	/// An embedding model of `owner` (see [`register`]), its version 1 approved.
	pub fn with_approved_model(mut self, owner: AccountId, seed: u8, price: Balance) -> Self {
		self.models.push((owner, seed, price, true));
		self
	}

	/// The chain, at block 1.
	pub fn build(self) -> sp_io::TestExternalities {
		let mut ext = infera_test_support::ext::funded::<Test>(self.balances);
		ext.execute_with(|| {
			for (owner, seed, price, approved) in self.models {
				if approved {
					register_approved(owner, seed, price);
				} else {
					register(owner, seed, price);
				}
			}
		});
		ext
	}

	/// Runs `test` on the chain, then checks the registry's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		infera_test_support::ext::execute_and_check(self.build(), test, Registry::do_try_state);
	}
}

/// The default chain, for the benchmarks' test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}

pub fn bounded<S: frame_support::traits::Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
	BoundedVec::try_from(bytes.to_vec()).expect("test value within bound")
}

/// The MiniLM artifacts with weights digest `seed`.
pub fn artifacts(seed: u8) -> Artifacts<Test> {
	infera_test_support::minilm_artifacts!(pallet_model_registry, H256::repeat_byte(seed))
}

/// Registers an embedding model of `owner` priced `price` with weights `seed`, version 1
/// trained on datasets 1 and 2; returns its id.
pub fn register(owner: AccountId, seed: u8, price: Balance) -> ModelId {
	register_for(owner, seed, price, TaskKind::TextEmbedding)
}

pub fn register_for(owner: AccountId, seed: u8, price: Balance, task: TaskKind) -> ModelId {
	let id = NextModelId::<Test>::get();
	assert_ok!(Registry::register_model(
		RuntimeOrigin::signed(owner),
		bounded(minilm::NAME),
		task,
		bounded(minilm::LICENCE),
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
	assert_ok!(Registry::approve_version(RuntimeOrigin::root(), id, 1));
	id
}

pub fn held(who: AccountId) -> Balance {
	Registry::held_deposits(&who)
}

pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}
