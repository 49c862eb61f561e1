//! `infera-node models fetch|list`: pre-load a worker's model store before it bonds, and see
//! what the store holds. Both read the registry through a running node's JSON-RPC.

use crate::inference::StoreParams;
use infera_inference::{
	registry::{RegisteredVersion, RegistryClient, Target},
	store::{artifacts, flight::Progress},
};
use infera_primitives::VersionId;
use std::{
	collections::BTreeMap,
	io::{IsTerminal, Write},
	path::PathBuf,
	sync::Arc,
	time::Duration,
};

/// `infera-node models …`.
#[derive(Debug, clap::Subcommand)]
pub enum ModelsCmd {
	/// Download a model version's artifacts into the model store (verified by digest).
	Fetch(FetchCmd),
	/// List the model store's files, with the registered versions each belongs to.
	List(ListCmd),
}

/// `infera-node models fetch <model-id|0xdigest>`.
#[derive(Debug, clap::Args)]
pub struct FetchCmd {
	/// A model id (its current approved version, else its latest), or the 0x-hex SHA-256
	/// of a version's weights.
	#[arg(value_name = "MODEL")]
	pub model: Target,

	/// The version of the model to fetch (with a model id).
	#[arg(long, value_name = "N")]
	pub version: Option<VersionId>,

	/// JSON-RPC endpoint of a node of the chain.
	#[arg(long, value_name = "URL", default_value = "http://127.0.0.1:9944")]
	pub rpc_url: String,

	/// The node's base path; the store defaults to `<base-path>/models`.
	#[arg(long, short = 'd', value_name = "PATH")]
	pub base_path: Option<PathBuf>,

	#[clap(flatten)]
	pub store: StoreParams,
}

/// `infera-node models list`.
#[derive(Debug, clap::Args)]
pub struct ListCmd {
	/// JSON-RPC endpoint of a node of the chain (to name each file's model versions).
	#[arg(long, value_name = "URL", default_value = "http://127.0.0.1:9944")]
	pub rpc_url: String,

	/// The node's base path; the store defaults to `<base-path>/models`.
	#[arg(long, short = 'd', value_name = "PATH")]
	pub base_path: Option<PathBuf>,

	/// Directory of model artifacts (default: `<base-path>/models`).
	#[arg(long, value_name = "PATH")]
	pub model_dir: Option<PathBuf>,
}

impl ModelsCmd {
	/// Runs the command; `default_base_path` is the node's when `--base-path` is not given.
	pub fn run(&self, default_base_path: PathBuf) -> sc_cli::Result<()> {
		match self {
			ModelsCmd::Fetch(cmd) => cmd.run(default_base_path),
			ModelsCmd::List(cmd) => cmd.run(default_base_path),
		}
		.map_err(sc_cli::Error::Input)
	}
}

impl FetchCmd {
	fn run(&self, default_base_path: PathBuf) -> Result<(), String> {
		let base_path = self.base_path.clone().unwrap_or(default_base_path);
		let registry = RegistryClient::new(&self.rpc_url)?;
		let version = registry.version(self.model, self.version)?;
		let store = Arc::new(self.store.open(&base_path, None)?);
		println!("fetching {version} into {}", store.dir().display());
		let progress = Arc::new(Progress::default());
		let job = {
			let (store, spec, progress) = (store.clone(), version.artifacts.clone(), progress.clone());
			std::thread::spawn(move || store.ensure_version(&spec, &progress))
		};
		let mut shown = ProgressDisplay::new(version.artifacts.size_bytes);
		while !job.is_finished() {
			shown.update(progress.received());
			std::thread::sleep(Duration::from_millis(200));
		}
		let outcome = job.join().map_err(|_| "the download thread panicked".to_string())?;
		shown.finish(progress.received());
		let files = outcome.map_err(|error| format!("{version}: {error}"))?;
		for path in std::iter::once(files.weights).chain(files.tokenizer).chain(files.config) {
			println!("{}", path.display());
		}
		println!("{version} is ready");
		Ok(())
	}
}

/// Progress on a terminal (one line, redrawn), or plain lines every 10 % otherwise.
struct ProgressDisplay {
	total: u64,
	terminal: bool,
	last_tenth: u64,
}

impl ProgressDisplay {
	fn new(total: u64) -> Self {
		Self { total: total.max(1), terminal: std::io::stdout().is_terminal(), last_tenth: 0 }
	}

	fn line(&self, received: u64) -> String {
		let mib = |bytes: u64| bytes as f64 / (1u64 << 20) as f64;
		format!("{:.1} / {:.1} MiB ({} %)", mib(received), mib(self.total), received.min(self.total) * 100 / self.total)
	}

	fn update(&mut self, received: u64) {
		if self.terminal {
			print!("\r{}   ", self.line(received));
			let _ = std::io::stdout().flush();
		} else if received * 10 / self.total > self.last_tenth {
			self.last_tenth = received * 10 / self.total;
			println!("{}", self.line(received));
		}
	}

	fn finish(&mut self, received: u64) {
		if self.terminal {
			println!("\r{}   ", self.line(received));
		}
	}
}

impl ListCmd {
	fn run(&self, default_base_path: PathBuf) -> Result<(), String> {
		let base_path = self.base_path.clone().unwrap_or(default_base_path);
		let dir = self.model_dir.clone().unwrap_or_else(|| base_path.join("models"));
		let mut files = infera_inference::store::space::stored_files(&dir)
			.map_err(|error| format!("model directory {}: {error}", dir.display()))?;
		files.sort_by_key(|file| std::cmp::Reverse(file.modified));
		let owners = match RegistryClient::new(&self.rpc_url).and_then(|registry| registry.all_versions()) {
			Ok(versions) => Some(owners(&versions)),
			Err(error) => {
				eprintln!("(cannot read the registry at {}: {error}; versions are not shown)", self.rpc_url);
				None
			},
		};
		println!(
			"{} ({} files, {} bytes)",
			dir.display(),
			files.len(),
			files.iter().map(|file| file.size).sum::<u64>()
		);
		for file in files {
			let mut line = format!("{:?} {:>14}", file.digest, file.size);
			if file.partial {
				line.push_str("  (partial download)");
			}
			if let Some(owners) = &owners {
				match owners.get(&file.digest) {
					Some(names) => line.push_str(&format!("  {}", names.join(", "))),
					None => line.push_str("  (no registered version)"),
				}
			}
			println!("{line}");
		}
		Ok(())
	}
}

/// For each digest, the versions (and which of their files) it is.
fn owners(versions: &[RegisteredVersion]) -> BTreeMap<sp_core::H256, Vec<String>> {
	let mut owners: BTreeMap<_, Vec<String>> = BTreeMap::new();
	for version in versions {
		for artifact in artifacts(&version.artifacts) {
			owners.entry(artifact.digest).or_default().push(format!("{version} {}", artifact.file_name));
		}
	}
	owners
}
