//! The transaction pool's background tasks, spawned as essential tasks that know when
//! their ending is a clean stop.
//!
//! sc-service logs "Essential task … failed. Shutting down service." whenever an essential
//! task's future completes, for whatever reason. The pool's background tasks complete when
//! the pool itself is dropped, which is what happens on every SIGINT: the log line made a
//! clean stop look like a crash. [`PoolTaskSpawner`] keeps the essential semantics (a task
//! that ends or panics while its pool is alive still stops the node, with that log line)
//! and lets a task that ended together with its pool end quietly.

use futures::{future::BoxFuture, FutureExt};
use sc_service::SpawnEssentialTaskHandle;
use std::{
	any::Any,
	sync::{Arc, OnceLock, Weak},
};

/// Spawns the transaction pool's tasks on the node's essential task handle.
#[derive(Clone)]
pub struct PoolTaskSpawner {
	essential: SpawnEssentialTaskHandle,
	/// The pool the tasks belong to, set once it is built.
	pool: Arc<OnceLock<Weak<dyn Any + Send + Sync>>>,
}

impl PoolTaskSpawner {
	pub fn new(essential: SpawnEssentialTaskHandle) -> Self {
		Self { essential, pool: Arc::new(OnceLock::new()) }
	}

	/// Records the pool built with this spawner: once it is gone, its tasks ending is
	/// the node stopping.
	pub fn watch<P: Any + Send + Sync>(&self, pool: &Arc<P>) {
		let pool: Weak<dyn Any + Send + Sync> = Arc::downgrade(pool) as Weak<dyn Any + Send + Sync>;
		let _ = self.pool.set(pool);
	}

	/// `task`, except that when it ends after its pool was dropped it never completes (the
	/// task manager cancels it as it shuts down) instead of reporting a failure.
	fn guarded(&self, name: &'static str, task: BoxFuture<'static, ()>) -> BoxFuture<'static, ()> {
		let pool = self.pool.clone();
		async move {
			task.await;
			if pool.get().is_some_and(|pool| pool.strong_count() == 0) {
				log::debug!(target: "infera", "transaction pool task `{name}` ended with its pool: the node is stopping");
				futures::future::pending::<()>().await;
			}
		}
		.boxed()
	}
}

impl sp_core::traits::SpawnEssentialNamed for PoolTaskSpawner {
	fn spawn_essential_blocking(
		&self,
		name: &'static str,
		group: Option<&'static str>,
		future: BoxFuture<'static, ()>,
	) {
		self.essential.spawn_blocking(name, group, self.guarded(name, future));
	}

	fn spawn_essential(&self, name: &'static str, group: Option<&'static str>, future: BoxFuture<'static, ()>) {
		self.essential.spawn(name, group, self.guarded(name, future));
	}
}
