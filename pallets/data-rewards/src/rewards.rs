//! Eras and claims: a finished era's reward leaves the pot once, and each accepted
//! contribution of the era claims its share of it once.

use crate::{pallet::*, *};
use frame_support::{
	defensive, ensure,
	traits::{
		fungible::Mutate,
		tokens::Preservation,
		Get,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{Saturating, UniqueSaturatedFrom, UniqueSaturatedInto, Zero},
	DispatchError, DispatchResult, Rounding,
};

/// `reward × points / total`, rounded down (zero when `total` is zero).
pub fn share_of<Balance>(reward: Balance, points: u128, total: u128) -> Balance
where
	Balance: UniqueSaturatedInto<u128> + UniqueSaturatedFrom<u128> + Zero,
{
	if total == 0 {
		return Zero::zero();
	}
	let reward: u128 = reward.unique_saturated_into();
	let amount = multiply_by_rational_with_rounding(reward, points, total, Rounding::Down)
		.unwrap_or_default();
	Balance::unique_saturated_from(amount)
}

/// Points a contribution of `size` bytes earns at mean quality `quality` (1..=100):
/// `quality × (1 + ⌊log₂(1 + size / 1 KiB)⌋)`. Size counts, but logarithmically, so a
/// large upload cannot outweigh many good small ones.
pub fn points_for(quality: u64, size: u64) -> u64 {
	let kib = size / 1024;
	let size_factor = 1 + u64::from(kib.saturating_add(1).ilog2());
	quality.saturating_mul(size_factor)
}

impl<T: Config> Pallet<T> {
	/// The current reward era.
	pub fn current_era() -> EraIndex {
		CurrentEra::<T>::get().index
	}

	/// Starts the next era at `now` if the current one has lasted `EraLength` blocks;
	/// returns whether it did.
	pub(crate) fn advance_era(now: BlockNumberFor<T>) -> bool {
		let clock = CurrentEra::<T>::get();
		if now < clock.started_at.saturating_add(T::EraLength::get()) {
			return false;
		}
		let index = clock.index.saturating_add(1);
		CurrentEra::<T>::put(EraClock { index, started_at: now });
		Self::deposit_event(Event::NewEra { era: index });
		true
	}

	/// Counts funds sent straight to the dataset's account into its pot and, when its era
	/// has ended, finishes it: the era's reward (the pot, or at most `reward_per_era`) moves
	/// from the pot to what the dataset owes.
	pub(crate) fn roll_era(dataset: DatasetId, info: &mut DatasetInfo<T>) {
		let surplus = Self::unaccounted(dataset, info);
		if !surplus.is_zero() {
			info.pot = info.pot.saturating_add(surplus);
			Self::deposit_event(Event::PotFunded { dataset, amount: surplus, source: PotSource::Transfer });
		}
		let era = Self::current_era();
		if info.era >= era {
			return;
		}
		if info.era_points > 0 {
			let reward = info.policy.era_reward(info.pot);
			info.pot = info.pot.saturating_sub(reward);
			info.owed = info.owed.saturating_add(reward);
			if !reward.is_zero() {
				EraRewards::<T>::insert(
					dataset,
					info.era,
					EraReward { reward, points: info.era_points, claimed_points: 0, paid: Zero::zero() },
				);
			}
			Self::deposit_event(Event::EraFinished { dataset, era: info.era, reward, points: info.era_points });
		}
		info.era = era;
		info.era_points = 0;
	}

	/// `dataset`, with its era rolled forward. The caller stores it.
	pub(crate) fn touched_dataset(dataset: DatasetId) -> Result<DatasetInfo<T>, DispatchError> {
		let mut info = Datasets::<T>::get(dataset).ok_or(Error::<T>::UnknownDataset)?;
		Self::roll_era(dataset, &mut info);
		Ok(info)
	}

	pub(crate) fn do_claim(id: ContributionId) -> DispatchResult {
		let mut contribution = Contributions::<T>::get(id).ok_or(Error::<T>::UnknownContribution)?;
		let ContributionStatus::Accepted { era, points, claimed } = contribution.status else {
			return Err(Error::<T>::NotAccepted.into());
		};
		ensure!(!claimed, Error::<T>::AlreadyClaimed);
		let dataset = contribution.dataset;
		let mut info = Self::touched_dataset(dataset)?;
		ensure!(era < info.era, Error::<T>::EraNotFinished);

		// An era without an entry finished with nothing in the pot: the share is zero.
		let mut amount = Zero::zero();
		if let Some(mut reward) = EraRewards::<T>::get(dataset, era) {
			amount = share_of(reward.reward, points.into(), reward.points);
			if !amount.is_zero() {
				T::Currency::transfer(
					&Self::dataset_account(dataset),
					&contribution.contributor,
					amount,
					Preservation::Preserve,
				)?;
			}
			reward.paid = reward.paid.saturating_add(amount);
			reward.claimed_points = reward.claimed_points.saturating_add(points.into());
			info.owed = info.owed.saturating_sub(amount);
			if reward.claimed_points >= reward.points {
				if reward.claimed_points > reward.points {
					defensive!("an era's claims cannot exceed its points");
				}
				let dust = reward.reward.saturating_sub(reward.paid);
				info.owed = info.owed.saturating_sub(dust);
				info.pot = info.pot.saturating_add(dust);
				EraRewards::<T>::remove(dataset, era);
				if !dust.is_zero() {
					Self::deposit_event(Event::PotFunded { dataset, amount: dust, source: PotSource::Dust });
				}
			} else {
				EraRewards::<T>::insert(dataset, era, reward);
			}
		}
		contribution.status = ContributionStatus::Accepted { era, points, claimed: true };
		let contributor = contribution.contributor.clone();
		Contributions::<T>::insert(id, contribution);
		Datasets::<T>::insert(dataset, info);
		Self::deposit_event(Event::RewardPaid { contribution: id, contributor, era, amount });
		Ok(())
	}
}
