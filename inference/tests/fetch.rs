//! The model store fetching from servers on 127.0.0.1 built here: what it accepts, what it
//! refuses (with which typed error), resuming, quota eviction, de-duplication, redirects
//! and IPFS gateways. No test reaches beyond loopback.

mod support;

use infera_inference::{
	fetch::{sources::RAW_CODEC, FetchConfig},
	store::{flight::Progress, Artifact},
	FetchError, InferenceError,
};
use infera_primitives::inference::InferenceFailure;
use std::{io::Write, sync::Arc, time::Duration};
use support::*;

fn fetch_error(error: InferenceError) -> FetchError {
	match error {
		InferenceError::Fetch { error, .. } => *error,
		other => panic!("expected a fetch error, got {other}"),
	}
}

fn no_partial_files(dir: &std::path::Path) -> bool {
	std::fs::read_dir(dir).unwrap().all(|entry| !entry.unwrap().file_name().to_string_lossy().ends_with(".partial"))
}

#[test]
fn a_good_version_is_downloaded_verified_and_counted() {
	let (weights, tokenizer, config) = (bytes(300_000, 1), bytes(2_000, 2), bytes(100, 3));
	let server = file_server(vec![
		("/m/model.safetensors".into(), weights.clone()),
		("/m/tokenizer.json".into(), tokenizer.clone()),
		("/m/config.json".into(), config.clone()),
	]);
	let dir = tempfile::tempdir().unwrap();
	let (store, metrics) = store(dir.path(), quick(), None);
	let spec = version(&format!("{}/m/", server.url), &weights, &tokenizer, &config);
	let progress = Progress::default();
	let files = store.ensure_version(&spec, &progress).unwrap();
	assert_eq!(std::fs::read(&files.weights).unwrap(), weights);
	assert_eq!(std::fs::read(files.tokenizer.unwrap()).unwrap(), tokenizer);
	assert_eq!(std::fs::read(files.config.unwrap()).unwrap(), config);
	assert_eq!(files.weights, store.path_of(&spec.weights));
	assert_eq!(progress.received(), spec.size_bytes);
	assert!(store.is_ready(&spec));
	assert!(no_partial_files(dir.path()));
	assert_eq!(metrics.bytes.get(), spec.size_bytes);
	assert_eq!(metrics.seconds.get_sample_count(), 3);
	// Once in the store, nothing is downloaded again.
	store.ensure_version(&spec, &Progress::default()).unwrap();
	assert_eq!(server.requests().len(), 3);
}

#[test]
fn bytes_that_do_not_match_the_digest_are_refused_and_dropped() {
	let server = file_server(vec![("/model.safetensors".into(), bytes(5_000, 9))]);
	let dir = tempfile::tempdir().unwrap();
	let (store, metrics) = store(dir.path(), quick(), None);
	let spec = weights_only(&server.url, &bytes(5_000, 1));
	let error = store.ensure_version(&spec, &Progress::default()).unwrap_err();
	assert!(matches!(error, InferenceError::DigestMismatch { .. }), "{error}");
	assert_eq!(error.failure(), InferenceFailure::DigestMismatch);
	assert!(!store.path_of(&spec.weights).exists());
	assert!(no_partial_files(dir.path()), "a wrong file is not kept to resume");
	assert_eq!(failures(&metrics, "digest_mismatch"), 1);
}

#[test]
fn a_body_cut_short_fails_as_truncated_and_keeps_its_partial_file() {
	let weights = bytes(10_000, 4);
	let served = weights.clone();
	let server = serve(move |_, conn| {
		conn.head(200, &[("Content-Length", served.len().to_string())]);
		conn.body(&served[..4_000]);
	});
	let dir = tempfile::tempdir().unwrap();
	let (store, metrics) = store(dir.path(), quick(), None);
	let spec = weights_only(&server.url, &weights);
	let error = fetch_error(store.ensure_version(&spec, &Progress::default()).unwrap_err());
	assert!(matches!(error, FetchError::Truncated { received: 4_000, .. }), "{error}");
	assert_eq!(error.failure(), InferenceFailure::ArtifactUnavailable);
	let partial = store.path_of(&spec.weights).with_extension("partial");
	assert_eq!(std::fs::read(partial).unwrap(), weights[..4_000]);
	assert_eq!(failures(&metrics, "truncated"), 1);
}

