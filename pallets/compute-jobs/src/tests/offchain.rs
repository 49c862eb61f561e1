//! The off-chain worker against polkadot-sdk's test externalities: `TestOffchainExt` plays
//! the node's inference service and remote input hosts (expected HTTP requests), the
//! keystore holds the worker's `infr` key, and `TestTransactionPoolExt` catches the signed
//! commits and reveals it submits. A runtime of its own: worker keys need sr25519 accounts.

use crate::{
	self as pallet_compute_jobs,
	mock::{approved_minilm, DataShare, DisagreeSlash, EmbeddingAgreement, NoShowSlash, ReputationStep, TreasuryShare},
	offchain::{sent_key, verdict_key, InferenceWorker, OffchainInference, WORKER_KEY_TYPE},
	results::commitment_of,
	*,
};
use codec::{Decode, Encode};
use frame_support::{
	assert_ok, parameter_types,
	traits::{ConstU32, ConstU64},
	BoundedVec,
};
use infera_primitives::inference::{
	InferenceFailure, InferenceOutput, InferenceRequest, InferenceResponse, Readiness, VerificationEvidence,
	VerificationRequest, INFERENCE_ENDPOINT_KEY,
};
use infera_primitives::ArtifactRef;
use infera_test_support::minilm;
use pallet_model_registry::ArtifactFormat;
use sp_core::{
	offchain::{testing, OffchainDbExt, OffchainWorkerExt, TransactionPoolExt},
	H256,
};
use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
use sp_runtime::{
	offchain::storage::StorageValueRef, traits::IdentifyAccount, AccountId32, MultiSignature, MultiSigner,
};
use std::sync::Arc;

type AccountId = AccountId32;
type Extrinsic = sp_runtime::generic::UncheckedExtrinsic<AccountId, RuntimeCall, (), ()>;

infera_test_support::mock_runtime! {
	runtime: Test,
	block: frame_system::mocking::MockBlockU32<Test>,
	account_id: AccountId,
	existential_deposit: ConstU64<1>,
	pallets: {
		2 => Registry: pallet_model_registry,
		3 => ComputeJobs: pallet_compute_jobs,
	},
}

impl frame_system::offchain::SigningTypes for Test {
	type Public = MultiSigner;
	type Signature = MultiSignature;
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<LocalCall> frame_system::offchain::CreateSignedTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	/// Records the signer as the extrinsic's address, so tests see who signed.
	fn create_signed_transaction<C: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>>(
		call: RuntimeCall,
		_public: MultiSigner,
		account: AccountId,
		_nonce: u32,
	) -> Option<Extrinsic> {
		Some(Extrinsic::new_signed(call, account, (), ()))
	}
}

parameter_types! {
	pub const TreasuryAccount: AccountId = AccountId32::new([100; 32]);
}

infera_test_support::impl_model_registry_config! {
	runtime: Test,
	datasets: (),
	deposit_base: ConstU64<10>,
	deposit_per_byte: ConstU64<0>,
	max_routable_models: 8,
}

/// Block numbers are `u32` here, as in the runtime, and the commit and reveal windows are
/// wider than in [`crate::mock`]; the percentages are the other mock's.
impl Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Models = Registry;
	type Randomness = crate::mock::MockVrf<Test>;
	type MinWorkerBond = ConstU64<1_000>;
	type UnbondingDelay = ConstU32<10>;
	type WorkerFee = ConstU64<5>;
	type MaxReplicas = ConstU32<3>;
	type ReplicaLimit = ConstU32<3>;
	type MinDeadline = ConstU32<18>;
	type MaxDeadline = ConstU32<100>;
	type MaxModelsPerWorker = ConstU32<3>;
	type MaxWorkersPerModel = ConstU32<4>;
	type MaxInputLen = ConstU32<64>;
	type MaxUrlLen = ConstU32<64>;
	type MaxOutputLen = ConstU32<4>;
	type CommitWindow = ConstU32<10>;
	type RevealWindow = ConstU32<5>;
	type MaxDeadlineSpill = ConstU32<2>;
	type MaxQueuedPerRequester = ConstU32<2>;
	type MaxStakeUnits = ConstU32<10>;
	type EmbeddingAgreement = EmbeddingAgreement;
	type DisagreeSlash = DisagreeSlash;
	type NoShowSlash = NoShowSlash;
	type ReputationStep = ReputationStep;
	type TreasuryShare = TreasuryShare;
	type TreasuryAccount = TreasuryAccount;
	type Lineage = ();
	type DataShare = DataShare;
	type MaxLineage = ConstU32<4>;
	type ClosedJobRetention = ConstU32<20>;
	type OffchainWorker = Worker;
	type MaxJobsPerBlock = ConstU32<4>;
	type MaxQueuedJobs = ConstU32<3>;
	type MaxNewTokens = ConstU32<4>;
	type TokenFee = ConstU64<1>;
	type GenerationMarginTolerance = frame_support::traits::ConstU8<4>;
	type GenerationMaxDeficit = frame_support::traits::ConstU8<8>;
	type GenerationMeanMarginTolerance = frame_support::traits::ConstU8<2>;
	type MaxReadyVersions = ConstU32<4>;
	type WeightInfo = ();
}

