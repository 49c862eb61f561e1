//! # Data rewards
//!
//! Curated datasets whose contributors are paid for accepted data:
//!
//! - **Datasets** ([`datasets`]): a sponsor creates a dataset (name, description, licence,
//!   format, acceptance rules as text and digest), names its curators and quorum, and funds
//!   its reward pot; anyone can top the pot up. `TreasuryOrigin` (the treasurer track or root)
//!   creates public datasets funded by the treasury, within the same per-spend limit as
//!   its treasury spends, and governs their policy; a sponsor's dataset answers to its
//!   sponsor alone, so no track can redirect a sponsor's pot. Each dataset has
//!   its own keyless account (a sub-account of `PalletId`) holding its pot and what it owes;
//!   the account is opened with `DatasetDeposit`, which stays in it.
//! - **Contributions** ([`contributions`]): anyone submits content by SHA-256, size, URL and
//!   an optional label, holding `ContributionDeposit`. A digest can be in a dataset only
//!   once (unless rejected or expired), and each account makes at most
//!   `MaxContributionsPerEra` contributions per era.
//! - **Review** ([`review`]): curators vote accept (with a quality score) or reject (with a
//!   reason) within `ReviewWindow` blocks. `quorum` matching votes decide. Curators who voted
//!   against a decision, or did not vote on a review that expired, get a strike; those who
//!   voted with a decision lose one; at
//!   `CuratorStrikeLimit` strikes a curator is removed (while more than `quorum` remain).
//!   Accepted contributions get their deposit back and earn
//!   `points = mean quality × (1 + ⌊log₂(1 + size / 1 KiB)⌋)`; rejected ones lose
//!   `RejectionPenalty` of it to the dataset's pot; undecided ones expire at the end of
//!   the window with their deposit returned. Rejected and expired contributions stay
//!   readable for `ContributionRetention` blocks after their review deadline, then
//!   `on_initialize` removes them with their index entries (one bounded bucket per block).
//! - **Rewards** ([`rewards`]): `on_initialize` starts a new era every `EraLength` blocks
//!   (a changed length applies from the next era). When a dataset's era has ended
//!   and the dataset is next touched (any call on it, a lineage payment, or a claim), the
//!   era's reward — the pot, or at most `reward_per_era` of it — moves from the pot to what
//!   the dataset owes, and each contribution accepted in that era can claim
//!   `reward × points / era points`, rounded down. Anyone may claim on a contributor's
//!   behalf; the reward always goes to the contributor, once. The rounding dust of an era
//!   returns to the pot when its last contribution has claimed. Every step is O(1): no
//!   loop over contributors or datasets.
//! - **Lineage** ([`lineage`]): the pallet is the compute-jobs pallet's
//!   [`LineageRewards`]: the data-lineage share of an inference fee is paid into the
//!   account of each dataset in the model's lineage and joins its pot. It is also the
//!   model registry's [`DatasetRegistry`]: models can only claim existing datasets.
//! - **Views** ([`views`]): datasets, contributions and pending rewards for the runtime API
//!   in `runtime-api/` and the `infera_*` JSON-RPC in `rpc/`. Contribution pages are read
//!   from indices sorted by id ([`OrderedId`]), only as far as the page goes.
//! - **Migrations** ([`migrations`]): storage layout upgrades.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod contributions;
pub mod datasets;
pub mod lineage;
pub mod migrations;
pub mod review;
pub mod rewards;
#[cfg(any(feature = "try-runtime", test))]
mod try_state;
pub mod types;
pub mod views;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use infera_primitives::{DatasetId, DatasetRegistry, LineageRewards, OrderedId};
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use frame_support::traits::fungible;

