//! The whole runtime under random call sequences, in the spirit of SRLabs'
//! substrate-runtime-fuzzer.
//!
//! Each sequence starts from the `development` genesis and runs blocks through `Executive`
//! (BABE pre-digest, timestamp inherent, `on_initialize` … `on_idle`, `on_finalize`), each
//! block with random calls from the twelve well-known accounts:
//!
//! - structured moves that reach deep into the job market, the registry, data rewards and
//!   the treasury, including the attackers' moves of issues 13 and 14 (copied commitments,
//!   garbage reveals, withholding, digest squatting, curator-track treasury drains, spends
//!   above the treasurer's cap, policy takeovers, extreme protocol parameters);
//! - governance for real: preimages, referenda on every track with calls meant for any
//!   track, decision deposits and conviction votes, so that what passes is enacted by the
//!   scheduler with the track's origin; and the track origins directly;
//! - SCALE-decoded random calls to any pallet but `Sudo` and `System`.
//!
//! After every block: `try_state` of every pallet, the sum of all accounts' funds equals
//! total issuance, and issuance never grows (nothing mints; dust may burn). No panic
//! anywhere. A short run is part of `scripts/test`; `INFERA_RUNTIME_FUZZ_CALLS=1000000`
//! runs at least that many calls and prints the counts:
//!
//!     SKIP_WASM_BUILD=1 INFERA_RUNTIME_FUZZ_CALLS=1000000 cargo test --release \
//!         -p infera-runtime --features try-runtime --test fuzz -- --nocapture
#![cfg(feature = "try-runtime")]

use codec::{Decode, Encode};
use frame_support::{
	traits::{schedule::DispatchTime, Bounded, GetCallMetadata, TryState, TryStateSelect},
	BoundedVec,
};
use infera_runtime::{
	configs::{
		dynamic_params::{data, jobs},
		RuntimeParameters,
	},
	AccountId, AllPalletsWithSystem, Babe, Balance, Executive, Header, OriginCaller, Runtime,
	RuntimeCall, RuntimeOrigin, System, UncheckedExtrinsic, MILLI_UNIT, UNIT,
};
use pallet_compute_jobs::{results::commitment_of, JobInput, JobOutput, ModelChoice, Verdict};
use pallet_governance::Origin as Track;
use pallet_model_registry::{ArtifactFormat, ArtifactLocation, Artifacts, TaskKind};
use sp_consensus_babe::{
	digests::{PreDigest, SecondaryPlainPreDigest},
	Slot, BABE_ENGINE_ID,
};
use sp_core::{Get, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::{Dispatchable, Hash, Header as _},
	Digest, DigestItem, Permill,
};
use std::collections::BTreeMap;

mod common;

/// A small, seedable generator (splitmix64): sequences replay from their seed.
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
		z ^ (z >> 31)
	}
	fn below(&mut self, n: u64) -> u64 {
		self.next() % n.max(1)
	}
	fn chance(&mut self, percent: u64) -> bool {
		self.below(100) < percent
	}
	fn pick<'a, X>(&mut self, items: &'a [X]) -> &'a X {
		&items[self.below(items.len() as u64) as usize]
	}
	fn bytes(&mut self, len: usize) -> Vec<u8> {
		(0..len).map(|_| self.next() as u8).collect()
	}
	fn hash(&mut self) -> [u8; 32] {
		self.bytes(32).try_into().expect("32 bytes")
	}
	/// An amount spanning dust to more than anyone holds.
	fn amount(&mut self) -> Balance {
		match self.below(6) {
			0 => self.below(1_000) as Balance,
			1 => self.below(100) as Balance * MILLI_UNIT,
			2 => self.below(1_000) as Balance * UNIT,
			3 => (50 + self.below(500)) as Balance * UNIT,
			4 => self.below(200_000) as Balance * UNIT,
			_ => Balance::from(self.next()) << self.below(64),
		}
	}
}

