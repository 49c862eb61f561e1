//! Runs inference requests: resolves a version's artifacts in the model store, loads the
//! model once (cached by weights digest and task), and runs it.

use crate::{
	bert::{Classifier, ModelFiles, SentenceEmbedder},
	error::{InferenceError, Result},
	generation::TextGenerator,
	quantize::quantize,
	store::{flight::Progress, ModelStore},
};
use infera_primitives::{
	inference::{
		GenerationSettings, InferenceFailure, InferenceOutput, InferenceRequest, VerificationEvidence,
		VerificationRequest,
	},
	ArtifactFormat, ArtifactRef, OutputKind, TaskKind,
};
use sp_core::H256;
use std::{
	collections::BTreeMap,
	sync::{Arc, Mutex},
};

/// A loaded model.
pub enum LoadedModel {
	Embedder(SentenceEmbedder),
	Classifier(Classifier),
	Generator(TextGenerator),
}

/// Most models kept loaded at once; the least recently used is dropped beyond it.
pub const MAX_LOADED_MODELS: usize = 4;

/// The inference engine of a node.
pub struct Engine {
	store: Arc<ModelStore>,
	loaded: Mutex<BTreeMap<(H256, TaskKind), (Arc<LoadedModel>, u64)>>,
	uses: std::sync::atomic::AtomicU64,
}

impl Engine {
	/// An engine over `store`, computing on the CPU (see [`crate::kernels`]).
	pub fn new(store: ModelStore) -> Self {
		Self { store: Arc::new(store), loaded: Mutex::new(BTreeMap::new()), uses: Default::default() }
	}

	/// The model store.
	pub fn store(&self) -> &ModelStore {
		&self.store
	}

	/// The model store, shared (for background fetches).
	pub fn shared_store(&self) -> Arc<ModelStore> {
		self.store.clone()
	}

	/// The model for `spec`, loading (and fetching) it on first use.
	pub fn model(&self, spec: &ArtifactRef) -> Result<Arc<LoadedModel>> {
		let key = (spec.weights, spec.task);
		let tick = self.uses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
		if let Some((model, used)) = self.loaded.lock().expect("not poisoned").get_mut(&key) {
			*used = tick;
			return Ok(model.clone());
		}
		let model = Arc::new(self.load(spec)?);
		let mut loaded = self.loaded.lock().expect("not poisoned");
		if loaded.len() >= MAX_LOADED_MODELS {
			if let Some(oldest) = loaded.iter().min_by_key(|(_, (_, used))| *used).map(|(key, _)| *key) {
				loaded.remove(&oldest);
			}
		}
		loaded.insert(key, (model.clone(), tick));
		Ok(model)
	}

	fn load(&self, spec: &ArtifactRef) -> Result<LoadedModel> {
		if spec.format == ArtifactFormat::Gguf {
			if spec.task.output_kind() != OutputKind::Text {
				return Err(InferenceError::Unsupported(format!("GGUF models for {:?}", spec.task)));
			}
			let paths = self.store.ensure_version(spec, &Progress::default())?;
			let started = std::time::Instant::now();
			let model = TextGenerator::load(&paths.weights)?;
			log::info!(target: "inference", "loaded {:?} model {:?} in {:?}", spec.task, spec.weights, started.elapsed());
			return Ok(LoadedModel::Generator(model));
		}
		if spec.format != ArtifactFormat::Safetensors {
			return Err(InferenceError::Unsupported(format!("{} weights", spec.format.as_str())));
		}
		let missing = |what: &str| InferenceError::InvalidModel(format!("no {what} digest registered"));
		spec.tokenizer.ok_or_else(|| missing("tokenizer"))?;
		spec.config.ok_or_else(|| missing("config"))?;
		let paths = self.store.ensure_version(spec, &Progress::default())?;
		let tokenizer = paths.tokenizer.ok_or_else(|| missing("tokenizer"))?;
		let config = paths.config.ok_or_else(|| missing("config"))?;
		let files = ModelFiles { weights: &paths.weights, tokenizer: &tokenizer, config: &config };
		let started = std::time::Instant::now();
		// The head follows the answer the task asks for (`TaskKind::output_kind`).
		let model = match spec.task.output_kind() {
			OutputKind::Embedding => LoadedModel::Embedder(SentenceEmbedder::load(&files)?),
			OutputKind::Label => LoadedModel::Classifier(Classifier::load(&files)?),
			OutputKind::Text =>
				return Err(InferenceError::Unsupported("text generation from safetensors (use GGUF)".into())),
		};
		log::info!(target: "inference", "loaded {:?} model {:?} in {:?}", spec.task, spec.weights, started.elapsed());
		Ok(model)
	}