type Worker = InferenceWorker<Test, crypto::WorkerKey>;

const ENDPOINT: &str = "http://127.0.0.1:4000";
const INFER_URL: &str = "http://127.0.0.1:4000/v1/infer";
const VERIFY_URL: &str = "http://127.0.0.1:4000/v1/verify";
const PREPARE_URL: &str = "http://127.0.0.1:4000/v1/prepare";
const REMOTE_URL: &str = "http://data.example/input.txt";

fn account(byte: u8) -> AccountId {
	AccountId32::new([byte; 32])
}

fn owner() -> AccountId {
	account(1)
}

fn requester() -> AccountId {
	account(2)
}

/// The node around the chain: its offchain state, transaction pool and key.
struct Harness {
	offchain: Arc<parking_lot::RwLock<testing::OffchainState>>,
	pool: Arc<parking_lot::RwLock<testing::PoolState>>,
	/// The account of the `infr` key in the node's keystore.
	key: AccountId,
}

/// A chain with an approved embedding model (id 0) and funded accounts, and a node whose
/// keystore holds one `infr` key and whose inference service is at [`ENDPOINT`].
fn harness() -> (sp_io::TestExternalities, Harness) {
	let (ext, mut harnesses) = harness_with_keys(&["//Worker"]);
	(ext, harnesses.remove(0))
}

/// [`harness`] with one `infr` key per seed in the node's keystore, one harness per key.
fn harness_with_keys(seeds: &[&str]) -> (sp_io::TestExternalities, Vec<Harness>) {
	let keystore = MemoryKeystore::new();
	let keys: Vec<AccountId> = seeds
		.iter()
		.map(|seed| {
			let public = keystore.sr25519_generate_new(WORKER_KEY_TYPE, Some(seed)).unwrap();
			MultiSigner::from(public).into_account()
		})
		.collect();
	let mut balances = vec![
		(owner(), 100_000),
		(requester(), 100_000),
		(account(11), 100_000),
		(TreasuryAccount::get(), 1),
	];
	balances.extend(keys.iter().map(|key| (key.clone(), 100_000)));
	let mut ext = infera_test_support::ext::funded::<Test>(balances);
	let (offchain, offchain_state) = testing::TestOffchainExt::new();
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.register_extension(KeystoreExt::new(keystore));
	ext.execute_with(|| {
		assert_eq!(approved_minilm::<Test>(owner(), 1, 20, &[]), 0);
		StorageValueRef::persistent(INFERENCE_ENDPOINT_KEY).set(&ENDPOINT.as_bytes().to_vec());
	});
	let harnesses = keys
		.into_iter()
		.map(|key| Harness { offchain: offchain_state.clone(), pool: pool_state.clone(), key })
		.collect();
	(ext, harnesses)
}

/// Registers `who` as a worker of model 0, not yet ready for any version.
fn register_unready_worker(who: &AccountId) {
	assert_ok!(ComputeJobs::register_worker(
		RuntimeOrigin::signed(who.clone()),
		1_000,
		BoundedVec::truncate_from(vec![0]),
		4
	));
}

/// Registers `who` as a worker of model 0 whose node already holds version 1 (marked ready
/// by hand: no prepare request is then made).
fn register_worker(who: &AccountId) {
	register_unready_worker(who);
	assert_ok!(ComputeJobs::set_readiness(RuntimeOrigin::signed(who.clone()), 0, 1, true));
}

fn submit(input: JobInput<Test>) -> JobId {
	let id = NextJobId::<Test>::get();
	assert_ok!(ComputeJobs::submit_job(
		RuntimeOrigin::signed(requester()),
		ModelChoice::Model { model_id: 0, version: None, max_price: 20 },
		input,
		100,
		1,
		20,
	));
	id
}