/// What a sequence remembers to make meaningful follow-up moves.
#[derive(Default)]
struct Memory {
	/// Commitments made, with what opens them: (job, worker, verdict, salt).
	commitments: Vec<(u64, AccountId, Verdict<Runtime>, [u8; 32])>,
	/// Referenda submitted.
	referenda: Vec<u32>,
}

/// What the runs did, for the report and to prove the moves reach their targets.
#[derive(Default)]
struct Tally {
	calls: u64,
	ok: u64,
	blocks: u64,
	sequences: u64,
	/// Successful calls by `pallet.call`.
	by_call: BTreeMap<String, u64>,
	/// Events of interest (referenda enacted, jobs closed by reason, slashes).
	events: BTreeMap<String, u64>,
}

fn accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

fn bounded<S: Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
	BoundedVec::truncate_from(bytes.to_vec())
}

/// Ten weight digests for every registration to collide on (digest squatting).
fn digest(rng: &mut Rng) -> H256 {
	H256::repeat_byte(1 + rng.below(10) as u8)
}

fn artifacts(rng: &mut Rng) -> Artifacts<Runtime> {
	Artifacts {
		format: ArtifactFormat::Safetensors,
		weights: digest(rng),
		tokenizer: Some(H256::repeat_byte(0xbe)),
		config: Some(H256::repeat_byte(0x95)),
		size_bytes: 1 + rng.below(1 << 30),
		location: ArtifactLocation { url: Some(bounded(b"https://models.example/m")), cid: None },
	}
}

fn verdict(rng: &mut Rng) -> Verdict<Runtime> {
	match rng.below(4) {
		0 | 1 => Verdict::Output(JobOutput::<Runtime>::Embedding(BoundedVec::truncate_from(vec![40, -3, 90]))),
		2 => Verdict::Output(JobOutput::<Runtime>::Embedding(BoundedVec::truncate_from(vec![-40, 3, -90]))),
		_ => Verdict::Failure(pallet_compute_jobs::FailureReason::InvalidInput),
	}
}

/// Ids `0..next` with a bias to recent ones and a few that do not exist.
fn some_id(rng: &mut Rng, next: u64) -> u64 {
	if next == 0 || rng.chance(5) {
		return rng.below(next + 3);
	}
	next - 1 - rng.below(next.min(8))
}

/// Up to two datasets, some that do not exist, some named twice.
fn lineage<S: Get<u32>>(rng: &mut Rng, datasets: u64) -> BoundedVec<u32, S> {
	BoundedVec::truncate_from((0..rng.below(3)).map(|_| some_id(rng, datasets) as u32).collect::<Vec<_>>())
}

fn policy(rng: &mut Rng, people: &[AccountId]) -> pallet_data_rewards::ReviewPolicy<Runtime> {
	let curators: Vec<AccountId> = (0..1 + rng.below(4)).map(|_| rng.pick(people).clone()).collect();
	pallet_data_rewards::ReviewPolicy {
		quorum: rng.below(curators.len() as u64 + 2) as u32,
		curators: BoundedVec::truncate_from(curators),
		reward_per_era: rng.chance(50).then(|| rng.amount()),
	}
}

fn dataset_spec(rng: &mut Rng) -> pallet_data_rewards::DatasetSpec<Runtime> {
	pallet_data_rewards::DatasetSpec {
		name: bounded(b"captions"),
		description: bounded(b"image captions"),
		licence: bounded(b"CC-BY-4.0"),
		format: bounded(b"jsonl"),
		rules: bounded(b"english, one line"),
		rules_digest: H256(rng.hash()),
	}
}

