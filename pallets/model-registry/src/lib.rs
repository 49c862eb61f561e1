//! # Model registry
//!
//! An open market of AI models, keyed by the SHA-256 digest of their weights and curated
//! by governance.
//!
//! - **Registration.** Anyone registers a model: name, [`TaskKind`], licence, price per job,
//!   optional parent model (fine-tune lineage), and the first version: its [`Artifacts`]
//!   (format, digests of weights / tokenizer / config, size, URL and/or CIDv1) and the
//!   datasets it was trained on. A deposit of `DepositBase + DepositPerByte × bytes` is held
//!   for each stored record and returned when the model retires.
//! - **Unique weights.** A weights digest can be registered once: the digest index keeps the
//!   first registration (model, version, block) and refuses copies
//!   ([`Error::DigestAlreadyRegistered`]).
//! - **Versions.** Owners publish new versions, each with its own artifacts and dataset
//!   lineage; each is curated on its own. Unpinned jobs run the newest approved version
//!   (the *current* one), which supersedes older ones; jobs may pin any approved version.
//! - **Curation.** Versions start `Pending`; `AdminOrigin` (governance's `curator` track;
//!   root on dev chains) approves, rejects with a reason, or suspends. Only approved
//!   versions of active models take jobs.
//! - **Curated lineage.** The datasets a version was trained on ([`ModelVersion::datasets`])
//!   decide who is paid the data-lineage share of every job that runs it, so they are
//!   curated with the version: the owner declares them when publishing and cannot change
//!   them afterwards (a new lineage takes a new version, reviewed like any other), and
//!   curators correct a false lineage with [`Pallet::amend_lineage`] (say an owner naming a
//!   sham dataset it controls to keep the data share). Jobs snapshot the lineage of the
//!   version they run at submission; [`ModelRegistry::job_terms`] hands it over.
//! - **Owners** update price and metadata, hand over ownership (offer + accept, the new
//!   owner takes over the deposit), deprecate (no new jobs) and retire (removes the model
//!   and returns the deposit; refused while jobs are open).
//! - **Usage and routing.** The compute-jobs pallet reports job outcomes through
//!   [`ModelRegistry`]; the statistics feed [`Pallet::rank_models`], whose score is
//!   documented in [`routing`].
//! - **Migrations** ([`migrations`]): storage layout upgrades.
//!
//! Layout, one domain per file as in the other pallets: the calls here check the origin and
//! hand over to `models.rs` (registration, price, metadata, deprecation, retirement),
//! `versions.rs` (publishing, lineage), `curation.rs`, `ownership.rs` and `deposits.rs`,
//! each of which checks its input first ([`validation`] for the shape of user-supplied
//! fields) and then changes storage; [`routing`] ranks models, `registry.rs` is the
//! compute-jobs pallet's side, [`views`] the runtime API's.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod curation;
mod deposits;
pub mod migrations;
mod models;
mod ownership;
mod registry;
pub mod routing;
#[cfg(any(feature = "try-runtime", test))]
mod try_state;
pub mod types;
pub mod validation;
mod versions;
pub mod views;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use infera_primitives::{
	ArtifactFormat, ArtifactRef, DatasetId, DatasetRegistry, JobOutcome, JobTerms, ModelId, ModelRegistry,
	TaskKind, VersionId,
};
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use frame_support::traits::fungible;

