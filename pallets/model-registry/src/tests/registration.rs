//! Registering models: deposits, digest uniqueness and every input check.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_core::H256;
use sp_runtime::{DispatchError, TokenError};

fn register_with(
	who: AccountId,
	name: &[u8],
	licence: &[u8],
	parent: Option<ModelId>,
	datasets: Vec<DatasetId>,
	artifacts: Artifacts<Test>,
) -> sp_runtime::DispatchResult {
	Registry::register_model(
		RuntimeOrigin::signed(who),
		bounded(name),
		TaskKind::TextEmbedding,
		bounded(licence),
		10,
		parent,
		BoundedVec::truncate_from(datasets),
		artifacts,
	)
}

#[test]
fn registration_stores_the_model_holds_the_deposit_and_emits_an_event() {
	ExtBuilder::default().build_and_execute(|| {
		let id = register(ALICE, 1, 10);
		assert_eq!(id, 0);
		assert_eq!(NextModelId::<Test>::get(), 1);

		let model = Models::<Test>::get(id).unwrap();
		assert_eq!(model.owner, ALICE);
		assert_eq!(model.task, TaskKind::TextEmbedding);
		assert_eq!(model.price, 10);
		assert_eq!(model.latest_version, 1);
		assert_eq!(model.current_version, None);
		assert_eq!(model.registered_at, 1);
		let version = Versions::<Test>::get(id, 1).unwrap();
		assert_eq!(version.status, CurationStatus::Pending);
		// The lineage declared at registration is version 1's.
		assert_eq!(version.datasets.to_vec(), vec![1, 2]);
		assert_eq!(
			DigestIndex::<Test>::get(H256::repeat_byte(1)),
			Some(DigestRecord { model_id: id, version: 1, registered_at: 1 })
		);

		let deposit = model.deposit + version.deposit;
		assert_eq!(model.deposit, Registry::model_deposit(&model));
		assert_eq!(version.deposit, Registry::version_deposit(&artifacts(1)));
		// Base per record plus one per byte: both records are well over 100 bytes.
		assert!(model.deposit > 200 && version.deposit > 300, "{deposit}");
		assert_eq!(held(ALICE), deposit);
		assert_eq!(free(ALICE), INITIAL_BALANCE - deposit);
		System::assert_last_event(
			Event::ModelRegistered {
				model_id: id,
				owner: ALICE,
				task: TaskKind::TextEmbedding,
				weights: H256::repeat_byte(1),
				deposit,
			}
			.into(),
		);
	});
}

#[test]
fn the_deposit_is_proportional_to_the_bytes_stored() {
	ExtBuilder::default().build_and_execute(|| {
		let short = register(ALICE, 1, 10);
		assert_ok!(register_with(BOB, b"all-MiniLM-L6-v2 long", b"Apache-2.0", None, vec![1, 2], artifacts(2)));
		let long = short + 1;
		let short_deposit = Models::<Test>::get(short).unwrap().deposit;
		let long_deposit = Models::<Test>::get(long).unwrap().deposit;
		assert_eq!(long_deposit - short_deposit, 5, "five more name bytes, five more planck");
	});
}

#[test]
fn the_same_weights_cannot_be_registered_twice() {
	ExtBuilder::default().with_model(ALICE, 1, 10).build_and_execute(|| {
		System::set_block_number(5);
		assert_noop!(
			register_with(BOB, b"copy", b"MIT", None, vec![], artifacts(1)),
			Error::<Test>::DigestAlreadyRegistered
		);
		assert_noop!(
			register_with(ALICE, b"again", b"MIT", None, vec![], artifacts(1)),
			Error::<Test>::DigestAlreadyRegistered
		);
		let first = DigestIndex::<Test>::get(H256::repeat_byte(1)).unwrap();
		assert_eq!((first.model_id, first.registered_at), (MODEL, 1));
	});
}

