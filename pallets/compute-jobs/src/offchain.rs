//! The off-chain worker: the node runs its workers' assigned jobs on its own inference
//! service and submits each commit and reveal as a signed transaction.
//!
//! - **Keys**: a worker's node holds the worker account's sr25519 key under the key type
//!   `infr` ([`WORKER_KEY_TYPE`]), inserted with `author_insertKey`. Nodes without one do
//!   nothing.
//! - **Service**: the node publishes the base URL of its loopback inference service in
//!   persistent offchain storage under [`INFERENCE_ENDPOINT_KEY`]; the worker calls it with
//!   the standard `sp_io::offchain::http_*` functions, so the runtime imports no custom
//!   host function. Inference never runs during block import.
//! - **Per block** (for each new best block): jobs assigned to a local worker key
//!   ([`WorkerJobs`]) that it has not committed to are run, batched per model version; the
//!   output and a fresh random salt are kept in persistent offchain storage and the
//!   commitment submitted. Once reveals open, the kept output is revealed. A result is
//!   computed once per (job, worker) and reused across forks and restarts.
//! - **Locks**: one run per worker at a time (a storage lock that expires after
//!   [`LOCK_BLOCKS`] blocks or [`LOCK_MILLIS`] ms, so a crash never blocks it for good), and
//!   a transaction is re-sent only after [`RESEND_AFTER`] blocks without effect.
//! - **Failures** (model unavailable, digest mismatch, invalid input, …) are logged and the
//!   job is left alone; it expires and refunds the requester, and a worker that cannot
//!   serve a model it declared is slashed as a no-show.

use crate::{pallet::*, results::commitment_of, *};
use alloc::{collections::btree_map::BTreeMap, format, vec::Vec};
use codec::{Decode, Encode};
use core::marker::PhantomData;
use frame_support::BoundedVec;
use frame_system::{
	offchain::{AppCrypto, CreateSignedTransaction, SendSignedTransaction, Signer},
	pallet_prelude::BlockNumberFor,
};
use infera_primitives::inference::{
	InferenceOutput, InferenceRequest, InferenceResponse, INFERENCE_ENDPOINT_KEY, INFERENCE_PATH,
};
use sp_core::crypto::KeyTypeId;
use sp_runtime::{
	offchain::{
		http,
		storage::StorageValueRef,
		storage_lock::{BlockAndTime, StorageLock},
		Duration,
	},
	traits::{IdentifyAccount, Saturating},
	RuntimeAppPublic,
};

/// Key type of worker keys in the node's keystore.
pub const WORKER_KEY_TYPE: KeyTypeId = KeyTypeId(*b"infr");

/// Blocks after which a worker's run lock expires.
pub const LOCK_BLOCKS: u32 = 20;
/// Milliseconds after which a worker's run lock expires.
pub const LOCK_MILLIS: u64 = 180_000;
/// Blocks to wait before sending the same commit or reveal again.
pub const RESEND_AFTER: u32 = 5;
/// Milliseconds one inference request may take.
pub const INFERENCE_TIMEOUT_MILLIS: u64 = 120_000;

const LOG_TARGET: &str = "runtime::inference";

/// Worker keys.
pub mod crypto {
	use super::WORKER_KEY_TYPE;
	use sp_runtime::{
		app_crypto::{app_crypto, sr25519},
		MultiSignature, MultiSigner,
	};
	app_crypto!(sr25519, WORKER_KEY_TYPE);

	/// Signs a worker's transactions with its `infr` key.
	pub struct WorkerKey;

	impl frame_system::offchain::AppCrypto<MultiSigner, MultiSignature> for WorkerKey {
		type RuntimeAppPublic = Public;
		type GenericSignature = sp_core::sr25519::Signature;
		type GenericPublic = sp_core::sr25519::Public;
	}
}

/// What the pallet's `offchain_worker` hook runs.
pub trait OffchainInference<BlockNumber> {
	/// Works on the jobs of local worker keys at block `now`.
	fn run(now: BlockNumber);
}

/// No off-chain work (tests, or runtimes without workers).
impl<BlockNumber> OffchainInference<BlockNumber> for () {
	fn run(_now: BlockNumber) {}
}

/// The inference worker, signing with keys of crypto `C`.
pub struct InferenceWorker<T, C>(PhantomData<(T, C)>);

/// What a local worker still has to do for a job.
enum Step<T: Config> {
	/// Run the model, then commit.
	Run { job_id: JobId, job: JobInfo<T> },
	/// Commit to an output already computed.
	Commit { job_id: JobId, output: JobOutput<T>, salt: [u8; 32] },
	/// Reveal the committed output.
	Reveal { job_id: JobId, output: JobOutput<T>, salt: [u8; 32] },
}

