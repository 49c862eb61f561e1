//! Rust side of `bench/fetch.sh`: the time to fetch a model version's three files over
//! loopback HTTP into an empty model store (streamed, SHA-256 checked, written to disk), and
//! `curl` fetching the same files from the same server in the same run, to `/dev/null` and
//! to a file. One JSON line per measurement, then a summary line per side.
//!
//!     cargo run --release -p infera-inference --example fetch_bench -- <model dir> [rounds]

use infera_inference::store::{flight::Progress, local_artifacts, ModelStore};
use infera_primitives::TaskKind;
use std::{
	path::{Path, PathBuf},
	process::Command,
	time::Instant,
};

const FILES: [&str; 3] = ["model.safetensors", "tokenizer.json", "config.json"];

fn median(mut samples: Vec<f64>) -> f64 {
	samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
	samples[samples.len() / 2]
}

/// Serves the files of `dir` on 127.0.0.1 (a few threads, like any small static server).
fn serve(dir: PathBuf) -> String {
	let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
	let url = format!("http://{}", server.server_addr().to_ip().unwrap());
	for _ in 0..4 {
		let (server, dir) = (server.clone(), dir.clone());
		std::thread::spawn(move || {
			for request in server.incoming_requests() {
				let name = request.url().trim_start_matches('/').to_string();
				let answer = match FILES.contains(&name.as_str()).then(|| std::fs::File::open(dir.join(&name))) {
					Some(Ok(file)) => request.respond(tiny_http::Response::from_file(file)),
					_ => request.respond(tiny_http::Response::empty(404)),
				};
				answer.unwrap();
			}
		});
	}
	url
}

fn curl(url: &str, to: &Path) -> f64 {
	let started = Instant::now();
	for name in FILES {
		let status = Command::new("curl").args(["-sf", "-o"]).arg(to).arg(format!("{url}/{name}")).status().unwrap();
		assert!(status.success(), "curl {url}/{name} failed");
	}
	started.elapsed().as_secs_f64()
}

fn main() {
	let args: Vec<String> = std::env::args().collect();
	let dir = PathBuf::from(&args[1]);
	let rounds: usize = args.get(2).map(|r| r.parse().unwrap()).unwrap_or(5);
	let local = local_artifacts(&dir, TaskKind::TextEmbedding).unwrap();
	let bytes = local.size_bytes as f64;
	let url = serve(dir);
	let spec = infera_primitives::ArtifactRef { url: Some(url.clone().into_bytes()), ..local };
	let scratch = tempfile::tempdir().unwrap();
	let (mut ours, mut to_null, mut to_file) = (Vec::new(), Vec::new(), Vec::new());
	let line = |side: &str, seconds: f64| {
		println!(
			r#"{{"side":"{side}","bytes":{bytes},"seconds":{seconds:.4},"mib_per_s":{:.1}}}"#,
			bytes / seconds / 1048576.0
		)
	};
	// One store (one HTTP client) for every round, as in a node; emptied between rounds.
	let store = ModelStore::open(scratch.path().join("store")).unwrap();
	for round in 0..rounds {
		let started = Instant::now();
		let files = store.ensure_version(&spec, &Progress::default()).unwrap();
		ours.push(started.elapsed().as_secs_f64());
		line("infera-fetch", ours[round]);
		for path in [Some(files.weights), files.tokenizer, files.config].into_iter().flatten() {
			std::fs::remove_file(path).unwrap();
		}
		to_null.push(curl(&url, Path::new("/dev/null")));
		line("curl-devnull", to_null[round]);
		let file = scratch.path().join("curl.out");
		to_file.push(curl(&url, &file));
		line("curl-file", to_file[round]);
		std::fs::remove_file(file).unwrap();
	}
	for (side, samples) in [("infera-fetch", ours), ("curl-devnull", to_null), ("curl-file", to_file)] {
		let seconds = median(samples);
		println!(
			r#"{{"summary":"{side}","median_seconds":{seconds:.4},"median_mib_per_s":{:.1}}}"#,
			bytes / seconds / 1048576.0
		);
	}
}
