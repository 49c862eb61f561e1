//! The pallet as the compute-jobs pallet's `LineageRewards` and the registry's
//! `DatasetRegistry`.

use crate::{mock::*, *};
use frame_support::{
	assert_ok,
	traits::{fungible::Mutate, tokens::Preservation},
};

#[test]
fn existing_datasets_take_lineage_income_into_their_pot() {
	ExtBuilder::default().build_and_execute(|| {
		assert!(!<DataRewards as DatasetRegistry>::dataset_exists(0));
		assert_eq!(<DataRewards as LineageRewards<_, _>>::lineage_account(0), None);
		let id = create_default(0);
		assert!(<DataRewards as DatasetRegistry>::dataset_exists(id));
		let account = <DataRewards as LineageRewards<_, _>>::lineage_account(id).unwrap();
		assert_eq!(account, DataRewards::dataset_account(id));

		// As the compute-jobs pallet does: pay into the account, then note the income.
		assert_ok!(<Balances as Mutate<_>>::transfer(&TREASURY, &account, 3, Preservation::Preserve));
		<DataRewards as LineageRewards<_, _>>::note_lineage_income(id, 3);
		let info = Datasets::<Test>::get(id).unwrap();
		assert_eq!((info.pot, info.lineage_income), (3, 3));
		System::assert_last_event(Event::LineageReceived { dataset: id, amount: 3 }.into());

		// The income pays the era's contributors.
		let a = contribute(ALICE, id, 1);
		accept(a, 10);
		run_to_block(ERA);
		assert_ok!(DataRewards::claim(RuntimeOrigin::signed(ALICE), a));
		assert_eq!(free(ALICE), 10_003);
	});
}
