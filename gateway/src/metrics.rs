//! Prometheus metrics, served at `GET /metrics`.

use crate::follower::JobTrace;
use prometheus_endpoint::{
	prometheus::{Encoder, TextEncoder},
	register, Counter, CounterVec, Gauge, HistogramOpts, HistogramVec, Opts, Registry, U64,
};

/// The gateway's metrics.
pub struct Metrics {
	registry: Registry,
	/// HTTP requests answered, by route and status code.
	pub requests: CounterVec<U64>,
	/// Seconds from an HTTP request to its answer, by route.
	pub request_seconds: HistogramVec,
	/// Requests being answered now.
	pub in_flight: Gauge<U64>,
	/// Transactions submitted, by outcome (`included`, `failed`, `notIncluded`, `refused`).
	pub transactions: CounterVec<U64>,
	/// The requester's jobs closed, by close reason.
	pub jobs: CounterVec<U64>,
	/// Blocks from a job's submission to its close.
	pub job_blocks: HistogramVec,
	/// Planck paid out of escrow for closed jobs (price, worker fees, treasury).
	pub fees_paid: Counter<U64>,
	/// The last block followed.
	pub followed_block: Gauge<U64>,
}

impl Metrics {
	/// Registers every metric.
	pub fn new() -> Result<Self, prometheus_endpoint::PrometheusError> {
		let registry = Registry::new_custom(Some("infera_gateway".into()), None)?;
		Ok(Self {
			requests: register(
				CounterVec::new(Opts::new("requests_total", "HTTP requests answered, by route and status code"), &["route", "status"])?,
				&registry,
			)?,
			request_seconds: register(
				HistogramVec::new(
					HistogramOpts::new("request_seconds", "Seconds from an HTTP request to its answer, by route")
						.buckets(vec![0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0]),
					&["route"],
				)?,
				&registry,
			)?,
			in_flight: register(Gauge::new("requests_in_flight", "Requests being answered now")?, &registry)?,
			transactions: register(
				CounterVec::new(Opts::new("transactions_total", "Transactions submitted, by outcome"), &["outcome"])?,
				&registry,
			)?,
			jobs: register(
				CounterVec::new(Opts::new("jobs_total", "The requester's jobs closed, by close reason"), &["reason"])?,
				&registry,
			)?,
			job_blocks: register(
				HistogramVec::new(
					HistogramOpts::new("job_blocks", "Blocks from a job's submission to its close, by close reason")
						.buckets(vec![2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 60.0]),
					&["reason"],
				)?,
				&registry,
			)?,
			fees_paid: register(Counter::new("fees_paid_planck_total", "Planck paid out of escrow for the requester's closed jobs")?, &registry)?,
			followed_block: register(Gauge::new("followed_block", "The last block followed")?, &registry)?,
			registry,
		})
	}

	/// Counts a closed job.
	pub fn job_closed(&self, trace: &JobTrace) {
		let Some(closing) = &trace.closing else { return };
		let reason = closing.reason.name();
		self.jobs.with_label_values(&[reason]).inc();
		self.job_blocks
			.with_label_values(&[reason])
			.observe(closing.block.number.saturating_sub(trace.submitted.number).into());
		let paid = trace.escrow.saturating_sub(closing.refunded);
		self.fees_paid.inc_by(u64::try_from(paid).unwrap_or(u64::MAX));
	}

	/// The text exposition of every metric.
	pub fn render(&self) -> String {
		let mut buffer = Vec::new();
		let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buffer);
		String::from_utf8(buffer).unwrap_or_default()
	}
}
