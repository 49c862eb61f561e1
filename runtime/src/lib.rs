//! # Infera runtime
//!
//! The FRAME runtime of the Infera chain. This file holds the chain's primitive types,
//! its version and the pallet composition; pallet configuration lives in [`configs`],
//! runtime API implementations in [`apis`] and genesis presets in
//! [`genesis_config_presets`].

#![cfg_attr(not(feature = "std"), no_std)]
// `#[frame_support::runtime]` expands deeply.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod weights;

use alloc::{borrow::Cow, vec::Vec};
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Types the node needs without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	use sp_runtime::{generic, traits::Hash as HashT};

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;

	impl_opaque_keys! {
		/// The keys a validator registers: BABE for authoring, GRANDPA for finality.
		pub struct SessionKeys {
			pub babe: super::Babe,
			pub grandpa: super::Grandpa,
		}
	}
}

/// Declares [`VERSION`] with the given `spec_version`.
macro_rules! runtime_version {
	($spec_version:tt) => {
		/// The runtime version. Bump `spec_version` for every runtime upgrade, and
		/// `transaction_version` whenever call indices or extrinsic formats change.
		#[sp_version::runtime_version]
		pub const VERSION: RuntimeVersion = RuntimeVersion {
			spec_name: Cow::Borrowed("infera"),
			impl_name: Cow::Borrowed("infera-node"),
			authoring_version: 1,
			spec_version: $spec_version,
			impl_version: 1,
			apis: apis::RUNTIME_API_VERSIONS,
			transaction_version: 4,
			system_version: 1,
		};
	};
}

#[cfg(not(feature = "upgrade-fixture"))]
runtime_version!(113);
/// The upgrade end-to-end test's "next release": the same runtime, one version higher.
#[cfg(feature = "upgrade-fixture")]
runtime_version!(114);

/// Block time of production networks (local testnet, testnet), in milliseconds.
/// The slot duration is genesis state (see `pallet-block-time`), so the development
/// preset can use [`DEV_MILLI_SECS_PER_BLOCK`] with this very runtime.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
/// Block time of the `development` preset (`--dev`), in milliseconds.
pub const DEV_MILLI_SECS_PER_BLOCK: u64 = 2000;

/// Durations in blocks at production block time.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
pub const HOURS: BlockNumber = MINUTES * 60;
pub const DAYS: BlockNumber = HOURS * 24;

/// The token, INFR, has 12 decimals: one `UNIT` is 10^12 planck.
pub const UNIT: Balance = 1_000_000_000_000;
pub const MILLI_UNIT: Balance = 1_000_000_000;
pub const MICRO_UNIT: Balance = 1_000_000;
/// Token symbol, as shown by wallets.
pub const TOKEN_SYMBOL: &str = "INFR";
/// Token decimals, as shown by wallets.
pub const TOKEN_DECIMALS: u8 = 12;
/// SS58 address prefix (42: the generic Substrate prefix).
pub const SS58_PREFIX: u16 = 42;

/// The minimum balance an account must hold to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// The price of storage, held as a deposit while the data is stored: 0.1 INFR per item
/// plus 100 µINFR per byte, for `items` items of `bytes` bytes in all. Every pallet that
/// charges users for storage (models, datasets, contributions, multisig, proxies) is
/// priced with it.
pub const fn deposit(items: u32, bytes: u32) -> Balance {
	items as Balance * 100 * MILLI_UNIT + bytes as Balance * 100 * MICRO_UNIT
}

/// Alias to 512-bit hash when used in the context of a transaction signature on the chain.
pub type Signature = MultiSignature;
/// An account on the chain: the public key behind the signature scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account.
pub type Balance = u128;
/// Index of a transaction in the chain.
pub type Nonce = u32;
/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;
/// An index to a block.
pub type BlockNumber = u32;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block signed with a justification.
pub type SignedBlock = generic::SignedBlock<Block>;
/// Block id type.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions, checked in this order for every signed transaction.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run at the next runtime upgrade.
type Migrations = (
	pallet_compute_jobs::migrations::v1::MigrateToV1<Runtime>,
	pallet_compute_jobs::migrations::v2::MigrateToV2<Runtime>,
	pallet_compute_jobs::migrations::v3::MigrateToV3<Runtime>,
	pallet_compute_jobs::migrations::v4::MigrateToV4<Runtime>,
	pallet_compute_jobs::migrations::v5::MigrateToV5<Runtime>,
	pallet_data_rewards::migrations::v1::MigrateToV1<Runtime>,
	pallet_model_registry::migrations::v2::MigrateToV2<Runtime>,
);

/// Executive: dispatches calls to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// The pallets of the chain. Indices are part of the transaction format: never reuse one.
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
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type BlockTime = pallet_block_time;

	/// BABE replaced Aura (index 3) before launch; its index is never reused.
	#[runtime::pallet_index(18)]
	pub type Babe = pallet_babe;

	#[runtime::pallet_index(4)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(5)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(6)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(7)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(8)]
	pub type ModelRegistry = pallet_model_registry;

	#[runtime::pallet_index(9)]
	pub type ComputeJobs = pallet_compute_jobs;

	#[runtime::pallet_index(10)]
	pub type DataRewards = pallet_data_rewards;

	#[runtime::pallet_index(11)]
	pub type Parameters = pallet_parameters;

	#[runtime::pallet_index(12)]
	pub type Treasury = pallet_treasury;

	#[runtime::pallet_index(13)]
	pub type Preimage = pallet_preimage;

	#[runtime::pallet_index(14)]
	pub type Scheduler = pallet_scheduler;

	#[runtime::pallet_index(15)]
	pub type Referenda = pallet_referenda;

	#[runtime::pallet_index(16)]
	pub type ConvictionVoting = pallet_conviction_voting;

	#[runtime::pallet_index(17)]
	pub type Governance = pallet_governance;

	#[runtime::pallet_index(19)]
	pub type Utility = pallet_utility;

	#[runtime::pallet_index(20)]
	pub type Multisig = pallet_multisig;

	#[runtime::pallet_index(21)]
	pub type Proxy = pallet_proxy;
}
