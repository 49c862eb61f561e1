#!/usr/bin/env bash
# Text generation speed: the candle engine (inference/examples/generation_bench.rs) against
# llama.cpp (llama-cpp-python, built once in ~/.cache/infera/llama-venv: bench only, never
# CI) on the same GGUF, prompts and threads, in the same run; prompt processing and
# generation separately, and the engine's verification time per generated token. Writes one
# JSON report with the CPU. Usage: bench/generation.sh [new_tokens=32] [runs=2]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/infera/target}"
model="${INFERA_MODELS:-$HOME/.cache/infera/models}/SmolLM2-135M-Instruct/model.gguf"
[ -f "$model" ] || { echo "no $model: run scripts/setup" >&2; exit 1; }
threads="$(nproc)"
venv="$HOME/.cache/infera/llama-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import llama_cpp' 2>/dev/null; then
	echo "# building llama-cpp-python 0.3.36 into $venv (once; tens of minutes on 2 cores)" >&2
	python3 -m venv "$venv"
	# Run-time CPU dispatch off and AMX off: a native build that enables AMX crashes where
	# the kernel does not grant the tile state.
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF -DGGML_OPENMP=OFF" \
		"$venv/bin/pip" install --quiet --no-cache-dir llama-cpp-python==0.3.36
fi
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
features="$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f|avx512_vnni|avx512_bf16|fma|f16c|amx_int8)$' | tr '\n' ' ')"
echo "# CPU: $cpu ($threads threads); vector features: $features" >&2
prompts="$(mktemp)"
python3 -c 'import json; print(json.dumps(["What is the capital of France?", "Write one sentence about the sea.", "Give me a fun fact about the moon.", "Describe a library in a few words."]))' > "$prompts"
SKIP_WASM_BUILD=1 cargo build --release --quiet -p infera-inference --example generation_bench
candle="$(RAYON_NUM_THREADS="$threads" "$CARGO_TARGET_DIR/release/examples/generation_bench" "$model" "$prompts" "${1:-32}" "${2:-2}")"
llama="$("$venv/bin/python" bench/generation_llamacpp.py "$model" "$prompts" "${1:-32}" "${2:-2}" "$threads")"
rm -f "$prompts"
mkdir -p bench/reports
out="bench/reports/generation-$(date -u +%Y%m%d).json"
python3 - "$out" "$cpu" "$features" "$threads" "$candle" "$llama" <<'PY'
import json, sys
out, cpu, features, threads, candle, llama = sys.argv[1:]
candle, llama = json.loads(candle), json.loads(llama)
report = {
    "cpu": {"model": cpu, "features": features.split(), "threads": int(threads)},
    "candle": candle,
    "llamaCpp": llama,
    "candleOverLlamaCpp": {
        "promptProcessing": candle["promptTokensPerSecond"] / llama["promptTokensPerSecond"],
        "generation": candle["generationTokensPerSecond"] / llama["generationTokensPerSecond"],
    },
}
open(out, "w").write(json.dumps(report, indent=2) + "\n")
print(json.dumps(report, indent=2))
PY
echo "# written to $out" >&2
