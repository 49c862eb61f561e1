use crate::{mock::*, MinimumPeriod, SlotDurationMillis};
use frame_support::traits::{Get, Hooks};

#[test]
fn genesis_sets_slot_duration_and_minimum_period_is_half() {
	new_test_ext(2000).execute_with(|| {
		assert_eq!(SlotDurationMillis::<Test>::get(), 2000);
		assert_eq!(<MinimumPeriod<Test> as Get<u64>>::get(), 1000);
		BlockTime::do_try_state().unwrap();
	});
}

#[test]
fn zero_in_genesis_falls_back_to_default() {
	new_test_ext(0).execute_with(|| {
		assert_eq!(BlockTime::slot_duration_millis(), DEFAULT_SLOT);
		assert_eq!(<MinimumPeriod<Test> as Get<u64>>::get(), DEFAULT_SLOT / 2);
		BlockTime::do_try_state().unwrap();
	});
}

#[test]
#[should_panic(expected = "must be even")]
fn odd_slot_duration_is_rejected_at_genesis() {
	new_test_ext(2001);
}

#[test]
#[should_panic(expected = "at least 500 ms")]
fn too_short_slot_duration_is_rejected_at_genesis() {
	new_test_ext(100);
}

#[test]
fn try_state_catches_corrupt_storage() {
	new_test_ext(2000).execute_with(|| {
		SlotDurationMillis::<Test>::put(7);
		assert!(BlockTime::do_try_state().is_err());
	});
}

#[test]
fn integrity_test_passes_for_the_mock_config() {
	<BlockTime as Hooks<u64>>::integrity_test();
}
