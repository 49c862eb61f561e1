# Shared by the scripts in this folder: repository root, build cache, Wasm toolchain.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The build cache lives outside the checkout so fresh clones (and CI) reuse it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/infera/target}"
# substrate-wasm-builder looks for Cargo.lock above the target dir; point it at ours so
# the runtime Wasm is built with the locked dependency versions.
export WASM_BUILD_WORKSPACE_HINT="$ROOT"
NODE_BIN="$CARGO_TARGET_DIR/release/infera-node"
GATEWAY_BIN="$CARGO_TARGET_DIR/release/infera-gateway"
# Model files fetched by scripts/setup (all-MiniLM-L6-v2 lives in its own folder there).
export INFERA_MODELS="${INFERA_MODELS:-$HOME/.cache/infera/models}"
log() { printf '[%s] %s\n' "$(basename "$0")" "$*"; }

# Runs scripts/setup once per shell, then loads the Wasm toolchain variables it wrote.
ensure_setup() {
	if [ -z "${INFERA_SETUP_DONE:-}" ]; then
		bash "$ROOT/scripts/setup"
		export INFERA_SETUP_DONE=1
	fi
	# shellcheck source=/dev/null
	. "$ROOT/scripts/wasm-env.sh"
}

build_node() {
	log "building infera-node and infera-gateway (release; cache in $CARGO_TARGET_DIR)"
	local start=$SECONDS
	# With the runtime upgrade fixture (the same runtime, spec_version + 1) for the e2e test,
	# and the OpenAI-compatible gateway, which adds only its own crate: every dependency it
	# has is compiled for the node with the same features.
	(cd "$ROOT" && cargo build --release --locked -p infera-node -p infera-gateway -p infera-runtime-upgrade-fixture)
	log "build took $((SECONDS - start)) s"
}
