//! The off-chain worker: the node runs its workers' assigned jobs on its own inference
//! service and submits each commit and reveal as a signed transaction.
//!
//! - **Keys**: a worker's node holds an sr25519 key under the key type `infr`
//!   ([`WORKER_KEY_TYPE`]), inserted with `author_insertKey`: preferably an operator key the
//!   bonded worker named with `set_operator` (the bond stays in a cold account), or the
//!   worker account's own key. Nodes without one do nothing.
//! - **Service**: the node publishes the base URL of its loopback inference service in
//!   persistent offchain storage under [`INFERENCE_ENDPOINT_KEY`]; the worker calls it with
//!   the standard `sp_io::offchain::http_*` functions, so the runtime imports no custom
//!   host function. Inference never runs during block import.
//! - **Readiness** ([`readiness`]): while a worker is not ready for the current version of
//!   a model it serves, the node is asked to hold it (it fetches what it lacks in the
//!   background) and the worker is marked ready once it does; versions it lost or no
//!   longer needs are withdrawn.
//! - **Per block** (for each new best block): jobs assigned to a local worker
//!   ([`WorkerJobs`]) that it has not committed to are run, batched per model version
//!   (remote inputs are fetched over HTTP and checked against their size and SHA-256
//!   first); the verdict is kept in persistent offchain storage and the commitment
//!   submitted. Once reveals open, the kept verdict is revealed.
//! - **What is kept**: verdicts are keyed by what was computed (the weights digest and the
//!   input) with the job id, so a reorg that gives a job id another input never reuses a
//!   stale result; the
//!   salt of each (job, worker) is written once and never overwritten, so an overlapping run
//!   cannot turn a commitment into one that no kept salt opens.
//! - **Locks**: one run per worker at a time (a storage lock that expires after
//!   [`LOCK_BLOCKS`] blocks or [`LOCK_MILLIS`] ms, so a crash never blocks it for good), and
//!   a transaction is re-sent only after [`RESEND_AFTER`] blocks without effect.
//! - **Failures** are reported, not skipped: input that is not UTF-8 or cannot be tokenized
//!   (`InvalidInput`), a remote input that cannot be fetched or does not match
//!   (`InputUnavailable`), artifacts that cannot be fetched or verified
//!   (`ModelUnavailable`) and outputs over `MaxOutputLen` (`OutputTooLarge`) are committed
//!   and revealed as a [`Verdict::Failure`]. Transient trouble (the service unreachable, an
//!   internal error) is retried at the next block.

use crate::{pallet::*, results::commitment_of, *};

pub mod readiness;
use infera_primitives::inference::InferenceFailure;
use alloc::{collections::btree_map::BTreeMap, format, vec::Vec};
use codec::{Decode, Encode};
use core::marker::PhantomData;
use frame_system::{
	offchain::{AppCrypto, CreateSignedTransaction, SendSignedTransaction, Signer},
	pallet_prelude::BlockNumberFor,
};
use infera_primitives::inference::{
	InferenceOutput, InferenceRequest, InferenceResponse, VerificationEvidence, VerificationRequest,
	INFERENCE_ENDPOINT_KEY, INFERENCE_PATH, VERIFY_PATH,
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
/// Milliseconds fetching one remote input may take.
pub const FETCH_TIMEOUT_MILLIS: u64 = 20_000;
/// Largest remote input a worker fetches, in bytes.
pub const MAX_REMOTE_INPUT: u64 = 1 << 20;

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
	/// Compute the verdict, then commit (or, as a verified job's generator, publish).
	Run { job_id: JobId, job: JobInfo<T> },
	/// Verify a verified job's published generation, then commit to the evidence.
	Verify { job_id: JobId, job: JobInfo<T>, claimed: JobOutput<T> },
	/// Publish a verified job's generation (the generator does not commit).
	Publish { job_id: JobId, verdict: Verdict<T> },
	/// Commit to a verdict already computed.
	Commit { job_id: JobId, verdict: Verdict<T> },
	/// Reveal the committed verdict.
	Reveal { job_id: JobId, verdict: Verdict<T>, salt: [u8; 32] },
}

