// Three validators (Alice, Bob, Charlie) from the committed raw chain spec, each on its
// own loopback address and on the fixed TCP and WebSocket ports the spec's bootnodes name:
// with no `--bootnodes` flag they find each other through the spec alone, peer, author in
// turn and finalize together. A smoldot light client then syncs from the spec with only its
// WebSocket bootnodes (what a browser can dial), follows finality, reads a custom runtime
// API and broadcasts a transfer. Each validator is also an inference worker (its `infr` key
// in its own node, its own empty model store): the model's files are published by the test
// on a loopback web server, each node fetches and verifies them and marks its worker ready,
// then a job with 3 replicas reaches agreement through the three off-chain workers. The
// validators then also serve SmolLM2-135M-Instruct (fetched the same way): a verified chat
// generation settles with one validator generating and the other two verifying. With
// Charlie's node stopped, the next job still completes with Alice and Bob, and Charlie is
// slashed as a no-show.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/api';
import { hexToU8a } from '@polkadot/util';
import { randomAsHex } from '@polkadot/util-crypto';
import { startNode, runNodeCommand, waitFor, rpcCall, REPO_ROOT, tail, assertPortsFree } from './lib/node.mjs';
import { submitOk, eventsOf, UNIT, MILLI } from './lib/chain.mjs';
import { fixture, MINILM_DIR } from './lib/minilm.mjs';
import { smollmModel, SMOLLM_DIR } from './lib/smollm.mjs';
import { serveFiles } from './lib/file-server.mjs';
import { approvedModelWithWorker, waitUntilReady } from './lib/jobs.mjs';
import { protocolParameters, mulFloor } from './lib/params.mjs';
import { startLightClient, withBootnodes, isWsAddress } from './lib/light-client.mjs';

const SPEC = join(REPO_ROOT, 'chain-specs', 'local.raw.json');
const GENESIS_HASH = readFileSync(join(REPO_ROOT, 'chain-specs', 'local.genesis-hash'), 'utf8').trim();
// The local topology the committed spec's bootnodes describe (node/src/chain_spec.rs):
// validator i on 127.0.0.(i+1), TCP port 30333 + i, WebSocket port 30433 + i.
const VALIDATORS = [
  { name: 'alice', host: '127.0.0.1', tcpPort: 30333, wsPort: 30433 },
  { name: 'bob', host: '127.0.0.2', tcpPort: 30334, wsPort: 30434 },
  { name: 'charlie', host: '127.0.0.3', tcpPort: 30335, wsPort: 30435 }
];

let nodes = [];
let keyDir;
let light;

/** The libp2p peer id of a node-key file. */
function peerId (keyFile) {
  const out = runNodeCommand(['key', 'inspect-node-key', '--file', keyFile]);
  assert.equal(out.code, 0, out.stderr);
  return out.stdout.trim();
}

before(async () => {
  await assertPortsFree(VALIDATORS.flatMap(({ host, tcpPort, wsPort }) => [{ host, port: tcpPort }, { host, port: wsPort }]),
    'the validators must listen where chain-specs/local.raw.json\'s bootnodes say; ' +
    'stop whatever holds them (scripts/local-network stop, docker compose down, another test run)');
  keyDir = mkdtempSync(join(tmpdir(), 'infera-nodekeys-'));
  // Fixed, well-known node keys (like //Alice): local networks only.
  VALIDATORS.forEach((v, i) => {
    v.keyFile = join(keyDir, v.name);
    writeFileSync(v.keyFile, String(i + 1).padStart(64, '0'));
    v.peerId = peerId(v.keyFile);
  });

  // No --bootnodes: the committed spec's are all they get.
  for (const v of VALIDATORS) {
    nodes.push(await startNode({
      name: v.name,
      host: v.host,
      listenAddrs: [`/ip4/${v.host}/tcp/${v.tcpPort}`, `/ip4/${v.host}/tcp/${v.wsPort}/ws`],
      args: ['--chain', SPEC, `--${v.name}`, '--node-key-file', v.keyFile],
      modelStore: true
    }));
  }
});

