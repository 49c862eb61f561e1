//! `EnsureOrigin` implementations for the track origins, so that pallets can name them as
//! their admin origins (usually `EitherOf<EnsureRoot<_>, EnsureCurator>`).

use crate::Origin;
use frame_support::traits::EnsureOrigin;

/// Implements `EnsureOrigin` for one variant of [`Origin`], succeeding with `()`.
macro_rules! ensure_track_origin {
	($(#[$doc:meta])* $name:ident => $variant:ident) => {
		$(#[$doc])*
		pub struct $name;

		impl<O> EnsureOrigin<O> for $name
		where
			O: Into<Result<Origin, O>> + From<Origin>,
		{
			type Success = ();

			fn try_origin(o: O) -> Result<Self::Success, O> {
				o.into().and_then(|origin| match origin {
					Origin::$variant => Ok(()),
					other => Err(O::from(other)),
				})
			}

			#[cfg(feature = "runtime-benchmarks")]
			fn try_successful_origin() -> Result<O, ()> {
				Ok(O::from(Origin::$variant))
			}
		}
	};
}

ensure_track_origin!(
	/// Accepts only the origin of the curation track.
	EnsureCurator => Curator
);
ensure_track_origin!(
	/// Accepts only the origin of the protocol-parameters track.
	EnsureParameterAdmin => ParameterAdmin
);
ensure_track_origin!(
	/// Accepts only the origin of the treasury track.
	EnsureTreasurer => Treasurer
);
