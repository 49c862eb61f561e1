// Three validators (Alice, Bob, Charlie) from the committed raw chain spec, each on its
// own loopback address: they peer with each other, author in turn and finalize together.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, runNodeCommand, waitFor, REPO_ROOT, tail } from './lib/node.mjs';

const SPEC = join(REPO_ROOT, 'chain-specs', 'local.raw.json');
const GENESIS_HASH = readFileSync(join(REPO_ROOT, 'chain-specs', 'local.genesis-hash'), 'utf8').trim();
const VALIDATORS = [
  { name: 'alice', host: '127.0.0.1' },
  { name: 'bob', host: '127.0.0.2' },
  { name: 'charlie', host: '127.0.0.3' }
];

let nodes = [];
let keyDir;

/** The libp2p peer id of a node-key file. */
function peerId (keyFile) {
  const out = runNodeCommand(['key', 'inspect-node-key', '--file', keyFile]);
  assert.equal(out.code, 0, out.stderr);
  return out.stdout.trim();
}

before(async () => {
  keyDir = mkdtempSync(join(tmpdir(), 'infera-nodekeys-'));
  // Fixed, well-known node keys (like //Alice): local networks only.
  VALIDATORS.forEach((v, i) => {
    v.keyFile = join(keyDir, v.name);
    writeFileSync(v.keyFile, String(i + 1).padStart(64, '0'));
    v.peerId = peerId(v.keyFile);
  });

  const [first, ...rest] = VALIDATORS;
  const boot = await startNode({
    name: first.name, host: first.host,
    args: ['--chain', SPEC, `--${first.name}`, '--node-key-file', first.keyFile]
  });
  nodes.push(boot);
  const bootnode = `/ip4/${first.host}/tcp/${boot.p2pPort}/p2p/${first.peerId}`;
  for (const v of rest) {
    nodes.push(await startNode({
      name: v.name, host: v.host,
      args: ['--chain', SPEC, `--${v.name}`, '--node-key-file', v.keyFile, '--bootnodes', bootnode]
    }));
  }
});

after(async () => {
  for (const n of nodes) await n.stop();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

test('every node runs the committed genesis', async () => {
  for (const n of nodes) {
    const api = await n.api();
    assert.equal((await api.rpc.chain.getBlockHash(0)).toHex(), GENESIS_HASH, n.name);
    assert.equal((await api.rpc.system.chain()).toString(), 'Infera Local Testnet');
    assert.equal((await api.query.blockTime.slotDurationMillis()).toNumber(), 6000);
  }
});

test('all three validators peer with each other', async () => {
  for (const n of nodes) {
    const api = n.apis[0];
    await waitFor(`${n.name} to see 2 peers`, async () => (await api.rpc.system.health()).peers.toNumber() >= 2, 90_000, 1000)
      .catch((e) => { throw new Error(`${e.message}\n${tail(n.log())}`); });
    const peers = (await api.rpc.system.peers()).map((p) => p.peerId.toString());
    const others = VALIDATORS.filter((v) => v.name !== n.name).map((v) => v.peerId);
    for (const id of others) assert.ok(peers.includes(id), `${n.name} peers ${peers} lack ${id}`);
  }
});

test('the validators author in turn and finalize the same chain', async () => {
  const api = nodes[0].apis[0];
  const target = 4;
  for (const n of nodes) {
    await waitFor(`${n.name} to finalize #${target}`, async () => {
      const a = n.apis[0];
      const fin = await a.rpc.chain.getHeader(await a.rpc.chain.getFinalizedHead());
      return fin.number.toNumber() >= target;
    }, 180_000, 1000).catch((e) => { throw new Error(`${e.message}\n${tail(n.log())}`); });
  }
  // Same finalized block at every height on every node.
  for (let h = 1; h <= target; h++) {
    const hashes = await Promise.all(nodes.map((n) => n.apis[0].rpc.chain.getBlockHash(h)));
    assert.equal(new Set(hashes.map((x) => x.toHex())).size, 1, `fork at #${h}`);
  }
  // Aura rotates: more than one validator authored blocks 1..target.
  const authorities = (await api.query.aura.authorities()).map((a) => a.toString());
  const authors = new Set();
  for (let h = 1; h <= target; h++) {
    const header = await api.rpc.chain.getHeader(await api.rpc.chain.getBlockHash(h));
    const preRuntime = header.digest.logs.find((l) => l.isPreRuntime).asPreRuntime;
    const slot = api.createType('u64', preRuntime[1]).toBigInt();
    authors.add(authorities[Number(slot % BigInt(authorities.length))]);
  }
  assert.ok(authors.size >= 2, `only ${[...authors]} authored`);
});

test('all validators shut down cleanly', async () => {
  for (const n of nodes) {
    const { code, signal, log } = await n.stop();
    assert.equal(signal, null, tail(log));
    assert.equal(code, 0, tail(log));
  }
  nodes = [];
});
