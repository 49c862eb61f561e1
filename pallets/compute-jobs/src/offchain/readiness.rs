//! Readiness as the off-chain worker keeps it (the rule it serves is in
//! [`crate::readiness`]).
//!
//! While a local worker is not ready for the current version of a model it serves
//! ([`pending_versions`]), the node is asked, once per run for all its local workers, to
//! hold the versions they need ([`wanted_versions`]): the current version of each served
//! model, the versions each is ready for, and the versions of jobs assigned to them. The
//! node answers at once with a [`Readiness`] per version and fetches what it lacks in the
//! background; what it was not asked for may be evicted. Then, per worker
//! ([`readiness_changes`]):
//!
//! - the current version of a served model, once held, is marked ready;
//! - a version marked ready is withdrawn when it no longer takes jobs (suspended, the model
//!   retired), when the current version it fell back from is ready too, or when the node
//!   reports it lost (a failed fetch or check, here or when a job's inference finds the
//!   artifacts gone: [`super::InferenceWorker`]).
//!
//! A worker ready for everything it serves costs its node no request. A readiness
//! transaction is sent again only after [`RESEND_AFTER`] blocks without effect.

use super::*;
use infera_primitives::{
	inference::{Readiness, PREPARE_PATH},
	ArtifactRef,
};

/// Milliseconds the node may take to answer a prepare request: it answers at once and
/// fetches in the background.
pub const PREPARE_TIMEOUT_MILLIS: u64 = 10_000;

/// The current versions of `info`'s served models that it is not ready for yet.
pub fn pending_versions<T: Config>(info: &WorkerInfo<T>) -> Vec<ReadyVersion> {
	info.models
		.iter()
		.filter_map(|model_id| {
			let version = T::Models::job_terms(*model_id, None).ok()?.version;
			let entry = ReadyVersion { model_id: *model_id, version };
			(!info.ready.contains(&entry)).then_some(entry)
		})
		.collect()
}

/// The versions `worker`'s node should hold: the current version of each model it serves,
/// the versions it is ready for, and those of the jobs assigned to it (so they are never
/// evicted under an open assignment).
pub fn wanted_versions<T: Config>(worker: &T::AccountId, info: &WorkerInfo<T>) -> Vec<ReadyVersion> {
	let mut wanted: Vec<ReadyVersion> = Vec::new();
	let mut want = |entry: ReadyVersion| {
		if !wanted.contains(&entry) {
			wanted.push(entry);
		}
	};
	for model_id in info.models.iter() {
		if let Ok(terms) = T::Models::job_terms(*model_id, None) {
			want(ReadyVersion { model_id: *model_id, version: terms.version });
		}
	}
	info.ready.iter().for_each(|entry| want(*entry));
	for job_id in WorkerJobs::<T>::iter_key_prefix(worker) {
		if let Some(job) = Jobs::<T>::get(job_id) {
			want(ReadyVersion { model_id: job.model_id, version: job.version });
		}
	}
	wanted
}

/// The readiness transactions `info`'s worker should send, given what its node holds
/// (`held`: the node's answer for each version asked about): `(version, ready)` pairs.
pub fn readiness_changes<T: Config>(
	info: &WorkerInfo<T>,
	held: &BTreeMap<(ModelId, VersionId), Readiness>,
) -> Vec<(ReadyVersion, bool)> {
	let is_held = |entry: &ReadyVersion| held.get(&(entry.model_id, entry.version)) == Some(&Readiness::Ready);
	let current = |model_id: ModelId| T::Models::job_terms(model_id, None).ok().map(|terms| terms.version);
	let mut changes = Vec::new();
	for model_id in info.models.iter().copied() {
		if let Some(version) = current(model_id) {
			let entry = ReadyVersion { model_id, version };
			if is_held(&entry) && !info.ready.contains(&entry) {
				changes.push((entry, true));
			}
		}
	}
	for entry in info.ready.iter() {
		let lost = matches!(held.get(&(entry.model_id, entry.version)), Some(Readiness::Failed(_)));
		let runs = T::Models::job_terms(entry.model_id, Some(entry.version)).is_ok();
		let superseded = current(entry.model_id).is_some_and(|version| {
			let current = ReadyVersion { model_id: entry.model_id, version };
			version > entry.version && (info.ready.contains(&current) || is_held(&current))
		});
		if lost || !runs || superseded {
			changes.push((*entry, false));
		}
	}
	changes
}

/// Where the block at which a readiness transaction was last sent is kept.
pub fn readiness_sent_key<AccountId: Encode>(worker: &AccountId, entry: &ReadyVersion, ready: bool) -> Vec<u8> {
	(b"infera::readiness", worker, entry.model_id, entry.version, ready).encode()
}

