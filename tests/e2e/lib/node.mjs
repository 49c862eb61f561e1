// Starts and stops real `infera-node` processes for end-to-end tests.
//
// Every node gets free loopback ports (unless the caller fixes its p2p listen addresses) and
// a fresh temporary base path; its output goes to `<base>/node.log`, printed when a test
// fails. `stop()` sends SIGINT and reports the exit code, so tests can assert a clean
// shutdown.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, openSync, readFileSync, writeFileSync, existsSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiPromise, WsProvider } from '@polkadot/api';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The cargo target directory: $CARGO_TARGET_DIR, else the project's default cache. */
export function targetDir () {
  return process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'infera', 'target');
}

/** Path of the node binary: $INFERA_NODE, else the release build in the target directory. */
export function nodeBinary () {
  if (process.env.INFERA_NODE) return process.env.INFERA_NODE;
  const bin = join(targetDir(), 'release', 'infera-node');
  if (!existsSync(bin)) {
    throw new Error(`infera-node not found at ${bin}: run \`cargo build --release -p infera-node\` or set INFERA_NODE`);
  }
  return bin;
}

/**
 * Binds `host:port` exclusively (port 0: any free port) and releases it again: resolves
 * to { port } with the port bound, or { error } when it could not be bound.
 */
function probePort (port, host) {
  return new Promise((resolveProbe) => {
    const server = createServer();
    server.unref();
    server.once('error', (error) => resolveProbe({ error }));
    server.listen({ port, host, exclusive: true }, () => {
      const bound = server.address().port;
      server.close(() => resolveProbe({ port: bound }));
    });
  });
}

/** A TCP port that was free a moment ago on `host`. */
export async function freePort (host = '127.0.0.1') {
  const { port, error } = await probePort(0, host);
  if (error) throw error;
  return port;
}

/** Whether a TCP listener could bind `host:port` now (false while anything, on any address, holds it). */
export async function isPortFree (port, host = '127.0.0.1') {
  return (await probePort(port, host)).error === undefined;
}

/**
 * Fails with one message naming every `{ host, port }` of `addresses` that is taken, and
 * `hint` (what probably holds them).
 */
export async function assertPortsFree (addresses, hint = '') {
  const taken = [];
  for (const { host, port } of addresses) if (!(await isPortFree(port, host))) taken.push(`${host}:${port}`);
  if (taken.length) throw new Error(`port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} already in use${hint ? `: ${hint}` : ''}`);
}

/** The TCP port of a multiaddress like `/ip4/127.0.0.1/tcp/30333` or `/ip4/…/tcp/30433/ws`. */
export function tcpPortOf (multiaddr) {
  const m = multiaddr.match(/\/tcp\/(\d+)/);
  if (!m) throw new Error(`no /tcp/ port in ${multiaddr}`);
  return Number(m[1]);
}

/** Runs the node binary to completion (for subcommands and bad-input checks). */
export function runNodeCommand (args, opts = {}) {
  // A chain spec carries the runtime Wasm as hex: well over spawnSync's 1 MiB default buffer.
  const out = spawnSync(nodeBinary(), args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024, ...opts });
  return { code: out.status, signal: out.signal, stdout: out.stdout, stderr: out.stderr };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor (what, check, timeoutMs = 60_000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
}

const running = new Set();
process.on('exit', () => { for (const n of running) n.child.kill('SIGKILL'); });

/**
 * Starts a node. `args` are extra CLI arguments; ports and base path are added here.
 * The node listens for peers on one free TCP port on `host`, or, with `listenAddrs`, on
 * exactly those multiaddresses (one `--listen-addr` each; `p2pPort` is then the first
 * one's TCP port). With `modelStore` the node's inference service keeps the model files it
 * fetches in `<base>/models` (`--model-dir`), removed with the base path.
 * Returns { rpcUrl, rpcPort, p2pPort, promPort, basePath, log(), api(), stop() }.
 */
