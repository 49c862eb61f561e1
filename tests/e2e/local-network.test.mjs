// Three validators (Alice, Bob, Charlie) from the committed raw chain spec, each on its
// own loopback address: they peer with each other, author in turn and finalize together.
// Each validator is also an inference worker (its `infr` key in its own node): a job with
// 3 replicas reaches agreement through the three off-chain workers; with Charlie's node
// stopped, the next job still completes with Alice and Bob, and Charlie is slashed as a
// no-show.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { startNode, runNodeCommand, waitFor, rpcCall, REPO_ROOT, tail } from './lib/node.mjs';
import { submit, eventsOf } from './lib/chain.mjs';
import { fixture, minilmArtifacts } from './lib/minilm.mjs';

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
  // BABE spreads slots by VRF: more than one validator authored blocks 1..12 (all by one
  // would happen with probability about 3 × (1/3)^12). Each block's BABE pre-digest is an
  // enum (primary, secondary plain, secondary VRF) whose variants start with the author's
  // index in the authority set, a little-endian u32.
  const authorities = (await api.query.babe.authorities()).map(([id]) => id.toString());
  assert.equal(authorities.length, 3);
  const span = 12;
  await waitFor(`best block #${span}`, async () => (await api.rpc.chain.getHeader()).number.toNumber() >= span, 180_000, 1000);
  const authors = new Set();
  for (let h = 1; h <= span; h++) {
    const header = await api.rpc.chain.getHeader(await api.rpc.chain.getBlockHash(h));
    const [engine, data] = header.digest.logs.find((l) => l.isPreRuntime).asPreRuntime;
    assert.equal(engine.toString(), 'BABE');
    const bytes = data.toU8a(true);
    authors.add(authorities[new DataView(bytes.buffer, bytes.byteOffset + 1, 4).getUint32(0, true)]);
  }
  assert.ok(authors.size >= 2, `only ${[...authors]} authored`);
});

const MILLI = 10n ** 9n;
const BOND = 200n * 10n ** 12n;

/** Resolves with the JobClosed record of `jobId` seen on `api`'s best chain. */
function closedJob (api, jobId, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`job ${jobId} did not close in ${timeoutMs} ms`)), timeoutMs);
    api.rpc.chain.subscribeNewHeads(async (header) => {
      const events = await (await api.at(header.hash)).query.system.events();
      const hit = events.find(({ event }) => api.events.computeJobs.JobClosed.is(event) && event.data.jobId.toNumber() === jobId);
      if (hit) {
        clearTimeout(timer);
        resolve({ number: header.number.toNumber(), closed: hit.event.data, events });
      }
    }).catch(reject);
  });
}

test('each validator is a worker: a 3-replica job agrees, then a stopped worker is a no-show', { timeout: 600_000 }, async () => {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const [alice, bob, charlie, dave] = ['//Alice', '//Bob', '//Charlie', '//Dave'].map((uri) => keyring.addFromUri(uri));
  const workers = [alice, bob, charlie];
  const api = nodes[0].apis[0];
  const reg = await submit(api, api.tx.modelRegistry.registerModel(
    'all-MiniLM-L6-v2', 'TextEmbedding', 'Apache-2.0', 2n * MILLI, null, [], minilmArtifacts()), alice);
  assert.equal(reg.error, null);
  const modelId = eventsOf(reg.events, 'modelRegistry', 'ModelRegistered')[0].modelId.toNumber();
  assert.equal((await submit(api, api.tx.sudo.sudo(api.tx.modelRegistry.approveVersion(modelId, 1)), alice)).error, null);
  for (const [i, worker] of workers.entries()) {
    await rpcCall(nodes[i].rpcPort, 'author_insertKey', ['infr', `//${VALIDATORS[i].name[0].toUpperCase()}${VALIDATORS[i].name.slice(1)}`, u8aToHex(worker.publicKey)]);
    assert.equal((await submit(api, api.tx.computeJobs.registerWorker(BOND, [modelId], 2), worker)).error, null);
  }

  // All three run it and agree.
  const first = await submit(api, api.tx.computeJobs.submitJob({ Model: { modelId, version: null, maxPrice: 2n * MILLI } },
    { Inline: fixture.sentences[1] }, 20n * MILLI, 3, 60), dave);
  assert.equal(first.error, null);
  const firstId = eventsOf(first.events, 'computeJobs', 'JobSubmitted')[0].jobId.toNumber();
  const agreed = await closedJob(api, firstId, 300_000);
  assert.equal(agreed.closed.reason.toString(), 'Completed');
  const [settled] = eventsOf(agreed.events, 'computeJobs', 'JobSettled');
  assert.equal(settled.workersPaid.toBigInt(), 3n * MILLI, 'three agreeing workers paid');

  // Charlie's node goes down; the next job still completes with Alice and Bob.
  const stopped = nodes.pop();
  const { code } = await stopped.stop();
  assert.equal(code, 0);
  const second = await submit(api, api.tx.computeJobs.submitJob({ Model: { modelId, version: null, maxPrice: 2n * MILLI } },
    { Inline: fixture.sentences[2] }, 20n * MILLI, 3, 60), dave);
  assert.equal(second.error, null);
  const secondId = eventsOf(second.events, 'computeJobs', 'JobSubmitted')[0].jobId.toNumber();
  const partial = await closedJob(api, secondId, 420_000);
  assert.equal(partial.closed.reason.toString(), 'Completed');
  const [paid] = eventsOf(partial.events, 'computeJobs', 'JobSettled');
  assert.equal(paid.workersPaid.toBigInt(), 2n * MILLI, 'two agreeing workers paid');
  const [slash] = eventsOf(partial.events, 'computeJobs', 'WorkerSlashed');
  assert.equal(slash.worker.toString(), charlie.address);
  assert.equal(slash.reason.toString(), 'NoShow');
  assert.equal(slash.amount.toBigInt(), BOND / 100n, '1 % of the bond');
});

test('all validators shut down cleanly', async () => {
  for (const n of nodes) {
    const { code, signal, log } = await n.stop();
    assert.equal(signal, null, tail(log));
    assert.equal(code, 0, tail(log));
  }
  nodes = [];
});
