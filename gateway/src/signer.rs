//! The requester key and the transactions it signs, built with the runtime's own types (the
//! gateway links `infera-runtime` natively: a call is encoded exactly as the runtime
//! decodes it, and a change of format fails to compile here instead of on chain).

use crate::rpc::RuntimeVersion;
use codec::Encode;
use infera_runtime::{Address, Nonce, Runtime, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic};
use sp_core::{crypto::Ss58Codec, sr25519, Pair, H256};
use sp_runtime::{generic::Era, traits::IdentifyAccount, MultiSignature, MultiSigner};

/// Blocks a transaction stays valid for after the block it was signed at (a power of two).
pub const MORTALITY: u32 = 64;

/// Where the chain is: what every signature commits to besides the call.
#[derive(Clone, Debug)]
pub struct SigningContext {
	/// The chain's genesis hash.
	pub genesis: H256,
	/// The runtime's version now.
	pub version: RuntimeVersion,
	/// The block the transaction's mortality counts from, and its hash.
	pub birth: (u32, H256),
}

/// The key the gateway pays for jobs with.
pub struct Requester {
	pair: sr25519::Pair,
	/// Its account.
	pub account: infera_runtime::AccountId,
	/// Its account in SS58 (prefix 42).
	pub address: String,
}

impl Requester {
	/// The sr25519 key of a secret URI (a mnemonic, a hex seed, or a dev URI like `//Alice`,
	/// each with optional `//hard/soft` derivations and `///password`).
	pub fn from_secret_uri(uri: &str) -> Result<Self, String> {
		let pair = sr25519::Pair::from_string(uri.trim(), None)
			.map_err(|error| format!("the requester key is not a valid secret URI ({error:?})"))?;
		let account = MultiSigner::from(pair.public()).into_account();
		let address = account.to_ss58check_with_version(infera_runtime::SS58_PREFIX.into());
		Ok(Self { pair, account, address })
	}

	/// `call`, signed with nonce `nonce` for the chain of `context`: the encoded extrinsic
	/// and its hash (what the node's pool and the block list it by).
	pub fn sign(&self, call: RuntimeCall, nonce: Nonce, context: &SigningContext) -> (Vec<u8>, H256) {
		let extension: TxExtension = (
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(Era::mortal(MORTALITY.into(), context.birth.0.into())),
			frame_system::CheckNonce::<Runtime>::from(nonce),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			// Mode 0: this signer does not show metadata to anyone, so it commits to none.
			frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
			frame_system::WeightReclaim::<Runtime>::new(),
		);
		let implicit = (
			(),
			context.version.spec_version,
			context.version.transaction_version,
			context.genesis,
			context.birth.1,
			(),
			(),
			(),
			None,
			(),
		);
		let payload = SignedPayload::from_raw(call, extension, implicit);
		let signature = payload.using_encoded(|bytes| self.pair.sign(bytes));
		let (call, extension, _) = payload.deconstruct();
		let extrinsic = UncheckedExtrinsic::new_signed(
			call,
			Address::Id(self.account.clone()),
			MultiSignature::Sr25519(signature),
			extension,
		)
		.encode();
		let hash = sp_io::hashing::blake2_256(&extrinsic).into();
		(extrinsic, hash)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::Decode;
	use sp_runtime::traits::Checkable;

	fn context() -> SigningContext {
		SigningContext {
			genesis: H256::repeat_byte(7),
			version: RuntimeVersion {
				spec_name: "infera".into(),
				spec_version: infera_runtime::VERSION.spec_version,
				transaction_version: infera_runtime::VERSION.transaction_version,
			},
			birth: (10, H256::repeat_byte(9)),
		}
	}

	#[test]
	fn a_dev_uri_gives_the_well_known_account() {
		let alice = Requester::from_secret_uri("//Alice").unwrap();
		assert_eq!(alice.address, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
		assert!(Requester::from_secret_uri("not a key").is_err());
	}

	/// The runtime's own check of a signed extrinsic, in a state whose genesis and block 10
	/// have `context`'s hashes, at block 11.
	fn runtime_checks(bytes: &[u8], genesis: H256) -> bool {
		let extrinsic = UncheckedExtrinsic::decode(&mut &bytes[..]).unwrap();
		sp_io::TestExternalities::default().execute_with(|| {
			frame_system::BlockHash::<Runtime>::insert(0, genesis);
			frame_system::BlockHash::<Runtime>::insert(10, H256::repeat_byte(9));
			frame_system::Pallet::<Runtime>::set_block_number(11);
			<UncheckedExtrinsic as Checkable<_>>::check(extrinsic, &frame_system::ChainContext::<Runtime>::default()).is_ok()
		})
	}

	#[test]
	fn the_runtime_decodes_the_call_and_accepts_the_signature_only_on_its_own_chain() {
		let alice = Requester::from_secret_uri("//Alice").unwrap();
		let call = RuntimeCall::System(frame_system::Call::remark { remark: b"hello".to_vec() });
		let (bytes, hash) = alice.sign(call.clone(), 5, &context());
		assert_eq!(hash, H256::from(sp_io::hashing::blake2_256(&bytes)));
		assert_eq!(UncheckedExtrinsic::decode(&mut &bytes[..]).unwrap().function, call);
		assert!(runtime_checks(&bytes, context().genesis));
		// Signed for another chain: the signature does not cover this one's genesis.
		assert!(!runtime_checks(&bytes, H256::repeat_byte(8)));
	}
}
