//! Mock runtime: balances and data rewards; [`ExtBuilder`] for what a test starts from.

use crate as pallet_data_rewards;
use crate::*;
use frame_support::{
	assert_ok, parameter_types,
	traits::{ConstU32, ConstU64},
	BoundedVec, PalletId,
};
use frame_system::EnsureRootWithSuccess;
use sp_core::H256;
use sp_runtime::Permill;

pub type Balance = u64;
/// 16 bytes: room for a dataset's sub-account (`modl` ‖ pallet id ‖ dataset id).
pub type AccountId = u128;

infera_test_support::mock_runtime! {
	runtime: Test,
	block: frame_system::mocking::MockBlock<Test>,
	account_id: AccountId,
	existential_deposit: ConstU64<5>,
	pallets: { 2 => DataRewards: pallet_data_rewards },
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

/// The dataset [`ExtBuilder::with_dataset`] creates.
pub const DATASET: DatasetId = 0;

/// What a test's chain starts from. By default every account in `1..=20` holds 10,000 and
/// the treasury 100,000, at block 1; the `with_*` methods add to that through the pallet's
/// own calls.
pub struct ExtBuilder {
	balances: Vec<(AccountId, Balance)>,
	dataset_budget: Option<Balance>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		let mut balances: Vec<(AccountId, Balance)> = (1..=20).map(|who| (who, 10_000)).collect();
		balances.push((TREASURY, 100_000));
		Self { balances, dataset_budget: None }
	}
}

impl ExtBuilder {
	/// Each `(who, amount)`: `who` holds `amount` at genesis instead of the default.
	pub fn with_balances(mut self, balances: &[(AccountId, Balance)]) -> Self {
		for (who, amount) in balances {
			self.balances.retain(|(account, _)| account != who);
			self.balances.push((*who, *amount));
		}
		self
	}

	/// Dataset [`DATASET`], created by [`SPONSOR`] with [`CURATORS`], quorum 2, no cap per
	/// era and `budget` in its pot (see [`create_default`]).
	pub fn with_dataset(mut self, budget: Balance) -> Self {
		self.dataset_budget = Some(budget);
		self
	}

	/// The chain, at block 1.
	pub fn build(self) -> sp_io::TestExternalities {
		let mut ext = infera_test_support::ext::funded::<Test>(self.balances);
		ext.execute_with(|| {
			if let Some(budget) = self.dataset_budget {
				assert_eq!(create_default(budget), DATASET);
			}
		});
		ext
	}

	/// Runs `test` on the chain, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		infera_test_support::ext::execute_and_check(self.build(), test, DataRewards::do_try_state);
	}
}

/// The default chain, for the benchmarks' test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}

/// Runs the blocks up to `n` through every pallet's hooks.
pub fn run_to_block(n: u64) {
	infera_test_support::run_to_block::<Test, AllPalletsWithSystem>(n);
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