	/// Runs `texts` through the model of `spec` as one batch (generation models decode one
	/// after the other, with `generation`'s settings).
	pub fn run_batch(
		&self,
		spec: &ArtifactRef,
		texts: &[&str],
		generation: Option<&GenerationSettings>,
	) -> Result<Vec<Result<InferenceOutput>>> {
		match &*self.model(spec)? {
			LoadedModel::Embedder(model) =>
				Ok(model.embed(texts)?.iter().map(|e| Ok(InferenceOutput::embedding(quantize(e)))).collect()),
			LoadedModel::Classifier(model) =>
				Ok(model.classify(texts)?.into_iter().map(|label| Ok(InferenceOutput::Label(label))).collect()),
			LoadedModel::Generator(model) => {
				let settings = generation.ok_or_else(|| {
					InferenceError::InvalidInput("a generation request needs decoding settings".into())
				})?;
				Ok(texts
					.iter()
					.map(|prompt| Ok(model.generate(prompt, settings)?.into_output()))
					.collect())
			},
		}
	}

	/// Checks a claimed generation in one teacher-forced pass (see
	/// [`crate::generation::TextGenerator::verify`]).
	pub fn verify(&self, request: &VerificationRequest) -> Result<VerificationEvidence> {
		let prompt = std::str::from_utf8(&request.prompt)
			.map_err(|_| InferenceError::InvalidInput("the prompt is not UTF-8".into()))?;
		match &*self.model(&request.model)? {
			LoadedModel::Generator(model) => model.verify(prompt, &request.settings, &request.claimed),
			_ => Err(InferenceError::Unsupported("verifying a model that does not generate text".into())),
		}
	}

	/// Unit-length float embeddings (for benchmarks and reference checks).
	pub fn embed(&self, spec: &ArtifactRef, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
		match &*self.model(spec)? {
			LoadedModel::Embedder(model) => model.embed(texts),
			_ => Err(InferenceError::Unsupported("not an embedding model".into())),
		}
	}

	/// Runs a request: one result per input. Inputs that are not UTF-8 fail alone; the
	/// others run as one batch, and a model that cannot load fails them all.
	pub fn run(&self, request: &InferenceRequest) -> Vec<core::result::Result<InferenceOutput, InferenceFailure>> {
		let texts: Vec<Option<&str>> =
			request.inputs.iter().map(|input| std::str::from_utf8(input).ok()).collect();
		let valid: Vec<&str> = texts.iter().flatten().copied().collect();
		let mut outputs = match self.run_batch(&request.model, &valid, request.generation.as_ref()) {
			Ok(outputs) => outputs
				.into_iter()
				.map(|output| {
					output.map_err(|error| {
						log::warn!(target: "inference", "model {:?}: {error}", request.model.weights);
						error.failure()
					})
				})
				.collect::<Vec<_>>(),
			Err(error) => {
				// The store already logged why a fetch failed.
				if error.logged_by_store() {
					log::debug!(target: "inference", "model {:?}: {error}", request.model.weights);
				} else {
					log::warn!(target: "inference", "model {:?}: {error}", request.model.weights);
				}
				vec![Err(error.failure()); valid.len()]
			},
		}
		.into_iter();
		texts
			.iter()
			.map(|text| match text {
				Some(_) => outputs.next().unwrap_or(Err(InferenceFailure::Internal)),
				None => Err(InferenceFailure::InvalidInput),
			})
			.collect()
	}
}