/// What a kept verdict is: an output (or failure) of the job, or evidence on a verified
/// job's generation. Local workers share an output verdict (the same computation), not an
/// evidence one with an output one.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode)]
pub enum Role {
	/// Generating (every replica of other jobs, the generator of a verified one).
	Output,
	/// Verifying a verified job's generation.
	Evidence,
}

/// Where the verdict for job `job_id` in `role` is kept: keyed by what was computed (the
/// weights, the input and the decoding settings) as well as the id, so a job id that holds
/// other content after a reorg never finds a stale verdict.
pub fn verdict_key<T: Config>(job_id: JobId, job: &JobInfo<T>, role: Role) -> Vec<u8> {
	let input = sp_io::hashing::blake2_256(&job.input.encode());
	let settings = job.generation.map(|generation| generation.settings);
	(b"infera::verdict", job_id, job.weights, input, settings, role).encode()
}

/// Where the salt of `worker`'s commitment to `job_id` is kept.
pub fn salt_key<AccountId: Encode>(job_id: JobId, worker: &AccountId) -> Vec<u8> {
	(b"infera::salt", job_id, worker).encode()
}

/// Where the block a commit (`phase` 0) or reveal (1) was last sent at is kept.
pub fn sent_key<AccountId: Encode>(job_id: JobId, worker: &AccountId, phase: u8) -> Vec<u8> {
	(b"infera::sent", job_id, worker, phase).encode()
}

/// The kept salt of (`job_id`, `worker`), if any.
pub fn kept_salt<AccountId: Encode>(job_id: JobId, worker: &AccountId) -> Option<[u8; 32]> {
	StorageValueRef::persistent(&salt_key(job_id, worker)).get::<[u8; 32]>().ok().flatten()
}

/// The salt of (`job_id`, `worker`): the kept one, or a fresh random one written only if no
/// other run wrote one first. Never overwrites.
pub fn salt_for<AccountId: Encode>(job_id: JobId, worker: &AccountId) -> Option<[u8; 32]> {
	let key = salt_key(job_id, worker);
	let value = StorageValueRef::persistent(&key);
	let fresh = sp_io::offchain::random_seed();
	let result = value.mutate::<[u8; 32], (), _>(|kept| match kept {
		Ok(Some(kept)) => Ok(kept),
		_ => Ok(fresh),
	});
	result.ok()
}

/// The verdict kept for job `job_id` as it is now, if any.
pub fn kept_verdict<T: Config>(job_id: JobId, job: &JobInfo<T>, role: Role) -> Option<Verdict<T>> {
	StorageValueRef::persistent(&verdict_key(job_id, job, role)).get::<Verdict<T>>().ok().flatten()
}

/// The verdict the chain should hear for a service failure, or `None` if it is this node's
/// trouble (worth retrying, never worth reporting).
pub fn failure_reason(failure: InferenceFailure) -> Option<FailureReason> {
	match failure {
		InferenceFailure::InvalidInput => Some(FailureReason::InvalidInput),
		InferenceFailure::ArtifactUnavailable |
		InferenceFailure::DigestMismatch |
		InferenceFailure::InvalidModel => Some(FailureReason::ModelUnavailable),
		InferenceFailure::Unsupported | InferenceFailure::Internal => None,
	}
}

/// Converts the service's answer to what the chain accepts.
pub fn to_verdict<T: Config>(answer: Result<InferenceOutput, InferenceFailure>) -> Option<Verdict<T>> {
	let output = match answer {
		Ok(output) => output,
		Err(failure) => return failure_reason(failure).map(Verdict::Failure),
	};
	Some(match output.rebound() {
		Some(output) => Verdict::Output(output),
		None => Verdict::Failure(FailureReason::OutputTooLarge),
	})
}