#[test]
fn a_body_larger_than_the_registered_size_is_cut_off() {
	let weights = bytes(10_000, 5);
	// Announced too large: refused before the body is read.
	let announced = serve(|_, conn| {
		conn.head(200, &[("Content-Length", "20000".into())]);
		conn.body(&bytes(20_000, 6));
	});
	// Not announced (read to the end of the connection): stopped at the cap. The server
	// would send 1 GiB; it can write only what the socket buffers take once the client
	// has hung up.
	let streamed = serve(|_, conn| {
		conn.head(200, &[]);
		let chunk = bytes(1 << 16, 6);
		for _ in 0..(1 << 14) {
			if !conn.body(&chunk) {
				break;
			}
		}
	});
	for server in [&announced, &streamed] {
		let dir = tempfile::tempdir().unwrap();
		let (store, metrics) = store(dir.path(), quick(), None);
		let spec = weights_only(&server.url, &weights);
		let error = fetch_error(store.ensure_version(&spec, &Progress::default()).unwrap_err());
		assert!(matches!(error, FetchError::TooLarge { limit: 10_000, .. }), "{error}");
		assert_eq!(error.failure(), InferenceFailure::ArtifactUnavailable);
		assert!(no_partial_files(dir.path()));
		assert_eq!(failures(&metrics, "too_large"), 1);
	}
	let sent = streamed.sent();
	assert!(sent < 64 << 20, "the download did not stop early: {sent} bytes sent");
}

#[test]
fn silent_and_slow_servers_hit_the_idle_and_total_timeouts() {
	let weights = bytes(10_000, 7);
	let hold = Duration::from_secs(3);
	// Sends part of the body, then nothing.
	let stalls = serve(move |_, conn| {
		conn.head(200, &[("Content-Length", "10000".into())]);
		conn.body(&bytes(100, 7));
		std::thread::sleep(hold);
	});
	// Accepts, reads the request, never answers.
	let mute = serve(move |_, _| std::thread::sleep(hold));
	// A byte every 100 ms: never idle, never done.
	let trickles = serve(|_, conn| {
		conn.head(200, &[("Content-Length", "10000".into())]);
		for _ in 0..100 {
			std::thread::sleep(Duration::from_millis(100));
			if !conn.body(b"x") {
				break;
			}
		}
	});
	// Waiting for an answer's head may take the connect and the idle timeouts together.
	let config = FetchConfig {
		connect_timeout: Duration::from_millis(200),
		idle_timeout: Duration::from_millis(300),
		total_timeout: Duration::from_secs(1),
		..quick()
	};
	let dir = tempfile::tempdir().unwrap();
	let (store, metrics) = store(dir.path(), config, None);
	let started = std::time::Instant::now();
	for (server, reason) in [(&stalls, "idle_timeout"), (&mute, "idle_timeout"), (&trickles, "total_timeout")] {
		let error =
			fetch_error(store.ensure_version(&weights_only(&server.url, &weights), &Progress::default()).unwrap_err());
		assert_eq!(error.reason(), reason, "{error}");
		assert_eq!(error.failure(), InferenceFailure::ArtifactUnavailable);
		// Each keeps its partial file; start the next from nothing.
		let _ = std::fs::remove_file(store.path_of(&digest(&weights)).with_extension("partial"));
	}
	assert!(started.elapsed() < Duration::from_secs(3), "the timeouts fired late: {:?}", started.elapsed());
	assert_eq!(failures(&metrics, "idle_timeout"), 2);
	assert_eq!(failures(&metrics, "total_timeout"), 1);
}

