//! Follows the chain block by block and keeps, for the gateway's requester account, what
//! happened to its transactions (included, failed, or expired unincluded) and to its jobs
//! (assigned, revealed, slashed, settled, closed): the receipts are built from these
//! events, decoded with the runtime's own types.

use crate::{log, metrics::Metrics, rpc::NodeClient};
use codec::Decode;
use frame_system::{EventRecord, Phase};
use infera_runtime::{AccountId, Balance, BlockNumber, RuntimeEvent};
use pallet_compute_jobs::{CloseReason, Event as JobEvent, JobId, SlashReason};
use sp_core::H256;
use sp_io::hashing::twox_128;
use sp_runtime::DispatchError;
use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::Duration,
};
use tokio::sync::oneshot;

/// A block, by number and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRef {
	/// Its number.
	pub number: BlockNumber,
	/// Its hash.
	pub hash: H256,
}

/// What became of a submitted transaction.
#[derive(Debug)]
pub enum Inclusion {
	/// In `block`; the ids of the jobs it submitted, in call order.
	Succeeded { block: BlockRef, jobs: Vec<JobId> },
	/// In `block`, but its call failed (its fee was paid; nothing else happened).
	Failed { block: BlockRef, error: DispatchError },
	/// Its mortality ended before any followed block included it (dropped by the pool).
	NotIncluded,
}

/// A worker's slash in a job.
#[derive(Clone, Debug)]
pub struct Slash {
	/// The worker.
	pub worker: AccountId,
	/// The amount taken from its bond.
	pub amount: Balance,
	/// Why.
	pub reason: SlashReason,
}

/// How a job's escrow was split at settlement.
#[derive(Clone, Copy, Debug, Default)]
pub struct Settlement {
	/// To agreeing workers (and verifiers).
	pub workers: Balance,
	/// To the model's owner.
	pub owner: Balance,
	/// To the datasets in the model's lineage.
	pub data: Balance,
	/// To the treasury.
	pub treasury: Balance,
}

/// How a job closed.
#[derive(Clone, Debug)]
pub struct Closing {
	/// Why.
	pub reason: CloseReason,
	/// Returned to the requester.
	pub refunded: Balance,
	/// The block it closed in.
	pub block: BlockRef,
}

/// Everything the chain said about one of the requester's jobs.
#[derive(Clone, Debug)]
pub struct JobTrace {
	/// The job.
	pub job_id: JobId,
	/// The block it was submitted in.
	pub submitted: BlockRef,
	/// The model and version it runs.
	pub model: (u32, u32),
	/// The fee held at submission.
	pub escrow: Balance,
	/// The workers drawn for it (the last draw, if it was drawn again).
	pub workers: Vec<AccountId>,
	/// Workers who revealed a result.
	pub revealed: Vec<AccountId>,
	/// Workers slashed in it.
	pub slashes: Vec<Slash>,
	/// The escrow's split, if it was settled.
	pub settlement: Option<Settlement>,
	/// Set once it closed.
	pub closing: Option<Closing>,
}

/// A submitted transaction waiting for a block.
struct PendingTransaction {
	valid_till: BlockNumber,
	reply: oneshot::Sender<Inclusion>,
}

#[derive(Default)]
struct State {
	transactions: HashMap<H256, PendingTransaction>,
	jobs: HashMap<JobId, JobTrace>,
	waiters: HashMap<JobId, Vec<oneshot::Sender<JobTrace>>>,
	followed: Option<BlockNumber>,
	/// Set when one of our transactions expired unincluded: the nonce the submitter
	/// expects may be ahead of the chain's.
	dropped_transaction: bool,
	/// Why following stopped, while it cannot go on (an unreachable node, or a block whose
	/// events do not decode with this gateway's types).
	stalled: Option<String>,
}

/// Closed traces nobody collected are forgotten this many blocks after they closed.
const KEEP_CLOSED: BlockNumber = 600;

/// The requester's transactions and jobs, as the followed blocks tell them.
pub struct Tracker {
	requester: AccountId,
	state: Mutex<State>,
}

impl Tracker {
	/// Tracks `requester`'s transactions and jobs.
	pub fn new(requester: AccountId) -> Self {
		Self { requester, state: Mutex::new(State::default()) }
	}

	fn state(&self) -> std::sync::MutexGuard<'_, State> {
		// A panic while holding the lock leaves plain data behind: keep using it.
		self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// The last block processed.
	pub fn followed(&self) -> Option<BlockNumber> {
		self.state().followed
	}

	/// Why the chain cannot be followed now, if it cannot.
	pub fn stalled(&self) -> Option<String> {
		self.state().stalled.clone()
	}

	fn set_stalled(&self, reason: Option<String>) {
		self.state().stalled = reason;
	}