/// A call governance might enact; on the wrong track it fails at enactment, as it should.
fn governance_call(rng: &mut Rng, people: &[AccountId]) -> RuntimeCall {
	let who = rng.pick(people).clone();
	let models = pallet_model_registry::NextModelId::<Runtime>::get() as u64;
	let datasets = pallet_data_rewards::NextDatasetId::<Runtime>::get() as u64;
	match rng.below(10) {
		0 => RuntimeCall::ModelRegistry(pallet_model_registry::Call::approve_version {
			model_id: some_id(rng, models) as u32,
			version: 1 + rng.below(2) as u32,
		}),
		1 => RuntimeCall::ModelRegistry(pallet_model_registry::Call::reject_version {
			model_id: some_id(rng, models) as u32,
			version: 1 + rng.below(2) as u32,
			reason: bounded(b"lineage"),
		}),
		// The curator track trying to pay itself from the treasury (issue 14, finding 1).
		2 => RuntimeCall::DataRewards(pallet_data_rewards::Call::create_public_dataset {
			spec: dataset_spec(rng),
			policy: policy(rng, people),
			budget: rng.amount(),
		}),
		3 => RuntimeCall::DataRewards(pallet_data_rewards::Call::update_policy {
			dataset: some_id(rng, datasets) as u32,
			policy: policy(rng, people),
		}),
		4 => RuntimeCall::Treasury(pallet_treasury::Call::spend_local { amount: rng.amount(), beneficiary: who.into() }),
		5 => RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount: rng.amount(),
			beneficiary: Box::new(who),
			valid_from: None,
		}),
		6 => RuntimeCall::Parameters(pallet_parameters::Call::set_parameter { key_value: parameter(rng) }),
		7 => RuntimeCall::ModelRegistry(pallet_model_registry::Call::suspend_version {
			model_id: some_id(rng, models) as u32,
			version: 1,
			reason: bounded(b"unsafe"),
		}),
		8 => RuntimeCall::ModelRegistry(pallet_model_registry::Call::amend_lineage {
			model_id: some_id(rng, models) as u32,
			version: 1 + rng.below(2) as u32,
			datasets: lineage(rng, datasets),
		}),
		_ => RuntimeCall::Treasury(pallet_treasury::Call::void_spend { index: rng.below(4) as u32 }),
	}
}

/// A protocol parameter at ordinary or extreme values.
fn parameter(rng: &mut Rng) -> RuntimeParameters {
	let percent = |rng: &mut Rng| Some(Permill::from_percent(rng.below(101) as u32));
	match rng.below(9) {
		0 => RuntimeParameters::Jobs(jobs::Parameters::WorkerFee(jobs::WorkerFee, Some(rng.amount()))),
		1 => RuntimeParameters::Jobs(jobs::Parameters::DataShare(jobs::DataShare, percent(rng))),
		2 => RuntimeParameters::Jobs(jobs::Parameters::TreasuryShare(jobs::TreasuryShare, percent(rng))),
		3 => RuntimeParameters::Jobs(jobs::Parameters::DisagreeSlash(jobs::DisagreeSlash, percent(rng))),
		4 => RuntimeParameters::Jobs(jobs::Parameters::NoShowSlash(jobs::NoShowSlash, percent(rng))),
		5 => RuntimeParameters::Jobs(jobs::Parameters::ReplicaLimit(jobs::ReplicaLimit, Some(rng.below(10) as u32))),
		6 => RuntimeParameters::Data(data::Parameters::EraLength(data::EraLength, Some(rng.below(12) as u32))),
		7 => RuntimeParameters::Data(data::Parameters::ReviewWindow(data::ReviewWindow, Some(rng.below(12) as u32))),
		_ => RuntimeParameters::Data(data::Parameters::RejectionPenalty(data::RejectionPenalty, percent(rng))),
	}
}

fn track(rng: &mut Rng) -> OriginCaller {
	match rng.below(4) {
		0 => OriginCaller::system(frame_system::RawOrigin::Root),
		1 => OriginCaller::Governance(Track::Curator),
		2 => OriginCaller::Governance(Track::ParameterAdmin),
		_ => OriginCaller::Governance(Track::Treasurer),
	}
}

/// Pallets random bytes may call: everything but `Sudo` (7) and `System` (0), whose root
/// calls would rewrite state outside any rule.
const DECODABLE_PALLETS: [u8; 15] = [1, 2, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18];