#[test]
fn an_interrupted_download_resumes_with_range() {
	let weights = bytes(100_000, 8);
	let half = 40_000;
	let first_copy = weights.clone();
	let drops = serve(move |_, conn| {
		conn.head(200, &[("Content-Length", first_copy.len().to_string())]);
		conn.body(&first_copy[..half]);
	});
	let second_copy = weights.clone();
	let honours_range = serve(move |head, conn| conn.file(head, &second_copy));
	let dir = tempfile::tempdir().unwrap();
	let (store, metrics) = store(dir.path(), quick(), None);
	let error =
		fetch_error(store.ensure_version(&weights_only(&drops.url, &weights), &Progress::default()).unwrap_err());
	assert!(matches!(error, FetchError::Truncated { .. }), "{error}");
	// The same version, now served from the second server: only the rest is sent.
	let progress = Progress::default();
	let files = store.ensure_version(&weights_only(&honours_range.url, &weights), &progress).unwrap();
	assert_eq!(std::fs::read(files.weights).unwrap(), weights);
	let requests = honours_range.requests();
	assert_eq!(requests.len(), 1);
	assert_eq!(requests[0].range.as_deref(), Some(format!("bytes={half}-").as_str()));
	assert_eq!(honours_range.sent(), (weights.len() - half) as u64);
	assert_eq!(metrics.bytes.get(), weights.len() as u64);
	// A server that ignores Range sends everything again; the download starts over.
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = support::store(dir.path(), quick(), None);
	let partial = store.path_of(&digest(&weights)).with_extension("partial");
	std::fs::write(&partial, &weights[..half]).unwrap();
	let whole = weights.clone();
	let ignores_range = serve(move |_, conn| conn.reply(200, &whole));
	let files = store.ensure_version(&weights_only(&ignores_range.url, &weights), &Progress::default()).unwrap();
	assert_eq!(std::fs::read(files.weights).unwrap(), weights);
	assert_eq!(ignores_range.sent(), weights.len() as u64);
}

#[test]
fn the_quota_evicts_the_least_recently_used_unpinned_files() {
	let files: Vec<Vec<u8>> = (0..4).map(|seed| bytes(1_000, 10 + seed)).collect();
	let names = ["a", "b", "c", "d"];
	let server = file_server(
		names.iter().zip(&files).map(|(name, file)| (format!("/{name}/model.safetensors"), file.clone())).collect(),
	);
	let [a, b, c, d] = [0, 1, 2, 3].map(|i| weights_only(&format!("{}/{}", server.url, names[i]), &files[i]));
	let dir = tempfile::tempdir().unwrap();
	let (store, metrics) = store(dir.path(), quick(), Some(2_500));
	let tick = || std::thread::sleep(Duration::from_millis(20));
	let ensure = |spec| store.ensure_version(spec, &Progress::default());
	ensure(&a).unwrap();
	tick();
	ensure(&b).unwrap();
	tick();
	ensure(&a).unwrap(); // a is used again: b is now the least recently used
	tick();
	ensure(&c).unwrap();
	let held = |spec: &infera_primitives::ArtifactRef| store.path_of(&spec.weights).exists();
	assert_eq!([held(&a), held(&b), held(&c)], [true, false, true], "b was evicted");
	assert!(!store.is_ready(&b));
	// Pinned files are spared even when they are the least recently used.
	store.pin([&c]);
	tick();
	ensure(&a).unwrap();
	tick();
	ensure(&d).unwrap();
	assert_eq!([held(&a), held(&c), held(&d)], [false, true, true], "a was evicted, c is pinned");
	// When nothing can be evicted, the quota is a typed failure.
	store.pin([&c, &d]);
	let error = fetch_error(ensure(&b).unwrap_err());
	assert_eq!(error, FetchError::Quota { needed: 1_000, quota: 2_500, kept: 2_000 });
	assert_eq!(error.failure(), InferenceFailure::ArtifactUnavailable);
	assert_eq!(failures(&metrics, "quota"), 1);
	assert!(no_partial_files(dir.path()));
}

