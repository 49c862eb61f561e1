//! Worker registration, bonds and availability.

use crate::{pallet::*, *};
use frame_system::pallet_prelude::BlockNumberFor;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult, Permill,
};

impl<T: Config> Pallet<T> {
	fn check_served_models(models: &ServedModelsOf<T>, capacity: u32) -> DispatchResult {
		ensure!(capacity > 0, Error::<T>::ZeroCapacity);
		for (index, model) in models.iter().enumerate() {
			ensure!(!models[..index].contains(model), Error::<T>::DuplicateModel);
			T::Models::job_terms(*model, None)?;
		}
		Ok(())
	}

	/// Adds `who`, bonded `bond`, to each model's worker list. A full list takes it only by
	/// evicting its weakest member: a paused or unbonding worker, or one bonded below the
	/// minimum, first; else the active worker with the smallest bond, if that bond is
	/// smaller than `bond`. So a slot is held by stake, and squatting every slot of a model
	/// costs more bond than any honest newcomer brings.
	fn add_to_model_lists(who: &T::AccountId, bond: BalanceOf<T>, models: &[ModelId]) -> DispatchResult {
		for model in models {
			let evicted = ModelWorkers::<T>::try_mutate(model, |workers| {
				if workers.contains(who) {
					return Ok(None);
				}
				if workers.try_push(who.clone()).is_ok() {
					return Ok(None);
				}
				// (index, takes jobs, bond): those that take no jobs sort first, then by bond.
				let weakest = workers
					.iter()
					.enumerate()
					.map(|(index, member)| match Workers::<T>::get(member) {
						Some(w) => (index, w.takes_jobs(), w.bond),
						None => (index, false, Zero::zero()),
					})
					.min_by_key(|(_, active, member_bond)| (*active, *member_bond));
				match weakest {
					Some((index, active, member_bond)) if !active || member_bond < bond => {
						let evicted = workers.remove(index);
						workers.try_push(who.clone()).map_err(|_| Error::<T>::TooManyWorkersForModel)?;
						Ok(Some(evicted))
					},
					_ => Err(Error::<T>::TooManyWorkersForModel),
				}
			})?;
			if let Some(evicted) = evicted {
				Workers::<T>::mutate(&evicted, |info| {
					if let Some(info) = info {
						info.models.retain(|m| m != model);
						info.ready.retain(|entry| entry.model_id != *model);
					}
				});
				Self::deposit_event(Event::WorkerEvicted { worker: evicted, model: *model });
			}
		}
		Ok(())
	}

	fn remove_from_model_lists(who: &T::AccountId, models: &[ModelId]) {
		for model in models {
			ModelWorkers::<T>::mutate_exists(model, |workers| {
				if let Some(list) = workers {
					list.retain(|worker| worker != who);
					if list.is_empty() {
						*workers = None;
					}
				}
			});
		}
	}

	pub(crate) fn do_register_worker(
		who: T::AccountId,
		bond: BalanceOf<T>,
		models: ServedModelsOf<T>,
		capacity: u32,
	) -> DispatchResult {
		ensure!(!Workers::<T>::contains_key(&who), Error::<T>::AlreadyWorker);
		ensure!(!Operators::<T>::contains_key(&who), Error::<T>::OperatorInUse);
		ensure!(bond >= T::MinWorkerBond::get(), Error::<T>::BondTooLow);
		Self::check_served_models(&models, capacity)?;
		T::Currency::hold(&HoldReason::WorkerBond.into(), &who, bond)?;
		Self::add_to_model_lists(&who, bond, &models)?;
		Workers::<T>::insert(
			&who,
			WorkerInfo::<T> {
				bond,
				models,
				capacity,
				assigned: 0,
				state: WorkerState::Active,
				reputation: Permill::from_percent(50),
				registered_at: frame_system::Pallet::<T>::block_number(),
				ready: Default::default(),
			},
		);
		Self::deposit_event(Event::WorkerRegistered { worker: who, bond, capacity });
		Ok(())
	}

