//! HTTP servers on 127.0.0.1 for fetch tests, on a raw `TcpListener` so they can misbehave:
//! one request per connection, every request logged, every body byte counted.

#![allow(dead_code)]

use infera_inference::{
	fetch::{FetchConfig, FetchMetrics},
	store::{ModelStore, StoreOptions},
};
use infera_primitives::{ArtifactFormat, ArtifactRef, TaskKind};
use sha2::{Digest, Sha256};
use sp_core::H256;
use std::{
	io::{BufRead, BufReader, Write},
	net::{TcpListener, TcpStream},
	path::Path,
	sync::{
		atomic::{AtomicU64, AtomicUsize, Ordering},
		Arc, Mutex,
	},
	time::Duration,
};

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Head {
	pub method: String,
	pub path: String,
	pub range: Option<String>,
	pub body: Vec<u8>,
}

/// A running test server.
pub struct Server {
	/// `http://127.0.0.1:<port>`.
	pub url: String,
	/// Every request, in order.
	pub log: Arc<Mutex<Vec<Head>>>,
	/// Body bytes written so far (by the helpers below).
	pub sent: Arc<AtomicU64>,
	/// Connections being handled.
	pub active: Arc<AtomicUsize>,
}

impl Server {
	/// Requests received so far.
	pub fn requests(&self) -> Vec<Head> {
		self.log.lock().unwrap().clone()
	}

	/// Requests for `path` so far.
	pub fn count(&self, path: &str) -> usize {
		self.requests().iter().filter(|head| head.path == path).count()
	}

	/// Body bytes sent, once every connection has been handled (a client may have read a
	/// body before its handler counted it).
	pub fn sent(&self) -> u64 {
		let started = std::time::Instant::now();
		while self.active.load(Ordering::SeqCst) > 0 && started.elapsed() < Duration::from_secs(5) {
			std::thread::sleep(Duration::from_millis(5));
		}
		self.sent.load(Ordering::SeqCst)
	}
}

/// What a handler writes to.
pub struct Conn<'a> {
	pub stream: &'a mut TcpStream,
	sent: &'a AtomicU64,
}

impl Conn<'_> {
	/// Writes a head with `status` and `headers` (and `Connection: close`).
	pub fn head(&mut self, status: u16, headers: &[(&str, String)]) {
		let mut head = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n");
		for (name, value) in headers {
			head.push_str(&format!("{name}: {value}\r\n"));
		}
		head.push_str("\r\n");
		let _ = self.stream.write_all(head.as_bytes());
	}

	/// Writes body bytes (ignoring a client that went away).
	pub fn body(&mut self, bytes: &[u8]) -> bool {
		let ok = self.stream.write_all(bytes).is_ok();
		if ok {
			self.sent.fetch_add(bytes.len() as u64, Ordering::SeqCst);
		}
		ok
	}

	/// A complete answer with `Content-Length`.
	pub fn reply(&mut self, status: u16, body: &[u8]) {
		self.head(status, &[("Content-Length", body.len().to_string())]);
		self.body(body);
	}

	/// Serves `file`, honouring `Range: bytes=<from>-` with a 206.
	pub fn file(&mut self, head: &Head, file: &[u8]) {
		match head
			.range
			.as_deref()
			.and_then(|range| range.strip_prefix("bytes=")?.strip_suffix('-')?.parse::<usize>().ok())
		{
			Some(from) if from < file.len() => {
				let rest = &file[from..];
				self.head(
					206,
					&[
						("Content-Length", rest.len().to_string()),
						("Content-Range", format!("bytes {from}-{}/{}", file.len() - 1, file.len())),
					],
				);
				self.body(rest);
			},
			Some(_) => self.reply(416, b""),
			None => self.reply(200, file),
		}
	}
}

/// Starts a server answering each request with `handler`.
pub fn serve(handler: impl Fn(&Head, &mut Conn) + Send + Sync + 'static) -> Server {
	let listener = TcpListener::bind("127.0.0.1:0").unwrap();
	let url = format!("http://{}", listener.local_addr().unwrap());
	let log = Arc::new(Mutex::new(Vec::new()));
	let sent = Arc::new(AtomicU64::new(0));
	let active = Arc::new(AtomicUsize::new(0));
	let handler = Arc::new(handler);
	let (server_log, server_sent, server_active) = (log.clone(), sent.clone(), active.clone());
	std::thread::spawn(move || {
		for stream in listener.incoming() {
			let Ok(mut stream) = stream else { continue };
			server_active.fetch_add(1, Ordering::SeqCst);
			let (log, sent, active, handler) =
				(server_log.clone(), server_sent.clone(), server_active.clone(), handler.clone());
			std::thread::spawn(move || {
				if let Some(head) = read_head(&stream) {
					log.lock().unwrap().push(head.clone());
					handler(&head, &mut Conn { stream: &mut stream, sent: &sent });
					let _ = stream.flush();
					let _ = stream.shutdown(std::net::Shutdown::Both);
				}
				active.fetch_sub(1, Ordering::SeqCst);
			});
		}
	});
	Server { url, log, sent, active }
}