/// One random move: the call and the origin it is dispatched with.
fn next_move(rng: &mut Rng, people: &[AccountId], memory: &mut Memory) -> Option<(RuntimeCall, RuntimeOrigin)> {
	let who = rng.pick(people).clone();
	let signed = RuntimeOrigin::signed(who.clone());
	let models = pallet_model_registry::NextModelId::<Runtime>::get() as u64;
	let next_job = pallet_compute_jobs::NextJobId::<Runtime>::get();
	let datasets = pallet_data_rewards::NextDatasetId::<Runtime>::get() as u64;
	let contributions = pallet_data_rewards::NextContributionId::<Runtime>::get() as u64;
	use pallet_compute_jobs::Call as Jobs;
	use pallet_data_rewards::Call as Data;
	use pallet_model_registry::Call as Registry;
	let call = match rng.below(42) {
		// The model registry.
		0 | 1 => RuntimeCall::ModelRegistry(Registry::register_model {
			name: bounded(b"model"),
			task: TaskKind::TextEmbedding,
			licence: bounded(b"MIT"),
			price: rng.below(5) as Balance * MILLI_UNIT,
			parent: None,
			datasets: lineage(rng, datasets),
			artifacts: artifacts(rng),
		}),
		// A new version, with its own (possibly sham) lineage, for curators to judge.
		39 => RuntimeCall::ModelRegistry(Registry::publish_version {
			model_id: some_id(rng, models) as u32,
			artifacts: artifacts(rng),
			datasets: lineage(rng, datasets),
		}),
		2 => RuntimeCall::ModelRegistry(Registry::set_price {
			model_id: some_id(rng, models) as u32,
			price: rng.below(5) as Balance * MILLI_UNIT,
		}),
		3 => RuntimeCall::ModelRegistry(Registry::retire { model_id: some_id(rng, models) as u32 }),
		// Curators approve directly with their track's origin (referenda below do it too).
		4 | 5 => {
			let call = RuntimeCall::ModelRegistry(Registry::approve_version {
				model_id: some_id(rng, models) as u32,
				version: 1,
			});
			return Some((call, RuntimeOrigin::from(Track::Curator)));
		},
		// Workers.
		// A worker registers and, in the same batch, its node says it holds version 1 (what
		// an honest node's off-chain worker sends once the files verify).
		6 | 7 => {
			let bond = if rng.chance(80) { (100 + rng.below(300)) as Balance * UNIT } else { rng.amount() };
			let model_id = some_id(rng, models) as u32;
			let register = RuntimeCall::ComputeJobs(Jobs::register_worker {
				bond,
				models: BoundedVec::truncate_from(vec![model_id]),
				capacity: rng.below(4) as u32,
			});
			let ready = RuntimeCall::ComputeJobs(Jobs::set_readiness { model_id, version: 1, ready: true });
			RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![register, ready] })
		},
		8 => RuntimeCall::ComputeJobs(match rng.below(7) {
			0 => Jobs::pause {},
			1 => Jobs::resume {},
			2 => Jobs::unbond {},
			3 => Jobs::withdraw_bond {},
			// A node says it holds (mostly) or lost a version.
			4 | 5 => Jobs::set_readiness {
				model_id: some_id(rng, models) as u32,
				version: 1 + rng.below(2) as u32,
				ready: rng.chance(85),
			},
			_ => Jobs::bond_more { amount: rng.amount() },
		}),
		9 => RuntimeCall::ComputeJobs(Jobs::set_operator { operator: Some(rng.pick(people).clone()) }),
		// Jobs.
		10..=13 => RuntimeCall::ComputeJobs(Jobs::submit_job {
			model: ModelChoice::Model {
				model_id: some_id(rng, models) as u32,
				version: None,
				max_price: rng.below(6) as Balance * MILLI_UNIT,
			},
			input: JobInput::Inline(bounded(if rng.chance(90) { b"the quick brown fox" } else { &[0xff, 0xfe] })),
			max_fee: if rng.chance(80) { (5 + rng.below(30)) as Balance * MILLI_UNIT } else { rng.amount() },
			replicas: 1 + rng.below(3) as u8,
			deadline_in: 20 + rng.below(40) as u32,
		}),
		14 => RuntimeCall::ComputeJobs(Jobs::cancel_job { job_id: some_id(rng, next_job) }),
		// Assigned workers commit: honestly, or copying someone's commitment.
		15..=18 => {
			let open: Vec<(u64, AccountId)> = pallet_compute_jobs::WorkerJobs::<Runtime>::iter_keys()
				.map(|(worker, job)| (job, worker))
				.collect();
			let Some((job, worker)) = (!open.is_empty()).then(|| rng.pick(&open).clone()) else {
				return None;
			};
			let commitment = if rng.chance(10) && !memory.commitments.is_empty() {
				let (job, other, verdict, salt) = rng.pick(&memory.commitments).clone();
				commitment_of::<Runtime>(job, &other, &verdict, &salt)
			} else {
				let (verdict, salt) = (verdict(rng), rng.hash());
				memory.commitments.push((job, worker.clone(), verdict.clone(), salt));
				commitment_of::<Runtime>(job, &worker, &verdict, &salt)
			};
			return Some((
				RuntimeCall::ComputeJobs(Jobs::commit_result { job_id: job, commitment }),
				RuntimeOrigin::signed(worker),
			));
		},
		// Reveals: mostly what was committed; sometimes another verdict, salt or worker.
		19..=22 => {
			if memory.commitments.is_empty() {
				return None;
			}
			let index = rng.below(memory.commitments.len() as u64) as usize;
			let (job, mut worker, mut verdict_, mut salt) = memory.commitments[index].clone();
			match rng.below(10) {
				0 => verdict_ = verdict(rng),
				1 => salt = rng.hash(),
				2 => worker = who,
				_ => {
					memory.commitments.swap_remove(index);
				},
			}
			return Some((
				RuntimeCall::ComputeJobs(Jobs::reveal_result { job_id: job, verdict: verdict_, salt }),
				RuntimeOrigin::signed(worker),
			));
		},
		// Data rewards.
		23 => RuntimeCall::DataRewards(Data::create_dataset {
			spec: dataset_spec(rng),
			policy: policy(rng, people),
			budget: rng.amount(),
		}),
		24 => RuntimeCall::DataRewards(Data::top_up { dataset: some_id(rng, datasets) as u32, amount: rng.amount() }),
		25 => RuntimeCall::DataRewards(Data::update_policy {
			dataset: some_id(rng, datasets) as u32,
			policy: policy(rng, people),
		}),
		26 | 27 => RuntimeCall::DataRewards(Data::contribute {
			dataset: some_id(rng, datasets) as u32,
			digest: H256::repeat_byte(rng.below(20) as u8),
			size: 1 + rng.below(1 << 20),
			url: bounded(b"https://data.example/x"),
			label: None,
		}),
		28 | 29 => RuntimeCall::DataRewards(Data::review {
			contribution: some_id(rng, contributions),
			vote: if rng.chance(70) {
				pallet_data_rewards::Vote::Accept { quality: rng.below(101) as u8 }
			} else {
				pallet_data_rewards::Vote::Reject { reason: pallet_data_rewards::RejectReason::LowQuality }
			},
		}),
		30 => RuntimeCall::DataRewards(Data::claim { contribution: some_id(rng, contributions) }),
		// Governance: propose on a random track, decide, vote.
		31 => {
			let call = governance_call(rng, people);
			let encoded = call.encode();
			let hash = <Runtime as frame_system::Config>::Hashing::hash(&encoded);
			let _ = pallet_preimage::Pallet::<Runtime>::note_preimage(signed.clone(), encoded.clone());
			memory.referenda.push(pallet_referenda::ReferendumCount::<Runtime>::get());
			RuntimeCall::Referenda(pallet_referenda::Call::submit {
				proposal_origin: Box::new(track(rng)),
				proposal: Bounded::Lookup { hash, len: encoded.len() as u32 },
				enactment_moment: DispatchTime::After(rng.below(3) as u32),
			})
		},
		32 => RuntimeCall::Referenda(pallet_referenda::Call::place_decision_deposit {
			index: if memory.referenda.is_empty() { 0 } else { *rng.pick(&memory.referenda) },
		}),
		33 | 34 => {
			let index = if memory.referenda.is_empty() { 0 } else { *rng.pick(&memory.referenda) };
			RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::vote {
				poll_index: index,
				vote: pallet_conviction_voting::AccountVote::Standard {
					vote: pallet_conviction_voting::Vote {
						aye: rng.chance(80),
						conviction: pallet_conviction_voting::Conviction::try_from(rng.below(7) as u8)
							.unwrap_or_default(),
					},
					balance: rng.below(900_000) as Balance * UNIT,
				},
			})
		},
		// Track origins directly, attacks included (treasury drains, policy takeovers).
		35 | 36 => {
			let origin = RuntimeOrigin::from(match rng.below(3) {
				0 => Track::Curator,
				1 => Track::ParameterAdmin,
				_ => Track::Treasurer,
			});
			return Some((governance_call(rng, people), origin));
		},
		37 => RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
			dest: rng.pick(people).clone().into(),
			value: rng.amount(),
		}),
		// Approved treasury spends are paid out (and checked) by anyone.
		38 => {
			let index = rng.below(u64::from(pallet_treasury::SpendCount::<Runtime>::get()) + 1) as u32;
			RuntimeCall::Treasury(if rng.chance(70) {
				pallet_treasury::Call::payout { index }
			} else {
				pallet_treasury::Call::check_status { index }
			})
		},
		// Random bytes, decoded as a call to any pallet but Sudo and System.
		_ => {
			let mut bytes = vec![*rng.pick(&DECODABLE_PALLETS), rng.below(16) as u8];
			let len = rng.below(160) as usize;
			bytes.extend(rng.bytes(len));
			RuntimeCall::decode(&mut &bytes[..]).ok()?
		},
	};
	Some((call, signed))
}

