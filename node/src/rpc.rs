//! JSON-RPC: the standard Substrate methods, `system_*` account nonces, `payment_*` fee
//! queries, and Infera's own `infera_*` methods, one module per pallet, each defined (with
//! its table of methods) in its pallet's `rpc` crate: the model registry
//! ([`pallet_model_registry_rpc`]), compute jobs ([`pallet_compute_jobs_rpc`]) and data
//! rewards ([`pallet_data_rewards_rpc`]).

use infera_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Nonce};
use jsonrpsee::RpcModule;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use std::sync::Arc;

/// What the RPC handlers need from the node.
pub struct FullDeps<C, P> {
	/// The client, to query chain state and call runtime APIs.
	pub client: Arc<C>,
	/// The transaction pool, to look up pending transactions (nonces).
	pub pool: Arc<P>,
}

/// Builds the RPC module with every Infera-specific method.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: pallet_model_registry_rpc::ModelRegistryRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: pallet_compute_jobs_rpc::ComputeJobsRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: pallet_data_rewards_rpc::DataRewardsRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	P: TransactionPool + 'static,
{
	use pallet_compute_jobs_rpc::{ComputeJobs, ComputeJobsApiServer};
	use pallet_data_rewards_rpc::{DataRewards, DataRewardsApiServer};
	use pallet_model_registry_rpc::{ModelRegistry, ModelRegistryApiServer};
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(
		ModelRegistry::<_, Block, AccountId, Balance, BlockNumber>::new(client.clone()).into_rpc(),
	)?;
	module.merge(
		ComputeJobs::<_, Block, AccountId, Balance, BlockNumber>::new(client.clone()).into_rpc(),
	)?;
	module.merge(DataRewards::<_, Block, AccountId, Balance, BlockNumber>::new(client).into_rpc())?;

	Ok(module)
}
