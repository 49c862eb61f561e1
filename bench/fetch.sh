#!/usr/bin/env bash
# Artifact fetch speed: the node's model store fetching all-MiniLM-L6-v2 (~91 MB, three
# files) over loopback HTTP (streamed, SHA-256 checked, written to a fresh store) against
# `curl` fetching the same files from the same server in the same run (to /dev/null and to
# a file). Prints the CPU model and the median of each side.
#   bench/fetch.sh [rounds]      (default 5)
# Needs scripts/setup (the weights) and curl.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
rounds="${1:-5}"
model="$INFERA_MODELS/all-MiniLM-L6-v2"
(cd "$ROOT" && cargo build --release --locked -q -p infera-inference --example fetch_bench)
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) threads)"
"$CARGO_TARGET_DIR/release/examples/fetch_bench" "$model" "$rounds"
