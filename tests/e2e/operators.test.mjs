// What operators deploy: docker/compose.yml and docker/Dockerfile. There is no Docker
// engine on the test machine, so this checks what can be checked without one: every
// node key in the compose file gives the peer id its bootnode addresses name, every node
// listens on TCP and WebSocket and runs the committed chain spec, whose bootnodes are the
// validators' node keys at their local-topology addresses, and the files the Dockerfile
// copies exist. The same topology then runs natively through scripts/local-network, its
// nodes finding each other through the spec's bootnodes alone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { runNodeCommand, nodeBinary, freePort, waitFor, rpcCall, rpcRequest, REPO_ROOT, assertPortsFree, isPortFree } from './lib/node.mjs';

const compose = readFileSync(join(REPO_ROOT, 'docker', 'compose.yml'), 'utf8');

/** Each service's command lines, from the compose file's `command:` lists. */
function services () {
  const found = {};
  let inServices = false;
  let current;
  for (const line of compose.split('\n')) {
    if (/^\S/.test(line)) {
      inServices = line === 'services:';
      current = undefined;
    }
    const service = inServices && line.match(/^ {2}([a-z]+):\s*$/);
    if (service) current = found[service[1]] = [];
    const arg = line.match(/^ {6}- (--\S+)$/);
    if (arg && current) current.push(arg[1]);
  }
  return found;
}

function peerIdOf (hexKey) {
  const dir = mkdtempSync(join(tmpdir(), 'infera-compose-'));
  try {
    writeFileSync(join(dir, 'key'), hexKey);
    const out = runNodeCommand(['key', 'inspect-node-key', '--file', join(dir, 'key')]);
    assert.equal(out.code, 0, out.stderr);
    return out.stdout.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('compose runs three validators and an RPC node whose bootnode is Alice by her node key', () => {
  const all = services();
  assert.deepEqual(Object.keys(all).sort(), ['alice', 'bob', 'charlie', 'rpc']);
  const arg = (name, flag) => all[name].find((a) => a.startsWith(`--${flag}=`))?.split('=')[1];
  const alicePeer = peerIdOf(arg('alice', 'node-key'));
  const keys = new Set();
  for (const [name, args] of Object.entries(all)) {
    assert.equal(arg(name, 'chain'), '/usr/share/infera/chain-specs/local.raw.json', name);
    keys.add(arg(name, 'node-key'));
    if (name !== 'alice') assert.equal(arg(name, 'bootnodes'), `/dns/alice/tcp/30333/p2p/${alicePeer}`, name);
    if (name !== 'rpc') assert.ok(args.includes(`--${name}`), `${name} validates with its dev key`);
  }
  assert.equal(keys.size, 4, 'every node has its own network key');
  assert.ok(all.rpc.includes('--rpc-external') && all.rpc.includes('--rpc-methods=safe'));
});

test('every compose node listens on TCP and on WebSocket; Alice publishes both ports', () => {
  const all = services();
  for (const [name, args] of Object.entries(all)) {
    const listen = args.filter((a) => a.startsWith('--listen-addr=')).map((a) => a.slice('--listen-addr='.length));
    assert.ok(listen.includes('/ip4/0.0.0.0/tcp/30333'), `${name} listens on TCP 30333: ${listen}`);
    assert.ok(listen.includes('/ip4/0.0.0.0/tcp/30433/ws'), `${name} listens on WebSocket 30433: ${listen}`);
    assert.ok(!args.some((a) => a.startsWith('--port=')), `${name}: --port cannot be combined with --listen-addr`);
  }
  assert.match(compose, /^ {6}- "30333:30333"$/m);
  assert.match(compose, /^ {6}- "30433:30433"$/m);
});

test('the committed local spec names each validator\'s node key as a TCP and a WebSocket bootnode', () => {
  const all = services();
  const arg = (name, flag) => all[name].find((a) => a.startsWith(`--${flag}=`))?.split('=')[1];
  const { bootNodes } = JSON.parse(readFileSync(join(REPO_ROOT, 'chain-specs', 'local.raw.json'), 'utf8'));
  const byPeer = new Map();
  for (const address of bootNodes) {
    const m = address.match(/^(.*)\/p2p\/(\w+)$/);
    assert.ok(m, `bootnode ${address} ends in /p2p/<peer id>`);
    byPeer.set(m[2], [...(byPeer.get(m[2]) ?? []), m[1]]);
  }
  // scripts/local-network's topology: validator i on 127.0.0.(i+1), TCP 30333 + i, WS 30433 + i.
  const validators = ['alice', 'bob', 'charlie'];
  const expectedPeers = validators.map((name) => peerIdOf(arg(name, 'node-key')));
  assert.deepEqual([...byPeer.keys()].sort(), [...expectedPeers].sort(), 'bootnode peer ids = the validators\' node keys');
  validators.forEach((name, i) => {
    const addresses = byPeer.get(expectedPeers[i]).sort();
    assert.deepEqual(addresses, [`/ip4/127.0.0.${i + 1}/tcp/${30333 + i}`, `/ip4/127.0.0.${i + 1}/tcp/${30433 + i}/ws`], name);
  });
  // The script listens where the spec points.
  const script = readFileSync(join(REPO_ROOT, 'scripts', 'local-network'), 'utf8');
  assert.match(script, /^tcp_base=30333$/m);
  assert.match(script, /^ws_base=30433$/m);
  assert.doesNotMatch(script, /--bootnodes "/, 'scripts/local-network relies on the spec\'s bootnodes');
});

test('the Dockerfile copies files that exist and runs as a non-root user', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'docker', 'Dockerfile'), 'utf8');
  assert.ok(existsSync(join(REPO_ROOT, 'chain-specs', 'local.raw.json')));
  assert.match(dockerfile, /^COPY chain-specs\/ /m);
  assert.match(dockerfile, /^USER infera$/m);
  assert.match(dockerfile, /^VOLUME \["\/data"\]$/m);
  assert.match(dockerfile, /^EXPOSE 30333 30433 9944 9615$/m);
  assert.match(dockerfile, /^HEALTHCHECK /m);
});