fn result_key<AccountId: Encode>(job_id: JobId, worker: &AccountId) -> Vec<u8> {
	(b"infera::result", job_id, worker).encode()
}

fn sent_key<AccountId: Encode>(job_id: JobId, worker: &AccountId, phase: u8) -> Vec<u8> {
	(b"infera::sent", job_id, worker, phase).encode()
}

/// Converts the service's answer to what the chain accepts (`None` if over the bounds).
fn to_job_output<T: Config>(output: InferenceOutput) -> Option<JobOutput<T>> {
	match output {
		InferenceOutput::Embedding(values) => BoundedVec::try_from(values).ok().map(JobOutput::Embedding),
		InferenceOutput::Label(label) => Some(JobOutput::Label(label)),
		InferenceOutput::Text(text) => BoundedVec::try_from(text).ok().map(JobOutput::Text),
	}
}

impl<T, C> OffchainInference<BlockNumberFor<T>> for InferenceWorker<T, C>
where
	T: Config + CreateSignedTransaction<Call<T>>,
	C: AppCrypto<T::Public, T::Signature>,
{
	fn run(now: BlockNumberFor<T>) {
		let endpoint = match StorageValueRef::persistent(INFERENCE_ENDPOINT_KEY).get::<Vec<u8>>() {
			Ok(Some(endpoint)) => endpoint,
			_ => {
				log::debug!(target: LOG_TARGET, "no inference service published by the node");
				return;
			},
		};
		for key in C::RuntimeAppPublic::all() {
			let public: T::Public = C::GenericPublic::from(key).into();
			let worker = public.clone().into_account();
			if !Workers::<T>::contains_key(&worker) {
				continue;
			}
			let lock_key = (b"infera::lock", &worker).encode();
			let mut lock = StorageLock::<BlockAndTime<frame_system::Pallet<T>>>::with_block_and_time_deadline(
				&lock_key,
				LOCK_BLOCKS,
				Duration::from_millis(LOCK_MILLIS),
			);
			let Ok(_guard) = lock.try_lock() else {
				log::debug!(target: LOG_TARGET, "a previous run for {worker:?} is still busy");
				continue;
			};
			Self::work(now, &endpoint, public, worker);
		}
	}
}

