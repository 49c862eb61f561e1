#!/usr/bin/env bash
# Embedding throughput and latency of all-MiniLM-L6-v2: Infera's candle engine against
# PyTorch sentence-transformers on the same files, in the same run, at batch 1 and 32.
# Prints both sides and the candle/PyTorch ratios (> 1 means candle is faster).
#   bench/embedding.sh [rounds]      (default 5)
# Needs scripts/setup (the weights) and a Python with sentence-transformers: set
# BENCH_PYTHON (default: ~/.cache/infera/bench-venv/bin/python, created on first use).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
rounds="${1:-5}"
model="$INFERA_MODELS/all-MiniLM-L6-v2"
python="${BENCH_PYTHON:-$HOME/.cache/infera/bench-venv/bin/python}"
if [ ! -x "$python" ]; then
	log "creating $HOME/.cache/infera/bench-venv with sentence-transformers (PyTorch)"
	python3 -m venv "$HOME/.cache/infera/bench-venv"
	"$HOME/.cache/infera/bench-venv/bin/pip" install -q sentence-transformers==5.1.2
	python="$HOME/.cache/infera/bench-venv/bin/python"
fi
threads="$(nproc)"
(cd "$ROOT" && cargo build --release --locked -q -p infera-inference --example embed_bench)
out="$(mktemp)"
"$CARGO_TARGET_DIR/release/examples/embed_bench" "$model" "$ROOT/bench/sentences.json" "$rounds" | tee -a "$out"
"$python" "$ROOT/bench/embedding_torch.py" "$model" "$ROOT/bench/sentences.json" "$rounds" "$threads" | tee -a "$out"
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
by = {(r["impl"], r["batch"]): r for r in rows}
for batch in sorted({r["batch"] for r in rows}):
    c, t = by[("candle", batch)], by[("pytorch", batch)]
    print(f"batch {batch:>2}: candle {c['sentences_per_s']:8.1f}/s ({c['median_latency_ms']:7.2f} ms)  "
          f"pytorch {t['sentences_per_s']:8.1f}/s ({t['median_latency_ms']:7.2f} ms)  "
          f"ratio {c['sentences_per_s'] / t['sentences_per_s']:.2f}x")
PY
rm -f "$out"