/// POSTs SCALE-encoded `body` to `path` of the node's service at `endpoint` and decodes the
/// answer, or says what went wrong.
pub fn post_scale<R: Decode>(
	endpoint: &[u8],
	path: &str,
	body: Vec<u8>,
	timeout_millis: u64,
) -> Result<R, alloc::string::String> {
	let base = core::str::from_utf8(endpoint).map_err(|_| "the published endpoint is not UTF-8")?;
	let url = format!("{base}{path}");
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(timeout_millis));
	let pending = http::Request::post(&url, alloc::vec![body])
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
	R::decode(&mut &body[..]).map_err(|_| format!("{url} answered something else than SCALE"))
}

/// The worker a local key acts for: the worker it operates, or itself if it is a worker.
pub fn worker_of_key<T: Config>(account: &T::AccountId) -> Option<T::AccountId> {
	Operators::<T>::get(account)
		.or_else(|| Workers::<T>::contains_key(account).then(|| account.clone()))
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
		let local: Vec<(T::Public, T::AccountId)> = C::RuntimeAppPublic::all()
			.into_iter()
			.filter_map(|key| {
				let public: T::Public = C::GenericPublic::from(key).into();
				worker_of_key::<T>(&public.clone().into_account()).map(|worker| (public, worker))
			})
			.collect();
		Self::keep_ready(now, &endpoint, &local);
		for (public, worker) in local {
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
			let Some(index) = assignments.iter().position(|a| &a.worker == worker) else { continue };
			let mine = &assignments[index];
			let reveals_open = now >= *reveal_from || assignments.iter().all(|a| a.commitment.is_some());
			let verified = job.verified();
			if verified && index == 0 {
				// The generator publishes once, within its window.
				if mine.verdict.is_none() && now < *reveal_from {
					match kept_verdict::<T>(job_id, &job, Role::Output) {
						Some(verdict) => steps.push(Step::Publish { job_id, verdict }),
						None => steps.push(Step::Run { job_id, job: job.clone() }),
					}
				}
				continue;
			}
			let claimed = match (verified, &assignments[0].verdict) {
				(false, _) => None,
				(true, Some(Verdict::Output(output))) => Some(output.clone()),
				// Nothing to verify yet (or the job closes on the generator's failure).
				(true, _) => continue,
			};
			let role = if verified { Role::Evidence } else { Role::Output };
			let kept = kept_verdict::<T>(job_id, &job, role);
			match (mine.commitment, &mine.verdict, kept) {
				(None, _, _) if reveals_open => {},
				(None, _, Some(verdict)) => steps.push(Step::Commit { job_id, verdict }),
				(None, _, None) => match claimed {
					Some(claimed) => steps.push(Step::Verify { job_id, job: job.clone(), claimed }),
					None => steps.push(Step::Run { job_id, job: job.clone() }),
				},
				(Some(commitment), None, Some(verdict)) if reveals_open => {
					match kept_salt(job_id, worker) {
						Some(salt) if commitment_of::<T>(job_id, worker, &verdict, &salt) == commitment =>
							steps.push(Step::Reveal { job_id, verdict, salt }),
						_ => log::error!(target: LOG_TARGET, "job {job_id}: no kept verdict and salt open the commitment"),
					}
				},
				(Some(_), None, None) if reveals_open => {
					log::error!(target: LOG_TARGET, "job {job_id}: committed, but the verdict was lost");
				},
				_ => {},
			}
		}
		steps
	}

	fn work(now: BlockNumberFor<T>, endpoint: &[u8], public: T::Public, worker: T::AccountId) {
		// Jobs of one version run as one batch; a generation job runs alone (its settings and
		// seed are its own).
		let mut runs: BTreeMap<(ModelId, VersionId, Option<JobId>), Vec<(JobId, JobInfo<T>, Vec<u8>)>> =
			BTreeMap::new();
		let mut sends = Vec::new();
		for step in Self::steps(now, &worker) {
			match step {
				Step::Run { job_id, job } => match Self::input_bytes(&job.input) {
					Ok(bytes) => {
						let alone = job.generation.is_some().then_some(job_id);
						runs.entry((job.model_id, job.version, alone)).or_default().push((job_id, job, bytes))
					},
					Err(reason) => {
						log::warn!(target: LOG_TARGET, "job {job_id}: the input cannot be read ({reason:?})");
						let verdict = Verdict::Failure(reason);
						StorageValueRef::persistent(&verdict_key(job_id, &job, Role::Output)).set(&verdict);
						sends.push(Self::report(job_id, &job, verdict));
					},
				},
				Step::Verify { job_id, job, claimed } => {
					if let Some(verdict) = Self::verify(endpoint, &job, claimed) {
						StorageValueRef::persistent(&verdict_key(job_id, &job, Role::Evidence)).set(&verdict);
						sends.push(Step::Commit { job_id, verdict });
					}
				},
				other => sends.push(other),
			}
		}
		for ((model_id, version, _), jobs) in runs {
			for (job_id, job, verdict) in Self::infer(endpoint, model_id, version, jobs) {
				if verdict == Verdict::Failure(FailureReason::ModelUnavailable) {
					Self::withdraw_lost(now, &public, &worker, ReadyVersion { model_id, version });
				}
				StorageValueRef::persistent(&verdict_key(job_id, &job, Role::Output)).set(&verdict);
				sends.push(Self::report(job_id, &job, verdict));
			}
		}
		for step in sends {
			Self::send(now, &public, &worker, step);
		}
	}

	/// How a computed output or failure goes on chain: published by a verified job's
	/// generator, committed by everyone else.
	fn report(job_id: JobId, job: &JobInfo<T>, verdict: Verdict<T>) -> Step<T> {
		if job.verified() {
			Step::Publish { job_id, verdict }
		} else {
			Step::Commit { job_id, verdict }
		}
	}

	/// Verifies a verified job's published generation on the node's service: the evidence
	/// to commit, a failure worth reporting, or `None` to retry later.
	fn verify(endpoint: &[u8], job: &JobInfo<T>, claimed: JobOutput<T>) -> Option<Verdict<T>> {
		let (JobInput::Inline(prompt), Some(generation)) = (&job.input, job.generation) else {
			return Some(Verdict::Failure(FailureReason::InvalidInput));
		};
		let Some(model) = T::Models::artifacts(job.model_id, job.version) else {
			return Some(Verdict::Failure(FailureReason::ModelUnavailable));
		};
		let request = VerificationRequest {
			model,
			prompt: prompt.to_vec(),
			settings: generation.settings,
			claimed: claimed.unbounded(),
		};
		let answer: Result<VerificationEvidence, InferenceFailure> =
			match post_scale(endpoint, VERIFY_PATH, request.encode(), INFERENCE_TIMEOUT_MILLIS) {
				Ok(answer) => answer,
				Err(error) => {
					log::error!(target: LOG_TARGET, "verification service: {error}");
					return None;
				},
			};
		match answer {
			Ok(evidence) => match evidence.rebound() {
				Some(evidence) => Some(Verdict::Evidence(evidence)),
				None => Some(Verdict::Failure(FailureReason::OutputTooLarge)),
			},
			Err(failure) => failure_reason(failure).map(Verdict::Failure),
		}
	}

	/// The bytes of a job's input: inline, or fetched and checked against its size and
	/// SHA-256.
	fn input_bytes(input: &JobInput<T>) -> Result<Vec<u8>, FailureReason> {
		let (digest, size_bytes, url) = match input {
			JobInput::Inline(bytes) => return Ok(bytes.to_vec()),
			JobInput::Remote { digest, size_bytes, url } => (digest, *size_bytes, url),
		};
		if size_bytes > MAX_REMOTE_INPUT {
			return Err(FailureReason::InvalidInput);
		}
		let url = core::str::from_utf8(url).map_err(|_| FailureReason::InputUnavailable)?;
		let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(FETCH_TIMEOUT_MILLIS));
		let pending = http::Request::get(url)
			.deadline(deadline)
			.send()
			.map_err(|_| FailureReason::InputUnavailable)?;
		let response = pending
			.try_wait(deadline)
			.map_err(|_| FailureReason::InputUnavailable)?
			.map_err(|_| FailureReason::InputUnavailable)?;
		if response.code != 200 {
			return Err(FailureReason::InputUnavailable);
		}
		let body: Vec<u8> = response.body().take(MAX_REMOTE_INPUT as usize + 1).collect();
		if body.len() as u64 != size_bytes || sp_io::hashing::sha2_256(&body) != digest.0 {
			return Err(FailureReason::InputUnavailable);
		}
		Ok(body)
	}

	/// Runs `jobs` of one model version as one batch; returns the verdicts worth reporting.
	fn infer(
		endpoint: &[u8],
		model_id: ModelId,
		version: VersionId,
		jobs: Vec<(JobId, JobInfo<T>, Vec<u8>)>,
	) -> Vec<(JobId, JobInfo<T>, Verdict<T>)> {
		let Some(artifacts) = T::Models::artifacts(model_id, version) else {
			log::warn!(target: LOG_TARGET, "model {model_id} v{version} is gone; {} job(s) reported", jobs.len());
			return jobs
				.into_iter()
				.map(|(job_id, job, _)| (job_id, job, Verdict::Failure(FailureReason::ModelUnavailable)))
				.collect();
		};
		let request = InferenceRequest {
			model: artifacts,
			inputs: jobs.iter().map(|(_, _, input)| input.clone()).collect(),
			generation: jobs.first().and_then(|(_, job, _)| job.generation).map(|generation| generation.settings),
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
		jobs.into_iter()
			.zip(answers)
			.filter_map(|((job_id, job, _), answer)| {
				if let Err(failure) = &answer {
					log::warn!(target: LOG_TARGET, "job {job_id}: inference failed ({failure:?})");
				}
				let verdict = to_verdict::<T>(answer)?;
				Some((job_id, job, verdict))
			})
			.collect()
	}

	fn call_service(endpoint: &[u8], request: &InferenceRequest) -> Result<InferenceResponse, alloc::string::String> {
		post_scale(endpoint, INFERENCE_PATH, request.encode(), INFERENCE_TIMEOUT_MILLIS)
	}

	/// Submits a commit or reveal, unless it was sent less than `RESEND_AFTER` blocks ago.
	fn send(now: BlockNumberFor<T>, public: &T::Public, worker: &T::AccountId, step: Step<T>) {
		let (job_id, phase, call) = match step {
			Step::Commit { job_id, verdict } => {
				let Some(salt) = salt_for(job_id, worker) else {
					log::error!(target: LOG_TARGET, "job {job_id}: cannot keep a salt");
					return;
				};
				let commitment = commitment_of::<T>(job_id, worker, &verdict, &salt);
				(job_id, 0u8, Call::<T>::commit_result { job_id, commitment })
			},
			Step::Reveal { job_id, verdict, salt } =>
				(job_id, 1u8, Call::<T>::reveal_result { job_id, verdict, salt }),
			Step::Publish { job_id, verdict } =>
				(job_id, 1u8, Call::<T>::reveal_result { job_id, verdict, salt: [0; 32] }),
			Step::Run { .. } | Step::Verify { .. } => return,
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
				log::info!(target: LOG_TARGET, "job {job_id}: {} submitted for {worker:?}", if phase == 0 { "commit" } else { "reveal" });
			},
			Some((_, Err(()))) => log::warn!(target: LOG_TARGET, "job {job_id}: the transaction pool refused the transaction"),
			None => log::warn!(target: LOG_TARGET, "job {job_id}: no key to sign for {worker:?}"),
		}
	}
}
