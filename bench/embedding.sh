#!/usr/bin/env bash
# Embedding throughput and latency of all-MiniLM-L6-v2: Infera's engine against PyTorch
# sentence-transformers and ONNX Runtime (the same files exported with torch.onnx.export,
# checked against sentence-transformers) in the same run, at batch 1 and 32, with the CPU
# model and its vector features. On an AVX-512 CPU it also runs the engine's AVX2 kernels
# against PyTorch held to AVX2 (what an AVX2-only CPU would run). Prints a table of ratios
# (> 1 means Infera is faster) and writes one JSON report,
# bench/reports/embedding-<date>.json.
#   bench/embedding.sh [rounds]      (default 5)
# Needs scripts/setup (the weights) and a Python with sentence-transformers and
# onnxruntime: set BENCH_PYTHON (default: ~/.cache/infera/bench-venv/bin/python, created on
# first use; bench only, not CI).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
rounds="${1:-5}"
model="$INFERA_MODELS/all-MiniLM-L6-v2"
venv="$HOME/.cache/infera/bench-venv"
python="${BENCH_PYTHON:-$venv/bin/python}"
if ! "$python" -c 'import sentence_transformers, onnxruntime, onnx' 2>/dev/null; then
	log "installing sentence-transformers (PyTorch), onnx and onnxruntime into $venv"
	[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
	"$venv/bin/pip" install -q sentence-transformers==5.1.2 onnx onnxruntime
	python="$venv/bin/python"
fi
threads="$(nproc)"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
features="$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|f16c|avx512f|avx512bw|avx512_vnni|avx512_bf16|amx_tile)$' | tr '\n' ' ')"
log "CPU: $cpu ($threads threads); vector features: $features"
(cd "$ROOT" && cargo build --release --locked -q -p infera-inference --example embed_bench)
out="$(mktemp)"
# The engine on its best kernel ("candle") and, where that is AVX-512, on AVX2 as well
# ("candle-avx2"), as it runs on CPUs without AVX-512.
"$CARGO_TARGET_DIR/release/examples/embed_bench" "$model" "$ROOT/bench/sentences.json" "$rounds" avx512-vnni,avx2 | tee -a "$out"
"$python" "$ROOT/bench/embedding_torch.py" "$model" "$ROOT/bench/sentences.json" "$rounds" "$threads" | tee -a "$out"
if grep -q 'candle-avx2' "$out"; then
	# PyTorch held to AVX2 too (its own kernels, MKL's and oneDNN's), the fair partner.
	ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 \
		"$python" "$ROOT/bench/embedding_torch.py" "$model" "$ROOT/bench/sentences.json" "$rounds" "$threads" pytorch-avx2 | tee -a "$out"
fi
"$python" "$ROOT/bench/embedding_onnx.py" "$model" "$ROOT/bench/sentences.json" "$rounds" "$threads" 2>/dev/null | tee -a "$out"
mkdir -p "$ROOT/bench/reports"
report="$ROOT/bench/reports/embedding-$(date -u +%Y%m%d).json"
python3 - "$out" "$report" "$cpu" "$features" "$threads" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
by = {(r["impl"], r["batch"]): r for r in rows}
ratios = {}
for batch in sorted({r["batch"] for r in rows}):
    c, t, o = by[("candle", batch)], by[("pytorch", batch)], by[("onnxruntime", batch)]
    ratios[str(batch)] = {"overPytorch": c["sentences_per_s"] / t["sentences_per_s"],
                          "overOnnxruntime": c["sentences_per_s"] / o["sentences_per_s"]}
    print(f"batch {batch:>2}: candle {c['sentences_per_s']:7.1f}/s ({c['median_latency_ms']:6.2f} ms)  "
          f"pytorch {t['sentences_per_s']:7.1f}/s ({t['median_latency_ms']:6.2f} ms)  "
          f"onnxruntime {o['sentences_per_s']:7.1f}/s ({o['median_latency_ms']:6.2f} ms)  "
          f"candle/pytorch {ratios[str(batch)]['overPytorch']:.2f}x  candle/onnxruntime {ratios[str(batch)]['overOnnxruntime']:.2f}x")
    if ("candle-avx2", batch) in by and ("pytorch-avx2", batch) in by:
        c2, t2 = by[("candle-avx2", batch)], by[("pytorch-avx2", batch)]
        ratios[str(batch)]["avx2OverPytorchAvx2"] = c2["sentences_per_s"] / t2["sentences_per_s"]
        print(f"   AVX2 only: candle {c2['sentences_per_s']:7.1f}/s ({c2['median_latency_ms']:6.2f} ms)  "
              f"pytorch {t2['sentences_per_s']:7.1f}/s ({t2['median_latency_ms']:6.2f} ms)  "
              f"candle/pytorch {ratios[str(batch)]['avx2OverPytorchAvx2']:.2f}x")
report = {"cpu": {"model": sys.argv[3], "features": sys.argv[4].split(), "threads": int(sys.argv[5])},
          "runs": rows, "candleRatios": ratios}
open(sys.argv[2], "w").write(json.dumps(report, indent=2) + "\n")
print(f"# written to {sys.argv[2]}", file=sys.stderr)
PY
rm -f "$out"
