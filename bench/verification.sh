#!/usr/bin/env bash
# Verification of text generation over many prompts (inference/examples/verification_bench.rs):
# detection rates of tampered tokens, another quantization and another model, honest
# acceptance, the honest noise, and verification time / generation time, in one JSON report
# with the CPU it ran on. Usage: bench/verification.sh [prompts=100] [max_new_tokens=16]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/infera/target}"
model="${INFERA_MODELS:-$HOME/.cache/infera/models}/SmolLM2-135M-Instruct/model.gguf"
[ -f "$model" ] || { echo "no $model: run scripts/setup" >&2; exit 1; }
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
features="$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f|avx512_vnni|avx512_bf16|fma|f16c)$' | tr '\n' ' ')"
echo "# CPU: $cpu ($(nproc) threads); vector features: $features" >&2
SKIP_WASM_BUILD=1 cargo build --release --quiet -p infera-inference --example verification_bench
report="$("$CARGO_TARGET_DIR/release/examples/verification_bench" "$model" "${1:-100}" "${2:-16}")"
mkdir -p bench/reports
out="bench/reports/verification-$(date -u +%Y%m%d)-${2:-16}tokens.json"
python3 - "$out" "$cpu" "$features" "$(nproc)" <<PY
import json, sys
report = json.loads('''$report''')
report["cpu"] = {"model": sys.argv[2], "features": sys.argv[3].split(), "threads": int(sys.argv[4])}
open(sys.argv[1], "w").write(json.dumps(report, indent=2) + "\n")
print(json.dumps(report, indent=2))
PY
echo "# written to $out" >&2
