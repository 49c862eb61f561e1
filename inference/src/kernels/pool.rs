//! A fork-join pool for the kernels. A decoding step runs about 200 small products one
//! after the other, each worth a few microseconds per core; rayon parks idle workers, and
//! waking one costs more than the work it would share. These helpers spin for a short
//! while after each job, so the next one finds them awake, then sleep until there is work.
//!
//! One job at a time: a caller that finds the pool busy (another request on another
//! thread) runs its tasks itself. Tasks write disjoint outputs, so who runs which task
//! changes nothing in the results.

use std::{
	panic::{catch_unwind, AssertUnwindSafe},
	sync::{
		atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::*},
		Arc, Condvar, Mutex, OnceLock, TryLockError,
	},
	time::{Duration, Instant},
};

/// The low 32 bits: a ticket's task, and the part of the epoch it carries.
const LOW: u64 = u32::MAX as u64;

/// How long a helper keeps looking for the next job before it sleeps.
const SPIN: Duration = Duration::from_micros(50);

/// The tasks of one job: a function of the task index, its lifetime erased (the caller
/// waits until every task has finished before the function goes out of scope), and the
/// epoch it was published under.
#[derive(Clone, Copy)]
struct Job {
	run: *const (dyn Fn(usize) + Sync),
	tasks: usize,
	/// Only tickets of this epoch claim this job's tasks: a helper that saw an earlier
	/// epoch but reads this job finds the earlier job's ticket and claims nothing.
	epoch: u64,
}

// SAFETY: `run` is `Sync` and outlives every use (see `Pool::run`).
unsafe impl Send for Job {}

struct Shared {
	/// Bumped for each job.
	epoch: AtomicU64,
	/// `epoch << 32 | next task`: claiming a task checks it belongs to the job one saw.
	ticket: AtomicU64,
	job: Mutex<Option<Job>>,
	finished: AtomicUsize,
	panicked: AtomicBool,
	sleepers: AtomicUsize,
	sleep: Mutex<()>,
	wake: Condvar,
}

impl Shared {
	/// Runs tasks of `job` until none is left to claim.
	fn work(&self, job: Job) {
		loop {
			let ticket = self.ticket.load(Acquire);
			let task = (ticket & LOW) as usize;
			if ticket >> 32 != job.epoch & LOW || task >= job.tasks {
				return;
			}
			if self.ticket.compare_exchange_weak(ticket, ticket + 1, AcqRel, Relaxed).is_err() {
				continue;
			}
			// SAFETY: the job's caller waits for this task to finish.
			let run = unsafe { &*job.run };
			if catch_unwind(AssertUnwindSafe(|| run(task))).is_err() {
				self.panicked.store(true, Release);
			}
			self.finished.fetch_add(1, Release);
		}
	}

	fn helper(&self) {
		let mut seen = 0;
		loop {
			let started = Instant::now();
			let mut spins = 0u32;
			let epoch = loop {
				let epoch = self.epoch.load(SeqCst);
				if epoch != seen {
					break epoch;
				}
				spins = spins.wrapping_add(1);
				if !spins.is_multiple_of(256) || started.elapsed() < SPIN {
					std::hint::spin_loop();
					continue;
				}
				let mut guard = self.sleep.lock().expect("not poisoned");
				self.sleepers.fetch_add(1, SeqCst);
				while self.epoch.load(SeqCst) == seen {
					guard = self.wake.wait(guard).expect("not poisoned");
				}
				self.sleepers.fetch_sub(1, SeqCst);
			};
			seen = epoch;
			// The job may already be a later one than `epoch`'s; its own epoch decides.
			let job = *self.job.lock().expect("not poisoned");
			if let Some(job) = job {
				self.work(job);
			}
		}
	}
}

/// The pool: one helper per core beyond the caller's.
pub(super) struct Pool {
	shared: Arc<Shared>,
	helpers: usize,
	busy: Mutex<()>,
}