/// The balance type of the currency holding pots and deposits.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Mutate, MutateHold},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_core::H256;
	use sp_runtime::Permill;

	/// The storage layout version: 1 keyed the contribution indices by [`OrderedId`] and
	/// added [`PruneSchedule`].
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The hold reasons of this pallet, as part of the runtime's.
		type RuntimeHoldReason: From<HoldReason>;

		/// The currency of pots, rewards and deposits.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// Spends treasury money on public datasets and governs their policy. Its success
		/// value is the most one public dataset's budget may take from the treasury (the
		/// same limit as that origin's treasury spends).
		type TreasuryOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = BalanceOf<Self>>;

		/// Derives each dataset's account.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Pays for public datasets.
		type TreasuryAccount: Get<Self::AccountId>;

		/// Paid into a new dataset's account, where it stays (at least the existential
		/// deposit).
		#[pallet::constant]
		type DatasetDeposit: Get<BalanceOf<Self>>;

		/// Held for each contribution until it is decided or expires.
		#[pallet::constant]
		type ContributionDeposit: Get<BalanceOf<Self>>;

		/// Share of the deposit a rejected contribution loses to the dataset's pot.
		#[pallet::constant]
		type RejectionPenalty: Get<Permill>;

		/// Blocks curators have to decide a contribution.
		#[pallet::constant]
		type ReviewWindow: Get<BlockNumberFor<Self>>;

		/// Blocks per reward era.
		#[pallet::constant]
		type EraLength: Get<BlockNumberFor<Self>>;

		/// Most curators of one dataset.
		#[pallet::constant]
		type MaxCurators: Get<u32>;

		/// Strikes at which a curator is removed.
		#[pallet::constant]
		type CuratorStrikeLimit: Get<u32>;

		/// Most contributions one account makes in one era.
		#[pallet::constant]
		type MaxContributionsPerEra: Get<u32>;

		/// Most contributions whose review window ends in one block.
		#[pallet::constant]
		type MaxReviewsPerBlock: Get<u32>;

		/// Blocks a rejected or expired contribution stays readable after its review window
		/// ends; then it is removed with its index entries (accepted ones are the dataset's
		/// content and stay).
		#[pallet::constant]
		type ContributionRetention: Get<BlockNumberFor<Self>>;

		/// Longest name, licence or format, in bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;

		/// Longest description or rules text, in bytes.
		#[pallet::constant]
		type MaxDescriptionLen: Get<u32>;

		/// Longest contribution URL, in bytes.
		#[pallet::constant]
		type MaxUrlLen: Get<u32>;

		/// Longest contribution label, in bytes.
		#[pallet::constant]
		type MaxLabelLen: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A contribution's deposit, while it waits for review.
		#[codec(index = 0)]
		ContributionDeposit,
	}

	/// The current reward era. `on_initialize` starts the next one once `EraLength` blocks
	/// have passed, so a changed length applies from the next era on and eras never go back.
	#[pallet::storage]
	pub type CurrentEra<T: Config> = StorageValue<_, EraClock<BlockNumberFor<T>>, ValueQuery>;

	/// The id the next dataset gets.
	#[pallet::storage]
	pub type NextDatasetId<T> = StorageValue<_, DatasetId, ValueQuery>;

	/// Datasets. Sequential ids.
	#[pallet::storage]
	pub type Datasets<T: Config> = StorageMap<_, Twox64Concat, DatasetId, DatasetInfo<T>>;

	/// The id the next contribution gets.
	#[pallet::storage]
	pub type NextContributionId<T> = StorageValue<_, ContributionId, ValueQuery>;

	/// Contributions, in every status. Sequential ids.
	#[pallet::storage]
	pub type Contributions<T: Config> = StorageMap<_, Twox64Concat, ContributionId, Contribution<T>>;

	/// The pending or accepted contribution of each content digest in a dataset: the
	/// duplicate check. Digests are user-chosen, hence Blake2.
	#[pallet::storage]
	pub type ContributionDigests<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		DatasetId,
		Blake2_128Concat,
		H256,
		ContributionId,
		OptionQuery,
	>;

	/// Index of each dataset's contributions, keyed by [`OrderedId`]: read a page at a time
	/// in id order.
	#[pallet::storage]
	pub type DatasetContributions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DatasetId, Identity, OrderedId, (), OptionQuery>;

	/// Index of each account's contributions, keyed by [`OrderedId`]: read a page at a time
	/// in id order.
	#[pallet::storage]
	pub type ContributorContributions<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Identity,
		OrderedId,
		(),
		OptionQuery,
	>;

	/// Rejected and expired contributions to remove at a block: those of one review
	/// deadline, `ContributionRetention` blocks after it. Block numbers are sequential.
	#[pallet::storage]
	pub type PruneSchedule<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<ContributionId, T::MaxReviewsPerBlock>,
		ValueQuery,
	>;

	/// Contributions whose review window ends at a block. Block numbers are sequential.
	#[pallet::storage]
	pub type ReviewDeadlines<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<ContributionId, T::MaxReviewsPerBlock>,
		ValueQuery,
	>;

	/// The reward of each finished era of a dataset with points, until all of it is claimed.
	#[pallet::storage]
	pub type EraRewards<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		DatasetId,
		Twox64Concat,
		EraIndex,
		EraReward<BalanceOf<T>>,
		OptionQuery,
	>;

	/// How each curator's votes compared with its dataset's decisions.
	#[pallet::storage]
	pub type CuratorStandings<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		DatasetId,
		Blake2_128Concat,
		T::AccountId,
		CuratorStanding,
		ValueQuery,
	>;

	/// Per account, the era of its last contribution and how many it made in that era.
	#[pallet::storage]
	pub type ContributionCounts<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (EraIndex, u32), ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A dataset was created; `budget` went into its pot.
		DatasetCreated { dataset: DatasetId, sponsor: T::AccountId, account: T::AccountId, budget: BalanceOf<T> },
		/// A dataset's curators, quorum or payout changed.
		PolicyUpdated { dataset: DatasetId, curators: u32, quorum: u32, reward_per_era: Option<BalanceOf<T>> },
		/// Funds joined a dataset's pot: a top-up, a rejection penalty, rounding dust, or
		/// funds sent straight to its account (a treasury spend).
		PotFunded { dataset: DatasetId, amount: BalanceOf<T>, source: PotSource },
		/// A dataset received the data-lineage share of an inference fee.
		LineageReceived { dataset: DatasetId, amount: BalanceOf<T> },
		/// A contribution was submitted and its deposit held.
		Contributed { contribution: ContributionId, dataset: DatasetId, contributor: T::AccountId, digest: H256, size: u64 },
		/// A curator voted on a contribution.
		Voted { contribution: ContributionId, curator: T::AccountId, vote: Vote },
		/// A contribution was accepted; its deposit was returned.
		Accepted { contribution: ContributionId, era: EraIndex, points: u64 },
		/// A contribution was rejected; `penalty` of its deposit went to the pot.
		Rejected { contribution: ContributionId, reason: RejectReason, penalty: BalanceOf<T> },
		/// A contribution was not decided in time; its deposit was returned.
		ReviewExpired { contribution: ContributionId },
		/// A curator voted against the decision, or let a review expire without voting, once
		/// too often and was removed.
		CuratorRemoved { dataset: DatasetId, curator: T::AccountId, strikes: u32 },
		/// A curator did not vote on a contribution whose review expired: a strike.
		CuratorMissedReview { dataset: DatasetId, curator: T::AccountId, contribution: ContributionId },
		/// A new reward era started.
		NewEra { era: EraIndex },
		/// A dataset's era ended; `reward` moved from its pot to the era's contributions.
		EraFinished { dataset: DatasetId, era: EraIndex, reward: BalanceOf<T>, points: u128 },
		/// A contribution's reward was paid to its contributor.
		RewardPaid { contribution: ContributionId, contributor: T::AccountId, era: EraIndex, amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No dataset with this id.
		UnknownDataset,
		/// Dataset ids are exhausted.
		DatasetIdsExhausted,
		/// Only the sponsor or the admin origin may do this.
		NotSponsor,
		/// A public dataset's budget is above the origin's treasury spend limit.
		BudgetAboveLimit,
		/// A dataset needs at least one curator.
		NoCurators,
		/// A curator is listed twice.
		DuplicateCurator,
		/// The quorum must be `1..=curators`.
		InvalidQuorum,
		/// A top-up must be more than zero.
		ZeroAmount,
		/// No contribution with this id.
		UnknownContribution,
		/// Contribution ids are exhausted.
		ContributionIdsExhausted,
		/// The content's size must be more than zero.
		EmptyContent,
		/// A URL must not be empty.
		EmptyUrl,
		/// This content is already pending or accepted in the dataset.
		DuplicateContribution,
		/// The account made `MaxContributionsPerEra` contributions this era.
		RateLimited,
		/// Too many reviews already end in the block this one would; try next block.
		ReviewQueueFull,
		/// The caller is not a curator of the dataset.
		NotCurator,
		/// A curator cannot review their own contribution.
		OwnContribution,
		/// The contribution is no longer pending.
		NotPending,
		/// The curator already voted on this contribution.
		AlreadyVoted,
		/// A quality score must be `1..=100`.
		InvalidQuality,
		/// The contribution was not accepted.
		NotAccepted,
		/// The contribution's reward was already paid.
		AlreadyClaimed,
		/// The contribution's era has not finished yet.
		EraNotFinished,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Starts the next era when this one has lasted `EraLength` blocks, expires the
		/// contributions whose review window ended in the previous block (scheduling the
		/// undecided and rejected ones for pruning), and prunes those whose retention ends.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let era_started = Self::advance_era(now);
			let (expired, absences) = Self::expire_reviews(now);
			let pruned = Self::prune_contributions(now);
			// Each absent curator's standing is read and written on top of the benchmark,
			// and the prune bucket the deadline fills.
			T::WeightInfo::expire_reviews(expired)
				.saturating_add(T::WeightInfo::prune_contributions(pruned))
				.saturating_add(T::DbWeight::get().reads_writes(1, u64::from(era_started) + 1))
				.saturating_add(T::DbWeight::get().reads_writes(absences, absences))
		}

		fn integrity_test() {
			use sp_runtime::traits::Zero;
			assert!(!T::EraLength::get().is_zero(), "EraLength must be at least one block");
			assert!(!T::ReviewWindow::get().is_zero(), "ReviewWindow must be at least one block");
			assert!(T::MaxCurators::get() > 0, "MaxCurators must be at least one");
			assert!(T::MaxReviewsPerBlock::get() > 0, "MaxReviewsPerBlock must be at least one");
			assert!(
				Self::dataset_account(0) != Self::dataset_account(1) &&
					Self::dataset_account(1) != Self::dataset_account(DatasetId::MAX),
				"AccountId is too short to tell datasets' accounts apart"
			);
			assert!(
				T::DatasetDeposit::get() >= <T::Currency as fungible::Inspect<_>>::minimum_balance(),
				"DatasetDeposit must keep a dataset's account alive"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Creates a dataset sponsored by the caller, who pays `DatasetDeposit` and `budget`
		/// into its account.
		///
		/// Origin: signed. Emits [`Event::DatasetCreated`].
		/// Errors: [`Error::NoCurators`], [`Error::DuplicateCurator`], [`Error::InvalidQuorum`],
		/// [`Error::DatasetIdsExhausted`], or the currency's error.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_dataset(policy.curators.len() as u32))]
		pub fn create_dataset(
			origin: OriginFor<T>,
			spec: DatasetSpec<T>,
			policy: ReviewPolicy<T>,
			budget: BalanceOf<T>,
		) -> DispatchResult {
			let sponsor = ensure_signed(origin)?;
			Self::do_create_dataset(sponsor, spec, policy, budget)
		}

		/// Creates a public dataset: the treasury's account is its sponsor and pays
		/// `DatasetDeposit` and `budget`.
		///
		/// Origin: `TreasuryOrigin`, whose spend limit bounds `budget`. Emits
		/// [`Event::DatasetCreated`].
		/// Errors: [`Error::BudgetAboveLimit`], or as [`Pallet::create_dataset`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::create_dataset(policy.curators.len() as u32))]
		pub fn create_public_dataset(
			origin: OriginFor<T>,
			spec: DatasetSpec<T>,
			policy: ReviewPolicy<T>,
			budget: BalanceOf<T>,
		) -> DispatchResult {
			let limit = T::TreasuryOrigin::ensure_origin(origin)?;
			ensure!(budget <= limit, Error::<T>::BudgetAboveLimit);
			Self::do_create_dataset(T::TreasuryAccount::get(), spec, policy, budget)
		}

		/// Adds `amount` from the caller to a dataset's pot.
		///
		/// Origin: signed. Emits [`Event::PotFunded`] (and [`Event::EraFinished`] when the
		/// dataset's era had ended).
		/// Errors: [`Error::UnknownDataset`], [`Error::ZeroAmount`], or the currency's error.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::top_up())]
		pub fn top_up(origin: OriginFor<T>, dataset: DatasetId, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_top_up(who, dataset, amount)
		}

		/// Replaces a dataset's curators, quorum and payout. Votes already cast still count.
		///
		/// Origin: the sponsor; for a public dataset (sponsored by the treasury),
		/// `TreasuryOrigin`. Emits [`Event::PolicyUpdated`].
		/// Errors: [`Error::UnknownDataset`], [`Error::NotSponsor`], [`Error::NoCurators`],
		/// [`Error::DuplicateCurator`], [`Error::InvalidQuorum`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::update_policy(policy.curators.len() as u32))]
		pub fn update_policy(
			origin: OriginFor<T>,
			dataset: DatasetId,
			policy: ReviewPolicy<T>,
		) -> DispatchResult {
			let caller = match T::TreasuryOrigin::try_origin(origin) {
				Ok(_) => T::TreasuryAccount::get(),
				Err(origin) => ensure_signed(origin)?,
			};
			Self::do_update_policy(caller, dataset, policy)
		}

		/// Submits content to a dataset for review, holding `ContributionDeposit`.
		///
		/// Origin: signed. Emits [`Event::Contributed`].
		/// Errors: [`Error::UnknownDataset`], [`Error::EmptyContent`], [`Error::EmptyUrl`],
		/// [`Error::DuplicateContribution`], [`Error::RateLimited`],
		/// [`Error::ReviewQueueFull`], [`Error::ContributionIdsExhausted`], or the currency's
		/// error.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::contribute())]
		pub fn contribute(
			origin: OriginFor<T>,
			dataset: DatasetId,
			digest: H256,
			size: u64,
			url: UrlOf<T>,
			label: Option<LabelOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_contribute(who, dataset, digest, size, url, label)
		}

		/// Votes on a pending contribution. The vote that reaches the quorum decides it.
		///
		/// Origin: a curator of the contribution's dataset. Emits [`Event::Voted`], and on a
		/// decision [`Event::Accepted`] or [`Event::Rejected`] (plus
		/// [`Event::CuratorRemoved`], [`Event::PotFunded`], [`Event::EraFinished`] as they
		/// happen).
		/// Errors: [`Error::UnknownContribution`], [`Error::NotPending`],
		/// [`Error::NotCurator`], [`Error::OwnContribution`], [`Error::AlreadyVoted`],
		/// [`Error::InvalidQuality`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::review(T::MaxCurators::get()))]
		pub fn review(origin: OriginFor<T>, contribution: ContributionId, vote: Vote) -> DispatchResult {
			let curator = ensure_signed(origin)?;
			Self::do_review(curator, contribution, vote)
		}

		/// Pays an accepted contribution its share of its era's reward. Anyone may call it;
		/// the reward goes to the contributor.
		///
		/// Origin: signed. Emits [`Event::RewardPaid`] (and [`Event::EraFinished`],
		/// [`Event::PotFunded`] with the era's dust after its last claim).
		/// Errors: [`Error::UnknownContribution`], [`Error::NotAccepted`],
		/// [`Error::AlreadyClaimed`], [`Error::EraNotFinished`], or the currency's error.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::claim())]
		pub fn claim(origin: OriginFor<T>, contribution: ContributionId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_claim(contribution)
		}
	}
}

/// Where funds in a dataset's pot came from.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum PotSource {
	/// The `top_up` call.
	TopUp,
	/// A rejected contribution's penalty.
	Penalty,
	/// Rounding dust of a fully claimed era.
	Dust,
	/// Sent straight to the dataset's account (e.g. a treasury spend).
	Transfer,
}