fn inline(bytes: &[u8]) -> JobInput<Test> {
	JobInput::Inline(BoundedVec::truncate_from(bytes.to_vec()))
}

/// Model 0, version 1, as the registry hands it to the off-chain worker.
fn model_zero() -> ArtifactRef {
	ArtifactRef {
		task: TaskKind::TextEmbedding,
		format: ArtifactFormat::Safetensors,
		weights: H256::repeat_byte(1),
		tokenizer: Some(minilm::TOKENIZER),
		config: Some(minilm::CONFIG),
		size_bytes: minilm::SIZE_BYTES,
		url: Some(minilm::URL.to_vec()),
		cid: None,
	}
}

/// The node is asked to hold `models` and answers `answers`.
fn expect_prepare(harness: &Harness, models: Vec<ArtifactRef>, answers: Vec<Readiness>) {
	harness.offchain.write().expect_request(testing::PendingRequest {
		method: "POST".into(),
		uri: PREPARE_URL.into(),
		body: models.encode(),
		response: Some(answers.encode()),
		sent: true,
		..Default::default()
	});
}

/// The service answers one batch request for `inputs` with `answers`.
fn expect_inference(harness: &Harness, inputs: &[&[u8]], answers: InferenceResponse) {
	let request = InferenceRequest {
		model: model_zero(),
		inputs: inputs.iter().map(|input| input.to_vec()).collect(),
		generation: None,
	};
	harness.offchain.write().expect_request(testing::PendingRequest {
		method: "POST".into(),
		uri: INFER_URL.into(),
		body: request.encode(),
		response: Some(answers.encode()),
		sent: true,
		..Default::default()
	});
}

/// The signed calls the node submitted since the last look, with their signers.
fn submitted(harness: &Harness) -> Vec<(AccountId, Call<Test>)> {
	let transactions = core::mem::take(&mut harness.pool.write().transactions);
	transactions
		.into_iter()
		.map(|tx| {
			let tx = Extrinsic::decode(&mut &tx[..]).unwrap();
			let sp_runtime::generic::Preamble::Signed(signer, (), ()) = tx.preamble else {
				panic!("unsigned transaction")
			};
			let RuntimeCall::ComputeJobs(call) = tx.function else { panic!("not a job duty") };
			(signer, call)
		})
		.collect()
}

fn embedding(values: &[i8]) -> Verdict<Test> {
	Verdict::Output(JobOutput::<Test>::Embedding(BoundedVec::truncate_from(values.to_vec())))
}

/// Imports the `DRAW_DELAY` blocks after which the jobs submitted so far are drawn (each
/// block's `on_initialize` folds its parent's VRF output); returns the block of the draw,
/// the first at which the off-chain worker sees the assignments.
fn draw() -> u32 {
	let at = System::block_number() + DRAW_DELAY;
	infera_test_support::run_to_block::<Test, AllPalletsWithSystem>(at);
	assert!(
		Jobs::<Test>::iter().all(|(_, job)| job.state != JobState::Drawing),
		"every submitted job was drawn"
	);
	at
}

fn run_at(block: u32) {
	System::set_block_number(block);
	Worker::run(block);
}

/// Lands what the node submitted, as a block would.
fn apply(calls: Vec<(AccountId, Call<Test>)>) {
	for (signer, call) in calls {
		let result = match call {
			Call::commit_result { job_id, commitment } =>
				ComputeJobs::commit_result(RuntimeOrigin::signed(signer), job_id, commitment),
			Call::reveal_result { job_id, verdict, salt } =>
				ComputeJobs::reveal_result(RuntimeOrigin::signed(signer), job_id, verdict, salt),
			Call::set_readiness { model_id, version, ready } =>
				ComputeJobs::set_readiness(RuntimeOrigin::signed(signer), model_id, version, ready)
					.map(|()| Default::default())
					.map_err(Into::into),
			other => panic!("unexpected call {other:?}"),
		};
		assert_ok!(result);
	}
}

