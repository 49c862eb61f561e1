//! # Compute jobs
//!
//! Escrowed inference jobs run by bonded workers (threat model: `docs/threat-model.md`):
//!
//! - **Workers**: bond ([`HoldReason::WorkerBond`]), serve approved models within capacity,
//!   top up, pause, resume, name an operator key for their node's duties, and leave after
//!   `UnbondingDelay`. Full model lists evict the weakest stake for a newcomer with more.
//! - **Readiness** ([`readiness`]): a worker is drawn only for the model versions its node
//!   holds, verified; its off-chain worker says so. An unpinned job runs the newest approved
//!   version enough workers hold.
//! - **Jobs**: a model at a quoted `max_price` (optionally a pinned version) or a task routed
//!   by `best_model`; inline or remote input; `max_fee` held ([`HoldReason::JobEscrow`]) to
//!   cover price + `WorkerFee` per replica + treasury share. Refused when too few active,
//!   ready workers could take it; full deadline buckets spill later; queue places are capped per
//!   requester. A queued job can be cancelled for a full refund.
//! - **Assignment** ([`assignment`]): distinct eligible workers drawn without replacement,
//!   weighted by stake × reputation, only while the deadline leaves `CommitWindow +
//!   RevealWindow`; otherwise the job waits in the queue. A job is drawn
//!   [`DRAW_DELAY`] blocks after its submission, from a beacon that has folded in two
//!   block authors' VRF outputs produced after it: nobody knew the seed when it was
//!   submitted.
//! - **Results** ([`results`]): workers commit to a [`Verdict`] (an output or a typed
//!   failure), bound to chain, job and worker, then reveal. Valid duties are free.
//! - **Agreement** ([`agreement`]) is tolerance-aware; the majority cluster must hold more
//!   than half of the replicas.
//! - **Settlement** ([`settlement`]): for an agreed output, workers get `WorkerFee`, the
//!   owner its price less `DataShare` (split between the lineage's datasets,
//!   [`LineageRewards`]) and the treasury `TreasuryShare` of all of it. An agreed failure
//!   caused by the job pays the workers only. Without a majority revealers are paid and the
//!   owner too once an output is public. Outside the majority: `DisagreeSlash`; committed
//!   but withheld: `DisagreeSlash`; never committed: `NoShowSlash` (crash ≠ fraud). Slashes
//!   go to the treasury; every job closes exactly once, with a [`CloseReason`].
//! - **Deadlines** are processed in `on_initialize` from per-block buckets of bounded size.
//! - **Pruning**: closed jobs stay readable for `ClosedJobRetention` blocks, then `on_idle`
//!   removes them with their results.
//! - **Views** ([`views`]): jobs, a requester's jobs, fee estimates and workers, for the
//!   runtime API in `runtime-api/` and the `infera_*` JSON-RPC in `rpc/`.
//! - **Off-chain worker** ([`offchain`]): runs the node's workers' jobs on its inference
//!   service. **Migrations** ([`migrations`]): storage layout upgrades.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod agreement;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod assignment;
mod jobs;
pub mod migrations;
pub mod offchain;
mod pruning;
pub mod readiness;
pub mod results;
pub mod settlement;
#[cfg(any(feature = "try-runtime", test))]
mod try_state;
pub mod types;
pub mod verification;
pub mod views;
pub mod weights;
mod workers;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use infera_primitives::{
	DatasetId, JobOutcome, OrderedId, LineageRewards, ModelId, ModelRegistry, TaskKind, VersionId,
};
pub use offchain::{crypto, InferenceWorker, OffchainInference, WORKER_KEY_TYPE};
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use frame_support::traits::fungible;

/// Blocks from a job's submission to its draw when every block carries a VRF output: the
/// draw waits for two outputs produced after the submission block (see [`assignment`]).
pub const DRAW_DELAY: u32 = 3;

