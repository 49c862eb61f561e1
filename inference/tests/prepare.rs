//! `POST /v1/prepare` over loopback HTTP: versions go from `Fetching` to `Ready` while a
//! background job downloads them, a bad server gives `Failed` until the back-off passes,
//! and the versions named are the ones the store keeps.

mod support;

use codec::{Decode, Encode};
use infera_inference::{prepare::Backoff, service, Engine};
use infera_primitives::{
	inference::{InferenceFailure, Readiness, PREPARE_PATH},
	ArtifactRef,
};
use std::{
	io::{Read, Write},
	net::SocketAddr,
	time::{Duration, Instant},
};
use support::*;

fn prepare(address: SocketAddr, specs: &[ArtifactRef]) -> Vec<Readiness> {
	let body = specs.to_vec().encode();
	let mut stream = std::net::TcpStream::connect(address).unwrap();
	write!(
		stream,
		"POST {PREPARE_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
		body.len()
	)
	.unwrap();
	stream.write_all(&body).unwrap();
	let mut raw = Vec::new();
	stream.read_to_end(&mut raw).unwrap();
	let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
	assert!(raw.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&raw[..split]));
	Vec::<Readiness>::decode(&mut &raw[split + 4..]).unwrap()
}

/// Polls until `done` holds for the answer, or panics after 10 s.
fn until(address: SocketAddr, specs: &[ArtifactRef], done: impl Fn(&[Readiness]) -> bool) -> Vec<Readiness> {
	let started = Instant::now();
	loop {
		let answer = prepare(address, specs);
		if done(&answer) {
			return answer;
		}
		assert!(started.elapsed() < Duration::from_secs(10), "still {answer:?}");
		std::thread::sleep(Duration::from_millis(20));
	}
}

#[test]
fn a_version_goes_from_fetching_to_ready() {
	let weights = bytes(400_000, 1);
	let (tokenizer, config) = (bytes(1_000, 2), bytes(100, 3));
	let slow_weights = weights.clone();
	let (slow_tokenizer, slow_config) = (tokenizer.clone(), config.clone());
	// Serves the weights in pieces, slowly enough to be seen in progress.
	let server = serve(move |head, conn| match head.path.as_str() {
		"/m/model.safetensors" => {
			conn.head(200, &[("Content-Length", slow_weights.len().to_string())]);
			for chunk in slow_weights.chunks(40_000) {
				std::thread::sleep(Duration::from_millis(30));
				conn.body(chunk);
			}
		},
		"/m/tokenizer.json" => conn.reply(200, &slow_tokenizer),
		"/m/config.json" => conn.reply(200, &slow_config),
		_ => conn.reply(404, b""),
	});
	let spec = version(&format!("{}/m", server.url), &weights, &tokenizer, &config);
	let dir = tempfile::tempdir().unwrap();
	let engine = std::sync::Arc::new(Engine::new(store(dir.path(), quick(), None).0));
	let service = service::spawn(engine.clone(), None, 0).unwrap();
	let specs = [spec.clone()];
	// The first answer comes at once.
	let started = Instant::now();
	let first = prepare(service.address, &specs);
	assert!(started.elapsed() < Duration::from_millis(200), "answered in {:?}", started.elapsed());
	assert_eq!(first, [Readiness::Fetching { received: 0, total: spec.size_bytes }]);
	// Progress shows while the weights arrive, then the version is ready.
	until(
		service.address,
		&specs,
		|answer| matches!(answer[0], Readiness::Fetching { received, total } if received > 0 && received < total),
	);
	until(service.address, &specs, |answer| answer[0] == Readiness::Ready);
	assert_eq!(server.count("/m/model.safetensors"), 1, "fetched once however often it was asked");
	assert!(engine.store().is_ready(&spec));
	assert_eq!(prepare(service.address, &specs), [Readiness::Ready]);
	// A bad body is a 400.
	let mut stream = std::net::TcpStream::connect(service.address).unwrap();
	write!(stream, "POST {PREPARE_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
		.unwrap();
	let mut raw = String::new();
	stream.read_to_string(&mut raw).unwrap();
	assert!(raw.starts_with("HTTP/1.1 400"), "{raw}");
}

#[test]
fn a_bad_server_fails_and_is_retried_after_a_growing_backoff() {
	let server = serve(|_, conn| conn.reply(500, b"broken"));
	let specs = [weights_only(&server.url, &bytes(10, 4))];
	let dir = tempfile::tempdir().unwrap();
	let engine = std::sync::Arc::new(Engine::new(store(dir.path(), quick(), None).0));
	let backoff = Backoff { first: Duration::from_millis(500), max: Duration::from_secs(5) };
	let service = service::spawn_with(engine, None, 0, backoff).unwrap();
	let failed = [Readiness::Failed(InferenceFailure::ArtifactUnavailable)];
	assert!(matches!(prepare(service.address, &specs)[0], Readiness::Fetching { .. }));
	assert_eq!(until(service.address, &specs, |answer| matches!(answer[0], Readiness::Failed(_))), failed);
	// The failure stands until the back-off has passed; then one more attempt is made.
	assert_eq!(prepare(service.address, &specs), failed);
	assert_eq!(server.requests().len(), 1);
	std::thread::sleep(backoff.first);
	assert!(matches!(prepare(service.address, &specs)[0], Readiness::Fetching { .. }));
	until(service.address, &specs, |answer| matches!(answer[0], Readiness::Failed(_)));
	assert_eq!(server.requests().len(), 2);
	// The second wait is twice as long.
	std::thread::sleep(backoff.first + Duration::from_millis(100));
	assert_eq!(prepare(service.address, &specs), failed);
	assert_eq!(server.requests().len(), 2);
}

#[test]
fn the_versions_named_last_are_the_ones_the_store_keeps() {
	let files: Vec<Vec<u8>> = (0..3).map(|seed| bytes(1_000, 20 + seed)).collect();
	let server = file_server((0..3).map(|i| (format!("/{i}/model.safetensors"), files[i].clone())).collect());
	let specs: Vec<ArtifactRef> = (0..3).map(|i| weights_only(&format!("{}/{i}", server.url), &files[i])).collect();
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = store(dir.path(), quick(), Some(2_000));
	let engine = std::sync::Arc::new(Engine::new(store));
	let backoff = Backoff { first: Duration::from_millis(100), max: Duration::from_millis(100) };
	let service = service::spawn_with(engine.clone(), None, 0, backoff).unwrap();
	let ready = |answer: &[Readiness]| answer.iter().all(|readiness| *readiness == Readiness::Ready);
	until(service.address, &specs[..2], ready);
	// The two served versions fill the quota: a third served too cannot come in.
	let all = until(service.address, &specs, |answer| matches!(answer[2], Readiness::Failed(_)));
	assert_eq!(all, [Readiness::Ready, Readiness::Ready, Readiness::Failed(InferenceFailure::ArtifactUnavailable)]);
	// Serving only the second and third lets the first go (after the back-off).
	until(service.address, &specs[1..], ready);
	assert!(!engine.store().path_of(&specs[0].weights).exists());
}
