//! Compute jobs: worker bonds, fees, verification and settlement parameters.

use crate::{
	Balance, Balances, ModelRegistry, Runtime, RuntimeHoldReason, HOURS,
	UNIT,
};
use frame_support::{parameter_types, traits::{ConstU32, ConstU8}};
use sp_runtime::Permill;

parameter_types! {
	/// Smallest worker bond: 100 INFR.
	pub const MinWorkerBond: Balance = 100 * UNIT;
	/// Embeddings agree at cosine ≥ 0.99 (i8-quantized; see pallet-compute-jobs' agreement).
	pub const EmbeddingAgreement: Permill = Permill::from_percent(99);
	/// Each result moves reputation 10 % of the way towards 1 (agreed) or 0.
	pub const ReputationStep: Permill = Permill::from_percent(10);
}

impl pallet_compute_jobs::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Models = ModelRegistry;
	/// The parent block author's BABE VRF output: workers are drawn from two of them
	/// produced after a job's submission.
	type Randomness = pallet_babe::ParentBlockRandomness<Runtime>;
	type MinWorkerBond = MinWorkerBond;
	/// One hour at network block time.
	type UnbondingDelay = ConstU32<{ HOURS as u32 }>;
	type WorkerFee = super::dynamic_params::jobs::WorkerFee;
	/// The storage bound; the `ReplicaLimit` parameter (5) is what jobs may ask for.
	type MaxReplicas = ConstU32<8>;
	type ReplicaLimit = super::dynamic_params::jobs::ReplicaLimit;
	/// The draw delay (3) plus the commit and reveal windows: every assigned worker can
	/// commit and reveal in time.
	type MinDeadline = ConstU32<23>;
	/// One day at network block time.
	type MaxDeadline = ConstU32<{ 24 * HOURS as u32 }>;
	type MaxModelsPerWorker = ConstU32<16>;
	type MaxWorkersPerModel = ConstU32<64>;
	type MaxInputLen = ConstU32<4096>;
	type MaxUrlLen = ConstU32<256>;
	/// MiniLM embeddings have 384 components; text results up to 1 KiB.
	type MaxOutputLen = ConstU32<1024>;
	type CommitWindow = ConstU32<10>;
	/// A committed worker always has at least 10 blocks to reveal.
	type RevealWindow = ConstU32<10>;
	/// A job whose deadline bucket is full moves up to 16 blocks later (16 × 64 jobs can
	/// share one requested deadline).
	type MaxDeadlineSpill = ConstU32<16>;
	/// One account can hold at most 8 of the 128 queue places.
	type MaxQueuedPerRequester = ConstU32<8>;
	/// Stake counts up to 1,000 × MinWorkerBond (100,000 INFR) in draws.
	type MaxStakeUnits = ConstU32<1_000>;
	/// SmolLM2's replies fit in 256 tokens, and 256 tokens of text in `MaxOutputLen`.
	type MaxNewTokens = ConstU32<256>;
	type TokenFee = super::dynamic_params::jobs::TokenFee;
	/// One logit (16 steps of 1/16): honest replicas' margins differ by far less, measured
	/// in `inference/tests/smollm.rs`.
	type GenerationMarginTolerance = ConstU8<16>;
	/// One logit: an honest generator's token is the verifier's top-1 or within float noise
	/// of it; a tampered or swapped token is usually several logits below.
	type GenerationMaxDeficit = ConstU8<16>;
	/// A quarter logit on average (4 steps): honest workers on Infera's engine reproduce the
	/// generator's margins exactly, and the closest swapped model measured moves them by
	/// more on average (`docs/verification.md`).
	type GenerationMeanMarginTolerance = ConstU8<4>;
	type EmbeddingAgreement = EmbeddingAgreement;
	type DisagreeSlash = super::dynamic_params::jobs::DisagreeSlash;
	type NoShowSlash = super::dynamic_params::jobs::NoShowSlash;
	type ReputationStep = ReputationStep;
	type TreasuryShare = super::dynamic_params::jobs::TreasuryShare;
	/// The treasury pallet's account receives the protocol's fee share and slashes.
	type TreasuryAccount = super::TreasuryAccount;
	/// The data share goes to the pots of the datasets in the model's lineage.
	type Lineage = crate::DataRewards;
	type DataShare = super::dynamic_params::jobs::DataShare;
	/// As many as a model may declare.
	type MaxLineage = <Runtime as pallet_model_registry::Config>::MaxDatasets;
	/// One week at network block time.
	type ClosedJobRetention = ConstU32<{ 7 * 24 * HOURS as u32 }>;
	/// Nodes holding a worker's `infr` key run its jobs on their inference service.
	type OffchainWorker = pallet_compute_jobs::InferenceWorker<Runtime, pallet_compute_jobs::crypto::WorkerKey>;
	type MaxJobsPerBlock = ConstU32<64>;
	type MaxQueuedJobs = ConstU32<128>;
	/// Two versions per served model: the current one, and the previous one while the
	/// current one is fetched.
	type MaxReadyVersions = ConstU32<32>;
	type WeightInfo = pallet_compute_jobs::weights::SubstrateWeight<Runtime>;
}