/// The balance type of the currency holding bonds and escrows.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		dispatch::DispatchResultWithPostInfo,
		traits::fungible::{Mutate, MutateHold},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Permill;

	/// The storage layout version: 1 added failure reports (`Assignment::verdict`) and
	/// `QueuedPerRequester`; 2 added the draw beacon (`DrawBeacon`, `DrawMarks`,
	/// `DrawCursor`) and `JobState::Drawing`; 3 keyed `RequesterJobs` by [`OrderedId`]; 4
	/// added workers' readiness; 5 added `JobInfo::generation`.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(5);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The hold reasons of this pallet, as part of the runtime's.
		type RuntimeHoldReason: From<HoldReason>;

		/// The currency bonds and escrows are held in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The model registry: job terms, routing and usage statistics.
		type Models: ModelRegistry<Self::AccountId, BalanceOf<Self>>;

		/// Fresh randomness of the parent block, unknown before that block was authored:
		/// BABE's VRF output (`pallet_babe::ParentBlockRandomness`). `None` when the parent
		/// carries none; draws then wait for a block that does.
		type Randomness: frame_support::traits::Randomness<Option<Self::Hash>, BlockNumberFor<Self>>;

		/// Smallest bond a worker may hold.
		#[pallet::constant]
		type MinWorkerBond: Get<BalanceOf<Self>>;

		/// Blocks between `unbond` and `withdraw_bond`.
		#[pallet::constant]
		type UnbondingDelay: Get<BlockNumberFor<Self>>;

		/// Fee paid to each worker whose verdict a job pays for: the agreeing majority (of an
		/// output, or of a failure the job caused), or every revealer when there is none.
		#[pallet::constant]
		type WorkerFee: Get<BalanceOf<Self>>;

		/// Most replicas any job can have: the storage bound of a job's assignments.
		#[pallet::constant]
		type MaxReplicas: Get<u32>;

		/// Most replicas a new job may ask for: a governance parameter, effective only up to
		/// `MaxReplicas`.
		#[pallet::constant]
		type ReplicaLimit: Get<u32>;

		/// Fewest blocks a job may be given before its deadline.
		#[pallet::constant]
		type MinDeadline: Get<BlockNumberFor<Self>>;

		/// Most blocks a job may be given before its deadline.
		#[pallet::constant]
		type MaxDeadline: Get<BlockNumberFor<Self>>;

		/// Most models one worker serves.
		#[pallet::constant]
		type MaxModelsPerWorker: Get<u32>;

		/// Most workers serving one model.
		#[pallet::constant]
		type MaxWorkersPerModel: Get<u32>;

		/// Longest inline input, in bytes.
		#[pallet::constant]
		type MaxInputLen: Get<u32>;

		/// Longest input URL, in bytes.
		#[pallet::constant]
		type MaxUrlLen: Get<u32>;

		/// Longest output (embedding components or text bytes).
		#[pallet::constant]
		type MaxOutputLen: Get<u32>;

		/// Blocks after assignment after which reveals open even if not all committed.
		#[pallet::constant]
		type CommitWindow: Get<BlockNumberFor<Self>>;

		/// Fewest blocks a committed worker has to reveal: a job is assigned only while its
		/// deadline is at least `CommitWindow + RevealWindow` blocks away, and `MinDeadline`
		/// must be at least that plus [`DRAW_DELAY`].
		#[pallet::constant]
		type RevealWindow: Get<BlockNumberFor<Self>>;

		/// Most blocks a job's deadline moves later when the buckets from its requested
		/// deadline on are full.
		#[pallet::constant]
		type MaxDeadlineSpill: Get<u32>;

		/// Most jobs one requester may have waiting in the queue.
		#[pallet::constant]
		type MaxQueuedPerRequester: Get<u32>;

		/// Most stake units (bond / `MinWorkerBond`) a worker's draw weight counts.
		#[pallet::constant]
		type MaxStakeUnits: Get<u32>;

		/// Most tokens a text-generation job may ask for (its `max_new_tokens`); at most
		/// [`infera_primitives::inference::MAX_NEW_TOKENS`], and the generated text must also
		/// fit `MaxOutputLen`.
		#[pallet::constant]
		type MaxNewTokens: Get<u32>;

		/// Fee per token a generation job may produce (`max_new_tokens`), paid per replica
		/// on top of `WorkerFee`: decoding cost grows with the tokens.
		#[pallet::constant]
		type TokenFee: Get<BalanceOf<Self>>;

		/// Most a token's top-1 margin may differ between two agreeing generations, in steps
		/// of 1/16 logit (see [`agreement`]).
		#[pallet::constant]
		type GenerationMarginTolerance: Get<u8>;

		/// Most a claimed token's score may be below the verifier's best, in steps of 1/16
		/// logit, for a verified generation to be accepted (see [`verification`]).
		#[pallet::constant]
		type GenerationMaxDeficit: Get<u8>;

		/// Most the verifiers' margins may differ from the generator's on average over the
		/// tokens, in steps of 1/16 logit, for a verified generation to be accepted (see
		/// [`verification`]): a different model moves every margin a little.
		#[pallet::constant]
		type GenerationMeanMarginTolerance: Get<u8>;

		/// Least cosine similarity at which two embeddings agree.
		#[pallet::constant]
		type EmbeddingAgreement: Get<Permill>;

		/// Share of its bond a worker loses for a result outside the majority, or for a
		/// commitment it never revealed.
		#[pallet::constant]
		type DisagreeSlash: Get<Permill>;

		/// Share of its bond a worker loses for never committing to a result (a crash; a
		/// commitment withheld from reveal costs `DisagreeSlash`).
		#[pallet::constant]
		type NoShowSlash: Get<Permill>;

		/// How far one result moves a worker's reputation towards 1 (agreeing) or 0.
		#[pallet::constant]
		type ReputationStep: Get<Permill>;

		/// Treasury's cut of the price and worker fees of a completed job, on top of them.
		#[pallet::constant]
		type TreasuryShare: Get<Permill>;

		/// Receives the treasury's cut and slashes.
		type TreasuryAccount: Get<Self::AccountId>;

		/// Where the data-lineage share of a completed job's price goes (the data-rewards
		/// pallet, or `()` when none is connected).
		type Lineage: LineageRewards<Self::AccountId, BalanceOf<Self>>;

		/// Share of the model's price paid to the datasets it was trained on, split evenly
		/// between those that take rewards; the owner keeps the rest.
		#[pallet::constant]
		type DataShare: Get<Permill>;

		/// Most datasets one job pays a lineage share to (at least the registry's
		/// `MaxDatasets`).
		#[pallet::constant]
		type MaxLineage: Get<u32>;

		/// Blocks a closed job stays readable before `on_idle` prunes it and its result.
		#[pallet::constant]
		type ClosedJobRetention: Get<BlockNumberFor<Self>>;

		/// Most jobs whose deadline falls in one block.
		#[pallet::constant]
		type MaxJobsPerBlock: Get<u32>;

		/// Most jobs waiting for workers.
		#[pallet::constant]
		type MaxQueuedJobs: Get<u32>;

		/// Most model versions one worker is marked ready for at once (its served models'
		/// current versions, and the previous ones while their successors are fetched).
		#[pallet::constant]
		type MaxReadyVersions: Get<u32>;

		/// What the off-chain worker runs: [`InferenceWorker`] on nodes that serve jobs, `()`
		/// for none.
		type OffchainWorker: OffchainInference<BlockNumberFor<Self>>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A worker's bond.
		#[codec(index = 0)]
		WorkerBond,
		/// A job's maximum fee, until the job closes.
		#[codec(index = 1)]
		JobEscrow,
	}

	/// Registered workers.
	#[pallet::storage]
	pub type Workers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, WorkerInfo<T>>;

	/// Per model, the workers serving it, in registration order. Sequential model ids.
	#[pallet::storage]
	pub type ModelWorkers<T: Config> = StorageMap<
		_,
		Twox64Concat,
		ModelId,
		BoundedVec<T::AccountId, T::MaxWorkersPerModel>,
		ValueQuery,
	>;

	/// The id the next job gets.
	#[pallet::storage]
	pub type NextJobId<T> = StorageValue<_, JobId, ValueQuery>;

	/// Jobs, open and closed. Sequential ids.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, JobInfo<T>>;

	/// The agreed output of each completed job.
	#[pallet::storage]
	pub type Results<T: Config> = StorageMap<_, Twox64Concat, JobId, JobOutput<T>>;

	/// Jobs whose deadline is at a block. Block numbers are sequential.
	#[pallet::storage]
	pub type Deadlines<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxJobsPerBlock>,
		ValueQuery,
	>;

	/// Jobs waiting for enough eligible workers, oldest first.
	#[pallet::storage]
	pub type Queue<T: Config> = StorageValue<_, BoundedVec<JobId, T::MaxQueuedJobs>, ValueQuery>;

	/// Index of the open assignments of each worker (what its off-chain worker works on).
	#[pallet::storage]
	pub type WorkerJobs<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, JobId, (), OptionQuery>;

	/// Index of the jobs (open and not yet pruned) of each requester, keyed by
	/// [`OrderedId`] so that a page of them is read in id order from any id on.
	#[pallet::storage]
	pub type RequesterJobs<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Identity, OrderedId, (), OptionQuery>;

	/// How many queued jobs each requester has (at most `MaxQueuedPerRequester`).
	#[pallet::storage]
	pub type QueuedPerRequester<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Operator keys: the hot account a worker's node signs with → the bonded worker it acts
	/// for. An operator may commit, reveal, pause and resume; everything else, and every
	/// payment, stays with the worker.
	#[pallet::storage]
	pub type Operators<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId, OptionQuery>;

	/// Each worker's operator, the reverse of [`Operators`].
	#[pallet::storage]
	pub type OperatorOf<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId, OptionQuery>;

	/// The draw beacon: each block with a VRF output in its parent folds that output in
	/// (`blake2(beacon ‖ randomness)`). Jobs are drawn from it with their id.
	#[pallet::storage]
	pub type DrawBeacon<T> = StorageValue<_, [u8; 32], ValueQuery>;

	/// `NextJobId` at the last two folds of the beacon, older first. At each fold, the jobs
	/// below the older mark were submitted before the outputs of this fold and the previous
	/// one existed, and are drawn. (After blocks without outputs, a job waits one fold more
	/// than it must; every BABE block of this runtime carries an output.)
	#[pallet::storage]
	pub type DrawMarks<T> = StorageValue<_, (JobId, JobId), ValueQuery>;

	/// Lowest job id not yet drawn: jobs from here to `NextJobId` wait in
	/// `JobState::Drawing` (or were cancelled).
	#[pallet::storage]
	pub type DrawCursor<T> = StorageValue<_, JobId, ValueQuery>;

	/// Lowest job id not yet pruned: jobs below it are gone. `on_idle` moves it forward over
	/// jobs closed at least `ClosedJobRetention` blocks ago and stops at the first younger or
	/// open one.
	#[pallet::storage]
	pub type PruneCursor<T> = StorageValue<_, JobId, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A worker registered with a bond.
		WorkerRegistered { worker: T::AccountId, bond: BalanceOf<T>, capacity: u32 },
		/// A worker added to its bond.
		WorkerBonded { worker: T::AccountId, added: BalanceOf<T>, bond: BalanceOf<T> },
		/// A worker changed the models it serves or its capacity.
		WorkerUpdated { worker: T::AccountId, models: ServedModelsOf<T>, capacity: u32 },
		/// A worker stopped taking assignments.
		WorkerPaused { worker: T::AccountId },
		/// A paused worker takes assignments again.
		WorkerResumed { worker: T::AccountId },
		/// A worker started leaving; its bond unlocks at `unlocks_at`.
		WorkerUnbonding { worker: T::AccountId, unlocks_at: BlockNumberFor<T> },
		/// A worker left and its bond was released.
		WorkerLeft { worker: T::AccountId, bond: BalanceOf<T> },
		/// A job was submitted and its maximum fee held.
		JobSubmitted {
			job_id: JobId,
			requester: T::AccountId,
			model_id: ModelId,
			version: VersionId,
			escrow: BalanceOf<T>,
			deadline: BlockNumberFor<T>,
		},
		/// A job was assigned to workers.
		JobAssigned { job_id: JobId, workers: alloc::vec::Vec<T::AccountId> },
		/// An assigned worker committed to a result.
		ResultCommitted { job_id: JobId, worker: T::AccountId },
		/// An assigned worker revealed its result.
		ResultRevealed { job_id: JobId, worker: T::AccountId },
		/// A job's escrow was split: a completed job, a job its input made fail (workers only)
		/// or one without quorum (see `CloseReason`). A payee that cannot receive its part (an
		/// amount below the existential deposit of an empty account) is skipped and its part
		/// refunded.
		JobSettled {
			job_id: JobId,
			workers_paid: BalanceOf<T>,
			owner_paid: BalanceOf<T>,
			data_paid: BalanceOf<T>,
			treasury_paid: BalanceOf<T>,
		},
		/// A dataset in the model's lineage received its share of a completed job's price.
		LineagePaid { job_id: JobId, dataset: DatasetId, amount: BalanceOf<T> },
		/// A worker lost part of its bond: to the treasury, except that a rejected generator
		/// first pays the agreeing verifiers their fee out of it.
		WorkerSlashed { worker: T::AccountId, job_id: JobId, amount: BalanceOf<T>, reason: SlashReason },
		/// A job closed; `refunded` went back to the requester.
		JobClosed { job_id: JobId, reason: CloseReason, refunded: BalanceOf<T> },
		/// A worker lost its slot in `model`'s full worker list to a newcomer with more stake.
		WorkerEvicted { worker: T::AccountId, model: ModelId },
		/// A worker named (or removed, `None`) the operator key its node signs with.
		OperatorSet { worker: T::AccountId, operator: Option<T::AccountId> },
		/// A worker's node holds (`ready`) or no longer holds a model version's artifacts:
		/// it is drawn for that version's jobs only while ready.
		WorkerReadinessChanged { worker: T::AccountId, model_id: ModelId, version: VersionId, ready: bool },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a worker.
		AlreadyWorker,
		/// The account is not a worker.
		NotWorker,
		/// The bond is below `MinWorkerBond`.
		BondTooLow,
		/// Capacity must be at least one.
		ZeroCapacity,
		/// A served model is listed twice.
		DuplicateModel,
		/// A model already has `MaxWorkersPerModel` workers.
		TooManyWorkersForModel,
		/// The worker is not active (paused or unbonding).
		WorkerNotActive,
		/// The worker is not paused.
		WorkerNotPaused,
		/// The worker is already unbonding.
		AlreadyUnbonding,
		/// The worker has not called `unbond`.
		NotUnbonding,
		/// The unbonding delay has not passed.
		BondStillLocked,
		/// The worker still has open assignments.
		WorkerHasAssignments,
		/// No job with this id.
		UnknownJob,
		/// Only the requester may do this.
		NotRequester,
		/// The job is already assigned or closed.
		JobNotQueued,
		/// Replicas must be `1..=ReplicaLimit` (and never above `MaxReplicas`).
		InvalidReplicas,
		/// The deadline must be `MinDeadline..=MaxDeadline` blocks away.
		InvalidDeadline,
		/// No approved model of the task is priced within the maximum.
		NoModelForTask,
		/// The maximum fee does not cover the price plus `WorkerFee` per replica.
		MaxFeeTooLow,
		/// An inline input must not be empty; a remote one needs a non-zero size and a URL.
		InvalidInput,
		/// Job ids are exhausted.
		JobIdsExhausted,
		/// Too many jobs already have their deadline at that block; pick another.
		DeadlineBlockFull,
		/// The job is not assigned (queued or closed).
		JobNotAssigned,
		/// The caller is not assigned to this job.
		NotAssignedWorker,
		/// The caller already committed.
		AlreadyCommitted,
		/// Reveals have opened: commitments are closed.
		CommitsClosed,
		/// Reveals have not opened yet.
		RevealsNotOpen,
		/// The caller did not commit.
		NotCommitted,
		/// The caller already revealed.
		AlreadyRevealed,
		/// The output and salt do not hash to the commitment.
		CommitmentMismatch,
		/// The output kind does not fit the model's task.
		WrongOutputKind,
		/// The model declares more datasets than `MaxLineage`.
		TooManyDatasets,
		/// The model's price is above the `max_price` the job was quoted.
		PriceAboveQuote,
		/// Text-generation models take jobs through `submit_generation` (with decoding
		/// settings), and only they do.
		WrongSubmission,
		/// `max_new_tokens` must be `1..=MaxNewTokens`.
		InvalidMaxNewTokens,
		/// A verified generation needs at least 3 replicas: one generator and two verifiers
		/// whose evidence must agree.
		TooFewVerifiers,
		/// The generator of this verified job has not published its output yet: verifiers
		/// commit after it.
		GenerationPending,
		/// The generator of a verified job publishes its output with `reveal_result` alone,
		/// without a commitment (there is nothing to copy before it is public).
		GeneratorDoesNotCommit,
		/// Fewer active workers (other than the requester) are ready for the version the job
		/// runs than it asks replicas: it could not be assigned.
		NotEnoughWorkers,
		/// The operator account is a worker, another worker's operator, or the worker itself.
		OperatorInUse,
		/// The worker does not serve this model.
		NotServingModel,
		/// The model has no such version.
		UnknownVersion,
		/// The worker is already marked as it asks to be (ready, or not ready).
		ReadinessUnchanged,
		/// The worker is ready for `MaxReadyVersions` versions already; withdraw one first.
		TooManyReadyVersions,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Closes the jobs whose deadline is this block, draws the jobs whose randomness is
		/// now known (see [`DRAW_DELAY`]), then tries to assign queued jobs.
		///
		/// The benchmarks count each storage key once, and many jobs of one model share
		/// their workers' keys; so on top of them this charges every worker record an
		/// eligibility check read, and the worker, hold and account records of every
		/// concluded assignment, as if none were cached.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let (closed, concluded) = Self::close_expired(now);
			let (drawn, drawn_scanned) = Self::draw_submitted();
			let (tried, scanned) = Self::assign_queued();
			let db = T::DbWeight::get();
			// Each closed, drawn or tried job may also update its requester's queue count
			// and the queue; the beacon, its marks and cursor are read and written.
			let queue_counts = u64::from(closed.saturating_add(drawn).saturating_add(tried));
			T::WeightInfo::close_expired(closed)
				.saturating_add(db.reads_writes(3 * concluded, 4 * concluded))
				.saturating_add(T::WeightInfo::assign_queued(drawn.saturating_add(tried)))
				.saturating_add(db.reads(scanned.saturating_add(drawn_scanned)))
				.saturating_add(db.reads_writes(2 * queue_counts + 3, 2 * queue_counts + 3))
		}

		/// Prunes jobs closed at least `ClosedJobRetention` blocks ago, oldest first, within
		/// the block's leftover weight.
		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::prune_closed_jobs(now, remaining)
		}

		/// Runs the jobs assigned to this node's worker keys (see [`offchain`]).
		fn offchain_worker(now: BlockNumberFor<T>) {
			T::OffchainWorker::run(now)
		}

		fn integrity_test() {
			use sp_runtime::traits::Saturating;
			let duties = T::CommitWindow::get()
				.saturating_add(T::RevealWindow::get())
				.saturating_add(DRAW_DELAY.into());
			assert!(
				T::MinDeadline::get() >= duties,
				"MinDeadline must leave DRAW_DELAY + CommitWindow + RevealWindow for every job"
			);
			assert!(T::MaxJobsPerBlock::get() > 0, "deadline buckets need room");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers the caller as a worker serving `models` with `capacity` concurrent
		/// assignments, holding `bond`.
		///
		/// Origin: signed. Emits [`Event::WorkerRegistered`].
		/// Errors: [`Error::AlreadyWorker`], [`Error::BondTooLow`], [`Error::ZeroCapacity`],
		/// [`Error::DuplicateModel`], [`Error::TooManyWorkersForModel`], the registry's error
		/// for a model that takes no jobs, or the currency's error.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_worker(models.len() as u32))]
		pub fn register_worker(
			origin: OriginFor<T>,
			bond: BalanceOf<T>,
			models: ServedModelsOf<T>,
			capacity: u32,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_worker(who, bond, models, capacity)
		}

		/// Adds `amount` to the caller's bond.
		///
		/// Origin: a worker. Emits [`Event::WorkerBonded`].
		/// Errors: [`Error::NotWorker`], or the currency's error.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::bond_more())]
		pub fn bond_more(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_more(who, amount)
		}

		/// Replaces the models the caller serves and its capacity.
		///
		/// Origin: a worker. Emits [`Event::WorkerUpdated`].
		/// Errors: [`Error::NotWorker`], [`Error::ZeroCapacity`], [`Error::DuplicateModel`],
		/// [`Error::TooManyWorkersForModel`], or the registry's error for a model.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_served_models(T::MaxModelsPerWorker::get()))]
		pub fn set_served_models(
			origin: OriginFor<T>,
			models: ServedModelsOf<T>,
			capacity: u32,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_served_models(who, models, capacity)
		}

		/// Stops taking new assignments; open ones continue.
		///
		/// Origin: an active worker, or its operator. Emits [`Event::WorkerPaused`].
		/// Errors: [`Error::NotWorker`], [`Error::WorkerNotActive`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::pause())]
		pub fn pause(origin: OriginFor<T>) -> DispatchResult {
			let who = Self::acting_worker(ensure_signed(origin)?);
			Self::do_set_state(who, WorkerState::Active, WorkerState::Paused)
		}

		/// Takes assignments again after a pause.
		///
		/// Origin: a paused worker, or its operator. Emits [`Event::WorkerResumed`].
		/// Errors: [`Error::NotWorker`], [`Error::WorkerNotPaused`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::resume())]
		pub fn resume(origin: OriginFor<T>) -> DispatchResult {
			let who = Self::acting_worker(ensure_signed(origin)?);
			Self::do_set_state(who, WorkerState::Paused, WorkerState::Active)
		}

		/// Starts leaving: no new assignments; the bond unlocks after `UnbondingDelay`.
		///
		/// Origin: a worker. Emits [`Event::WorkerUnbonding`].
		/// Errors: [`Error::NotWorker`], [`Error::AlreadyUnbonding`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unbond(who)
		}

		/// Leaves: releases the bond and forgets the worker.
		///
		/// Origin: an unbonding worker. Emits [`Event::WorkerLeft`].
		/// Errors: [`Error::NotWorker`], [`Error::NotUnbonding`], [`Error::BondStillLocked`],
		/// [`Error::WorkerHasAssignments`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_bond(T::MaxModelsPerWorker::get()))]
		pub fn withdraw_bond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_bond(who)
		}

		/// Submits a job and holds `max_fee` in escrow until it closes. Its workers are drawn
		/// [`DRAW_DELAY`] blocks later, from randomness that does not exist yet (emitting
		/// [`Event::JobAssigned`]); if too few are free then, it queues, and if the queue is
		/// full it closes `QueueFull` with a full refund.
		///
		/// Origin: signed; the requester. Emits [`Event::JobSubmitted`].
		/// The deadline is `deadline_in` blocks away, or up to `MaxDeadlineSpill` blocks later
		/// when those buckets are full (the event gives the actual one).
		///
		/// Charged for the worst case (a full worker list, every spill bucket) and the job's
		/// draw; what was not read is refunded.
		///
		/// Errors: [`Error::InvalidReplicas`], [`Error::InvalidDeadline`],
		/// [`Error::InvalidInput`], [`Error::NoModelForTask`], the registry's error for a
		/// model that takes no jobs, [`Error::PriceAboveQuote`], [`Error::NotEnoughWorkers`],
		/// [`Error::MaxFeeTooLow`], [`Error::TooManyDatasets`], [`Error::JobIdsExhausted`],
		/// [`Error::DeadlineBlockFull`], or the currency's error.
		#[pallet::call_index(7)]
		#[pallet::weight(Pallet::<T>::submit_job_weight(
			T::MaxWorkersPerModel::get(),
			T::MaxDeadlineSpill::get().saturating_add(1),
		))]
		pub fn submit_job(
			origin: OriginFor<T>,
			model: ModelChoice<BalanceOf<T>>,
			input: JobInput<T>,
			max_fee: BalanceOf<T>,
			replicas: u8,
			deadline_in: BlockNumberFor<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let (workers_read, buckets_read) =
				Self::do_submit_job(who, model, input, None, max_fee, replicas, deadline_in)?;
			Ok(Some(Self::submit_job_weight(workers_read, buckets_read)).into())
		}

		/// Submits a text-generation job: `prompt` (UTF-8; a JSON array of
		/// `{"role", "content"}` chat messages, or plain text as one user message) answered
		/// with at most `decoding.max_new_tokens` tokens, greedily (`temperature` 0) or
		/// sampled at `temperature` thousandths with a seed the chain draws now (see
		/// [`infera_primitives::inference::GenerationSettings`]), and checked as
		/// `decoding.check` says: every replica generates and their outputs must agree
		/// ([`agreement`]), or one generates and the others verify ([`verification`]).
		/// Otherwise as [`Pallet::submit_job`]. A generating replica's fee is
		/// `WorkerFee + TokenFee × max_new_tokens`, a verifier's `WorkerFee`.
		///
		/// Origin: signed; the requester. Emits [`Event::JobSubmitted`].
		/// Errors: those of `submit_job`, [`Error::InvalidMaxNewTokens`],
		/// [`Error::TooFewVerifiers`], [`Error::InvalidDeadline`] (a verified job needs
		/// another `CommitWindow`), and [`Error::WrongSubmission`] for a model that does not
		/// generate text.
		#[pallet::call_index(13)]
		#[pallet::weight(Pallet::<T>::submit_job_weight(
			T::MaxWorkersPerModel::get(),
			T::MaxDeadlineSpill::get().saturating_add(1),
		))]
		pub fn submit_generation(
			origin: OriginFor<T>,
			model: ModelChoice<BalanceOf<T>>,
			prompt: BoundedVec<u8, T::MaxInputLen>,
			decoding: Decoding,
			max_fee: BalanceOf<T>,
			replicas: u8,
			deadline_in: BlockNumberFor<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let (workers_read, buckets_read) = Self::do_submit_job(
				who,
				model,
				JobInput::Inline(prompt),
				Some(decoding),
				max_fee,
				replicas,
				deadline_in,
			)?;
			Ok(Some(Self::submit_job_weight(workers_read, buckets_read)).into())
		}

		/// Cancels a job that is not assigned yet (waiting for its draw or queued) and
		/// refunds its escrow in full.
		///
		/// Origin: the requester. Emits [`Event::JobClosed`] with `Cancelled`.
		/// Errors: [`Error::UnknownJob`], [`Error::NotRequester`], [`Error::JobNotQueued`].
		#[pallet::call_index(8)]
		// Plus the deadline bucket it leaves (not in the benchmark yet).
		#[pallet::weight(T::WeightInfo::cancel_job().saturating_add(T::DbWeight::get().reads_writes(1, 1)))]
		pub fn cancel_job(origin: OriginFor<T>, job_id: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_job(who, job_id)
		}

		/// Commits to a verdict (an output or a failure report):
		/// `commitment = `[`results::commitment_of`]`(job_id, worker, verdict, salt)`, bound
		/// to the chain, the job and the worker.
		///
		/// Origin: a worker assigned to the job, or its operator. Free when it succeeds.
		/// Emits [`Event::ResultCommitted`].
		/// Errors: [`Error::UnknownJob`], [`Error::JobNotAssigned`],
		/// [`Error::NotAssignedWorker`], [`Error::AlreadyCommitted`], [`Error::CommitsClosed`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::commit_result())]
		pub fn commit_result(
			origin: OriginFor<T>,
			job_id: JobId,
			commitment: sp_core::H256,
		) -> DispatchResultWithPostInfo {
			let who = Self::acting_worker(ensure_signed(origin)?);
			Self::do_commit(who, job_id, commitment)
		}

		/// Reveals a committed verdict. When every committed worker has revealed, the job
		/// closes at once (see [`Pallet::conclude`]).
		///
		/// Origin: a worker assigned to the job, or its operator. Free when it succeeds, and
		/// weighed for the job's replicas. Emits [`Event::ResultRevealed`], and the
		/// settlement's events.
		/// Errors: [`Error::UnknownJob`], [`Error::JobNotAssigned`],
		/// [`Error::NotAssignedWorker`], [`Error::RevealsNotOpen`], [`Error::NotCommitted`],
		/// [`Error::AlreadyRevealed`], [`Error::CommitmentMismatch`],
		/// [`Error::WrongOutputKind`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::reveal_result(T::MaxReplicas::get()))]
		pub fn reveal_result(
			origin: OriginFor<T>,
			job_id: JobId,
			verdict: Verdict<T>,
			salt: [u8; 32],
		) -> DispatchResultWithPostInfo {
			let who = Self::acting_worker(ensure_signed(origin)?);
			Self::do_reveal(who, job_id, verdict, salt)
		}

		/// Names the operator key the worker's node signs its duties with (commit, reveal,
		/// pause, resume), or removes it (`None`). The bond and payments stay with the worker,
		/// which can replace a compromised operator at any time.
		///
		/// Origin: a worker. Emits [`Event::OperatorSet`].
		/// Errors: [`Error::NotWorker`], [`Error::OperatorInUse`].
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_operator())]
		pub fn set_operator(origin: OriginFor<T>, operator: Option<T::AccountId>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_operator(who, operator)
		}

		/// Marks `version` of `model_id` ready (its node holds the artifacts, verified against
		/// their digests) or not ready for the worker. Only ready workers are drawn for a
		/// version's jobs; the worker's off-chain worker calls this once its node has fetched
		/// a version, and again when it loses one (see [`readiness`]).
		///
		/// Origin: a worker, or its operator. Emits [`Event::WorkerReadinessChanged`].
		/// Errors: [`Error::NotWorker`], [`Error::NotServingModel`], [`Error::UnknownVersion`]
		/// (marking ready only), [`Error::ReadinessUnchanged`],
		/// [`Error::TooManyReadyVersions`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::set_readiness())]
		pub fn set_readiness(
			origin: OriginFor<T>,
			model_id: ModelId,
			version: VersionId,
			ready: bool,
		) -> DispatchResult {
			let who = Self::acting_worker(ensure_signed(origin)?);
			Self::do_set_readiness(who, model_id, version, ready)
		}
	}
}
