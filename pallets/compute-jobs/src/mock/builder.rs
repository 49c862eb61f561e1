//! [`ExtBuilder`]: what a test's chain starts from, set up through the pallets' own calls
//! (the registry's `register_model` and `approve_version`, `register_worker`), and
//! [`run_to_block`], the way tests move it forward.

use super::*;
use frame_support::{assert_ok, BoundedVec};
use infera_test_support::minilm;
use sp_core::H256;

/// What a test's chain starts from. By default [`OWNER`], [`REQUESTER`] and `W1`–`W5` hold
/// [`INITIAL_BALANCE`], [`POOR`] 500, the [`SQUATTERS`] 5,000 and the treasury 1, at block
/// 1; the `with_*` methods add a model and workers through the pallets' own calls
/// (the registry's `register_model` and `approve_version`, `register_worker`).
pub struct ExtBuilder {
	balances: Vec<(AccountId, Balance)>,
	/// The lineage of the approved model, when there is one.
	model: Option<Vec<DatasetId>>,
	/// The model's workers in registration order, each with whether it is busy.
	workers: Vec<(AccountId, bool)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		let mut balances: Vec<_> =
			[OWNER, REQUESTER, W1, W2, W3, W4, W5].iter().map(|who| (*who, INITIAL_BALANCE)).collect();
		balances.push((POOR, 500));
		balances.extend(SQUATTERS.iter().map(|who| (*who, 5_000)));
		balances.push((TREASURY, 1));
		Self { balances, model: None, workers: Vec::new() }
	}
}

impl ExtBuilder {
	/// [`MODEL`]: an approved embedding model of [`OWNER`] at [`PRICE`] (see
	/// [`approved_model`]).
	pub fn with_approved_model(self) -> Self {
		self.with_approved_model_trained_on(&[])
	}

	/// [`MODEL`] as [`with_approved_model`](Self::with_approved_model) makes it, its version
	/// trained on `datasets` (7 and 8 take lineage rewards, see [`MockLineage`]).
	pub fn with_approved_model_trained_on(mut self, datasets: &[DatasetId]) -> Self {
		self.model = Some(datasets.to_vec());
		self
	}

	/// `who` serve [`MODEL`], registered in this order (see [`workers`]).
	pub fn with_workers(mut self, who: &[AccountId]) -> Self {
		self.workers.extend(who.iter().map(|worker| (*worker, false)));
		self
	}

	/// `who` serve [`MODEL`] but are busy elsewhere (see [`busy_worker`]): jobs queue.
	pub fn with_busy_workers(mut self, who: &[AccountId]) -> Self {
		self.workers.extend(who.iter().map(|worker| (*worker, true)));
		self
	}

	/// The chain, at block 1.
	pub fn build(self) -> sp_io::TestExternalities {
		let mut ext = infera_test_support::ext::funded::<Test>(self.balances);
		ext.execute_with(|| {
			if let Some(datasets) = &self.model {
				assert_eq!(approved_model_trained_on(1, PRICE, datasets), MODEL);
			}
			for (who, busy) in self.workers {
				assert!(self.model.is_some(), "workers serve the approved model: add `with_approved_model`");
				if busy {
					busy_worker(MODEL, who);
				} else {
					workers(MODEL, &[who]);
				}
			}
		});
		ext
	}

	/// Runs `test` on the chain, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		infera_test_support::ext::execute_and_check(self.build(), test, ComputeJobs::do_try_state);
	}
}

/// The default chain, for the benchmarks' test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}

/// Runs the blocks up to `n` through every pallet's hooks, `on_idle` included.
pub fn run_to_block(n: u64) {
	infera_test_support::run_to_block::<Test, AllPalletsWithSystem>(n);
}

/// Registers an approved embedding model of `OWNER` at `price` with weights `seed`.
pub fn approved_model(seed: u8, price: Balance) -> ModelId {
	approved_model_trained_on(seed, price, &[])
}

/// Like [`approved_model`], declaring it was trained on `datasets`.
pub fn approved_model_trained_on(seed: u8, price: Balance, datasets: &[DatasetId]) -> ModelId {
	approved_minilm::<Test>(OWNER, seed, price, datasets)
}

/// Registers MiniLM as an embedding model of `owner` at `price`, with weights digest `seed`
/// and version 1 trained on `datasets`, and approves it, through the registry's calls in
/// either mock runtime (this one or the off-chain tests'); returns its id.
pub fn approved_minilm<T: pallet_model_registry::Config>(
	owner: T::AccountId,
	seed: u8,
	price: pallet_model_registry::BalanceOf<T>,
	datasets: &[DatasetId],
) -> ModelId {
	let id = pallet_model_registry::NextModelId::<T>::get();
	assert_ok!(pallet_model_registry::Pallet::<T>::register_model(
		frame_system::RawOrigin::Signed(owner).into(),
		BoundedVec::truncate_from(minilm::NAME.to_vec()),
		TaskKind::TextEmbedding,
		BoundedVec::truncate_from(minilm::LICENCE.to_vec()),
		price,
		None,
		BoundedVec::truncate_from(datasets.to_vec()),
		infera_test_support::minilm_artifacts!(pallet_model_registry, H256::repeat_byte(seed)),
	));
	assert_ok!(pallet_model_registry::Pallet::<T>::approve_version(frame_system::RawOrigin::Root.into(), id, 1));
	id
}

/// Registers each of `who` as a worker of `model` with [`BOND`] and room for two jobs,
/// ready for version 1 (as its node marks it once it holds the files).
pub fn workers(model: ModelId, who: &[AccountId]) {
	for worker in who {
		assert_ok!(ComputeJobs::register_worker(RuntimeOrigin::signed(*worker), BOND, models(&[model]), 2));
		assert_ok!(ComputeJobs::set_readiness(RuntimeOrigin::signed(*worker), model, 1, true));
	}
}

/// Registers `who` and takes all its capacity, as if it were busy with jobs elsewhere: it
/// counts as an available worker, but new jobs queue.
pub fn busy_worker(model: ModelId, who: AccountId) {
	workers(model, &[who]);
	Workers::<Test>::mutate(who, |w| w.as_mut().unwrap().capacity = 0);
}

/// Gives a busy worker its capacity back.
pub fn free_worker(who: AccountId) {
	Workers::<Test>::mutate(who, |w| w.as_mut().unwrap().capacity = 2);
}
