//! Protocol parameters that the `protocol_parameters` referendum track (or root) changes
//! with `parameters.setParameter`, without a runtime upgrade. Each is read from
//! storage where it is used, falling back to the default here.

use crate::{AccountId, Balance, BlockNumber, Runtime, RuntimeEvent, DAYS, MILLI_UNIT};
use frame_support::{
	dynamic_params::{dynamic_pallet_params, dynamic_params},
	traits::{AsEnsureOriginWithArg, EitherOf},
};
use frame_system::EnsureRoot;
use pallet_governance::EnsureParameterAdmin;
use sp_runtime::Permill;

#[dynamic_params(RuntimeParameters, pallet_parameters::Parameters::<Runtime>)]
pub mod dynamic_params {
	use super::*;

	/// Compute jobs: fees and slashes. A change applies to jobs settled after it; a job's
	/// worker fee is fixed when it is submitted.
	#[dynamic_pallet_params]
	#[codec(index = 0)]
	pub mod jobs {
		/// Paid to each agreeing worker of a job, including a majority reporting that the
		/// job's input made it fail, and to every revealer of a job without a majority.
		#[codec(index = 0)]
		pub static WorkerFee: Balance = MILLI_UNIT;
		/// Share of a model's price paid to the datasets it was trained on.
		#[codec(index = 1)]
		pub static DataShare: Permill = Permill::from_percent(20);
		/// The treasury's cut on top of price and worker fees.
		#[codec(index = 2)]
		pub static TreasuryShare: Permill = Permill::from_percent(5);
		/// Share of its bond a worker loses for a result outside the majority, or for a
		/// commitment it never revealed.
		#[codec(index = 3)]
		pub static DisagreeSlash: Permill = Permill::from_percent(10);
		/// Share of its bond a worker loses for never committing (a committed, unrevealed
		/// result costs `DisagreeSlash`).
		#[codec(index = 4)]
		pub static NoShowSlash: Permill = Permill::from_percent(1);
		/// Most replicas a new job may ask for; at most `MaxReplicas` (8), the storage bound.
		#[codec(index = 5)]
		pub static ReplicaLimit: u32 = 5;
		/// Paid per token a text-generation job may produce (its `max_new_tokens`), to each
		/// replica on top of `WorkerFee`.
		#[codec(index = 6)]
		pub static TokenFee: Balance = MILLI_UNIT / 100;
	}

	/// Data rewards: eras, review and penalties.
	#[dynamic_pallet_params]
	#[codec(index = 1)]
	pub mod data {
		/// Blocks per reward era (one day of network blocks); a change applies from the next
		/// era on.
		#[codec(index = 0)]
		pub static EraLength: BlockNumber = DAYS;
		/// Blocks curators have to decide a contribution (three days of network blocks).
		#[codec(index = 1)]
		pub static ReviewWindow: BlockNumber = 3 * DAYS;
		/// Share of the deposit a rejected contribution loses to the dataset's pot.
		#[codec(index = 2)]
		pub static RejectionPenalty: Permill = Permill::from_percent(50);
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl Default for RuntimeParameters {
	fn default() -> Self {
		RuntimeParameters::Jobs(dynamic_params::jobs::Parameters::WorkerFee(
			dynamic_params::jobs::WorkerFee,
			Some(MILLI_UNIT),
		))
	}
}

impl pallet_parameters::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeParameters = RuntimeParameters;
	/// The `protocol_parameters` track, or root, for every parameter.
	type AdminOrigin = AsEnsureOriginWithArg<EitherOf<EnsureRoot<AccountId>, EnsureParameterAdmin>>;
	type WeightInfo = crate::weights::pallet_parameters::WeightInfo<Runtime>;
}
