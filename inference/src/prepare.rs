//! The answer to `POST /v1/prepare`: whether the node holds the versions its workers serve,
//! fetching what it lacks in the background.
//!
//! [`Preparer::prepare`] answers at once, one [`Readiness`] per version:
//!
//! - `Ready` when every artifact is in the store and verified in this process;
//! - `Fetching { received, total }` while a background job obtains them (`total` is the
//!   registered `size_bytes`, `received` the bytes downloaded or verified so far, at most
//!   `total`); a job starts when a version is not ready and none runs. Artifacts already on
//!   disk but not yet verified in this process (after a restart) are re-hashed by the job,
//!   so they show as `Fetching` for as long as that takes;
//! - `Failed(reason)` after the last job failed, until its back-off has passed ([`Backoff`]:
//!   30 s, doubling up to 10 min while failures repeat); the next request after that starts
//!   a new job.
//!
//! The versions named become the store's pinned set: their files are never evicted.

use crate::store::{flight::Progress, ModelStore};
use codec::Encode;
use infera_primitives::{
	inference::{InferenceFailure, Readiness},
	ArtifactRef,
};
use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

/// How long a failed version waits before it is tried again.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
	/// After the first failure.
	pub first: Duration,
	/// The longest wait; each further failure doubles it up to this.
	pub max: Duration,
}

impl Default for Backoff {
	fn default() -> Self {
		Self { first: Duration::from_secs(30), max: Duration::from_secs(600) }
	}
}

impl Backoff {
	/// The wait after `failures` failures in a row (at least one).
	pub fn after(&self, failures: u32) -> Duration {
		let doublings = failures.saturating_sub(1).min(32);
		self.first.saturating_mul(1u32 << doublings.min(31)).min(self.max)
	}
}

/// A background job obtaining one version.
#[derive(Default)]
struct Job {
	progress: Progress,
	outcome: Mutex<Option<Result<(), InferenceFailure>>>,
}

/// What is known of one version.
#[derive(Default)]
struct Version {
	job: Option<Arc<Job>>,
	failures: u32,
	failed: Option<(InferenceFailure, Instant)>,
}

/// Tracks the versions the node is asked to hold.
pub struct Preparer {
	store: Arc<ModelStore>,
	backoff: Backoff,
	versions: Mutex<HashMap<Vec<u8>, Version>>,
}

impl Preparer {
	/// A preparer fetching into `store`, retrying failures after `backoff`.
	pub fn new(store: Arc<ModelStore>, backoff: Backoff) -> Self {
		Self { store, backoff, versions: Mutex::new(HashMap::new()) }
	}

	/// The readiness of each of `specs`, starting background fetches as needed; `specs`
	/// become the store's pinned set.
	pub fn prepare(&self, specs: &[ArtifactRef]) -> Vec<Readiness> {
		self.store.pin(specs);
		let keys: Vec<Vec<u8>> = specs.iter().map(Encode::encode).collect();
		let mut versions = self.versions.lock().expect("not poisoned");
		// Forget versions no longer asked for (a job still running finishes on its own).
		versions.retain(|key, _| keys.contains(key));
		specs.iter().zip(keys).map(|(spec, key)| self.readiness(spec, versions.entry(key).or_default())).collect()
	}

	fn readiness(&self, spec: &ArtifactRef, version: &mut Version) -> Readiness {
		let total = spec.size_bytes;
		if let Some(job) = version.job.clone() {
			match *job.outcome.lock().expect("not poisoned") {
				None => return Readiness::Fetching { received: job.progress.received().min(total), total },
				Some(Ok(())) => {
					version.failures = 0;
					version.failed = None;
				},
				Some(Err(failure)) => {
					version.failures += 1;
					let wait = self.backoff.after(version.failures);
					log::info!(target: "inference", "model {:?} is not ready ({failure:?}); retrying in {wait:?}", spec.weights);
					version.failed = Some((failure, Instant::now() + wait));
				},
			}
			version.job = None;
		}
		if self.store.is_ready(spec) {
			version.failures = 0;
			version.failed = None;
			return Readiness::Ready;
		}
		if let Some((failure, retry_at)) = version.failed {
			if Instant::now() < retry_at {
				return Readiness::Failed(failure);
			}
		}
		match self.start(spec) {
			Ok(job) => {
				version.job = Some(job);
				Readiness::Fetching { received: 0, total }
			},
			Err(error) => {
				log::warn!(target: "inference", "cannot start fetching model {:?}: {error}", spec.weights);
				Readiness::Failed(InferenceFailure::Internal)
			},
		}
	}

	fn start(&self, spec: &ArtifactRef) -> std::io::Result<Arc<Job>> {
		let job = Arc::new(Job::default());
		let (store, spec, running) = (self.store.clone(), spec.clone(), job.clone());
		std::thread::Builder::new().name("model-prepare".into()).spawn(move || {
			let outcome = store.ensure_version(&spec, &running.progress).map(|_| ()).map_err(|error| {
				if !error.logged_by_store() {
					log::warn!(target: "inference", "model {:?}: {error}", spec.weights);
				}
				error.failure()
			});
			*running.outcome.lock().expect("not poisoned") = Some(outcome);
		})?;
		Ok(job)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn backoff_doubles_up_to_its_maximum() {
		let backoff = Backoff::default();
		let waits: Vec<u64> = (1..=7).map(|failures| backoff.after(failures).as_secs()).collect();
		assert_eq!(waits, [30, 60, 120, 240, 480, 600, 600]);
		assert_eq!(backoff.after(u32::MAX), Duration::from_secs(600));
	}
}