fn read_head(stream: &TcpStream) -> Option<Head> {
	let mut reader = BufReader::new(stream);
	let mut line = String::new();
	reader.read_line(&mut line).ok()?;
	let mut parts = line.split_whitespace();
	let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
	let mut range = None;
	let mut length = 0;
	loop {
		let mut line = String::new();
		reader.read_line(&mut line).ok()?;
		let line = line.trim_end();
		if line.is_empty() {
			break;
		}
		if let Some((name, value)) = line.split_once(':') {
			if name.eq_ignore_ascii_case("range") {
				range = Some(value.trim().to_string());
			}
			if name.eq_ignore_ascii_case("content-length") {
				length = value.trim().parse().ok()?;
			}
		}
	}
	let mut body = vec![0; length];
	std::io::Read::read_exact(&mut reader, &mut body).ok()?;
	Some(Head { method, path, range, body })
}

/// A server serving `files` (path → bytes) with Range support, 404 for anything else.
pub fn file_server(files: Vec<(String, Vec<u8>)>) -> Server {
	serve(move |head, conn| match files.iter().find(|(path, _)| *path == head.path) {
		Some((_, bytes)) => conn.file(head, bytes),
		None => conn.reply(404, b"not here"),
	})
}

/// A port nothing listens on.
pub fn closed_port_url() -> String {
	let listener = TcpListener::bind("127.0.0.1:0").unwrap();
	let url = format!("http://{}", listener.local_addr().unwrap());
	drop(listener);
	url
}

/// SHA-256 of `bytes`.
pub fn digest(bytes: &[u8]) -> H256 {
	H256(Sha256::digest(bytes).into())
}

/// Deterministic bytes of `len`.
pub fn bytes(len: usize, seed: u8) -> Vec<u8> {
	(0..len).map(|i| (i as u32).wrapping_mul(2654435761).rotate_left(seed as u32) as u8 ^ seed).collect()
}

/// A version of three files at `url` (weights, tokenizer, config), capped at their total.
pub fn version(url: &str, weights: &[u8], tokenizer: &[u8], config: &[u8]) -> ArtifactRef {
	ArtifactRef {
		task: TaskKind::TextEmbedding,
		format: ArtifactFormat::Safetensors,
		weights: digest(weights),
		tokenizer: Some(digest(tokenizer)),
		config: Some(digest(config)),
		size_bytes: (weights.len() + tokenizer.len() + config.len()) as u64,
		url: Some(url.as_bytes().to_vec()),
		cid: None,
	}
}

/// A version of one file (the weights) at `url`.
pub fn weights_only(url: &str, weights: &[u8]) -> ArtifactRef {
	ArtifactRef { tokenizer: None, config: None, size_bytes: weights.len() as u64, ..version(url, weights, b"", b"") }
}

/// Fetch settings with short timeouts for tests.
pub fn quick() -> FetchConfig {
	FetchConfig {
		connect_timeout: Duration::from_secs(1),
		idle_timeout: Duration::from_millis(500),
		total_timeout: Duration::from_secs(20),
		..FetchConfig::default()
	}
}

/// A store in `dir` with `fetch` settings, `quota`, and its metrics.
pub fn store(dir: &Path, fetch: FetchConfig, quota: Option<u64>) -> (ModelStore, FetchMetrics) {
	let registry = prometheus_endpoint::Registry::new();
	let metrics = FetchMetrics::register(&registry).unwrap();
	let options = StoreOptions { fetch, quota, metrics: Some(metrics.clone()) };
	(ModelStore::open_with(dir, options).unwrap(), metrics)
}

/// Failures counted under `reason`.
pub fn failures(metrics: &FetchMetrics, reason: &str) -> u64 {
	metrics.failures.with_label_values(&[reason]).get()
}