impl Pool {
	/// The process's pool, started on first use.
	pub(super) fn global() -> &'static Pool {
		static POOL: OnceLock<Pool> = OnceLock::new();
		POOL.get_or_init(|| {
			let helpers = std::thread::available_parallelism().map_or(1, |n| n.get()).saturating_sub(1);
			let shared = Arc::new(Shared {
				epoch: AtomicU64::new(0),
				ticket: AtomicU64::new(0),
				job: Mutex::new(None),
				finished: AtomicUsize::new(0),
				panicked: AtomicBool::new(false),
				sleepers: AtomicUsize::new(0),
				sleep: Mutex::new(()),
				wake: Condvar::new(),
			});
			for index in 0..helpers {
				let helper = shared.clone();
				let spawned = std::thread::Builder::new()
					.name(format!("infera-kernel-{index}"))
					.spawn(move || helper.helper());
				if spawned.is_err() {
					return Pool { shared, helpers: 0, busy: Mutex::new(()) };
				}
			}
			Pool { shared, helpers, busy: Mutex::new(()) }
		})
	}

	/// Threads that run a job: the caller and the helpers.
	pub(super) fn threads(&self) -> usize {
		self.helpers + 1
	}

	/// Runs `run(0)`, …, `run(tasks − 1)` on the caller and the helpers; returns when all
	/// have finished.
	pub(super) fn run(&self, tasks: usize, run: &(dyn Fn(usize) + Sync)) {
		let busy = match self.helpers > 0 && tasks > 1 {
			true => match self.busy.try_lock() {
				Ok(guard) => Some(guard),
				// A task panicked under an earlier job; the pool itself is sound.
				Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
				Err(TryLockError::WouldBlock) => None,
			},
			false => None,
		};
		let Some(busy) = busy else {
			(0..tasks).for_each(run);
			return;
		};
		let shared = &self.shared;
		// SAFETY (lifetime erased): this function returns only after every task finished,
		// and helpers cannot claim tasks of a job whose epoch has passed.
		let run: &'static (dyn Fn(usize) + Sync) = unsafe { std::mem::transmute(run) };
		let epoch = shared.epoch.load(SeqCst) + 1;
		let job = Job { run, tasks, epoch };
		*shared.job.lock().expect("not poisoned") = Some(job);
		shared.finished.store(0, SeqCst);
		shared.ticket.store((epoch & LOW) << 32, SeqCst);
		shared.epoch.store(epoch, SeqCst);
		if shared.sleepers.load(SeqCst) > 0 {
			let _guard = shared.sleep.lock().expect("not poisoned");
			shared.wake.notify_all();
		}
		shared.work(job);
		while shared.finished.load(Acquire) < tasks {
			std::hint::spin_loop();
		}
		*shared.job.lock().expect("not poisoned") = None;
		drop(busy);
		if shared.panicked.swap(false, AcqRel) {
			panic!("a kernel task panicked");
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Jobs of 2 quick tasks (the caller often finishes them before a helper looks) and
	/// of 8 slower ones, back to back. Before jobs carried their epoch, a helper that saw
	/// a finished job's epoch but read the next job could claim one of its tasks with the
	/// finished job's ticket: that task ran twice, and the extra count let the caller
	/// return while a task was still running.
	#[test]
	fn every_task_runs_once_and_has_finished_when_run_returns() {
		let pool = Pool::global();
		const JOBS: usize = 20_000;
		let counts: Vec<AtomicUsize> = (0..JOBS * 8).map(|_| AtomicUsize::new(0)).collect();
		for job in 0..JOBS {
			let tasks = if job % 2 == 0 { 2 } else { 8 };
			let counts = &counts[job * 8..job * 8 + tasks];
			pool.run(tasks, &|task| {
				if tasks == 8 {
					// A few microseconds of work.
					let mut x = task as u64;
					for _ in 0..2_000 {
						x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
					}
				}
				counts[task].fetch_add(1, SeqCst);
			});
			for (task, count) in counts.iter().enumerate() {
				assert_eq!(count.load(SeqCst), 1, "job {job} task {task} when run returned");
			}
		}
		// No task of an earlier job ran again later.
		assert!(counts.chunks(8).enumerate().all(|(job, counts)| {
			let tasks = if job % 2 == 0 { 2 } else { 8 };
			counts[..tasks].iter().all(|count| count.load(SeqCst) == 1)
		}));
	}
}