	pub(crate) fn do_bond_more(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let mut worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotWorker)?;
		T::Currency::hold(&HoldReason::WorkerBond.into(), &who, amount)?;
		worker.bond = worker.bond.saturating_add(amount);
		let bond = worker.bond;
		Workers::<T>::insert(&who, worker);
		Self::deposit_event(Event::WorkerBonded { worker: who, added: amount, bond });
		Ok(())
	}

	pub(crate) fn do_set_served_models(
		who: T::AccountId,
		models: ServedModelsOf<T>,
		capacity: u32,
	) -> DispatchResult {
		let mut worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotWorker)?;
		Self::check_served_models(&models, capacity)?;
		Self::remove_from_model_lists(&who, &worker.models);
		Self::add_to_model_lists(&who, worker.bond, &models)?;
		// A model no longer served takes its readiness with it.
		worker.ready.retain(|entry| models.contains(&entry.model_id));
		worker.models = models.clone();
		worker.capacity = capacity;
		Workers::<T>::insert(&who, worker);
		Self::deposit_event(Event::WorkerUpdated { worker: who, models, capacity });
		Ok(())
	}

	/// Pause (`Active → Paused`) or resume (`Paused → Active`).
	pub(crate) fn do_set_state(
		who: T::AccountId,
		from: WorkerState<BlockNumberFor<T>>,
		to: WorkerState<BlockNumberFor<T>>,
	) -> DispatchResult {
		let mut worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotWorker)?;
		if worker.state != from {
			return Err(match from {
				WorkerState::Active => Error::<T>::WorkerNotActive,
				_ => Error::<T>::WorkerNotPaused,
			}
			.into());
		}
		worker.state = to;
		Workers::<T>::insert(&who, worker);
		Self::deposit_event(match to {
			WorkerState::Paused => Event::WorkerPaused { worker: who },
			_ => Event::WorkerResumed { worker: who },
		});
		Ok(())
	}

	pub(crate) fn do_unbond(who: T::AccountId) -> DispatchResult {
		let mut worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotWorker)?;
		ensure!(
			!matches!(worker.state, WorkerState::Unbonding { .. }),
			Error::<T>::AlreadyUnbonding
		);
		let unlocks_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingDelay::get());
		worker.state = WorkerState::Unbonding { unlocks_at };
		Workers::<T>::insert(&who, worker);
		Self::deposit_event(Event::WorkerUnbonding { worker: who, unlocks_at });
		Ok(())
	}

	pub(crate) fn do_withdraw_bond(who: T::AccountId) -> DispatchResult {
		let worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotWorker)?;
		let WorkerState::Unbonding { unlocks_at } = worker.state else {
			return Err(Error::<T>::NotUnbonding.into());
		};
		ensure!(
			frame_system::Pallet::<T>::block_number() >= unlocks_at,
			Error::<T>::BondStillLocked
		);
		ensure!(worker.assigned.is_zero(), Error::<T>::WorkerHasAssignments);
		T::Currency::release(&HoldReason::WorkerBond.into(), &who, worker.bond, Precision::Exact)?;
		Self::remove_from_model_lists(&who, &worker.models);
		if let Some(operator) = OperatorOf::<T>::take(&who) {
			Operators::<T>::remove(operator);
		}
		Workers::<T>::remove(&who);
		Self::deposit_event(Event::WorkerLeft { worker: who, bond: worker.bond });
		Ok(())
	}

	/// The worker `who` acts for: the worker it operates, or itself.
	pub fn acting_worker(who: T::AccountId) -> T::AccountId {
		Operators::<T>::get(&who).unwrap_or(who)
	}

	pub(crate) fn do_set_operator(who: T::AccountId, operator: Option<T::AccountId>) -> DispatchResult {
		ensure!(Workers::<T>::contains_key(&who), Error::<T>::NotWorker);
		if let Some(operator) = &operator {
			ensure!(
				*operator != who &&
					!Workers::<T>::contains_key(operator) &&
					!Operators::<T>::contains_key(operator),
				Error::<T>::OperatorInUse
			);
		}
		if let Some(previous) = OperatorOf::<T>::take(&who) {
			Operators::<T>::remove(previous);
		}
		if let Some(operator) = &operator {
			Operators::<T>::insert(operator, &who);
			OperatorOf::<T>::insert(&who, operator);
		}
		Self::deposit_event(Event::OperatorSet { worker: who, operator });
		Ok(())
	}
}
