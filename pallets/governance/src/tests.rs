use crate::{mock::*, EnsureCurator, EnsureParameterAdmin, EnsureTreasurer, Origin, Timing};
use frame_support::traits::EnsureOrigin;
use frame_system::RawOrigin;

fn track(origin: Origin) -> RuntimeOrigin {
	RuntimeOrigin::from(origin)
}

#[test]
fn each_ensure_accepts_its_own_origin_only() {
	new_test_ext(Timing::Production).execute_with(|| {
		assert!(EnsureCurator::try_origin(track(Origin::Curator)).is_ok());
		assert!(EnsureParameterAdmin::try_origin(track(Origin::ParameterAdmin)).is_ok());
		assert!(EnsureTreasurer::try_origin(track(Origin::Treasurer)).is_ok());

		assert!(EnsureCurator::try_origin(track(Origin::Treasurer)).is_err());
		assert!(EnsureParameterAdmin::try_origin(track(Origin::Curator)).is_err());
		assert!(EnsureTreasurer::try_origin(track(Origin::ParameterAdmin)).is_err());
	});
}

#[test]
fn root_and_signed_are_not_track_origins() {
	new_test_ext(Timing::Production).execute_with(|| {
		assert!(EnsureCurator::try_origin(RuntimeOrigin::from(RawOrigin::Root)).is_err());
		assert!(EnsureTreasurer::try_origin(RuntimeOrigin::signed(1)).is_err());
		assert!(EnsureParameterAdmin::try_origin(RuntimeOrigin::none()).is_err());
	});
}

#[test]
fn a_refused_origin_comes_back_unchanged() {
	new_test_ext(Timing::Production).execute_with(|| {
		let refused = EnsureCurator::try_origin(track(Origin::Treasurer)).unwrap_err();
		assert!(EnsureTreasurer::try_origin(refused).is_ok());
	});
}

#[test]
fn genesis_sets_the_track_timing() {
	new_test_ext(Timing::Fast).execute_with(|| assert_eq!(Governance::timing(), Timing::Fast));
	new_test_ext(Timing::Production)
		.execute_with(|| assert_eq!(Governance::timing(), Timing::Production));
}

#[test]
fn timing_defaults_to_production_and_reads_camel_case() {
	assert_eq!(Timing::default(), Timing::Production);
	let parsed: Timing = frame_support::__private::serde_json::from_str("\"fast\"").unwrap();
	assert_eq!(parsed, Timing::Fast);
}
