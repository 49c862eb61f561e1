//! [`mock_runtime!`]: the part of every pallet's mock runtime that is the same in all.

/// Declares a mock runtime `$runtime` with `System` (index 0) and `Balances` (index 1) at
/// their `TestDefaultConfig`, and the pallets under test at the indices given.
///
/// Only what differs between the mocks is spelled out: the block type (and with it the
/// block number), the account id (looked up as itself) and the existential deposit.
/// Balances are `u64`, as `pallet_balances`' `TestDefaultConfig` has them. Each pallet
/// under test still needs its `impl Config for $runtime`.
///
/// The calling crate depends on `frame-support`, `frame-system`, `pallet-balances`,
/// `parity-scale-codec` (as `codec`) and `scale-info`, as every pallet's tests do; a pallet
/// tested in its own crate is in scope under its crate name (`use crate as pallet_x;`).
///
/// ```
/// infera_test_support::mock_runtime! {
/// 	runtime: Test,
/// 	block: frame_system::mocking::MockBlock<Test>,
/// 	account_id: u64,
/// 	existential_deposit: frame_support::traits::ConstU64<1>,
/// 	// Here none; in a pallet's mock, e.g. `2 => Registry: pallet_model_registry`.
/// 	pallets: {},
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! mock_runtime {
	(
		runtime: $runtime:ident,
		block: $block:ty,
		account_id: $account:ty,
		existential_deposit: $existential_deposit:ty,
		pallets: { $($index:literal => $name:ident: $pallet:ident),* $(,)? } $(,)?
	) => {
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
			pub struct $runtime;

			#[runtime::pallet_index(0)]
			pub type System = frame_system;
			#[runtime::pallet_index(1)]
			pub type Balances = pallet_balances;
			$(
				#[runtime::pallet_index($index)]
				pub type $name = $pallet;
			)*
		}

		/// `#[derive_impl]` calls itself again by its bare name: it is imported here, out of
		/// the way of the caller's imports.
		mod mock_runtime_configs {
			use super::*;
			use frame_support::derive_impl;

			#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
			impl frame_system::Config for $runtime {
				type Block = $block;
				type AccountId = $account;
				type Lookup = $crate::__private::IdentityLookup<$account>;
				type AccountData = pallet_balances::AccountData<u64>;
			}

			#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
			impl pallet_balances::Config for $runtime {
				type AccountStore = System;
				type ExistentialDeposit = $existential_deposit;
			}
		}
	};
}
