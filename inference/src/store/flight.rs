//! Artifacts being obtained (verified or fetched): one caller works, the others wait for
//! its outcome; and the progress of a whole version.

use crate::error::FetchError;
use std::sync::{
	atomic::{AtomicU64, Ordering},
	Arc, Condvar, Mutex,
};

/// One artifact being obtained.
#[derive(Default)]
pub struct Flight {
	/// Bytes of it hashed so far (downloaded, copied or verified).
	pub received: Arc<AtomicU64>,
	outcome: Mutex<Option<Result<(), FetchError>>>,
	done: Condvar,
}

impl Flight {
	/// Records the outcome and wakes the waiters.
	pub fn finish(&self, outcome: Result<(), FetchError>) {
		*self.outcome.lock().expect("not poisoned") = Some(outcome);
		self.done.notify_all();
	}

	/// Waits for the outcome.
	pub fn wait(&self) -> Result<(), FetchError> {
		let mut outcome = self.outcome.lock().expect("not poisoned");
		loop {
			if let Some(outcome) = outcome.as_ref() {
				return outcome.clone();
			}
			outcome = self.done.wait(outcome).expect("not poisoned");
		}
	}
}

/// How far ensuring a version has come: the bytes of its artifacts already in the store
/// and verified, plus those of the one being obtained.
#[derive(Default)]
pub struct Progress {
	done: AtomicU64,
	current: Mutex<Option<Arc<AtomicU64>>>,
}

impl Progress {
	/// Bytes so far.
	pub fn received(&self) -> u64 {
		let current =
			self.current.lock().expect("not poisoned").as_ref().map_or(0, |bytes| bytes.load(Ordering::Relaxed));
		self.done.load(Ordering::Relaxed) + current
	}

	/// Follows the artifact counted by `bytes` until [`Progress::complete`].
	pub fn follow(&self, bytes: Arc<AtomicU64>) {
		*self.current.lock().expect("not poisoned") = Some(bytes);
	}

	/// An artifact of `size` bytes is in the store.
	pub fn complete(&self, size: u64) {
		let mut current = self.current.lock().expect("not poisoned");
		*current = None;
		self.done.fetch_add(size, Ordering::Relaxed);
	}

	/// The artifact followed failed.
	pub fn abandon(&self) {
		*self.current.lock().expect("not poisoned") = None;
	}
}