export async function startNode ({ args = [], host = '127.0.0.1', name = 'node', keepBasePath = false, listenAddrs, modelStore = false } = {}) {
  if (listenAddrs !== undefined && listenAddrs.length === 0) throw new Error('listenAddrs must name at least one address');
  const basePath = mkdtempSync(join(tmpdir(), `infera-${name}-`));
  const rpcPort = await freePort();
  const p2pPort = listenAddrs ? tcpPortOf(listenAddrs[0]) : await freePort(host);
  const listen = listenAddrs ?? [`/ip4/${host}/tcp/${p2pPort}`];
  const promPort = await freePort();
  const logPath = join(basePath, 'node.log');
  const logFd = openSync(logPath, 'a');
  const fullArgs = [
    '--base-path', basePath,
    '--rpc-port', String(rpcPort),
    ...listen.flatMap((address) => ['--listen-addr', address]),
    '--prometheus-port', String(promPort),
    '--no-telemetry',
    '--no-mdns',
    '--name', name,
    ...(modelStore ? ['--model-dir', join(basePath, 'models')] : []),
    ...args
  ];
  const child = spawn(nodeBinary(), fullArgs, { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const node = {
    name, child, basePath, rpcPort, p2pPort, promPort, host, exited,
    rpcUrl: `ws://127.0.0.1:${rpcPort}`,
    log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''),
    apis: [],
    async api () {
      const provider = new WsProvider(node.rpcUrl, 1000, {}, 60_000);
      const api = await ApiPromise.create({ provider, throwOnConnect: false, noInitWarn: true });
      node.apis.push(api);
      return api;
    },
    /**
     * SIGINT, then { code, signal, log }; SIGKILL after `graceMs`. Removes the base path.
     * With `exportStateAs` and $INFERA_STATE_DIR set, first writes the node's final state
     * as a raw chain spec to `$INFERA_STATE_DIR/<exportStateAs>.json`: the input of the
     * runtime's try-state test (runtime/tests/try_state.rs).
     */
    async stop (graceMs = 30_000, { exportStateAs } = {}) {
      for (const api of node.apis) await api.disconnect().catch(() => {});
      node.apis = [];
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const status = await exited;
      clearTimeout(timer);
      running.delete(node);
      const log = node.log();
      if (exportStateAs && process.env.INFERA_STATE_DIR) exportState(basePath, args, join(process.env.INFERA_STATE_DIR, `${exportStateAs}.json`));
      if (!keepBasePath) rmSync(basePath, { recursive: true, force: true });
      return { ...status, log };
    }
  };
  running.add(node);
  try {
    await waitFor(`${name} RPC on ${node.rpcUrl}`, async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${tail(node.log())}`);
      return rpcCall(node.rpcPort, 'system_health').then(() => true);
    }, 120_000, 500);
  } catch (e) {
    await node.stop(5_000);
    throw e;
  }
  return node;
}

/** Writes the best block's state of the stopped node at `basePath` as a raw chain spec to `file`. */
function exportState (basePath, nodeArgs, file) {
  const chainAt = nodeArgs.indexOf('--chain');
  const chain = nodeArgs.includes('--dev') ? ['--dev'] : chainAt >= 0 ? ['--chain', nodeArgs[chainAt + 1]] : [];
  const out = runNodeCommand(['export-state', ...chain, '--base-path', basePath]);
  if (out.code !== 0) throw new Error(`export-state failed (${out.code}):\n${tail(out.stderr)}`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, out.stdout);
}

/** The last `n` lines of a log. */
export function tail (text, n = 40) {
  return text.split('\n').slice(-n).join('\n');
}

/** A plain JSON-RPC request over HTTP; resolves to the whole response ({ result } or { error }). */
export async function rpcRequest (port, method, params = []) {
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
  });
  return res.json();
}

/** A plain JSON-RPC call over HTTP (the RPC server answers both HTTP and WebSocket). */
export async function rpcCall (port, method, params = []) {
  const body = await rpcRequest(port, method, params);
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}