#[test]
fn an_output_is_committed_then_revealed_and_the_job_settles() {
	let (mut ext, h) = harness();
	expect_inference(&h, &[b"hello"], vec![Ok(InferenceOutput::embedding(vec![1, 2, 3]))]);
	let key = h.key.clone();
	ext.execute_with(|| {
		register_worker(&key);
		let job = submit(inline(b"hello"));
		// Nothing to do before the draw: the job has no workers yet.
		run_at(1);
		assert!(submitted(&h).is_empty());
		let at = draw();
		run_at(at);
		let commits = submitted(&h);
		let [(signer, Call::commit_result { job_id, commitment })] = &commits[..] else { panic!("{commits:?}") };
		assert_eq!((signer, *job_id), (&key, job));
		let salt = offchain::kept_salt(job, &key).unwrap();
		assert_eq!(*commitment, commitment_of::<Test>(job, &key, &embedding(&[1, 2, 3]), &salt));
		apply(commits);
		run_at(at + 1);
		let reveals = submitted(&h);
		assert!(matches!(&reveals[..], [(_, Call::reveal_result { verdict, .. })] if *verdict == embedding(&[1, 2, 3])));
		apply(reveals);
		assert!(matches!(Jobs::<Test>::get(job).unwrap().state, JobState::Closed { reason: CloseReason::Completed, .. }));
	});
}

#[test]
fn unreadable_input_is_reported_and_the_job_closes_without_a_slash() {
	let (mut ext, h) = harness();
	// Not UTF-8: the service answers InvalidInput for it.
	expect_inference(&h, &[&[0xff, 0xfe]], vec![Err(InferenceFailure::InvalidInput)]);
	let key = h.key.clone();
	ext.execute_with(|| {
		register_worker(&key);
		let job = submit(inline(&[0xff, 0xfe]));
		let at = draw();
		run_at(at);
		apply(submitted(&h));
		run_at(at + 1);
		let reveals = submitted(&h);
		assert!(matches!(
			&reveals[..],
			[(_, Call::reveal_result { verdict: Verdict::Failure(FailureReason::InvalidInput), .. })]
		));
		apply(reveals);
		let job = Jobs::<Test>::get(job).unwrap();
		assert!(matches!(job.state, JobState::Closed { reason: CloseReason::Failed(FailureReason::InvalidInput), .. }));
		assert_eq!(Workers::<Test>::get(&key).unwrap().bond, 1_000, "not slashed");
	});
}

#[test]
fn a_remote_input_is_fetched_and_checked_before_it_is_run() {
	let (mut ext, h) = harness();
	let body = b"remote text".to_vec();
	for response in [b"tampered!!!".to_vec(), body.clone()] {
		h.offchain.write().expect_request(testing::PendingRequest {
			method: "GET".into(),
			uri: REMOTE_URL.into(),
			response: Some(response),
			sent: true,
			..Default::default()
		});
	}
	// Only the input that matches its digest reaches the model.
	expect_inference(&h, &[&body], vec![Ok(InferenceOutput::embedding(vec![4, 5, 6]))]);
	let key = h.key.clone();
	ext.execute_with(|| {
		register_worker(&key);
		let remote = || JobInput::Remote {
			digest: H256(sp_io::hashing::sha2_256(&body)),
			size_bytes: body.len() as u64,
			url: BoundedVec::truncate_from(REMOTE_URL.as_bytes().to_vec()),
		};
		let tampered = submit(remote());
		let at = draw();
		run_at(at);
		apply(submitted(&h));
		// The same input in a new job is fetched again (a fetch failure is an observation
		// about one job, not about the input forever); this time the host serves it.
		let good = submit(remote());
		let at = draw();
		run_at(at);
		let calls = submitted(&h);
		apply(calls);
		run_at(at + 1);
		apply(submitted(&h));
		assert!(matches!(
			Jobs::<Test>::get(tampered).unwrap().state,
			JobState::Closed { reason: CloseReason::Failed(FailureReason::InputUnavailable), .. }
		));
		assert!(matches!(
			Jobs::<Test>::get(good).unwrap().state,
			JobState::Closed { reason: CloseReason::Completed, .. }
		));
	});
}