test('scripts/local-network runs the same topology natively: the RPC node follows the validators', { timeout: 240_000 }, async () => {
  // The p2p ports are the spec's (fixed); only JSON-RPC and Prometheus move.
  await assertPortsFree([0, 1, 2, 3].flatMap((i) => [{ host: `127.0.0.${i + 1}`, port: 30333 + i }, { host: `127.0.0.${i + 1}`, port: 30433 + i }]),
    'scripts/local-network listens there; stop whatever holds them (scripts/local-network stop, docker compose down)');
  const dir = mkdtempSync(join(tmpdir(), 'infera-localnet-'));
  const [rpcBase, promBase] = [await freeRange(4), await freeRange(4)];
  const env = { ...process.env, INFERA_NODE: nodeBinary(), RPC_PORT_BASE: String(rpcBase), PROM_PORT_BASE: String(promBase) };
  delete env.P2P_PORT_BASE;
  const script = join(REPO_ROOT, 'scripts', 'local-network');
  const run = (command) => spawnSync('bash', [script, command, dir], { env, encoding: 'utf8', timeout: 60_000 });
  try {
    const started = run('start');
    assert.equal(started.status, 0, started.stderr);
    const rpcPort = rpcBase + 3;
    // No node was given --bootnodes: they meet through the spec's.
    await waitFor('the RPC node to peer with the three validators', async () =>
      (await rpcCall(rpcPort, 'system_health')).peers >= 3, 90_000, 1000);
    for (const i of [0, 1, 2]) {
      await waitFor(`validator ${i} to peer with the other two and the RPC node`, async () =>
        (await rpcCall(rpcBase + i, 'system_health')).peers >= 3, 90_000, 1000);
    }
    await waitFor('the RPC node to see block #3 finalized', async () => {
      const head = await rpcCall(rpcPort, 'chain_getFinalizedHead');
      return parseInt((await rpcCall(rpcPort, 'chain_getHeader', [head])).number, 16) >= 3;
    }, 120_000, 1000);
    assert.equal(await rpcCall(rpcPort, 'system_name'), 'Infera Node');
    assert.equal((await rpcCall(rpcPort, 'system_nodeRoles'))[0], 'Full');
    assert.equal((await rpcCall(rpcBase, 'system_nodeRoles'))[0], 'Authority');
    // The RPC node refuses unsafe methods.
    const unsafe = await rpcRequest(rpcPort, 'author_insertKey', ['infr', '//Eve', '0x00']);
    assert.ok(unsafe.error, 'author_insertKey must be refused on the RPC node');
  } finally {
    const stopped = run('stop');
    assert.equal(stopped.status, 0, stopped.stderr);
    for (const name of ['alice', 'bob', 'charlie', 'rpc']) assert.ok(!existsSync(join(dir, `${name}.pid`)), name);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The first of `n` consecutive free loopback ports. */
async function freeRange (n) {
  for (;;) {
    const first = await freePort();
    const next = await Promise.all(Array.from({ length: n - 1 }, (_, i) => isPortFree(first + i + 1)));
    if (next.every(Boolean)) return first;
  }
}