#[test]
fn names_and_licences_are_checked() {
	ExtBuilder::default().build_and_execute(|| {
		for (name, error) in [
			(&b""[..], Error::<Test>::EmptyName),
			(b"   ", Error::<Test>::EmptyName),
			(b"\xff\xfe", Error::<Test>::NameNotUtf8),
			(b"line\nbreak", Error::<Test>::NameNotUtf8),
		] {
			assert_noop!(register_with(ALICE, name, b"MIT", None, vec![], artifacts(1)), error);
		}
		for licence in [&b""[..], b"MIT;", b" MIT", b"MIT ", b"MIT  OR Apache-2.0", b"\xff"] {
			assert_noop!(
				register_with(ALICE, b"m", licence, None, vec![], artifacts(1)),
				Error::<Test>::InvalidLicence
			);
		}
		assert_ok!(register_with(ALICE, b"m", b"(MIT OR Apache-2.0)", None, vec![], artifacts(1)));
	});
}

#[test]
fn artifacts_are_checked() {
	ExtBuilder::default().build_and_execute(|| {
		let mut zero = artifacts(1);
		zero.size_bytes = 0;
		let mut no_tokenizer = artifacts(1);
		no_tokenizer.tokenizer = None;
		let mut no_config = artifacts(1);
		no_config.config = None;
		let mut nowhere = artifacts(1);
		nowhere.location.url = None;
		let mut bad_url = artifacts(1);
		bad_url.location.url = Some(bounded(b"ftp://models.example/x"));
		let mut bad_cid = artifacts(1);
		bad_cid.location.cid = Some(bounded(&[0x01, 0x55, 0x12, 0x20, 1, 2, 3]));
		for (artifacts, error) in [
			(zero, Error::<Test>::ZeroArtifactSize),
			(no_tokenizer, Error::<Test>::MissingTokenizerDigest),
			(no_config, Error::<Test>::MissingConfigDigest),
			(nowhere, Error::<Test>::NoArtifactLocation),
			(bad_url, Error::<Test>::InvalidUrl),
			(bad_cid, Error::<Test>::InvalidCid),
		] {
			assert_noop!(register_with(ALICE, b"m", b"MIT", None, vec![], artifacts), error);
		}
	});
}

#[test]
fn gguf_needs_no_separate_tokenizer_and_a_cid_alone_is_a_location() {
	ExtBuilder::default().build_and_execute(|| {
		let mut gguf = artifacts(1);
		gguf.format = ArtifactFormat::Gguf;
		gguf.tokenizer = None;
		gguf.config = None;
		let mut cid = vec![0x01, 0x55, 0x12, 0x20];
		cid.extend([9u8; 32]);
		gguf.location = ArtifactLocation { url: None, cid: Some(bounded(&cid)) };
		assert_ok!(register_with(ALICE, b"tiny-llama", b"Apache-2.0", None, vec![], gguf));
	});
}

#[test]
fn lineage_and_datasets_are_checked() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			register_with(ALICE, b"m", b"MIT", Some(7), vec![], artifacts(1)),
			Error::<Test>::UnknownParentModel
		);
		assert_noop!(
			register_with(ALICE, b"m", b"MIT", None, vec![3, 11], artifacts(1)),
			Error::<Test>::UnknownDataset
		);
		assert_noop!(
			register_with(ALICE, b"m", b"MIT", None, vec![3, 4, 3], artifacts(1)),
			Error::<Test>::DuplicateDataset
		);
		let base = register(ALICE, 1, 10);
		assert_ok!(register_with(BOB, b"fine-tune", b"MIT", Some(base), vec![3], artifacts(2)));
		assert_eq!(Models::<Test>::get(base + 1).unwrap().parent, Some(base));
	});
}

#[test]
fn registration_needs_a_signed_origin_and_funds_for_the_deposit() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Registry::register_model(
				RuntimeOrigin::root(),
				bounded(b"m"),
				TaskKind::TextEmbedding,
				bounded(b"MIT"),
				1,
				None,
				BoundedVec::new(),
				artifacts(1),
			),
			DispatchError::BadOrigin
		);
		assert_noop!(
			register_with(PAUPER, b"m", b"MIT", None, vec![], artifacts(1)),
			TokenError::FundsUnavailable
		);
		assert_eq!(free(PAUPER), 50);
	});
}

#[test]
fn model_ids_cannot_overflow() {
	ExtBuilder::default().build_and_execute(|| {
		NextModelId::<Test>::put(ModelId::MAX);
		assert_noop!(
			register_with(ALICE, b"m", b"MIT", None, vec![], artifacts(1)),
			Error::<Test>::ModelIdsExhausted
		);
		NextModelId::<Test>::put(0);
	});
}