#[test]
fn concurrent_requests_for_one_artifact_download_it_once() {
	let weights = bytes(200_000, 12);
	let served = weights.clone();
	let server = serve(move |_, conn| {
		conn.head(200, &[("Content-Length", served.len().to_string())]);
		for chunk in served.chunks(20_000) {
			std::thread::sleep(Duration::from_millis(20));
			conn.body(chunk);
		}
	});
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = store(dir.path(), quick(), None);
	let store = Arc::new(store);
	let spec = weights_only(&server.url, &weights);
	let callers: Vec<_> = (0..4)
		.map(|_| {
			let (store, spec) = (store.clone(), spec.clone());
			std::thread::spawn(move || {
				store.ensure(Artifact { digest: spec.weights, file_name: "model.safetensors" }, &spec)
			})
		})
		.collect();
	for caller in callers {
		assert_eq!(std::fs::read(caller.join().unwrap().unwrap()).unwrap(), weights);
	}
	assert_eq!(server.requests().len(), 1, "one download for four callers");
}

#[test]
fn redirects_are_followed_up_to_the_limit() {
	let weights = bytes(3_000, 13);
	let served = weights.clone();
	// `/hop/<n>/model.safetensors` redirects n times (relative and absolute Locations).
	let server = Arc::new(std::sync::OnceLock::<String>::new());
	let base = server.clone();
	let running = serve(move |head, conn| {
		let rest = head.path.trim_start_matches("/hop/");
		let hops: u32 = rest.split('/').next().unwrap().parse().unwrap();
		if hops == 0 {
			return conn.reply(200, &served);
		}
		let location = if hops.is_multiple_of(2) {
			format!("/hop/{}/model.safetensors", hops - 1)
		} else {
			format!("{}/hop/{}/model.safetensors", base.get().unwrap(), hops - 1)
		};
		conn.head(if hops.is_multiple_of(2) { 302 } else { 307 }, &[("Location", location), ("Content-Length", "0".into())]);
	});
	server.set(running.url.clone()).unwrap();
	let dir = tempfile::tempdir().unwrap();
	let (store, metrics) = store(dir.path(), quick(), None);
	let error = fetch_error(
		store
			.ensure_version(&weights_only(&format!("{}/hop/6", running.url), &weights), &Progress::default())
			.unwrap_err(),
	);
	assert_eq!(
		error,
		FetchError::TooManyRedirects { url: format!("{}/hop/1/model.safetensors", running.url), limit: 5 }
	);
	assert_eq!(failures(&metrics, "too_many_redirects"), 1);
	let files =
		store.ensure_version(&weights_only(&format!("{}/hop/5", running.url), &weights), &Progress::default()).unwrap();
	assert_eq!(std::fs::read(files.weights).unwrap(), weights);
}

#[test]
fn http_errors_and_unreachable_hosts_are_typed() {
	let server = serve(|head, conn| match head.path.as_str() {
		"/missing/model.safetensors" => conn.reply(404, b"no such file"),
		_ => conn.reply(500, b"broken"),
	});
	let dir = tempfile::tempdir().unwrap();
	let (store, metrics) = store(dir.path(), quick(), None);
	let weights = bytes(100, 14);
	let fail = |url: String| {
		fetch_error(store.ensure_version(&weights_only(&url, &weights), &Progress::default()).unwrap_err())
	};
	let missing = fail(format!("{}/missing", server.url));
	assert_eq!(missing, FetchError::Status { url: format!("{}/missing/model.safetensors", server.url), status: 404 });
	let broken = fail(format!("{}/broken", server.url));
	assert!(matches!(broken, FetchError::Status { status: 500, .. }), "{broken}");
	let closed = fail(closed_port_url());
	assert!(matches!(closed, FetchError::Unreachable { .. }), "{closed}");
	let ftp = fail("ftp://127.0.0.1/m".into());
	assert!(matches!(ftp, FetchError::UnsupportedScheme { .. }), "{ftp}");
	for error in [&missing, &broken, &closed, &ftp] {
		assert_eq!(error.failure(), InferenceFailure::ArtifactUnavailable);
	}
	assert_eq!(
		[
			failures(&metrics, "http_404"),
			failures(&metrics, "http_500"),
			failures(&metrics, "unreachable"),
			failures(&metrics, "unsupported_scheme")
		],
		[1, 1, 1, 1]
	);
	assert_eq!(metrics.bytes.get(), 0);
}

/// A CIDv1 of `codec` over the sha2-256 of `bytes`.
fn cid(codec: u64, bytes: &[u8]) -> cid::Cid {
	cid::Cid::new_v1(codec, cid::multihash::Multihash::wrap(0x12, digest(bytes).as_bytes()).unwrap())
}

