//! `infera-node`: the Infera chain's node binary.

mod chain_spec;
mod cli;
mod command;
mod inference;
mod models;
mod pool_tasks;
mod rpc;
mod service;

fn main() {
	// User mistakes (a bad chain spec, a busy port, ...) end with one readable line and
	// exit code 1, not a `Debug` dump.
	if let Err(error) = command::run() {
		eprintln!("Error: {error}");
		std::process::exit(1);
	}
}