/// The slot of block 1; any value works as long as slots grow with blocks.
const FIRST_SLOT: u64 = 1_000_000;

/// Imports the header of block `number` and its timestamp inherent.
fn start_block(number: u32, parent: H256) {
	let slot = Slot::from(FIRST_SLOT + u64::from(number));
	let pre_digest = PreDigest::SecondaryPlain(SecondaryPlainPreDigest { authority_index: 0, slot });
	let digest = Digest { logs: vec![DigestItem::PreRuntime(BABE_ENGINE_ID, pre_digest.encode())] };
	Executive::initialize_block(&Header::new(number, H256::zero(), H256::zero(), parent, digest));
	let now = *slot * Babe::slot_duration();
	let inherent = UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set { now }));
	Executive::apply_extrinsic(inherent).expect("valid inherent").expect("timestamp is set");
	Executive::inherents_applied();
}

/// Sum of every account's funds (free + reserved, which includes holds).
fn funds() -> Balance {
	frame_system::Account::<Runtime>::iter_values().map(|a| a.data.free + a.data.reserved).sum()
}

fn note_events(tally: &mut Tally) {
	for record in System::events() {
		let name = match &record.event {
			infera_runtime::RuntimeEvent::Referenda(pallet_referenda::Event::Confirmed { .. }) => "referendum confirmed".into(),
			infera_runtime::RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched { result, .. }) =>
				format!("scheduled call {}", if result.is_ok() { "ok" } else { "refused" }),
			infera_runtime::RuntimeEvent::ComputeJobs(pallet_compute_jobs::Event::JobClosed { reason, .. }) =>
				format!("job {reason:?}"),
			infera_runtime::RuntimeEvent::ComputeJobs(pallet_compute_jobs::Event::WorkerSlashed { reason, .. }) =>
				format!("slash {reason:?}"),
			infera_runtime::RuntimeEvent::ComputeJobs(pallet_compute_jobs::Event::JobAssigned { .. }) => "job assigned".into(),
			infera_runtime::RuntimeEvent::DataRewards(pallet_data_rewards::Event::Accepted { .. }) =>
				"contribution accepted".into(),
			infera_runtime::RuntimeEvent::DataRewards(pallet_data_rewards::Event::RewardPaid { .. }) =>
				"data reward paid".into(),
			infera_runtime::RuntimeEvent::DataRewards(pallet_data_rewards::Event::CuratorMissedReview { .. }) =>
				"curator missed a review".into(),
			infera_runtime::RuntimeEvent::Treasury(pallet_treasury::Event::Paid { .. }) => "treasury paid".into(),
			_ => continue,
		};
		*tally.events.entry(name).or_default() += 1;
	}
}

