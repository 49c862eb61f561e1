//! Account tools every wallet expects: batches (`pallet-utility`), multi-signature
//! accounts (`pallet-multisig`) and proxies (`pallet-proxy`), configured as Polkadot
//! configures them: storage paid by deposits, proxies limited by what their type allows.
//!
//! Deposits use the chain's storage price ([`crate::deposit`]): 0.1 INFR per item plus
//! 100 µINFR per byte, returned when the item is removed.

use crate::{
	deposit, Balance, Balances, BlakeTwo256, OriginCaller, Runtime, RuntimeCall, RuntimeEvent, System,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	parameter_types,
	traits::{ConstU32, InstanceFilter},
};
use scale_info::TypeInfo;

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = crate::weights::pallet_utility::WeightInfo<Runtime>;
}

parameter_types! {
	/// A pending multisig operation: one item holding its timepoint, deposit, depositor
	/// and approvals (88 bytes before approvals) …
	pub const MultisigDepositBase: Balance = deposit(1, 88);
	/// … plus 32 bytes per unit of the threshold (pallet-multisig's `DepositFactor` is
	/// charged `threshold` times).
	pub const MultisigDepositFactor: Balance = deposit(0, 32);
}

impl pallet_multisig::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type DepositBase = MultisigDepositBase;
	type DepositFactor = MultisigDepositFactor;
	type MaxSignatories = ConstU32<100>;
	type WeightInfo = crate::weights::pallet_multisig::WeightInfo<Runtime>;
	type BlockNumberProvider = System;
}

/// What a proxy may do for the account that added it. A proxy's calls are filtered by its
/// type, and so are the calls inside its batches; a proxy can only add or remove proxies
/// whose type its own includes.
#[derive(
	Copy,
	Clone,
	Eq,
	PartialEq,
	Ord,
	PartialOrd,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Debug,
	MaxEncodedLen,
	TypeInfo,
	Default,
)]
pub enum ProxyType {
	/// Everything the account can do.
	#[default]
	#[codec(index = 0)]
	Any,
	/// Everything except moving the account's funds or assets to others: no balance
	/// transfers, job submissions (their fees pay others), dataset funding, model ownership
	/// offers or sudo. Listed by pallet, so a pallet added later is not allowed by default.
	#[codec(index = 1)]
	NonTransfer,
	/// Voting and proposing: referenda, conviction voting and preimages.
	#[codec(index = 2)]
	Governance,
	/// A dApp backend's hot key: submits and cancels jobs paid by the account.
	#[codec(index = 3)]
	Jobs,
	/// Only rejects announcements of time-delayed proxies (a cold key's emergency brake).
	#[codec(index = 4)]
	CancelProxy,
}

impl InstanceFilter<RuntimeCall> for ProxyType {
	fn filter(&self, call: &RuntimeCall) -> bool {
		use pallet_compute_jobs::Call as Jobs;
		use pallet_data_rewards::Call as Data;
		use pallet_model_registry::Call as Models;
		match self {
			ProxyType::Any => true,
			ProxyType::NonTransfer => match call {
				RuntimeCall::System(..) |
				RuntimeCall::Utility(..) |
				RuntimeCall::Multisig(..) |
				RuntimeCall::Proxy(..) |
				RuntimeCall::Referenda(..) |
				RuntimeCall::ConvictionVoting(..) |
				RuntimeCall::Preimage(..) |
				RuntimeCall::Treasury(..) => true,
				RuntimeCall::ModelRegistry(call) => !matches!(call, Models::offer_ownership { .. }),
				RuntimeCall::ComputeJobs(call) => !matches!(call, Jobs::submit_job { .. }),
				RuntimeCall::DataRewards(call) => !matches!(
					call,
					Data::top_up { .. } | Data::create_dataset { .. } | Data::create_public_dataset { .. }
				),
				_ => false,
			},
			ProxyType::Governance => matches!(
				call,
				RuntimeCall::Referenda(..) |
					RuntimeCall::ConvictionVoting(..) |
					RuntimeCall::Preimage(..) |
					RuntimeCall::Utility(..)
			),
			ProxyType::Jobs => matches!(
				call,
				RuntimeCall::ComputeJobs(Jobs::submit_job { .. } | Jobs::cancel_job { .. }) |
					RuntimeCall::Utility(..)
			),
			ProxyType::CancelProxy => matches!(
				call,
				RuntimeCall::Proxy(pallet_proxy::Call::reject_announcement { .. }) |
					RuntimeCall::Utility(..) |
					RuntimeCall::Multisig(..)
			),
		}
	}

	fn is_superset(&self, other: &Self) -> bool {
		match (self, other) {
			(x, y) if x == y => true,
			(ProxyType::Any, _) => true,
			(_, ProxyType::Any) => false,
			(ProxyType::NonTransfer, ProxyType::Governance | ProxyType::CancelProxy) => true,
			_ => false,
		}
	}
}

parameter_types! {
	/// A proxy list: one item (8 bytes before its entries) …
	pub const ProxyDepositBase: Balance = deposit(1, 8);
	/// … plus 33 bytes per proxy (account and type).
	pub const ProxyDepositFactor: Balance = deposit(0, 33);
	/// An announcement list of a time-delayed proxy: one item …
	pub const AnnouncementDepositBase: Balance = deposit(1, 8);
	/// … plus 66 bytes per announcement (account, call hash, block number).
	pub const AnnouncementDepositFactor: Balance = deposit(0, 66);
}

impl pallet_proxy::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type ProxyType = ProxyType;
	type ProxyDepositBase = ProxyDepositBase;
	type ProxyDepositFactor = ProxyDepositFactor;
	type MaxProxies = ConstU32<32>;
	type WeightInfo = crate::weights::pallet_proxy::WeightInfo<Runtime>;
	type MaxPending = ConstU32<32>;
	type CallHasher = BlakeTwo256;
	type AnnouncementDepositBase = AnnouncementDepositBase;
	type AnnouncementDepositFactor = AnnouncementDepositFactor;
	type BlockNumberProvider = System;
}