#[test]
fn after_a_reorg_changes_a_job_its_stale_result_is_never_committed() {
	let (mut ext, h) = harness();
	expect_inference(&h, &[b"fork A"], vec![Ok(InferenceOutput::embedding(vec![1, 1, 1]))]);
	expect_inference(&h, &[b"fork B"], vec![Ok(InferenceOutput::embedding(vec![-9, 9, -9]))]);
	let key = h.key.clone();
	ext.execute_with(|| {
		register_worker(&key);
		let job = submit(inline(b"fork A"));
		let at = draw();
		run_at(at);
		let on_fork_a = submitted(&h);
		assert_eq!(on_fork_a.len(), 1);
		// A reorg: the commit never lands, and on the new best chain the same job id holds
		// another input.
		Jobs::<Test>::mutate(job, |info| info.as_mut().unwrap().input = inline(b"fork B"));
		run_at(at + offchain::RESEND_AFTER);
		let on_fork_b = submitted(&h);
		let [(_, Call::commit_result { commitment, .. })] = &on_fork_b[..] else { panic!("{on_fork_b:?}") };
		let salt = offchain::kept_salt(job, &key).unwrap();
		assert_eq!(*commitment, commitment_of::<Test>(job, &key, &embedding(&[-9, 9, -9]), &salt));
		apply(on_fork_b);
		run_at(at + 1 + offchain::RESEND_AFTER);
		apply(submitted(&h));
		assert_eq!(Results::<Test>::get(job), Some(JobOutput::<Test>::Embedding(BoundedVec::truncate_from(vec![-9, 9, -9]))));
	});
}

#[test]
fn an_overlapping_run_never_overwrites_the_salt_of_a_commitment() {
	let (mut ext, h) = harness();
	expect_inference(&h, &[b"hello"], vec![Ok(InferenceOutput::embedding(vec![1, 2, 3]))]);
	expect_inference(&h, &[b"hello"], vec![Ok(InferenceOutput::embedding(vec![1, 2, 3]))]);
	let key = h.key.clone();
	h.offchain.write().seed = [1; 32];
	ext.execute_with(|| {
		register_worker(&key);
		let job = submit(inline(b"hello"));
		let at = draw();
		run_at(at);
		let first = submitted(&h);
		apply(first);
		// A second run that started before the first kept its verdict (its lock expired):
		// it computes again, with another random seed, and sends its commit.
		h.offchain.write().seed = [2; 32];
		let kept = Jobs::<Test>::get(job).unwrap();
		StorageValueRef::persistent(&verdict_key::<Test>(job, &kept, crate::offchain::Role::Output)).clear();
		StorageValueRef::persistent(&sent_key(job, &key, 0)).clear();
		let state = Jobs::<Test>::get(job).unwrap().state;
		// Pretend the first commit is not yet visible to it.
		Jobs::<Test>::mutate(job, |info| {
			if let JobState::Assigned { assignments, reveal_from, .. } = &mut info.as_mut().unwrap().state {
				assignments[0].commitment = None;
				*reveal_from = at + 10;
			}
		});
		run_at(at);
		let second = submitted(&h);
		Jobs::<Test>::mutate(job, |info| info.as_mut().unwrap().state = state.clone());
		let JobState::Assigned { assignments, .. } = state else { panic!() };
		let [(_, Call::commit_result { commitment, .. })] = &second[..] else { panic!("{second:?}") };
		assert_eq!(Some(*commitment), assignments[0].commitment, "same salt, same commitment");
		// So the reveal still opens the commitment that landed.
		run_at(at + 1);
		apply(submitted(&h));
		assert!(matches!(Jobs::<Test>::get(job).unwrap().state, JobState::Closed { reason: CloseReason::Completed, .. }));
	});
}

#[test]
fn an_operator_key_serves_a_cold_bonded_worker() {
	let (mut ext, h) = harness();
	expect_inference(&h, &[b"hello"], vec![Ok(InferenceOutput::embedding(vec![1, 2, 3]))]);
	let operator = h.key.clone();
	let cold = account(11);
	ext.execute_with(|| {
		register_worker(&cold);
		assert_ok!(ComputeJobs::set_operator(RuntimeOrigin::signed(cold.clone()), Some(operator.clone())));
		let job = submit(inline(b"hello"));
		let before = Balances::free_balance(&cold);
		let at = draw();
		run_at(at);
		let commits = submitted(&h);
		let [(signer, Call::commit_result { commitment, .. })] = &commits[..] else { panic!("{commits:?}") };
		assert_eq!(signer, &operator, "signed by the operator key");
		let salt = offchain::kept_salt(job, &cold).unwrap();
		assert_eq!(*commitment, commitment_of::<Test>(job, &cold, &embedding(&[1, 2, 3]), &salt));
		apply(commits);
		run_at(at + 1);
		apply(submitted(&h));
		assert_eq!(Balances::free_balance(&cold), before + 5, "paid to the bonded account");
	});
}