	/// Watches for transaction `hash`, valid until block `valid_till`.
	pub fn expect_transaction(&self, hash: H256, valid_till: BlockNumber) -> oneshot::Receiver<Inclusion> {
		let (reply, receiver) = oneshot::channel();
		self.state().transactions.insert(hash, PendingTransaction { valid_till, reply });
		receiver
	}

	/// Stops watching transaction `hash` (the pool refused it).
	pub fn forget_transaction(&self, hash: &H256) {
		self.state().transactions.remove(hash);
	}

	/// Whether a transaction expired unincluded since the last call.
	pub fn take_dropped_transaction(&self) -> bool {
		std::mem::take(&mut self.state().dropped_transaction)
	}

	/// The trace of job `job_id` once it closed. The job must have been submitted by the
	/// requester in a block already followed; `None` if it is unknown.
	pub fn closed(&self, job_id: JobId) -> Option<oneshot::Receiver<JobTrace>> {
		let mut state = self.state();
		let trace = state.jobs.get(&job_id)?;
		let (reply, receiver) = oneshot::channel();
		if trace.closing.is_some() {
			let _ = reply.send(state.jobs.remove(&job_id).expect("just read; qed"));
		} else {
			state.waiters.entry(job_id).or_default().push(reply);
		}
		Some(receiver)
	}

	/// Applies block `block`: its extrinsics (SCALE-encoded, in order) and its events.
	pub fn apply_block(&self, block: BlockRef, extrinsics: &[Vec<u8>], events: Vec<EventRecord<RuntimeEvent, H256>>, metrics: &Metrics) {
		let mut state = self.state();
		let state = &mut *state;
		// Ours among the block's extrinsics, by index.
		let mut ours: HashMap<u32, (H256, Vec<JobId>, Option<DispatchError>)> = HashMap::new();
		for (index, extrinsic) in extrinsics.iter().enumerate() {
			let hash = H256::from(sp_io::hashing::blake2_256(extrinsic));
			if state.transactions.contains_key(&hash) {
				ours.insert(index as u32, (hash, Vec::new(), None));
			}
		}
		for record in events {
			if let Some(entry) = match record.phase {
				Phase::ApplyExtrinsic(index) => ours.get_mut(&index),
				_ => None,
			} {
				match &record.event {
					RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. }) =>
						entry.2 = Some(*dispatch_error),
					RuntimeEvent::ComputeJobs(JobEvent::JobSubmitted { job_id, .. }) => entry.1.push(*job_id),
					_ => {},
				}
			}
			let RuntimeEvent::ComputeJobs(event) = record.event else { continue };
			self.apply_job_event(state, block, event, metrics);
		}
		for (_, (hash, jobs, error)) in ours {
			let Some(pending) = state.transactions.remove(&hash) else { continue };
			let inclusion = match error {
				Some(error) => Inclusion::Failed { block, error },
				None => Inclusion::Succeeded { block, jobs },
			};
			let _ = pending.reply.send(inclusion);
		}
		let expired: Vec<H256> = state
			.transactions
			.iter()
			.filter(|(_, pending)| pending.valid_till < block.number)
			.map(|(hash, _)| *hash)
			.collect();
		for hash in expired {
			if let Some(pending) = state.transactions.remove(&hash) {
				log::warn("transaction_not_included", &[("extrinsic", format!("{hash:?}").into())]);
				state.dropped_transaction = true;
				let _ = pending.reply.send(Inclusion::NotIncluded);
			}
		}
		state.jobs.retain(|_, trace| {
			trace.closing.as_ref().map_or(true, |closing| closing.block.number + KEEP_CLOSED > block.number)
		});
		state.followed = Some(block.number);
	}

	fn apply_job_event(&self, state: &mut State, block: BlockRef, event: JobEvent<infera_runtime::Runtime>, metrics: &Metrics) {
		match event {
			JobEvent::JobSubmitted { job_id, requester, model_id, version, escrow, .. } if requester == self.requester => {
				state.jobs.insert(
					job_id,
					JobTrace {
						job_id,
						submitted: block,
						model: (model_id, version),
						escrow,
						workers: Vec::new(),
						revealed: Vec::new(),
						slashes: Vec::new(),
						settlement: None,
						closing: None,
					},
				);
			},
			JobEvent::JobAssigned { job_id, workers } =>
				if let Some(trace) = state.jobs.get_mut(&job_id) {
					trace.workers = workers;
				},
			JobEvent::ResultRevealed { job_id, worker } =>
				if let Some(trace) = state.jobs.get_mut(&job_id) {
					trace.revealed.push(worker);
				},
			JobEvent::WorkerSlashed { worker, job_id, amount, reason } =>
				if let Some(trace) = state.jobs.get_mut(&job_id) {
					trace.slashes.push(Slash { worker, amount, reason });
				},
			JobEvent::JobSettled { job_id, workers_paid, owner_paid, data_paid, treasury_paid } =>
				if let Some(trace) = state.jobs.get_mut(&job_id) {
					trace.settlement = Some(Settlement {
						workers: workers_paid,
						owner: owner_paid,
						data: data_paid,
						treasury: treasury_paid,
					});
				},
			JobEvent::JobClosed { job_id, reason, refunded } => {
				let Some(trace) = state.jobs.get_mut(&job_id) else { return };
				trace.closing = Some(Closing { reason, refunded, block });
				metrics.job_closed(trace);
				if let Some(waiters) = state.waiters.remove(&job_id) {
					let trace = state.jobs.remove(&job_id).expect("just read; qed");
					for waiter in waiters {
						let _ = waiter.send(trace.clone());
					}
				}
			},
			_ => {},
		}
	}
}