after(async () => {
  if (light) await light.terminate().catch(() => {});
  for (const n of nodes) await n.stop();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

test('the committed spec names every validator as a TCP and a WebSocket bootnode', () => {
  const { bootNodes } = JSON.parse(readFileSync(SPEC, 'utf8'));
  const expected = VALIDATORS.flatMap(({ host, tcpPort, wsPort, peerId }) => [
    `/ip4/${host}/tcp/${tcpPort}/p2p/${peerId}`,
    `/ip4/${host}/tcp/${wsPort}/ws/p2p/${peerId}`
  ]);
  assert.deepEqual([...bootNodes].sort(), expected.sort());
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

/** The full node's finalized block number. */
async function finalizedNumber (node) {
  const head = await rpcCall(node.rpcPort, 'chain_getFinalizedHead');
  return parseInt((await rpcCall(node.rpcPort, 'chain_getHeader', [head])).number, 16);
}

test('a smoldot light client syncs from the spec\'s WebSocket bootnodes alone, follows finality, reads a runtime API and broadcasts a transfer', { timeout: 600_000 }, async (t) => {
  const specText = readFileSync(SPEC, 'utf8');
  const committed = JSON.parse(specText).bootNodes;
  assert.ok(committed.some(isWsAddress) && committed.some((a) => !isWsAddress(a)), `TCP and WebSocket bootnodes in ${committed}`);
  const [alice, bob, charlie] = nodes;
  const api = alice.apis[0];
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const [aliceKey, eve] = ['//Alice', '//Eve'].map((uri) => keyring.addFromUri(uri));

  // Nothing is in the registry at genesis: Eve registers a model for the light client to
  // read back through ModelRegistryApi (while it syncs).
  const registered = submitOk(api, api.tx.modelRegistry.registerModel('light-client-probe', 'TextEmbedding', 'Apache-2.0', MILLI, null, [], {
    format: 'Safetensors', weights: randomAsHex(32), tokenizer: randomAsHex(32), config: randomAsHex(32), sizeBytes: 1000,
    location: { url: 'file:///models/light-client-probe', cid: null }
  }), eve);
  registered.catch(() => {}); // awaited below; a failure then fails the test

  // Only the WebSocket bootnodes, and no TCP at all (as in a browser): nothing but the spec.
  const target = await finalizedNumber(alice);
  const startedAt = Date.now();
  light = await startLightClient({ chainSpec: withBootnodes(specText, isWsAddress), forbidTcp: true });
  const follow = await light.follow();
  assert.ok(!light.warnings().some((w) => /empty list of bootnodes/.test(w)), light.warnings().join('\n'));

  // Synced: its finalized block reaches what the full nodes had finalized, on their chain.
  const synced = await follow.waitFinalized((b) => b.number >= target, 240_000);
  assert.equal(synced.hash, await rpcCall(bob.rpcPort, 'chain_getBlockHash', [synced.number]), `light client's #${synced.number}`);
  t.diagnostic(`light client finalized #${synced.number} (full nodes had #${target}) ${((Date.now() - startedAt) / 1000).toFixed(1)} s after start`);

  // Follows finality: a newer finalized block arrives, the full nodes' one at that height.
  const later = await follow.waitFinalized((b) => b.number > synced.number, 120_000);
  assert.equal(later.hash, await rpcCall(charlie.rpcPort, 'chain_getBlockHash', [later.number]), `light client's #${later.number}`);

  // A custom runtime API through chainHead_v1_call, at a finalized block holding the model;
  // the same bytes as a full node's state_call at that block.
  const { events } = await registered;
  const modelId = eventsOf(events, 'modelRegistry', 'ModelRegistered')[0].modelId.toNumber();
  const model = api.call.modelRegistryApi.model;
  await waitFor(`model ${modelId} in a block Alice finalized`, async () =>
    (await (await api.at(await api.rpc.chain.getFinalizedHead())).call.modelRegistryApi.model(modelId)).isSome, 120_000, 1000);
  const holding = await finalizedNumber(alice);
  const at = await follow.waitFinalized((b) => b.number >= holding, 120_000);
  const args = api.createType(model.meta.params[0].type, modelId).toHex();
  const viaLight = await follow.call(at.hash, 'ModelRegistryApi_model', args);
  assert.equal(viaLight, await rpcCall(bob.rpcPort, 'state_call', ['ModelRegistryApi_model', args, at.hash]));
  const details = api.createType(model.meta.type, hexToU8a(viaLight)); // bytes: a hex string would be read as the Some value
  assert.ok(details.isSome, `model ${modelId} at #${at.number}`);
  assert.equal(details.unwrap().name.toUtf8(), 'light-client-probe');
  assert.equal(details.unwrap().owner.toString(), eve.address);

  // A transfer signed here, sent only through the light client (transaction_v1_broadcast):
  // every full node sees it included.
  const dest = keyring.addFromUri('//LightClientDestination');
  const amount = 10n * UNIT;
  const signed = await api.tx.balances.transferKeepAlive(dest.address, amount).signAsync(aliceKey, { nonce: -1 });
  const sentAt = Date.now();
  const operation = await light.request('transaction_v1_broadcast', [signed.toHex()]);
  assert.equal(typeof operation, 'string', `transaction_v1_broadcast answered ${operation}`);
  for (const n of nodes) {
    await waitFor(`${n.name} to see the transfer`, async () =>
      (await n.apis[0].query.system.account(dest.address)).data.free.toBigInt() === amount, 120_000, 1000)
      .catch((e) => { throw new Error(`${e.message}\n${light.logTail()}`); });
  }
  t.diagnostic(`transfer ${signed.hash.toHex()} included ${((Date.now() - sentAt) / 1000).toFixed(1)} s after the broadcast`);
  await light.request('transaction_v1_stop', [operation]).catch((e) => t.diagnostic(`transaction_v1_stop: ${e.message}`));

  t.diagnostic(`${follow.stops} follow subscription(s) renewed; smoldot warnings: ${light.warnings().join(' | ') || 'none'}`);
  const finished = light;
  light = undefined;
  await finished.terminate();
});

const PRICE = 2n * MILLI;

/**
 * Resolves with the JobClosed record of `jobId` seen on `api`'s best chain. The head
 * subscription ends with the promise, and a head whose events cannot be read (the node
 * going away) rejects it rather than leaving a query running after the test.
 */
function closedJob (api, jobId, timeoutMs) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    let done = false;
    const finish = (settle, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (unsubscribe) unsubscribe();
      settle(value);
    };
    const timer = setTimeout(() => finish(reject, new Error(`job ${jobId} did not close in ${timeoutMs} ms`)), timeoutMs);
    api.rpc.chain.subscribeNewHeads(async (header) => {
      if (done) return;
      try {
        const events = await (await api.at(header.hash)).query.system.events();
        const hit = events.find(({ event }) => api.events.computeJobs.JobClosed.is(event) && event.data.jobId.toNumber() === jobId);
        if (hit) finish(resolve, { number: header.number.toNumber(), closed: hit.event.data, events });
      } catch (e) {
        finish(reject, e);
      }
    }).then((unsub) => {
      unsubscribe = unsub;
      if (done) unsub();
    }, (e) => finish(reject, e));
  });
}

test('each validator is a worker: a 3-replica job agrees, a verified generation settles, then a stopped worker is a no-show', { timeout: 900_000 }, async () => {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const uris = ['//Alice', '//Bob', '//Charlie', '//Dave'];
  const [alice, bob, charlie, dave] = uris.map((uri) => keyring.addFromUri(uri));
  const workers = [alice, bob, charlie];
  const api = nodes[0].apis[0];
  // Alice publishes her model's files on the web and registers it with that URL, approved
  // through sudo; each validator's node holds its worker key, fetches the files into its
  // own store and marks its worker ready.
  const web = await serveFiles(MINILM_DIR, { prefix: '/minilm' });
  let modelId, bond;
  try {
    ({ modelId, bond } = await approvedModelWithWorker(api, {
      owner: alice,
      sudo: alice,
      price: PRICE,
      location: { url: web.url, cid: null },
      workers: workers.map((key, i) => ({ key, keystore: { rpcPort: nodes[i].rpcPort, suri: uris[i] } })),
      capacity: 2
    }));
  } finally {
    await web.close();
  }
  const fetched = web.requests.filter((r) => r.method === 'GET' && r.url.endsWith('/model.safetensors'));
  assert.equal(fetched.length, 3, 'each node fetches the weights once');
  const { workerFee, noShowSlash } = await protocolParameters(api);

  /** Dave's 3-replica job on `sentence`, closed as completed: its JobClosed record. */
  const completedJob = async (sentence, timeoutMs) => {
    const submitted = await submitOk(api, api.tx.computeJobs.submitJob({ Model: { modelId, version: null, maxPrice: PRICE } },
      { Inline: sentence }, 20n * MILLI, 3, 60), dave);
    const jobId = eventsOf(submitted.events, 'computeJobs', 'JobSubmitted')[0].jobId.toNumber();
    const record = await closedJob(api, jobId, timeoutMs);
    assert.equal(record.closed.reason.toString(), 'Completed');
    return record;
  };

  // All three run it and agree.
  const agreed = await completedJob(fixture.sentences[1], 300_000);
  const [settled] = eventsOf(agreed.events, 'computeJobs', 'JobSettled');
  assert.equal(settled.workersPaid.toBigInt(), 3n * workerFee, 'three agreeing workers paid');

  // The validators also serve SmolLM2: each fetches the GGUF from the web, verifies and
  // loads it; one generates a chat reply and the other two verify it in one pass each.
  const swapped = JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'smollm-swapped.json'), 'utf8'));
  const smollmWeb = await serveFiles(SMOLLM_DIR, { prefix: '/smollm' });
  let smollmId;
  try {
    const model = smollmModel({ url: smollmWeb.url, cid: null });
    const registered = await submitOk(api, api.tx.modelRegistry.registerModel(
      model.name, model.task, 'Apache-2.0', PRICE, null, [], model.artifacts), alice);
    smollmId = eventsOf(registered.events, 'modelRegistry', 'ModelRegistered')[0].modelId.toNumber();
    await submitOk(api, api.tx.sudo.sudo(api.tx.modelRegistry.approveVersion(smollmId, 1)), alice);
    for (const key of workers) await submitOk(api, api.tx.computeJobs.setServedModels([modelId, smollmId], 2), key);
    for (const key of workers) await waitUntilReady(api, key.address, smollmId, 1);
  } finally {
    await smollmWeb.close();
  }
  const maxNewTokens = swapped.maxNewTokens;
  const estimate = await rpcCall(nodes[0].rpcPort, 'infera_estimateFee', [{ modelId: smollmId }, 3, null, { maxNewTokens, verify: true }]);
  const generation = await submitOk(api, api.tx.computeJobs.submitGeneration(
    { Model: { modelId: smollmId, version: null, maxPrice: PRICE } }, JSON.stringify([{ role: 'user', content: swapped.prompt }]),
    { maxNewTokens, temperature: 0, check: 'Verify' }, BigInt(estimate.minMaxFee), 3, 60), dave);
  const generationId = eventsOf(generation.events, 'computeJobs', 'JobSubmitted')[0].jobId.toNumber();
  const verified = await closedJob(api, generationId, 300_000);
  assert.equal(verified.closed.reason.toString(), 'Completed');
  const generated = await rpcCall(nodes[0].rpcPort, 'infera_job', [generationId]);
  assert.deepEqual(generated.result.tokens, swapped.honestTokens, 'the reply the engine test records');
  assert.equal(generated.generation.check, 'verify');
  const [verifiedPaid] = eventsOf(verified.events, 'computeJobs', 'JobSettled');
  assert.equal(verifiedPaid.workersPaid.toBigInt(), BigInt(estimate.workerFees), 'the generator and two verifiers paid');

  // Charlie's node goes down; the next job still completes with Alice and Bob.
  const stopped = nodes.pop();
  const { code } = await stopped.stop();
  assert.equal(code, 0);
  const partial = await completedJob(fixture.sentences[2], 420_000);
  const [paid] = eventsOf(partial.events, 'computeJobs', 'JobSettled');
  assert.equal(paid.workersPaid.toBigInt(), 2n * workerFee, 'two agreeing workers paid');
  const [slash] = eventsOf(partial.events, 'computeJobs', 'WorkerSlashed');
  assert.equal(slash.worker.toString(), charlie.address);
  assert.equal(slash.reason.toString(), 'NoShow');
  assert.equal(slash.amount.toBigInt(), mulFloor(noShowSlash, bond), 'NoShowSlash of the bond');
});

test('all validators shut down cleanly', async () => {
  for (const n of nodes) {
    const { code, signal, log } = await n.stop();
    assert.equal(signal, null, tail(log));
    assert.equal(code, 0, tail(log));
  }
  nodes = [];
});
