//! The treasury's benchmarks at the real configuration (issue 14, finding 7).
//!
//! polkadot-sdk's treasury benchmarks spend 100 planck, below INFR's existential deposit,
//! so with the SDK's default argument factory the `payout` benchmark failed on this
//! runtime and its weights could not be measured here. The runtime's
//! `TreasuryBenchmarkHelper` funds each beneficiary first; every treasury benchmark,
//! verification included, now runs at the `development` genesis — which is what
//! `scripts/benchmark-weights pallet_treasury` measures.
//!
//!     SKIP_WASM_BUILD=1 cargo test --release -p infera-runtime --features runtime-benchmarks \
//!         --test treasury_benchmarks
#![cfg(feature = "runtime-benchmarks")]

use frame_benchmarking::Benchmarking;
use infera_runtime::Runtime;

mod common;

#[test]
fn every_treasury_benchmark_runs_and_verifies_at_the_real_existential_deposit() {
	let names = <pallet_treasury::Pallet<Runtime> as Benchmarking>::benchmarks(false);
	assert!(names.iter().any(|b| b.name == b"payout".to_vec()), "payout is benchmarked");
	for benchmark in names {
		common::preset_ext("development").execute_with(|| {
			let components: Vec<_> = benchmark
				.components
				.iter()
				.map(|(component, _low, high)| (*component, *high))
				.collect();
			<pallet_treasury::Pallet<Runtime> as Benchmarking>::run_benchmark(
				&benchmark.name,
				&components,
				&[],
				true,
				1,
			)
			.unwrap_or_else(|e| panic!("{}: {e:?}", String::from_utf8_lossy(&benchmark.name)));
		});
	}
}