/// The balance type of the currency holding deposits.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Mutate, MutateHold},
	};
	use frame_system::pallet_prelude::*;
	use sp_core::H256;
	use sp_runtime::{traits::StaticLookup, Permill};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The hold reason of this pallet's deposits, as part of the runtime's.
		type RuntimeHoldReason: From<HoldReason>;

		/// The currency deposits are held in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// Approves, rejects and suspends versions and amends their lineage (governance's
		/// curation track; root on dev).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The datasets a model version may declare it was trained on.
		type Datasets: DatasetRegistry;

		/// Deposit held for each stored record (a model or a version).
		#[pallet::constant]
		type DepositBase: Get<BalanceOf<Self>>;

		/// Deposit held per byte of each stored record.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;

		/// Longest model name, in bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;

		/// Longest licence expression, in bytes.
		#[pallet::constant]
		type MaxLicenceLen: Get<u32>;

		/// Longest artifact URL, in bytes.
		#[pallet::constant]
		type MaxUrlLen: Get<u32>;

		/// Longest binary CID, in bytes.
		#[pallet::constant]
		type MaxCidLen: Get<u32>;

		/// Longest curation reason, in bytes.
		#[pallet::constant]
		type MaxReasonLen: Get<u32>;

		/// Most datasets a model version may declare.
		#[pallet::constant]
		type MaxDatasets: Get<u32>;

		/// Most versions a model may publish.
		#[pallet::constant]
		type MaxVersions: Get<u32>;

		/// Most models routable per task (approved and active). Bounds routing's cost.
		#[pallet::constant]
		type MaxRoutableModels: Get<u32>;

		/// Weight of the price score in the routing score.
		#[pallet::constant]
		type PriceWeight: Get<Permill>;

		/// Weight of the latency score in the routing score.
		#[pallet::constant]
		type LatencyWeight: Get<Permill>;

		/// Weight of the agreement score in the routing score.
		#[pallet::constant]
		type AgreementWeight: Get<Permill>;

		/// Mean blocks-to-result at which the latency score is one half.
		#[pallet::constant]
		type LatencyReference: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Storage deposit of a registered model and its versions.
		#[codec(index = 0)]
		ModelDeposit,
	}

	/// The id the next registered model gets.
	#[pallet::storage]
	pub type NextModelId<T> = StorageValue<_, ModelId, ValueQuery>;

	/// Registered models. Sequential ids, so `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Twox64Concat, ModelId, ModelInfo<T>>;

	/// Versions of each model, `1..=latest_version`. Sequential ids on both keys.
	#[pallet::storage]
	pub type Versions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, VersionId, ModelVersion<T>>;

	/// Weights digest → the one model version holding it. Digests are user-chosen, hence
	/// `Blake2_128Concat`.
	#[pallet::storage]
	pub type DigestIndex<T: Config> = StorageMap<_, Blake2_128Concat, H256, DigestRecord<T>>;

	/// Usage statistics per model, reported by the compute-jobs pallet.
	#[pallet::storage]
	pub type Usage<T: Config> = StorageMap<_, Twox64Concat, ModelId, UsageStats, ValueQuery>;

	/// Per task, the models that can take unpinned jobs (active, with a current approved
	/// version), in approval order. Three keys only, so `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Routable<T: Config> = StorageMap<
		_,
		Twox64Concat,
		TaskKind,
		BoundedVec<ModelId, T::MaxRoutableModels>,
		ValueQuery,
	>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was registered with its first version, pending curation.
		ModelRegistered {
			model_id: ModelId,
			owner: T::AccountId,
			task: TaskKind,
			weights: H256,
			deposit: BalanceOf<T>,
		},
		/// A new version was published with its lineage, pending curation.
		VersionPublished {
			model_id: ModelId,
			version: VersionId,
			weights: H256,
			deposit: BalanceOf<T>,
		},
		/// The owner changed the price per job.
		PriceChanged { model_id: ModelId, old_price: BalanceOf<T>, new_price: BalanceOf<T> },
		/// The owner changed name and licence; the deposit was adjusted to the new size.
		MetadataUpdated { model_id: ModelId, deposit: BalanceOf<T> },
		/// The owner offered ownership to another account.
		OwnershipOffered { model_id: ModelId, owner: T::AccountId, to: T::AccountId },
		/// The owner withdrew an ownership offer.
		OwnershipOfferWithdrawn { model_id: ModelId },
		/// The offered account accepted and now owns the model and holds its deposit.
		OwnershipTransferred { model_id: ModelId, from: T::AccountId, to: T::AccountId },
		/// The owner deprecated the model: no new jobs.
		ModelDeprecated { model_id: ModelId },
		/// The owner retired the model: it and its versions were removed and the deposit
		/// returned.
		ModelRetired { model_id: ModelId, owner: T::AccountId, deposit_released: BalanceOf<T> },
		/// Curators approved a version.
		VersionApproved { model_id: ModelId, version: VersionId },
		/// Curators rejected a pending version.
		VersionRejected { model_id: ModelId, version: VersionId, reason: ReasonOf<T> },
		/// Curators suspended an approved version.
		VersionSuspended { model_id: ModelId, version: VersionId, reason: ReasonOf<T> },
		/// The version unpinned jobs run changed (`None`: no approved version left).
		CurrentVersionChanged {
			model_id: ModelId,
			from: Option<VersionId>,
			to: Option<VersionId>,
		},
		/// Curators replaced a version's dataset lineage with `datasets`; jobs submitted from
		/// now on pay the data-lineage share to these datasets.
		LineageAmended { model_id: ModelId, version: VersionId, datasets: DatasetsOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No model with this id.
		UnknownModel,
		/// The model has no version with this number.
		UnknownVersion,
		/// Only the model's owner may do this.
		NotOwner,
		/// The name is empty or only whitespace.
		EmptyName,
		/// The name is not UTF-8 text without control characters.
		NameNotUtf8,
		/// The licence is not an SPDX-style expression.
		InvalidLicence,
		/// The reason is empty or not UTF-8.
		InvalidReason,
		/// The artifacts' total size is zero.
		ZeroArtifactSize,
		/// Safetensors models need the digest of `tokenizer.json`.
		MissingTokenizerDigest,
		/// Safetensors models need the digest of `config.json`.
		MissingConfigDigest,
		/// Neither a URL nor a CID says where to fetch the files.
		NoArtifactLocation,
		/// The URL is not `scheme://rest` with a supported scheme and printable ASCII.
		InvalidUrl,
		/// The CID is not a well-formed binary CIDv1.
		InvalidCid,
		/// These weights are already registered (by this or another model).
		DigestAlreadyRegistered,
		/// The parent model does not exist.
		UnknownParentModel,
		/// A declared dataset does not exist.
		UnknownDataset,
		/// A dataset is declared twice.
		DuplicateDataset,
		/// The model has published the maximum number of versions.
		TooManyVersions,
		/// Model ids are exhausted.
		ModelIdsExhausted,
		/// The model is deprecated: it takes no new versions or jobs.
		ModelDeprecated,
		/// The model has open jobs and cannot retire yet.
		ModelHasOpenJobs,
		/// Ownership cannot be offered to the current owner.
		AlreadyOwner,
		/// There is no ownership offer for the caller.
		NotPendingOwner,
		/// There is no ownership offer to withdraw.
		NoOwnershipOffer,
		/// The version is not pending review.
		VersionNotPending,
		/// The version is not approved.
		VersionNotApproved,
		/// The version is already approved.
		VersionAlreadyApproved,
		/// The version was rejected; the owner must publish a new one (it can be neither
		/// approved nor have its lineage amended).
		VersionRejected,
		/// The task already has the maximum number of routable models.
		TooManyRoutableModels,
		/// The model has no approved version to run.
		NoApprovedVersion,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			let total = T::PriceWeight::get()
				.deconstruct()
				.saturating_add(T::LatencyWeight::get().deconstruct())
				.saturating_add(T::AgreementWeight::get().deconstruct());
			assert_eq!(total, Permill::one().deconstruct(), "routing weights must sum to 100%");
			assert!(T::LatencyReference::get() > 0, "LatencyReference must be positive");
			assert!(T::MaxVersions::get() > 0, "MaxVersions must be positive");
			assert!(T::MaxNameLen::get() > 0, "MaxNameLen must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a model with its first version, pending curation.
		///
		/// Origin: signed; the signer becomes the owner and pays the deposit.
		/// Emits [`Event::ModelRegistered`].
		/// Errors: [`Error::EmptyName`], [`Error::NameNotUtf8`], [`Error::InvalidLicence`],
		/// the artifact errors ([`Error::ZeroArtifactSize`], [`Error::MissingTokenizerDigest`],
		/// [`Error::MissingConfigDigest`], [`Error::NoArtifactLocation`], [`Error::InvalidUrl`],
		/// [`Error::InvalidCid`]), [`Error::DigestAlreadyRegistered`],
		/// [`Error::UnknownParentModel`], [`Error::UnknownDataset`],
		/// [`Error::DuplicateDataset`], [`Error::ModelIdsExhausted`], or the currency's error
		/// when the deposit cannot be held.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_model(datasets.len() as u32))]
		pub fn register_model(
			origin: OriginFor<T>,
			name: NameOf<T>,
			task: TaskKind,
			licence: LicenceOf<T>,
			price: BalanceOf<T>,
			parent: Option<ModelId>,
			datasets: DatasetsOf<T>,
			artifacts: Artifacts<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_register_model(owner, name, task, licence, price, parent, datasets, artifacts)
		}

		/// Publishes a new version of a model, trained on `datasets` (its lineage, checked as
		/// at registration), pending curation. It supersedes the current version once
		/// approved. This is how an owner changes a model's lineage: the lineage of an
		/// existing version is fixed for the owner, and the new one is reviewed with the
		/// version.
		///
		/// Origin: the model's owner, who pays the version's deposit.
		/// Emits [`Event::VersionPublished`].
		/// Errors: [`Error::UnknownModel`], [`Error::NotOwner`], [`Error::ModelDeprecated`],
		/// [`Error::TooManyVersions`], [`Error::DigestAlreadyRegistered`], the artifact errors,
		/// [`Error::UnknownDataset`], [`Error::DuplicateDataset`], or the currency's error
		/// when the deposit cannot be held.
		#[pallet::call_index(1)]
		#[pallet::weight(
			T::WeightInfo::publish_version()
				.saturating_add(T::DbWeight::get().reads(datasets.len() as u64))
		)]
		pub fn publish_version(
			origin: OriginFor<T>,
			model_id: ModelId,
			artifacts: Artifacts<T>,
			datasets: DatasetsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_publish_version(who, model_id, artifacts, datasets)
		}

		/// Sets the price per job. Jobs already open keep the price they were opened at.
		///
		/// Origin: the model's owner. Emits [`Event::PriceChanged`].
		/// Errors: [`Error::UnknownModel`], [`Error::NotOwner`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_price())]
		pub fn set_price(
			origin: OriginFor<T>,
			model_id: ModelId,
			price: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_price(who, model_id, price)
		}

		/// Replaces the name and licence; the deposit follows the record's new size.
		///
		/// Origin: the model's owner. Emits [`Event::MetadataUpdated`].
		/// Errors: [`Error::UnknownModel`], [`Error::NotOwner`], [`Error::EmptyName`],
		/// [`Error::NameNotUtf8`], [`Error::InvalidLicence`], or the currency's error.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_metadata())]
		pub fn set_metadata(
			origin: OriginFor<T>,
			model_id: ModelId,
			name: NameOf<T>,
			licence: LicenceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_metadata(who, model_id, name, licence)
		}

		/// Offers ownership to `to` (it takes effect when `to` accepts), or withdraws the
		/// offer when `to` is `None`.
		///
		/// Origin: the model's owner.
		/// Emits [`Event::OwnershipOffered`] or [`Event::OwnershipOfferWithdrawn`].
		/// Errors: [`Error::UnknownModel`], [`Error::NotOwner`], [`Error::AlreadyOwner`],
		/// [`Error::NoOwnershipOffer`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::offer_ownership())]
		pub fn offer_ownership(
			origin: OriginFor<T>,
			model_id: ModelId,
			to: Option<AccountIdLookupOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let to = to.map(T::Lookup::lookup).transpose()?;
			Self::do_offer_ownership(who, model_id, to)
		}

		/// Accepts an ownership offer: the caller becomes the owner, the model's whole
		/// deposit is held from the caller and returned to the previous owner.
		///
		/// Origin: the offered account. Emits [`Event::OwnershipTransferred`].
		/// Errors: [`Error::UnknownModel`], [`Error::NotPendingOwner`], or the currency's
		/// error when the caller cannot cover the deposit.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::accept_ownership(T::MaxVersions::get()))]
		pub fn accept_ownership(
			origin: OriginFor<T>,
			model_id: ModelId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let versions = Self::do_accept_ownership(who, model_id)?;
			Ok(Some(T::WeightInfo::accept_ownership(versions)).into())
		}

		/// Deprecates a model: it takes no new jobs or versions; open jobs finish.
		///
		/// Origin: the model's owner. Emits [`Event::ModelDeprecated`].
		/// Errors: [`Error::UnknownModel`], [`Error::NotOwner`], [`Error::ModelDeprecated`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::deprecate())]
		pub fn deprecate(origin: OriginFor<T>, model_id: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deprecate(who, model_id)
		}

		/// Retires a model: removes it, its versions, digest-index entries and usage, and
		/// returns the whole deposit. Its weights can then be registered again.
		///
		/// Origin: the model's owner. Emits [`Event::ModelRetired`].
		/// Errors: [`Error::UnknownModel`], [`Error::NotOwner`], [`Error::ModelHasOpenJobs`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::retire(T::MaxVersions::get()))]
		pub fn retire(origin: OriginFor<T>, model_id: ModelId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let versions = Self::do_retire(who, model_id)?;
			Ok(Some(T::WeightInfo::retire(versions)).into())
		}

		/// Approves a pending or suspended version. A version newer than the current one
		/// becomes current (superseding it); the model becomes routable for its task.
		///
		/// Origin: `AdminOrigin`.
		/// Emits [`Event::VersionApproved`] and, when the current version changes,
		/// [`Event::CurrentVersionChanged`].
		/// Errors: [`Error::UnknownModel`], [`Error::UnknownVersion`],
		/// [`Error::VersionAlreadyApproved`], [`Error::VersionRejected`],
		/// [`Error::TooManyRoutableModels`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::approve_version())]
		pub fn approve_version(
			origin: OriginFor<T>,
			model_id: ModelId,
			version: VersionId,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_approve_version(model_id, version)
		}

		/// Rejects a pending version with a reason. The record stays for the owner to read.
		///
		/// Origin: `AdminOrigin`. Emits [`Event::VersionRejected`].
		/// Errors: [`Error::UnknownModel`], [`Error::UnknownVersion`],
		/// [`Error::VersionNotPending`], [`Error::InvalidReason`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::reject_version())]
		pub fn reject_version(
			origin: OriginFor<T>,
			model_id: ModelId,
			version: VersionId,
			reason: ReasonOf<T>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_reject_version(model_id, version, reason)
		}

		/// Suspends an approved version with a reason: it takes no new jobs. If it was the
		/// current version, the newest older approved version becomes current; with none
		/// left the model leaves routing.
		///
		/// Origin: `AdminOrigin`.
		/// Emits [`Event::VersionSuspended`] and, when the current version changes,
		/// [`Event::CurrentVersionChanged`].
		/// Errors: [`Error::UnknownModel`], [`Error::UnknownVersion`],
		/// [`Error::VersionNotApproved`], [`Error::InvalidReason`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::suspend_version(T::MaxVersions::get()))]
		pub fn suspend_version(
			origin: OriginFor<T>,
			model_id: ModelId,
			version: VersionId,
			reason: ReasonOf<T>,
		) -> DispatchResultWithPostInfo {
			T::AdminOrigin::ensure_origin(origin)?;
			let scanned = Self::do_suspend_version(model_id, version, reason)?;
			Ok(Some(T::WeightInfo::suspend_version(scanned)).into())
		}

		/// Replaces the dataset lineage of a version: the curators' correction of a false
		/// lineage (say, an owner naming a sham dataset it controls to keep the data share).
		///
		/// Accepts a pending version (amend, then approve), an approved one (takes effect at
		/// once) or a suspended one (corrected before it is approved again); refuses a
		/// rejected version, which never takes jobs again. Jobs snapshot the lineage at
		/// submission: jobs already submitted keep paying the lineage they were opened with,
		/// jobs submitted afterwards pay `datasets`. Neither the version's status nor its
		/// deposit (sized for the longest lineage) changes.
		///
		/// Origin: `AdminOrigin`. Emits [`Event::LineageAmended`].
		/// Errors: [`Error::UnknownModel`], [`Error::UnknownVersion`],
		/// [`Error::VersionRejected`], [`Error::DuplicateDataset`], [`Error::UnknownDataset`].
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::amend_lineage(datasets.len() as u32))]
		pub fn amend_lineage(
			origin: OriginFor<T>,
			model_id: ModelId,
			version: VersionId,
			datasets: DatasetsOf<T>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_amend_lineage(model_id, version, datasets)
		}
	}
}

/// The lookup source of an account (an address in a call).
pub type AccountIdLookupOf<T> =
	<<T as frame_system::Config>::Lookup as sp_runtime::traits::StaticLookup>::Source;