/// Runs one sequence of `blocks` blocks with up to `calls_per_block` calls each.
fn run_sequence(genesis: &sp_runtime::Storage, seed: u64, blocks: u32, calls_per_block: u64, tally: &mut Tally) {
	let mut rng = Rng(seed);
	let people = accounts();
	let mut memory = Memory::default();
	sp_io::TestExternalities::new(genesis.clone()).execute_with(|| {
		let mut issuance = pallet_balances::TotalIssuance::<Runtime>::get();
		let mut parent = System::block_hash(0);
		for number in 1..=blocks {
			start_block(number, parent);
			for _ in 0..rng.below(calls_per_block + 1) {
				let Some((call, origin)) = next_move(&mut rng, &people, &mut memory) else { continue };
				let name = format!("{}.{}", call.get_call_metadata().pallet_name, call.get_call_metadata().function_name);
				tally.calls += 1;
				if call.dispatch(origin).is_ok() {
					tally.ok += 1;
					*tally.by_call.entry(name).or_default() += 1;
				}
			}
			let header = Executive::finalize_block();
			note_events(tally);
			parent = header.hash();
			// The next block's parent carries a VRF output, as every block of BABE's secondary
			// VRF slots does.
			pallet_babe::AuthorVrfRandomness::<Runtime>::put(Some(rng.hash()));
			tally.blocks += 1;

			AllPalletsWithSystem::try_state(number, TryStateSelect::All)
				.unwrap_or_else(|e| panic!("seed {seed}, block {number}: try_state: {e:?}"));
			let total = pallet_balances::TotalIssuance::<Runtime>::get();
			assert_eq!(funds(), total, "seed {seed}, block {number}: accounts' funds differ from issuance");
			assert!(total <= issuance, "seed {seed}, block {number}: issuance grew from {issuance} to {total}");
			issuance = total;
		}
	});
	tally.sequences += 1;
}

#[test]
fn random_call_sequences_keep_every_pallets_invariants_and_the_issuance() {
	let target: u64 = std::env::var("INFERA_RUNTIME_FUZZ_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000);
	let genesis = common::preset_storage("development");
	let started = std::time::Instant::now();
	let mut tally = Tally::default();
	let mut seed = 0;
	while tally.calls < target {
		run_sequence(&genesis, seed, 40, 30, &mut tally);
		seed += 1;
	}
	println!(
		"{} calls ({} succeeded) in {} blocks of {} sequences, 0 violations, {:.1} s",
		tally.calls,
		tally.ok,
		tally.blocks,
		tally.sequences,
		started.elapsed().as_secs_f64()
	);
	println!("succeeded calls: {:?}", tally.by_call);
	println!("events: {:?}", tally.events);
	// The moves reach what they are meant to: referenda pass, treasury spends are paid, jobs
	// are drawn and settle, withholding workers are slashed, curated contributions accepted.
	for what in ["referendum confirmed", "treasury paid", "job assigned", "job Completed", "slash Withheld", "contribution accepted"] {
		assert!(tally.events.get(what).copied().unwrap_or(0) > 0, "{what} never happened: {:?}", tally.events);
	}
}
