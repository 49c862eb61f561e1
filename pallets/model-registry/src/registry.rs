//! The registry as the compute-jobs pallet sees it: job terms, routing and usage reports.

use crate::{pallet::*, routing, *};
use frame_support::{defensive, ensure};
use sp_runtime::{DispatchError, DispatchResult};

impl<T: Config> ModelRegistry<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn job_terms(
		model_id: ModelId,
		version: Option<VersionId>,
	) -> Result<JobTerms<T::AccountId, BalanceOf<T>>, DispatchError> {
		let model = Models::<T>::get(model_id).ok_or(Error::<T>::UnknownModel)?;
		ensure!(model.lifecycle == Lifecycle::Active, Error::<T>::ModelDeprecated);
		let version = version.or(model.current_version).ok_or(Error::<T>::NoApprovedVersion)?;
		let record = Versions::<T>::get(model_id, version).ok_or(Error::<T>::UnknownVersion)?;
		ensure!(record.status == CurationStatus::Approved, Error::<T>::VersionNotApproved);
		Ok(JobTerms {
			owner: model.owner,
			price: model.price,
			version,
			task: model.task,
			weights: record.artifacts.weights,
			// The lineage of the version the job runs, as curated.
			datasets: record.datasets.into_inner(),
		})
	}

	fn best_model(task: TaskKind, max_price: BalanceOf<T>) -> Option<ModelId> {
		routing::best_model::<T>(task, max_price).map(|ranked| ranked.model_id)
	}

	fn artifacts(model_id: ModelId, version: VersionId) -> Option<ArtifactRef> {
		let model = Models::<T>::get(model_id)?;
		let record = Versions::<T>::get(model_id, version)?;
		let artifacts = record.artifacts;
		Some(ArtifactRef {
			task: model.task,
			format: artifacts.format,
			weights: artifacts.weights,
			tokenizer: artifacts.tokenizer,
			config: artifacts.config,
			size_bytes: artifacts.size_bytes,
			url: artifacts.location.url.map(|url| url.into_inner()),
			cid: artifacts.location.cid.map(|cid| cid.into_inner()),
		})
	}

	fn note_job_opened(model_id: ModelId) -> DispatchResult {
		ensure!(Models::<T>::contains_key(model_id), Error::<T>::UnknownModel);
		Usage::<T>::mutate(model_id, |usage| usage.open_jobs = usage.open_jobs.saturating_add(1));
		Ok(())
	}

	fn note_job_closed(model_id: ModelId, outcome: JobOutcome) {
		if !Models::<T>::contains_key(model_id) {
			defensive!("a model with open jobs cannot retire");
			return;
		}
		Usage::<T>::mutate(model_id, |usage| {
			match usage.open_jobs.checked_sub(1) {
				Some(open) => usage.open_jobs = open,
				None => {
					defensive!("a job closes only after it was opened");
				},
			}
			match outcome {
				JobOutcome::Completed { blocks_to_result, agreeing, replicas } => {
					usage.jobs_completed = usage.jobs_completed.saturating_add(1);
					usage.total_blocks_to_result =
						usage.total_blocks_to_result.saturating_add(blocks_to_result.into());
					usage.agreeing_replicas =
						usage.agreeing_replicas.saturating_add(agreeing.min(replicas).into());
					usage.total_replicas = usage.total_replicas.saturating_add(replicas.into());
				},
				JobOutcome::Failed { replicas } => {
					usage.jobs_failed = usage.jobs_failed.saturating_add(1);
					usage.total_replicas = usage.total_replicas.saturating_add(replicas.into());
				},
				JobOutcome::Withdrawn => {},
			}
		});
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn register_approved_model(
		owner: T::AccountId,
		task: TaskKind,
		price: BalanceOf<T>,
		seed: u32,
	) -> ModelId {
		use frame_support::BoundedVec;
		let model_id = NextModelId::<T>::get();
		Self::do_register_model(
			owner,
			BoundedVec::truncate_from(b"bench".to_vec()),
			task,
			BoundedVec::truncate_from(b"MIT".to_vec()),
			price,
			None,
			BoundedVec::new(),
			bench_artifacts::<T>(seed),
		)
		.expect("funded owner, fresh digest; qed");
		Self::do_approve_version(model_id, 1).expect("a pending version; qed");
		model_id
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn publish_approved_version(model_id: ModelId, seed: u32) -> VersionId {
		let model = Models::<T>::get(model_id).expect("registered by the benchmark; qed");
		Self::do_publish_version(model.owner, model_id, bench_artifacts::<T>(seed), Default::default())
			.expect("the owner's active model, fresh digest; qed");
		let version = Models::<T>::get(model_id).expect("still registered; qed").latest_version;
		Self::do_approve_version(model_id, version).expect("a pending version; qed");
		version
	}
}

/// Benchmarks only: GGUF artifacts whose weights digest is derived from `seed`.
#[cfg(feature = "runtime-benchmarks")]
fn bench_artifacts<T: Config>(seed: u32) -> Artifacts<T> {
	use frame_support::BoundedVec;
	let mut weights = [0u8; 32];
	weights[..4].copy_from_slice(&seed.to_le_bytes());
	weights[31] = 0xbe;
	Artifacts::<T> {
		format: ArtifactFormat::Gguf,
		weights: sp_core::H256(weights),
		tokenizer: None,
		config: None,
		size_bytes: 1,
		location: ArtifactLocation { url: Some(BoundedVec::truncate_from(b"ipfs://bench".to_vec())), cid: None },
	}
}