impl<T, C> InferenceWorker<T, C>
where
	T: Config + CreateSignedTransaction<Call<T>>,
	C: AppCrypto<T::Public, T::Signature>,
{
	/// What `worker` still has to do, job by job.
	fn steps(now: BlockNumberFor<T>, worker: &T::AccountId) -> Vec<Step<T>> {
		let mut steps = Vec::new();
		for job_id in WorkerJobs::<T>::iter_key_prefix(worker) {
			let Some(job) = Jobs::<T>::get(job_id) else { continue };
			let JobState::Assigned { assignments, reveal_from, .. } = &job.state else { continue };
			let Some(mine) = assignments.iter().find(|a| &a.worker == worker) else { continue };
			let reveals_open = now >= *reveal_from || assignments.iter().all(|a| a.commitment.is_some());
			let stored = StorageValueRef::persistent(&result_key(job_id, worker))
				.get::<(JobOutput<T>, [u8; 32])>()
				.ok()
				.flatten();
			match (mine.commitment, &mine.output, stored) {
				(None, _, _) if reveals_open => {},
				(None, _, Some((output, salt))) => steps.push(Step::Commit { job_id, output, salt }),
				(None, _, None) => steps.push(Step::Run { job_id, job: job.clone() }),
				(Some(commitment), None, Some((output, salt))) if reveals_open => {
					if commitment_of::<T>(&output, &salt) == commitment {
						steps.push(Step::Reveal { job_id, output, salt });
					} else {
						log::error!(target: LOG_TARGET, "job {job_id}: the kept result does not match the commitment");
					}
				},
				(Some(_), None, None) if reveals_open => {
					log::error!(target: LOG_TARGET, "job {job_id}: committed, but the result was lost");
				},
				_ => {},
			}
		}
		steps
	}

	fn work(now: BlockNumberFor<T>, endpoint: &[u8], public: T::Public, worker: T::AccountId) {
		let mut runs: BTreeMap<(ModelId, VersionId), Vec<(JobId, Vec<u8>)>> = BTreeMap::new();
		let mut sends = Vec::new();
		for step in Self::steps(now, &worker) {
			match step {
				Step::Run { job_id, job } => match job.input {
					JobInput::Inline(bytes) =>
						runs.entry((job.model_id, job.version)).or_default().push((job_id, bytes.into_inner())),
					JobInput::Remote { .. } => {
						log::warn!(target: LOG_TARGET, "job {job_id}: remote inputs are not fetched yet; skipped");
					},
				},
				other => sends.push(other),
			}
		}
		for ((model_id, version), jobs) in runs {
			for (job_id, output) in Self::infer(endpoint, model_id, version, &jobs) {
				let salt = sp_io::offchain::random_seed();
				StorageValueRef::persistent(&result_key(job_id, &worker)).set(&(output.clone(), salt));
				sends.push(Step::Commit { job_id, output, salt });
			}
		}
		for step in sends {
			Self::send(now, &public, &worker, step);
		}
	}

	/// Runs `jobs` of one model version as one batch; returns the outputs that succeeded.
	fn infer(
		endpoint: &[u8],
		model_id: ModelId,
		version: VersionId,
		jobs: &[(JobId, Vec<u8>)],
	) -> Vec<(JobId, JobOutput<T>)> {
		let Some(artifacts) = T::Models::artifacts(model_id, version) else {
			log::warn!(target: LOG_TARGET, "model {model_id} v{version} is gone; {} job(s) skipped", jobs.len());
			return Vec::new();
		};
		let request = InferenceRequest {
			task: artifacts.task,
			format: artifacts.format,
			weights: artifacts.weights,
			tokenizer: artifacts.tokenizer,
			config: artifacts.config,
			location: artifacts.url,
			inputs: jobs.iter().map(|(_, input)| input.clone()).collect(),
		};
		let answers = match Self::call_service(endpoint, &request) {
			Ok(answers) if answers.len() == jobs.len() => answers,
			Ok(answers) => {
				log::error!(target: LOG_TARGET, "the inference service gave {} answers for {} inputs", answers.len(), jobs.len());
				return Vec::new();
			},
			Err(error) => {
				log::error!(target: LOG_TARGET, "inference service: {error}");
				return Vec::new();
			},
		};
		jobs.iter()
			.zip(answers)
			.filter_map(|((job_id, _), answer)| match answer.map(to_job_output::<T>) {
				Ok(Some(output)) => Some((*job_id, output)),
				Ok(None) => {
					log::warn!(target: LOG_TARGET, "job {job_id}: the output exceeds MaxOutputLen; skipped");
					None
				},
				Err(failure) => {
					log::warn!(target: LOG_TARGET, "job {job_id}: inference failed ({failure:?}); skipped");
					None
				},
			})
			.collect()
	}

	fn call_service(endpoint: &[u8], request: &InferenceRequest) -> Result<InferenceResponse, alloc::string::String> {
		let base = core::str::from_utf8(endpoint).map_err(|_| "the published endpoint is not UTF-8")?;
		let url = format!("{base}{INFERENCE_PATH}");
		let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(INFERENCE_TIMEOUT_MILLIS));
		let pending = http::Request::post(&url, alloc::vec![request.encode()])
			.deadline(deadline)
			.send()
			.map_err(|error| format!("cannot reach {url}: {error:?}"))?;
		let response = pending
			.try_wait(deadline)
			.map_err(|_| format!("{url} did not answer in time"))?
			.map_err(|error| format!("{url}: {error:?}"))?;
		let body: Vec<u8> = response.body().collect();
		if response.code != 200 {
			return Err(format!("{url} answered {}: {}", response.code, alloc::string::String::from_utf8_lossy(&body)));
		}
		InferenceResponse::decode(&mut &body[..]).map_err(|_| format!("{url} answered something else than SCALE"))
	}

	/// Submits a commit or reveal, unless it was sent less than `RESEND_AFTER` blocks ago.
	fn send(now: BlockNumberFor<T>, public: &T::Public, worker: &T::AccountId, step: Step<T>) {
		let (job_id, phase, call) = match step {
			Step::Commit { job_id, output, salt } =>
				(job_id, 0u8, Call::<T>::commit_result { job_id, commitment: commitment_of::<T>(&output, &salt) }),
			Step::Reveal { job_id, output, salt } =>
				(job_id, 1u8, Call::<T>::reveal_result { job_id, output, salt }),
			Step::Run { .. } => return,
		};
		let sent_key = sent_key(job_id, worker, phase);
		let sent = StorageValueRef::persistent(&sent_key);
		if let Ok(Some(at)) = sent.get::<BlockNumberFor<T>>() {
			if now < at.saturating_add(RESEND_AFTER.into()) {
				return;
			}
		}
		let signer = Signer::<T, C>::all_accounts().with_filter(alloc::vec![public.clone()]);
		let results = signer.send_signed_transaction(|_| call.clone());
		match results.first() {
			Some((_, Ok(()))) => {
				sent.set(&now);
				log::info!(target: LOG_TARGET, "job {job_id}: {} submitted by {worker:?}", if phase == 0 { "commit" } else { "reveal" });
			},
			Some((_, Err(()))) => log::warn!(target: LOG_TARGET, "job {job_id}: the transaction pool refused the transaction"),
			None => log::warn!(target: LOG_TARGET, "job {job_id}: no key to sign for {worker:?}"),
		}
	}
}
