//! Benchmarks at worst-case sizes: full model worker lists, the most replicas, the longest
//! input and output, full deadline buckets and queue.

use crate::{pallet::*, results::commitment_of, *};
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::traits::{Bounded, Saturating};

const SALT: [u8; 32] = [3; 32];

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 1_000_000u32.into());
	who
}

fn bond<T: Config>() -> BalanceOf<T> {
	T::MinWorkerBond::get().saturating_mul(10u32.into())
}

fn model<T: Config>(seed: u32) -> ModelId {
	let owner = funded::<T>("owner", seed);
	T::Models::register_approved_model(owner, TaskKind::TextEmbedding, 1_000u32.into(), seed)
}

/// Fills `model`'s worker list up to one short of `MaxWorkersPerModel` with placeholders.
fn crowd<T: Config>(model: ModelId) {
	let placeholders: Vec<T::AccountId> = (0..T::MaxWorkersPerModel::get().saturating_sub(1))
		.map(|i| account("placeholder", i, model))
		.collect();
	ModelWorkers::<T>::insert(model, BoundedVec::truncate_from(placeholders));
}

fn served<T: Config>(models: &[ModelId]) -> ServedModelsOf<T> {
	BoundedVec::truncate_from(models.to_vec())
}

/// Registers `count` workers for `model` with room for many assignments, each ready for
/// the model's version 1.
fn workers<T: Config>(model: ModelId, count: u32) -> Vec<T::AccountId> {
	(0..count)
		.map(|i| {
			let who = funded::<T>("worker", i);
			Pallet::<T>::do_register_worker(who.clone(), bond::<T>(), served::<T>(&[model]), 1_000)
				.expect("funded, approved model; qed");
			Pallet::<T>::do_set_readiness(who.clone(), model, 1, true).expect("served, registered version; qed");
			who
		})
		.collect()
}

/// Fills `who`'s readiness list up to one short of `MaxReadyVersions` with versions of
/// `model` that do not exist (readiness is only checked against the registry when set).
fn nearly_full_readiness<T: Config>(who: &T::AccountId, model: ModelId) {
	Workers::<T>::mutate(who, |info| {
		if let Some(info) = info {
			for version in info.ready.len() as u32..T::MaxReadyVersions::get().saturating_sub(1) {
				let _ = info.ready.try_push(ReadyVersion { model_id: model, version: 1_000 + version });
			}
		}
	});
}

fn replicas<T: Config>() -> u8 {
	Pallet::<T>::replica_limit().min(T::MaxWorkersPerModel::get()).min(u8::MAX.into()) as u8
}

fn input<T: Config>() -> JobInput<T> {
	JobInput::Inline(BoundedVec::truncate_from(vec![b'a'; T::MaxInputLen::get() as usize]))
}

fn job_output<T: Config>() -> JobOutput<T> {
	JobOutput::<T>::Embedding(BoundedVec::truncate_from(vec![100i8; T::MaxOutputLen::get() as usize]))
}

fn output<T: Config>() -> Verdict<T> {
	Verdict::Output(job_output::<T>())
}

/// Makes `pool` busy (no spare capacity: new jobs queue) or free again.
fn set_busy<T: Config>(pool: &[T::AccountId], busy: bool) {
	for worker in pool {
		Workers::<T>::mutate(worker, |info| {
			if let Some(info) = info {
				info.capacity = if busy { info.assigned } else { 1_000 };
			}
		});
	}
}

fn submit<T: Config>(requester: &T::AccountId, model: ModelId, replicas: u8, deadline_in: BlockNumberFor<T>) -> JobId {
	let id = NextJobId::<T>::get();
	Pallet::<T>::do_submit_job(
		requester.clone(),
		ModelChoice::Model { model_id: model, version: None, max_price: BalanceOf::<T>::max_value() },
		input::<T>(),
		None,
		BalanceOf::<T>::max_value() / 1_000_000_000u32.into(),
		replicas,
		deadline_in,
	)
	.expect("valid job; qed");
	// Drawn at once from the current beacon: benchmarks have no VRF outputs to wait for.
	Pallet::<T>::draw_below(NextJobId::<T>::get());
	id
}

