//! The model registry: deposits, size limits and the routing score's weights.

use crate::{deposit, AccountId, Balance, Balances, Runtime, RuntimeHoldReason};
use frame_support::{parameter_types, traits::ConstU32};
use frame_support::traits::EitherOf;
use frame_system::EnsureRoot;
use pallet_governance::EnsureCurator;
use sp_runtime::Permill;

parameter_types! {
	/// Held for each stored record (a model or one of its versions): 0.1 INFR.
	pub const ModelDepositBase: Balance = deposit(1, 0);
	/// Held per byte stored: 100 µINFR. A typical model with one version holds ≈ 0.3 INFR.
	pub const ModelDepositPerByte: Balance = deposit(0, 1);
	/// Routing: 30 % price, 30 % latency, 40 % agreement.
	pub const RoutingPriceWeight: Permill = Permill::from_percent(30);
	pub const RoutingLatencyWeight: Permill = Permill::from_percent(30);
	pub const RoutingAgreementWeight: Permill = Permill::from_percent(40);
}

impl pallet_model_registry::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	/// The `curator` referendum track, or root.
	type AdminOrigin = EitherOf<EnsureRoot<AccountId>, EnsureCurator>;
	/// Models may only claim datasets that exist in the data-rewards pallet.
	type Datasets = crate::DataRewards;
	type DepositBase = ModelDepositBase;
	type DepositPerByte = ModelDepositPerByte;
	type MaxNameLen = ConstU32<64>;
	type MaxLicenceLen = ConstU32<64>;
	type MaxUrlLen = ConstU32<256>;
	type MaxCidLen = ConstU32<128>;
	type MaxReasonLen = ConstU32<256>;
	type MaxDatasets = ConstU32<16>;
	type MaxVersions = ConstU32<32>;
	type MaxRoutableModels = ConstU32<64>;
	type PriceWeight = RoutingPriceWeight;
	type LatencyWeight = RoutingLatencyWeight;
	type AgreementWeight = RoutingAgreementWeight;
	/// A model averaging 5 blocks (10 s on dev, 30 s on networks) to a result scores ½.
	type LatencyReference = ConstU32<5>;
	type WeightInfo = pallet_model_registry::weights::SubstrateWeight<Runtime>;
}