impl<T, C> InferenceWorker<T, C>
where
	T: Config + CreateSignedTransaction<Call<T>>,
	C: AppCrypto<T::Public, T::Signature>,
{
	/// Asks the node to hold what the `local` workers need, if any of them waits for a
	/// version, and sends their readiness changes.
	pub(crate) fn keep_ready(now: BlockNumberFor<T>, endpoint: &[u8], local: &[(T::Public, T::AccountId)]) {
		let workers: Vec<(&T::Public, &T::AccountId, WorkerInfo<T>)> = local
			.iter()
			.filter_map(|(public, worker)| Workers::<T>::get(worker).map(|info| (public, worker, info)))
			.collect();
		let waiting = workers.iter().any(|(_, _, info)| !pending_versions::<T>(info).is_empty());
		let held = if waiting { Self::ask_node(endpoint, &workers) } else { BTreeMap::new() };
		for (public, worker, info) in workers {
			for (entry, ready) in readiness_changes::<T>(&info, &held) {
				Self::send_readiness(now, public, worker, entry, ready);
			}
		}
	}

	/// Asks the node to hold every version the `workers` need; returns its answers, or none
	/// if it could not be asked (logged; asked again next run).
	fn ask_node(
		endpoint: &[u8],
		workers: &[(&T::Public, &T::AccountId, WorkerInfo<T>)],
	) -> BTreeMap<(ModelId, VersionId), Readiness> {
		let mut wanted: Vec<ReadyVersion> = Vec::new();
		for (_, worker, info) in workers {
			for entry in wanted_versions::<T>(worker, info) {
				if !wanted.contains(&entry) {
					wanted.push(entry);
				}
			}
		}
		let asked: Vec<(ReadyVersion, ArtifactRef)> = wanted
			.into_iter()
			.filter_map(|entry| T::Models::artifacts(entry.model_id, entry.version).map(|model| (entry, model)))
			.collect();
		let request: Vec<ArtifactRef> = asked.iter().map(|(_, model)| model.clone()).collect();
		match post_scale::<Vec<Readiness>>(endpoint, PREPARE_PATH, request.encode(), PREPARE_TIMEOUT_MILLIS) {
			Ok(answers) if answers.len() == asked.len() => asked
				.iter()
				.zip(answers)
				.map(|((entry, _), answer)| ((entry.model_id, entry.version), answer))
				.collect(),
			Ok(answers) => {
				log::error!(target: LOG_TARGET, "the node answered {} readiness for {} versions", answers.len(), asked.len());
				BTreeMap::new()
			},
			Err(error) => {
				log::warn!(target: LOG_TARGET, "cannot ask the node what it holds: {error}");
				BTreeMap::new()
			},
		}
	}

	/// Withdraws `worker`'s readiness for a version its node could not run a job of because
	/// the artifacts are gone or do not verify any more.
	pub(crate) fn withdraw_lost(now: BlockNumberFor<T>, public: &T::Public, worker: &T::AccountId, entry: ReadyVersion) {
		if Workers::<T>::get(worker).is_some_and(|info| info.ready.contains(&entry)) {
			log::warn!(target: LOG_TARGET, "model {} v{}: the node lost its artifacts", entry.model_id, entry.version);
			Self::send_readiness(now, public, worker, entry, false);
		}
	}

	pub(crate) fn send_readiness(now: BlockNumberFor<T>, public: &T::Public, worker: &T::AccountId, entry: ReadyVersion, ready: bool) {
		let sent_key = readiness_sent_key(worker, &entry, ready);
		let sent = StorageValueRef::persistent(&sent_key);
		if let Ok(Some(at)) = sent.get::<BlockNumberFor<T>>() {
			if now < at.saturating_add(RESEND_AFTER.into()) {
				return;
			}
		}
		let ReadyVersion { model_id, version } = entry;
		let signer = Signer::<T, C>::all_accounts().with_filter(alloc::vec![public.clone()]);
		let results = signer.send_signed_transaction(|_| Call::<T>::set_readiness { model_id, version, ready });
		let what = if ready { "ready" } else { "not ready" };
		match results.first() {
			Some((_, Ok(()))) => {
				sent.set(&now);
				log::info!(target: LOG_TARGET, "model {model_id} v{version}: {worker:?} marked {what}");
			},
			Some((_, Err(()))) =>
				log::warn!(target: LOG_TARGET, "model {model_id} v{version}: the pool refused marking {worker:?} {what}"),
			None => log::warn!(target: LOG_TARGET, "model {model_id} v{version}: no key to sign for {worker:?}"),
		}
	}
}