/// Gives `job` the longest lineage, every dataset of which takes its share: settlement
/// then makes the most payments.
fn longest_lineage<T: Config>(job: JobId) {
	let datasets: Vec<DatasetId> = (0..T::MaxLineage::get()).map(T::Lineage::lineage_recipient).collect();
	Jobs::<T>::mutate(job, |info| {
		if let Some(info) = info {
			info.datasets = BoundedVec::truncate_from(datasets);
		}
	});
}

fn assigned<T: Config>(job: JobId) -> Vec<T::AccountId> {
	match Jobs::<T>::get(job).map(|job| job.state) {
		Some(JobState::Assigned { assignments, .. }) =>
			assignments.into_iter().map(|a| a.worker).collect(),
		_ => Vec::new(),
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_worker(m: Linear<1, { T::MaxModelsPerWorker::get() }>) {
		let models: Vec<ModelId> = (0..m).map(|i| model::<T>(i)).collect();
		models.iter().for_each(|model| crowd::<T>(*model));
		let who = funded::<T>("worker", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), bond::<T>(), served::<T>(&models), 1_000);

		assert!(Workers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn bond_more() {
		let model = model::<T>(0);
		let who = workers::<T>(model, 1).remove(0);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), bond::<T>());

		assert_eq!(Workers::<T>::get(&who).unwrap().bond, bond::<T>().saturating_mul(2u32.into()));
	}

	#[benchmark]
	fn set_served_models(m: Linear<1, { T::MaxModelsPerWorker::get() }>) {
		let old: Vec<ModelId> = (0..m).map(|i| model::<T>(i)).collect();
		let new: Vec<ModelId> = (m..2 * m).map(|i| model::<T>(i)).collect();
		let who = funded::<T>("worker", 0);
		Pallet::<T>::do_register_worker(who.clone(), bond::<T>(), served::<T>(&old), 1).unwrap();
		new.iter().for_each(|model| crowd::<T>(*model));

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), served::<T>(&new), 1_000);

		assert_eq!(Workers::<T>::get(&who).unwrap().models.to_vec(), new);
	}

	#[benchmark]
	fn pause() {
		let who = workers::<T>(model::<T>(0), 1).remove(0);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert_eq!(Workers::<T>::get(&who).unwrap().state, WorkerState::Paused);
	}

	#[benchmark]
	fn resume() {
		let who = workers::<T>(model::<T>(0), 1).remove(0);
		Pallet::<T>::do_set_state(who.clone(), WorkerState::Active, WorkerState::Paused).unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert_eq!(Workers::<T>::get(&who).unwrap().state, WorkerState::Active);
	}

	#[benchmark]
	fn unbond() {
		let who = workers::<T>(model::<T>(0), 1).remove(0);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(matches!(Workers::<T>::get(&who).unwrap().state, WorkerState::Unbonding { .. }));
	}

	#[benchmark]
	fn withdraw_bond(m: Linear<1, { T::MaxModelsPerWorker::get() }>) {
		let models: Vec<ModelId> = (0..m).map(|i| model::<T>(i)).collect();
		let who = funded::<T>("worker", 0);
		Pallet::<T>::do_register_worker(who.clone(), bond::<T>(), served::<T>(&models), 1).unwrap();
		Pallet::<T>::do_unbond(who.clone()).unwrap();
		let unlock = frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingDelay::get());
		frame_system::Pallet::<T>::set_block_number(unlock);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!Workers::<T>::contains_key(&who));
	}

	/// Routed by task to a model with a full worker list, all of whom are checked, whose
	/// current version no worker holds yet, so the job falls back to the previous one; the
	/// draw comes later (charged as `assign_queued(1)`).
	#[benchmark]
	fn submit_job() {
		let model = model::<T>(0);
		workers::<T>(model, T::MaxWorkersPerModel::get());
		T::Models::publish_approved_version(model, 1_000);
		let requester = funded::<T>("requester", 0);
		let r = replicas::<T>();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(requester),
			ModelChoice::Task { task: TaskKind::TextEmbedding, max_price: 1_000_000u32.into() },
			input::<T>(),
			BalanceOf::<T>::max_value() / 1_000_000_000u32.into(),
			r,
			T::MaxDeadline::get(),
		);

		let job = Jobs::<T>::get(0).unwrap();
		assert_eq!((job.state, job.version), (JobState::Drawing, 1));
	}

	/// Cancels the newest job of a full queue.
	#[benchmark]
	fn cancel_job() {
		let model = model::<T>(0);
		let pool = workers::<T>(model, 1);
		set_busy::<T>(&pool, true);
		let per_block = T::MaxJobsPerBlock::get().max(1);
		let mut last = (0, pool[0].clone());
		for i in 0..T::MaxQueuedJobs::get() {
			let requester = funded::<T>("requester", i);
			let deadline_in = T::MaxDeadline::get().saturating_sub((i / per_block).into());
			last = (submit::<T>(&requester, model, 1, deadline_in), requester);
		}
		let (last, requester) = last;

		#[extrinsic_call]
		_(RawOrigin::Signed(requester), last);

		assert!(matches!(Jobs::<T>::get(last).unwrap().state, JobState::Closed { .. }));
	}

	/// The last of the most replicas commits, which opens reveals.
	#[benchmark]
	fn commit_result() {
		let model = model::<T>(0);
		workers::<T>(model, u32::from(replicas::<T>()));
		let requester = funded::<T>("requester", 0);
		let job = submit::<T>(&requester, model, replicas::<T>(), T::MaxDeadline::get());
		let mut assigned = assigned::<T>(job);
		let last = assigned.pop().unwrap();
		for worker in assigned {
			let commitment = commitment_of::<T>(job, &worker, &output::<T>(), &SALT);
			Pallet::<T>::do_commit(worker, job, commitment).unwrap();
		}
		let commitment = commitment_of::<T>(job, &last, &output::<T>(), &SALT);

		#[extrinsic_call]
		_(RawOrigin::Signed(last), job, commitment);

		assert!(matches!(
			Jobs::<T>::get(job).unwrap().state,
			JobState::Assigned { reveal_from, .. } if reveal_from == frame_system::Pallet::<T>::block_number()
		));
	}

	/// The last of `r` replicas reveals the longest output: agreement over all of them and
	/// settlement with every payment, the longest lineage's included.
	#[benchmark]
	fn reveal_result(r: Linear<1, { Pallet::<T>::replica_limit().min(T::MaxWorkersPerModel::get()) }>) {
		let model = model::<T>(0);
		workers::<T>(model, r);
		let requester = funded::<T>("requester", 0);
		let job = submit::<T>(&requester, model, r as u8, T::MaxDeadline::get());
		longest_lineage::<T>(job);
		let assigned = assigned::<T>(job);
		for worker in &assigned {
			let commitment = commitment_of::<T>(job, worker, &output::<T>(), &SALT);
			Pallet::<T>::do_commit(worker.clone(), job, commitment).unwrap();
		}
		let (last, others) = assigned.split_last().unwrap();
		for worker in others {
			Pallet::<T>::do_reveal(worker.clone(), job, output::<T>(), SALT).unwrap();
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(last.clone()), job, output::<T>(), SALT);

		assert!(Results::<T>::contains_key(job));
	}

	/// `c` assigned jobs reach their deadline with every replica committed, all but one
	/// revealed (agreeing) and the last withheld: each settles with every payment, the
	/// longest lineage's included, and a slash.
	#[benchmark]
	fn close_expired(c: Linear<0, { T::MaxJobsPerBlock::get() }>) {
		let model = model::<T>(0);
		let r = replicas::<T>();
		workers::<T>(model, T::MaxWorkersPerModel::get());
		let requester = funded::<T>("requester", 0);
		let deadline_in = T::MinDeadline::get();
		let jobs: Vec<JobId> = (0..c).map(|_| submit::<T>(&requester, model, r, deadline_in)).collect();
		for job in &jobs {
			longest_lineage::<T>(*job);
			let assigned = assigned::<T>(*job);
			for worker in &assigned {
				let commitment = commitment_of::<T>(*job, worker, &output::<T>(), &SALT);
				Pallet::<T>::do_commit(worker.clone(), *job, commitment).unwrap();
			}
			if let Some((_, revealers)) = assigned.split_last() {
				for worker in revealers {
					Pallet::<T>::do_reveal(worker.clone(), *job, output::<T>(), SALT).unwrap();
				}
			}
		}
		let now = frame_system::Pallet::<T>::block_number().saturating_add(deadline_in);
		frame_system::Pallet::<T>::set_block_number(now);

		#[block]
		{
			Pallet::<T>::close_expired(now);
		}

		for job in jobs {
			assert!(matches!(Jobs::<T>::get(job).unwrap().state, JobState::Closed { .. }));
		}
	}

	/// `q` queued jobs are tried and all assigned, each drawing from a full worker list.
	#[benchmark]
	fn assign_queued(q: Linear<0, { T::MaxQueuedJobs::get() }>) {
		let model = model::<T>(0);
		let r = replicas::<T>();
		let pool = workers::<T>(model, T::MaxWorkersPerModel::get());
		set_busy::<T>(&pool, true);
		let per_block = T::MaxJobsPerBlock::get().max(1);
		for i in 0..q {
			let requester = funded::<T>("requester", i);
			let later = T::MaxDeadline::get().saturating_sub((i / per_block).into());
			submit::<T>(&requester, model, r, later);
		}
		set_busy::<T>(&pool, false);

		#[block]
		{
			Pallet::<T>::assign_queued();
		}

		assert!(Queue::<T>::get().is_empty());
	}

	/// A worker whose readiness list is one short of full marks another version ready (the
	/// registry is read for it, the list scanned).
	#[benchmark]
	fn set_readiness() {
		let model = model::<T>(0);
		let who = funded::<T>("worker", 0);
		Pallet::<T>::do_register_worker(who.clone(), bond::<T>(), served::<T>(&[model]), 1_000).unwrap();
		nearly_full_readiness::<T>(&who, model);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), model, 1, true);

		assert!(Workers::<T>::get(&who).unwrap().is_ready(model, 1));
	}

	/// A worker replaces its operator: the old entries removed, the new ones written.
	#[benchmark]
	fn set_operator() {
		let who = workers::<T>(model::<T>(0), 1).remove(0);
		Pallet::<T>::do_set_operator(who.clone(), Some(account("operator", 0, 0))).unwrap();
		let operator: T::AccountId = account("operator", 1, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), Some(operator.clone()));

		assert_eq!(Operators::<T>::get(&operator), Some(who));
	}

	/// One step of `on_idle` pruning: a closed job past its retention, with a result.
	#[benchmark]
	fn prune_job() {
		let model = model::<T>(0);
		let r = replicas::<T>();
		workers::<T>(model, u32::from(r));
		let requester = funded::<T>("requester", 0);
		let job = submit::<T>(&requester, model, r, T::MaxDeadline::get());
		Results::<T>::insert(job, job_output::<T>());
		let now = frame_system::Pallet::<T>::block_number();
		let closed = Jobs::<T>::get(job).unwrap();
		Pallet::<T>::close_with_refund(job, closed, CloseReason::Expired, JobOutcome::Withdrawn)
			.unwrap();
		let later = now.saturating_add(T::ClosedJobRetention::get());

		#[block]
		{
			assert!(Pallet::<T>::prune_job(job, later));
		}

		assert!(!Jobs::<T>::contains_key(job));
		assert!(!RequesterJobs::<T>::contains_key(&requester, OrderedId::from(job)));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
