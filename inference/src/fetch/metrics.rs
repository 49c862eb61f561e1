//! Prometheus metrics of artifact fetching.

use crate::error::FetchError;
use prometheus_endpoint::{
	exponential_buckets, register, Counter, CounterVec, Histogram, HistogramOpts, Opts, PrometheusError, Registry, U64,
};

/// Bytes, time and failures of the model store's downloads.
#[derive(Clone)]
pub struct FetchMetrics {
	/// Bytes received from remote sources (counted as they arrive).
	pub bytes: Counter<U64>,
	/// Seconds per completed download (one artifact from one source).
	pub seconds: Histogram,
	/// Failed attempts, by reason ([`FetchError::reason`]).
	pub failures: CounterVec<U64>,
}

impl FetchMetrics {
	/// Registers the metrics in `registry`.
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		Ok(Self {
			bytes: register(
				Counter::new("infera_model_fetch_bytes_total", "Bytes of model artifacts downloaded")?,
				registry,
			)?,
			seconds: register(
				Histogram::with_opts(
					HistogramOpts::new("infera_model_fetch_seconds", "Time to download one model artifact")
						.buckets(exponential_buckets(0.05, 2.0, 16)?),
				)?,
				registry,
			)?,
			failures: register(
				CounterVec::new(
					Opts::new("infera_model_fetch_failures_total", "Failed model artifact fetches, by reason"),
					&["reason"],
				)?,
				registry,
			)?,
		})
	}

	/// Counts a failed attempt.
	pub fn failed(&self, error: &FetchError) {
		self.failures.with_label_values(&[&error.reason()]).inc();
	}
}