#[test]
fn an_output_over_the_bound_is_reported_as_too_large() {
	let (mut ext, h) = harness();
	// MaxOutputLen is 4 here.
	expect_inference(&h, &[b"long"], vec![Ok(InferenceOutput::embedding(vec![1; 9]))]);
	let key = h.key.clone();
	ext.execute_with(|| {
		register_worker(&key);
		let job = submit(inline(b"long"));
		let at = draw();
		run_at(at);
		apply(submitted(&h));
		run_at(at + 1);
		let reveals = submitted(&h);
		assert!(matches!(
			&reveals[..],
			[(_, Call::reveal_result { verdict: Verdict::Failure(FailureReason::OutputTooLarge), job_id, .. })] if *job_id == job
		));
	});
}

#[test]
fn a_worker_waiting_for_a_version_has_its_node_fetch_it_and_is_marked_ready_once_held() {
	let (mut ext, h) = harness();
	// First run: the node starts fetching. Second: it holds the version.
	expect_prepare(&h, vec![model_zero()], vec![Readiness::Fetching { received: 0, total: minilm::SIZE_BYTES }]);
	expect_prepare(&h, vec![model_zero()], vec![Readiness::Ready]);
	let key = h.key.clone();
	ext.execute_with(|| {
		register_unready_worker(&key);
		run_at(1);
		assert!(submitted(&h).is_empty(), "nothing to say while the node fetches");
		run_at(2);
		let calls = submitted(&h);
		assert!(matches!(
			&calls[..],
			[(signer, Call::set_readiness { model_id: 0, version: 1, ready: true })] if *signer == key
		));
		apply(calls);
		assert!(Workers::<Test>::get(&key).unwrap().is_ready(0, 1));
		// Ready for everything it serves: the node is not asked again (an unexpected request
		// would fail the test).
		run_at(3);
		assert!(submitted(&h).is_empty());
	});
}

#[test]
fn a_version_the_node_cannot_fetch_is_never_marked_ready() {
	let (mut ext, h) = harness();
	expect_prepare(&h, vec![model_zero()], vec![Readiness::Failed(InferenceFailure::DigestMismatch)]);
	let key = h.key.clone();
	ext.execute_with(|| {
		register_unready_worker(&key);
		run_at(1);
		assert!(submitted(&h).is_empty());
		assert!(Workers::<Test>::get(&key).unwrap().ready.is_empty());
	});
}

#[test]
fn a_version_whose_files_are_gone_at_inference_is_withdrawn() {
	let (mut ext, h) = harness();
	expect_inference(&h, &[b"hello"], vec![Err(InferenceFailure::DigestMismatch)]);
	let key = h.key.clone();
	ext.execute_with(|| {
		register_worker(&key);
		submit(inline(b"hello"));
		let at = draw();
		run_at(at);
		let calls = submitted(&h);
		assert!(
			calls.iter().any(|(_, call)| matches!(call, Call::set_readiness { model_id: 0, version: 1, ready: false })),
			"{calls:?}"
		);
		assert!(calls.iter().any(|(_, call)| matches!(call, Call::commit_result { .. })), "the job is still answered");
		apply(calls);
		assert!(Workers::<Test>::get(&key).unwrap().ready.is_empty());
	});
}

#[test]
fn service_failures_map_to_reasons_or_to_a_retry() {
	use offchain::failure_reason;
	assert_eq!(failure_reason(InferenceFailure::InvalidInput), Some(FailureReason::InvalidInput));
	assert_eq!(failure_reason(InferenceFailure::DigestMismatch), Some(FailureReason::ModelUnavailable));
	assert_eq!(failure_reason(InferenceFailure::ArtifactUnavailable), Some(FailureReason::ModelUnavailable));
	assert_eq!(failure_reason(InferenceFailure::Internal), None);
	assert_eq!(failure_reason(InferenceFailure::Unsupported), None);
}