/// The storage key of `System::Events`.
fn events_key() -> Vec<u8> {
	[twox_128(b"System"), twox_128(b"Events")].concat()
}

/// Reads block `number` of the followed chain and applies it to `tracker`.
async fn follow_block(node: &NodeClient, tracker: &Tracker, number: BlockNumber, metrics: &Metrics) -> Result<(), String> {
	let hash = node.block_hash(number).await.map_err(|error| error.to_string())?;
	let block = node.block(hash).await.map_err(|error| error.to_string())?;
	let events = match node.storage(&events_key(), hash).await.map_err(|error| error.to_string())? {
		Some(bytes) => Vec::<EventRecord<RuntimeEvent, H256>>::decode(&mut &bytes.0[..])
			.map_err(|error| format!("block {number}'s events do not decode with this gateway's runtime types ({error}): is the gateway older than the chain's runtime?"))?,
		None => Vec::new(),
	};
	let extrinsics: Vec<Vec<u8>> = block.extrinsics.into_iter().map(|bytes| bytes.0).collect();
	tracker.apply_block(BlockRef { number, hash }, &extrinsics, events, metrics);
	metrics.followed_block.set(number.into());
	Ok(())
}

/// Follows the best chain (or, with `finalized`, the finalized one) from block `start` on,
/// for as long as the gateway runs. An unreachable node is retried every second; no block
/// is skipped. While it cannot go on, the tracker says why ([`Tracker::stalled`]) and the
/// gateway submits nothing.
pub async fn follow(node: Arc<NodeClient>, tracker: Arc<Tracker>, start: BlockNumber, finalized: bool, metrics: Arc<Metrics>) {
	let mut next = start;
	let mut reported = None;
	loop {
		let outcome = match node.head(finalized).await {
			Ok(head) => {
				let mut outcome = Ok(());
				while next <= head {
					if let Err(error) = follow_block(&node, &tracker, next, &metrics).await {
						outcome = Err(format!("block {next}: {error}"));
						break;
					}
					next += 1;
				}
				outcome
			},
			Err(error) => Err(error.to_string()),
		};
		match &outcome {
			Err(error) if reported.as_ref() != Some(error) => {
				log::error("follow_failed", &[("block", next.into()), ("error", error.clone().into())]);
				reported = Some(error.clone());
			},
			Ok(()) if reported.is_some() => {
				log::info("follow_resumed", &[("block", next.into())]);
				reported = None;
			},
			_ => {},
		}
		tracker.set_stalled(outcome.as_ref().err().cloned());
		tokio::time::sleep(if outcome.is_ok() { Duration::from_millis(250) } else { Duration::from_secs(1) }).await;
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::crypto::AccountId32;

	fn account(byte: u8) -> AccountId {
		AccountId32::new([byte; 32])
	}

	fn block(number: BlockNumber) -> BlockRef {
		BlockRef { number, hash: H256::repeat_byte(number as u8) }
	}

	fn record(index: u32, event: RuntimeEvent) -> EventRecord<RuntimeEvent, H256> {
		EventRecord { phase: Phase::ApplyExtrinsic(index), event, topics: Vec::new() }
	}

	fn submitted(job_id: JobId, requester: AccountId) -> RuntimeEvent {
		RuntimeEvent::ComputeJobs(JobEvent::JobSubmitted { job_id, requester, model_id: 0, version: 1, escrow: 100, deadline: 60 })
	}

	fn closed(job_id: JobId, reason: CloseReason, refunded: Balance) -> RuntimeEvent {
		RuntimeEvent::ComputeJobs(JobEvent::JobClosed { job_id, reason, refunded })
	}

	#[test]
	fn a_transaction_is_matched_by_hash_and_gets_its_jobs_in_call_order() {
		let metrics = Metrics::new().unwrap();
		let us = account(1);
		let tracker = Tracker::new(us.clone());
		let ours = b"our extrinsic".to_vec();
		let hash = H256::from(sp_io::hashing::blake2_256(&ours));
		let mut inclusion = tracker.expect_transaction(hash, 70);
		let events = vec![
			record(0, submitted(4, account(2))),
			record(1, submitted(5, us.clone())),
			record(1, submitted(6, us.clone())),
		];
		tracker.apply_block(block(7), &[b"someone else's".to_vec(), ours], events, &metrics);
		match inclusion.try_recv().unwrap() {
			Inclusion::Succeeded { block: at, jobs } => assert_eq!((at, jobs), (block(7), vec![5, 6])),
			other => panic!("{other:?}"),
		}
		// Only the requester's jobs are followed.
		assert!(tracker.closed(4).is_none());
		assert!(tracker.closed(5).is_some());
		assert_eq!(tracker.followed(), Some(7));
	}

	#[test]
	fn a_failed_call_reports_its_dispatch_error() {
		let metrics = Metrics::new().unwrap();
		let tracker = Tracker::new(account(1));
		let ours = b"ours".to_vec();
		let mut inclusion = tracker.expect_transaction(H256::from(sp_io::hashing::blake2_256(&ours)), 70);
		let error = DispatchError::Other("MaxFeeTooLow");
		let failed = RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error: error, dispatch_info: Default::default() });
		tracker.apply_block(block(3), &[ours], vec![record(0, failed)], &metrics);
		assert!(matches!(inclusion.try_recv().unwrap(), Inclusion::Failed { error: DispatchError::Other(_), .. }));
	}

	#[test]
	fn a_transaction_past_its_mortality_is_reported_dropped_once() {
		let metrics = Metrics::new().unwrap();
		let tracker = Tracker::new(account(1));
		let mut inclusion = tracker.expect_transaction(H256::repeat_byte(9), 10);
		tracker.apply_block(block(10), &[], Vec::new(), &metrics);
		assert!(inclusion.try_recv().is_err(), "still valid at its last block");
		assert!(!tracker.take_dropped_transaction());
		tracker.apply_block(block(11), &[], Vec::new(), &metrics);
		assert!(matches!(inclusion.try_recv().unwrap(), Inclusion::NotIncluded));
		assert!(tracker.take_dropped_transaction());
		assert!(!tracker.take_dropped_transaction());
	}

	#[test]
	fn a_closing_job_hands_its_whole_story_to_whoever_waits_or_waits_for_them() {
		let metrics = Metrics::new().unwrap();
		let us = account(1);
		let tracker = Tracker::new(us.clone());
		let (worker, liar) = (account(7), account(8));
		tracker.apply_block(block(1), &[], vec![record(0, submitted(1, us.clone())), record(0, submitted(2, us.clone()))], &metrics);
		let mut waiting = tracker.closed(1).unwrap();
		let jobs = |event| RuntimeEvent::ComputeJobs(event);
		let story = vec![
			record(0, jobs(JobEvent::JobAssigned { job_id: 1, workers: vec![worker.clone(), liar.clone()] })),
			record(0, jobs(JobEvent::ResultRevealed { job_id: 1, worker: worker.clone() })),
			record(0, jobs(JobEvent::ResultRevealed { job_id: 1, worker: liar.clone() })),
			record(0, jobs(JobEvent::WorkerSlashed { worker: liar.clone(), job_id: 1, amount: 9, reason: SlashReason::Disagreed })),
			record(0, jobs(JobEvent::JobSettled { job_id: 1, workers_paid: 10, owner_paid: 50, data_paid: 5, treasury_paid: 2 })),
			record(0, closed(1, CloseReason::Completed, 33)),
			record(0, closed(2, CloseReason::Expired, 100)),
		];
		tracker.apply_block(block(6), &[], story, &metrics);
		let trace = waiting.try_recv().unwrap();
		assert_eq!(trace.workers, vec![worker.clone(), liar.clone()]);
		assert_eq!(trace.revealed, vec![worker, liar.clone()]);
		assert_eq!((trace.slashes.len(), &trace.slashes[0].worker, trace.slashes[0].amount), (1, &liar, 9));
		assert_eq!(trace.settlement.map(|paid| (paid.workers, paid.owner, paid.data, paid.treasury)), Some((10, 50, 5, 2)));
		let closing = trace.closing.unwrap();
		assert_eq!((closing.reason, closing.refunded, closing.block), (CloseReason::Completed, 33, block(6)));
		// Job 2 closed before anyone asked: it is kept for whoever asks, once.
		let mut late = tracker.closed(2).unwrap();
		assert_eq!(late.try_recv().unwrap().closing.unwrap().reason, CloseReason::Expired);
		assert!(tracker.closed(2).is_none());
		assert!(metrics.render().contains("infera_gateway_jobs_total{reason=\"expired\"} 1"));
	}
}
