//! Mock runtime: balances and data rewards.

use crate as pallet_data_rewards;
use crate::*;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
	BoundedVec, PalletId,
};
use frame_system::EnsureRootWithSuccess;
use sp_core::H256;
use sp_runtime::{BuildStorage, Permill};

type Block = frame_system::mocking::MockBlock<Test>;
pub type Balance = u64;
/// 16 bytes: room for a dataset's sub-account (`modl` ‖ pallet id ‖ dataset id).
pub type AccountId = u128;

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
	pub type DataRewards = pallet_data_rewards;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU64<5>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const TREASURY: AccountId = 99;
pub const SPONSOR: AccountId = 1;
/// Curators of the default dataset.
pub const CURATORS: [AccountId; 3] = [11, 12, 13];
pub const ALICE: AccountId = 2;
pub const BOB: AccountId = 3;
pub const DATASET_DEPOSIT: Balance = 10;
/// Most a public dataset's budget may take from the treasury.
pub const PUBLIC_LIMIT: Balance = 5_000;
pub const DEPOSIT: Balance = 100;
pub const ERA: u64 = 20;
pub const WINDOW: u64 = 10;

parameter_types! {
	pub const DataRewardsPalletId: PalletId = PalletId(*b"py/datar");
	pub const Treasury: AccountId = TREASURY;
	pub const RejectionPenalty: Permill = Permill::from_percent(50);
	pub const PublicLimit: Balance = PUBLIC_LIMIT;
}

impl Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	/// Root, spending at most `PUBLIC_LIMIT` per public dataset.
	type TreasuryOrigin = EnsureRootWithSuccess<AccountId, PublicLimit>;
	type PalletId = DataRewardsPalletId;
	type TreasuryAccount = Treasury;
	type DatasetDeposit = ConstU64<DATASET_DEPOSIT>;
	type ContributionDeposit = ConstU64<DEPOSIT>;
	type RejectionPenalty = RejectionPenalty;
	type ReviewWindow = ConstU64<WINDOW>;
	type EraLength = ConstU64<ERA>;
	type MaxCurators = ConstU32<4>;
	type CuratorStrikeLimit = ConstU32<2>;
	type MaxContributionsPerEra = ConstU32<3>;
	type MaxReviewsPerBlock = ConstU32<3>;
	type ContributionRetention = ConstU64<5>;
	type MaxNameLen = ConstU32<16>;
	type MaxDescriptionLen = ConstU32<32>;
	type MaxUrlLen = ConstU32<32>;
	type MaxLabelLen = ConstU32<8>;
	type WeightInfo = ();
}

/// Genesis: every account used in tests holds 10,000; the treasury 100,000.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances: Vec<(AccountId, Balance)> = (1..=20).map(|who| (who, 10_000)).collect();
	balances.push((TREASURY, 100_000));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` from block 1, then checks the pallet's invariants.
pub fn test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		DataRewards::do_try_state().expect("invariants hold");
	});
}

/// Moves to block `n`, running `on_initialize` of each block on the way.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		DataRewards::on_initialize(next);
	}
}

pub fn text<S: frame_support::traits::Get<u32>>(text: &str) -> BoundedVec<u8, S> {
	BoundedVec::truncate_from(text.as_bytes().to_vec())
}

pub fn spec() -> DatasetSpec<Test> {
	DatasetSpec {
		name: text("reviews-en"),
		description: text("English product reviews"),
		licence: text("CC-BY-4.0"),
		format: text("jsonl {text,label}"),
		rules: text("one review per line"),
		rules_digest: H256::repeat_byte(1),
	}
}

pub fn policy(curators: &[AccountId], quorum: u32, reward_per_era: Option<Balance>) -> ReviewPolicy<Test> {
	ReviewPolicy { curators: BoundedVec::truncate_from(curators.to_vec()), quorum, reward_per_era }
}

/// Creates dataset 0 sponsored by [`SPONSOR`] with [`CURATORS`], quorum 2, `budget` in
/// its pot and no cap per era.
pub fn create_default(budget: Balance) -> DatasetId {
	let id = NextDatasetId::<Test>::get();
	assert_ok!(DataRewards::create_dataset(
		RuntimeOrigin::signed(SPONSOR),
		spec(),
		policy(&CURATORS, 2, None),
		budget
	));
	id
}

pub fn digest(n: u64) -> H256 {
	H256::from_low_u64_be(n)
}

/// `who` contributes content `n` (1 KiB) to `dataset`; returns its id.
pub fn contribute(who: AccountId, dataset: DatasetId, n: u64) -> ContributionId {
	contribute_sized(who, dataset, n, 1024)
}

pub fn contribute_sized(who: AccountId, dataset: DatasetId, n: u64, size: u64) -> ContributionId {
	let id = NextContributionId::<Test>::get();
	assert_ok!(DataRewards::contribute(
		RuntimeOrigin::signed(who),
		dataset,
		digest(n),
		size,
		text("https://data.example/x"),
		None
	));
	id
}

pub fn accept(id: ContributionId, quality: u8) {
	for curator in &CURATORS[..2] {
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(*curator), id, Vote::Accept { quality }));
	}
}

pub fn held(who: AccountId) -> Balance {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&HoldReason::ContributionDeposit.into(), &who)
}

pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

pub fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::DataRewards(event) => Some(event),
			_ => None,
		})
		.collect()
}