#[test]
fn a_verified_generation_is_published_by_its_generator_and_checked_by_the_others() {
	let (mut ext, harnesses) = harness_with_keys(&["//Generator", "//VerifierA", "//VerifierB"]);
	let h = &harnesses[0];
	ext.execute_with(|| {
		// A GGUF text-generation model (id 1) served by all three local keys.
		let model = pallet_model_registry::NextModelId::<Test>::get();
		assert_ok!(Registry::register_model(
			RuntimeOrigin::signed(owner()),
			BoundedVec::truncate_from(b"SmolLM2".to_vec()),
			TaskKind::TextGeneration,
			BoundedVec::truncate_from(b"Apache-2.0".to_vec()),
			20,
			None,
			BoundedVec::new(),
			pallet_model_registry::Artifacts {
				format: ArtifactFormat::Gguf,
				weights: H256::repeat_byte(0x51),
				tokenizer: None,
				config: None,
				size_bytes: 1_000,
				location: pallet_model_registry::ArtifactLocation {
					url: Some(BoundedVec::truncate_from(b"https://models.example/smollm2/".to_vec())),
					cid: None,
				},
			},
		));
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), model, 1));
		for harness in &harnesses {
			assert_ok!(ComputeJobs::register_worker(
				RuntimeOrigin::signed(harness.key.clone()),
				1_000,
				BoundedVec::truncate_from(vec![model]),
				4
			));
			assert_ok!(ComputeJobs::set_readiness(RuntimeOrigin::signed(harness.key.clone()), model, 1, true));
		}
		let job = NextJobId::<Test>::get();
		let decoding = Decoding { max_new_tokens: 2, temperature: 0, check: GenerationCheck::Verify };
		assert_ok!(ComputeJobs::submit_generation(
			RuntimeOrigin::signed(requester()),
			ModelChoice::Model { model_id: model, version: None, max_price: 20 },
			BoundedVec::truncate_from(b"Hi".to_vec()),
			decoding,
			1_000,
			3,
			40,
		));
		let at = draw();
		let settings = Jobs::<Test>::get(job).unwrap().generation.unwrap().settings;
		let artifacts = <Test as Config>::Models::artifacts(model, 1).unwrap();
		let drawn = match Jobs::<Test>::get(job).unwrap().state {
			JobState::Assigned { assignments, .. } => assignments.iter().map(|a| a.worker.clone()).collect::<Vec<_>>(),
			state => panic!("{state:?}"),
		};
		let reply = InferenceOutput::text(b"Yo".to_vec(), vec![7, 2], vec![40, 90]);
		// The generator's node generates with the job's settings and publishes at once.
		h.offchain.write().expect_request(testing::PendingRequest {
			method: "POST".into(),
			uri: INFER_URL.into(),
			body: InferenceRequest { model: artifacts.clone(), inputs: vec![b"Hi".to_vec()], generation: Some(settings) }.encode(),
			response: Some(InferenceResponse::from(vec![Ok(reply.clone())]).encode()),
			sent: true,
			..Default::default()
		});
		run_at(at);
		let published = submitted(h);
		let [(signer, Call::reveal_result { verdict: Verdict::Output(output), .. })] = &published[..] else {
			panic!("{published:?}")
		};
		assert_eq!((signer, output.clone().unbounded()), (&drawn[0], reply.clone()));
		apply(published);
		// The verifiers' node checks the claim once; both verifiers commit to the evidence.
		let evidence: VerificationEvidence = VerificationEvidence {
			well_formed: true,
			deficits: BoundedVec::truncate_from(vec![0, 0]),
			margins: BoundedVec::truncate_from(vec![41, 90]),
			surprises: BoundedVec::truncate_from(vec![2, 0]),
		};
		h.offchain.write().expect_request(testing::PendingRequest {
			method: "POST".into(),
			uri: VERIFY_URL.into(),
			body: VerificationRequest { model: artifacts, prompt: b"Hi".to_vec(), settings, claimed: reply.clone() }.encode(),
			response: Some(Ok::<_, InferenceFailure>(evidence.clone()).encode()),
			sent: true,
			..Default::default()
		});
		run_at(at + 1);
		let commits = submitted(h);
		assert_eq!(commits.len(), 2, "{commits:?}");
		assert!(commits.iter().all(|(signer, call)| drawn[1..].contains(signer) && matches!(call, Call::commit_result { .. })));
		apply(commits);
		run_at(at + 2);
		let reveals = submitted(h);
		assert!(reveals.iter().all(|(_, call)| matches!(call,
			Call::reveal_result { verdict: Verdict::Evidence(e), .. } if e.clone().rebound() == Some(evidence.clone()))));
		apply(reveals);
		assert!(matches!(Jobs::<Test>::get(job).unwrap().state, JobState::Closed { reason: CloseReason::Completed, .. }));
		assert_eq!(Results::<Test>::get(job).map(|output| output.unbounded()), Some(reply));
	});
}
