//! [`impl_model_registry_config!`]: the model registry at the small bounds of the mocks.

use frame_support::parameter_types;
use sp_runtime::Permill;

parameter_types! {
	/// Routing's weight of the price score, as the runtime sets it.
	pub const PriceWeight: Permill = Permill::from_percent(30);
	/// Routing's weight of the latency score, as the runtime sets it.
	pub const LatencyWeight: Permill = Permill::from_percent(30);
	/// Routing's weight of the agreement score, as the runtime sets it.
	pub const AgreementWeight: Permill = Permill::from_percent(40);
}

/// Implements `pallet_model_registry::Config` for `$runtime` at the bounds every mock uses
/// (names and licences of 32 bytes, URLs of 64, four datasets and four versions per
/// model, routing weighted 30/30/40 as in the runtime), root as the admin origin and
/// `Balances` as the currency. What differs between the mocks is given: which datasets
/// exist, the deposit's base and per-byte parts, and how many models a task may route to.
///
/// The calling crate has `pallet_model_registry` in scope (`use crate as
/// pallet_model_registry;` in the registry's own mock) and `RuntimeHoldReason` and
/// `Balances` from its [`mock_runtime!`](crate::mock_runtime).
#[macro_export]
macro_rules! impl_model_registry_config {
	(
		runtime: $runtime:ty,
		datasets: $datasets:ty,
		deposit_base: $deposit_base:ty,
		deposit_per_byte: $deposit_per_byte:ty,
		max_routable_models: $max_routable:literal $(,)?
	) => {
		impl pallet_model_registry::Config for $runtime {
			type RuntimeHoldReason = RuntimeHoldReason;
			type Currency = Balances;
			type AdminOrigin = $crate::__private::EnsureRoot<<$runtime as frame_system::Config>::AccountId>;
			type Datasets = $datasets;
			type DepositBase = $deposit_base;
			type DepositPerByte = $deposit_per_byte;
			type MaxNameLen = $crate::__private::ConstU32<32>;
			type MaxLicenceLen = $crate::__private::ConstU32<32>;
			type MaxUrlLen = $crate::__private::ConstU32<64>;
			type MaxCidLen = $crate::__private::ConstU32<40>;
			type MaxReasonLen = $crate::__private::ConstU32<32>;
			type MaxDatasets = $crate::__private::ConstU32<4>;
			type MaxVersions = $crate::__private::ConstU32<4>;
			type MaxRoutableModels = $crate::__private::ConstU32<$max_routable>;
			type PriceWeight = $crate::__private::PriceWeight;
			type LatencyWeight = $crate::__private::LatencyWeight;
			type AgreementWeight = $crate::__private::AgreementWeight;
			type LatencyReference = $crate::__private::ConstU32<10>;
			type WeightInfo = ();
		}
	};
}