#[test]
fn gateways_are_tried_in_order() {
	let (weights, tokenizer, config) = (bytes(20_000, 15), bytes(500, 16), bytes(50, 17));
	let directory = cid(0x70, b"the directory").to_string();
	let failing = serve(|_, conn| conn.reply(500, b"gateway down"));
	let prefix = format!("/ipfs/{directory}/minilm");
	let serving = file_server(vec![
		(format!("{prefix}/model.safetensors"), weights.clone()),
		(format!("{prefix}/tokenizer.json"), tokenizer.clone()),
		(format!("{prefix}/config.json"), config.clone()),
	]);
	let gateways = vec![closed_port_url(), format!("{}/", failing.url), serving.url.clone()];
	let dir = tempfile::tempdir().unwrap();
	let (store, metrics) = store(dir.path(), FetchConfig { gateways, ..quick() }, None);
	let spec = version(&format!("ipfs://{directory}/minilm"), &weights, &tokenizer, &config);
	store.ensure_version(&spec, &Progress::default()).unwrap();
	assert!(store.is_ready(&spec));
	assert_eq!(failing.requests().len(), 3, "the failing gateway was asked for each file");
	assert_eq!(serving.requests().len(), 3);
	assert_eq!([failures(&metrics, "unreachable"), failures(&metrics, "http_500")], [3, 3]);
}

#[test]
fn a_raw_cid_must_name_the_weights() {
	let weights = bytes(8_000, 18);
	let matching = cid(RAW_CODEC, &weights);
	let other = cid(RAW_CODEC, b"other bytes");
	let served = weights.clone();
	let gateway = serve(move |_, conn| conn.reply(200, &served));
	let dir = tempfile::tempdir().unwrap();
	let (store, metrics) = store(dir.path(), FetchConfig { gateways: vec![gateway.url.clone()], ..quick() }, None);
	let with_cid = |cid: &cid::Cid| infera_primitives::ArtifactRef {
		url: None,
		cid: Some(cid.to_bytes()),
		..weights_only("", &weights)
	};
	// A CID naming other bytes is refused before any gateway is asked.
	let error = store.ensure_version(&with_cid(&other), &Progress::default()).unwrap_err();
	assert_eq!(error.failure(), InferenceFailure::DigestMismatch);
	assert!(matches!(fetch_error(error), FetchError::CidMismatch { .. }));
	assert!(gateway.requests().is_empty());
	assert_eq!(failures(&metrics, "cid_mismatch"), 1);
	// The CID of the weights is fetched as `<gateway>/ipfs/<cid>`.
	store.ensure_version(&with_cid(&matching), &Progress::default()).unwrap();
	assert_eq!(gateway.requests()[0].path, format!("/ipfs/{matching}"));
	assert!(matching.to_string().starts_with("bafkrei"));
}

#[test]
fn local_directories_are_copied_as_before() {
	let source = tempfile::tempdir().unwrap();
	let weights = bytes(4_000, 19);
	std::fs::File::create(source.path().join("model.safetensors")).unwrap().write_all(&weights).unwrap();
	for url in [format!("file://{}", source.path().display()), source.path().display().to_string()] {
		let dir = tempfile::tempdir().unwrap();
		let (store, metrics) = store(dir.path(), quick(), None);
		let files = store.ensure_version(&weights_only(&url, &weights), &Progress::default()).unwrap();
		assert_eq!(std::fs::read(files.weights).unwrap(), weights);
		assert_eq!(metrics.bytes.get(), 0, "copies are not downloads");
	}
	let dir = tempfile::tempdir().unwrap();
	let (store, metrics) = store(dir.path(), quick(), None);
	let missing = weights_only(&format!("file://{}/nothing", source.path().display()), &weights);
	let error = fetch_error(store.ensure_version(&missing, &Progress::default()).unwrap_err());
	assert!(matches!(error, FetchError::Local { .. }), "{error}");
	assert_eq!(error.failure(), InferenceFailure::ArtifactUnavailable);
	assert_eq!(failures(&metrics, "local"), 1);
}
