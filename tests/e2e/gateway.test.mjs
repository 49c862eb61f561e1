// infera-gateway end to end, driven by the official OpenAI Python client (PyPI `openai`,
// installed by scripts/setup): a `--dev` node where Alice registers and approves
// all-MiniLM-L6-v2 (served by Bob and Eve), SmolLM2-135M-Instruct (served by Dave) and
// "ghost", an embedding model whose only worker (Ferdie) never runs anything; the gateway
// signs as Charlie. Checked against the chain itself:
// - `models.list` is the registry's approved models with their price and owner;
// - embeddings (the client's default base64 and `float`, one text and a batch, a model by
//   name and `auto` under `max_price`) are the on-chain results divided by 127, and every
//   receipt names the job, its blocks, workers and fees as the chain recorded them;
// - a chat completion, plain and streamed, is the generated text on chain;
// - errors have OpenAI's shape and the documented status: unknown model 404, `max_fee`
//   below the quote 402, an unfunded requester 402, bad input 400, wrong task 400, a job
//   that expires on chain 504 — and the client does not retry the 504 (`x-should-retry`);
//   no API key 401, a body that is not JSON-typed 415;
// - 20 concurrent requests all settle, each in its own transaction with its own nonce.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, rpcCall, waitFor, freePort, targetDir, REPO_ROOT, tail } from './lib/node.mjs';
import { devAccounts, MILLI } from './lib/chain.mjs';
import { approvedModelWithWorker } from './lib/jobs.mjs';
import { fixture, minilmArtifacts } from './lib/minilm.mjs';
import { smollmModel } from './lib/smollm.mjs';

const PRICE = 2n * MILLI;
const API_KEY = 'e2e-secret';
const CONCURRENT = 20;

/** The gateway binary: $INFERA_GATEWAY, else the release build next to the node's. */
function gatewayBinary () {
  const bin = process.env.INFERA_GATEWAY ?? join(targetDir(), 'release', 'infera-gateway');
  if (!existsSync(bin)) throw new Error(`infera-gateway not found at ${bin}: run scripts/test or cargo build --release -p infera-gateway`);
  return bin;
}

/** The Python with the pinned `openai` package (scripts/setup). */
function openaiPython () {
  return process.env.INFERA_OPENAI_PYTHON ?? join(process.env.INFERA_OPENAI_VENV ?? join(homedir(), '.cache', 'infera', 'openai-venv'), 'bin', 'python');
}

let node;
let api;
let accounts;
const gateways = [];
const models = {};

/** Starts a gateway signing with `suri`; resolves once `/health` answers. */
async function startGateway (suri, name) {
  const port = await freePort();
  const logPath = join(mkdtempSync(join(tmpdir(), `infera-gateway-${name}-`)), 'gateway.log');
  const logFd = openSync(logPath, 'a');
  const child = spawn(gatewayBinary(), ['--node', `http://127.0.0.1:${node.rpcPort}`, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, INFERA_GATEWAY_SURI: suri, INFERA_GATEWAY_API_KEY: API_KEY }
  });
  closeSync(logFd);
  const gateway = { child, url: `http://127.0.0.1:${port}`, log: () => readFileSync(logPath, 'utf8') };
  gateways.push(gateway);
  await waitFor(`gateway ${name} to answer`, async () => (await fetch(`${gateway.url}/health`)).ok, 30_000);
  return gateway;
}

/** Runs `steps` through tests/e2e/openai_client.py against `gateway`; the outcomes in order. */
function openaiClient (gateway, steps) {
  const out = spawnSync(openaiPython(), [join(REPO_ROOT, 'tests', 'e2e', 'openai_client.py'), `${gateway.url}/v1`, API_KEY, JSON.stringify(steps)], {
    encoding: 'utf8', timeout: 540_000, maxBuffer: 64 * 1024 * 1024
  });
  if (out.status !== 0) throw new Error(`openai_client.py failed (${out.status} ${out.signal}):\n${out.stderr}\ngateway log:\n${tail(gateway.log())}`);
  return JSON.parse(out.stdout);
}

before(async () => {
  node = await startNode({ name: 'gateway', args: ['--dev'], modelStore: true });
  api = await node.api();
  accounts = devAccounts();
  const { alice, bob, dave, eve, ferdie } = accounts;
  const keystore = (suri) => ({ rpcPort: node.rpcPort, suri });
  ({ modelId: models.minilm } = await approvedModelWithWorker(api, {
    owner: alice, sudo: alice, price: PRICE,
    workers: [{ key: bob, keystore: keystore('//Bob') }, { key: eve, keystore: keystore('//Eve') }],
    capacity: 16
  }));
  ({ modelId: models.smollm } = await approvedModelWithWorker(api, {
    owner: alice, sudo: alice, price: PRICE, model: smollmModel(),
    workers: [{ key: dave, keystore: keystore('//Dave') }], capacity: 4
  }));
  // Ferdie is marked ready by hand and never runs anything: ghost's jobs expire.
  ({ modelId: models.ghost } = await approvedModelWithWorker(api, {
    owner: alice, sudo: alice, price: 3n * PRICE,
    model: { name: 'ghost', task: 'TextEmbedding', artifacts: { ...minilmArtifacts(), weights: `0x${'11'.repeat(32)}` } },
    workers: [{ key: ferdie }], capacity: 4
  }));
});

after(async () => {
  for (const gateway of gateways) gateway.child.kill('SIGTERM');
  if (node) await node.stop(undefined, { exportStateAs: 'gateway' });
});

/** `infera_job` of a receipt's job. */
const jobOf = (receipt) => rpcCall(node.rpcPort, 'infera_job', [receipt.jobId]);

/** Checks a receipt against the chain: the job, its closing block, workers and fee. */
async function assertReceipt (receipt, modelId) {
  const job = await jobOf(receipt);
  assert.equal(job.status, 'closed');
  assert.equal(job.closeReason, 'completed');
  assert.equal(receipt.closeReason, 'completed');
  assert.equal(job.modelId, modelId);
  assert.deepEqual(receipt.model, { id: modelId, version: job.version });
  assert.equal(job.requester, accounts.charlie.address);
  assert.equal(receipt.settled.number, job.closedAt);
  assert.equal(receipt.settled.hash, (await api.rpc.chain.getBlockHash(job.closedAt)).toHex());
  assert.equal(receipt.submitted.number, job.submittedAt);
  assert.equal(receipt.blocks, job.closedAt - job.submittedAt);
  assert.ok(receipt.workers.length >= 1 && receipt.agreeing.length >= 1, JSON.stringify(receipt));
  assert.deepEqual(receipt.slashed, []);
  const fee = Object.fromEntries(Object.entries(receipt.fee).map(([key, value]) => [key, BigInt(value)]));
  assert.equal(fee.paid, fee.escrowed - fee.refunded);
  assert.equal(fee.paid, fee.workers + fee.owner + fee.data + fee.treasury);
  assert.ok(fee.owner > 0n && fee.owner + fee.data <= BigInt(job.price), `owner ${fee.owner}, data ${fee.data}, price ${job.price}`);
  return job;
}

test('the OpenAI client gets the registry, on-chain embeddings and chat, and documented errors', async () => {
  const [gateway, broke] = [await startGateway('//Charlie', 'charlie'), await startGateway('//Nobody', 'nobody')];
  const sentences = fixture.sentences.slice(0, 3);
  const chat = { model: 'SmolLM2-135M-Instruct', messages: [{ role: 'user', content: 'What is the capital of France?' }], max_tokens: 8 };
  const steps = [
    // Started first and awaited last: its job expires on chain 23 blocks after submission.
    { op: 'embed', background: true, request: { model: 'ghost', input: 'nobody runs this', extra_body: { deadline_blocks: 23 } } },
    { op: 'models' },
    { op: 'embed', request: { model: 'all-MiniLM-L6-v2', input: sentences[0] } },
    { op: 'embed', request: { model: 'auto', input: sentences.slice(1), encoding_format: 'float', extra_body: { max_price: String(PRICE) } } },
    { op: 'chat', request: chat },
    { op: 'chat', request: { ...chat, stream: true } },
    { op: 'embed', request: { model: 'no-such-model', input: 'x' } },
    { op: 'embed', request: { model: 'all-MiniLM-L6-v2', input: 'x', extra_body: { max_fee: '1' } } },
    { op: 'embed', request: { model: 'all-MiniLM-L6-v2', input: '' } },
    { op: 'chat', request: { ...chat, model: 'all-MiniLM-L6-v2' } },
    { op: 'retrieve', model: 'all-MiniLM-L6-v2' },
    { op: 'retrieve', model: String(models.minilm) },
    { op: 'retrieve', model: 'no-such-model' }
  ];
  const [expired, listed, single, batch, completion, streamed, unknown, cheap, empty, wrongTask, byName, byId, missing] =
    openaiClient(gateway, steps);

  // models.retrieve: one model by name or by id, as the list has it (its usage has grown
  // since: the jobs above ran); 404 for no model.
  const entry = (model) => [model.id, model.object, model.created, model.owned_by, model.infera.modelId, model.infera.version, model.infera.price, model.infera.task];
  for (const retrieved of [byName, byId]) {
    assert.equal(retrieved.error, undefined, JSON.stringify(retrieved.error));
    assert.deepEqual(entry(retrieved), entry(listed.data.find((model) => model.infera.modelId === models.minilm)));
    assert.equal(retrieved.infera.usage.jobsCompleted, 3, 'the three embeddings above');
  }
  assert.equal(missing.error.status, 404);
  assert.equal(missing.error.body.code, 'model_not_found');

  // models.list: the approved models, as the registry has them.
  const registry = await rpcCall(node.rpcPort, 'infera_models', [null, 0, 100]);
  assert.deepEqual(
    listed.data.map((model) => [model.id, model.owned_by, model.infera.modelId, model.infera.price, model.infera.task]).sort(),
    registry.map((model) => [model.name, model.owner, model.id, model.price, model.task]).sort());
  for (const model of listed.data) {
    assert.equal(model.object, 'model');
    assert.ok(Math.abs(model.created - Date.now() / 1000) < 3600, `created ${model.created}`);
  }

  // Embeddings: the chain's values / 127, whichever encoding the client asked for.
  for (const [response, texts] of [[single, [sentences[0]]], [batch, sentences.slice(1)]]) {
    assert.equal(response.error, undefined, JSON.stringify(response.error));
    assert.equal(response.model, 'all-MiniLM-L6-v2');
    assert.deepEqual(response.data.map((entry) => entry.index), texts.map((_, index) => index));
    const receipts = response.infera.receipts;
    assert.equal(receipts.length, texts.length);
    for (const [index, receipt] of receipts.entries()) {
      const job = await assertReceipt(receipt, models.minilm);
      assert.equal(job.input.text, texts[index]);
      assert.equal(response.floats[index].length, job.result.values.length);
      assert.deepEqual(response.floats[index].map((value) => Math.round(value * 127)), job.result.values);
    }
  }
  // A batch is one transaction: its jobs share the extrinsic.
  assert.equal(new Set(batch.infera.receipts.map((receipt) => receipt.extrinsic)).size, 1);
  assert.equal(new Set(batch.infera.receipts.map((receipt) => receipt.jobId)).size, 2);

  // Chat: the generated text on chain, the same greedy text streamed.
  assert.equal(completion.error, undefined, JSON.stringify(completion.error));
  const [choice] = completion.result.choices;
  const [chatReceipt] = completion.result.infera.receipts;
  const chatJob = await assertReceipt(chatReceipt, models.smollm);
  assert.equal(choice.message.role, 'assistant');
  assert.equal(choice.message.content, chatJob.result.text);
  assert.equal(choice.finish_reason, chatJob.result.tokenCount < 8 ? 'stop' : 'length');
  assert.equal(chatJob.generation.maxNewTokens, 8);
  assert.deepEqual(JSON.parse(chatJob.input.text), chat.messages);
  const chunks = streamed.result;
  assert.equal(chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join(''), choice.message.content);
  assert.equal(chunks.at(-1).choices[0].finish_reason, choice.finish_reason);
  await assertReceipt(chunks.at(-1).infera.receipts[0], models.smollm);

  // Errors: OpenAI's shape, the documented status codes.
  const failure = (outcome) => [outcome.error?.status, outcome.error?.body?.code];
  assert.deepEqual(failure(unknown), [404, 'model_not_found']);
  assert.deepEqual(failure(cheap), [402, 'max_fee_too_low']);
  assert.deepEqual(failure(empty), [400, 'invalid_input']);
  assert.deepEqual(failure(wrongTask), [400, 'wrong_task']);
  assert.deepEqual(failure(expired), [504, 'job_expired'], JSON.stringify(expired));
  assert.match(expired.error.body.message, /closed as `expired`/);
  assert.equal(unknown.error.class, 'NotFoundError');
  const [unfunded] = openaiClient(broke, [{ op: 'embed', request: { model: 'all-MiniLM-L6-v2', input: 'x' } }]);
  assert.deepEqual(failure(unfunded), [402, 'insufficient_balance'], JSON.stringify(unfunded));

  // Without the API key, or with a body a browser page could send across origins
  // without a preflight: refused before anything is read or signed.
  const post = (headers) => fetch(`${gateway.url}/v1/embeddings`, {
    method: 'POST', headers, body: JSON.stringify({ model: 'all-MiniLM-L6-v2', input: 'x' })
  });
  const noKey = await post({ 'content-type': 'application/json' });
  assert.equal(noKey.status, 401);
  assert.equal((await noKey.json()).error.code, 'invalid_api_key');
  const textPlain = await post({ 'content-type': 'text/plain', authorization: `Bearer ${API_KEY}` });
  assert.equal(textPlain.status, 415);
  assert.equal(textPlain.headers.get('x-should-retry'), 'false');

  // The client retried nothing: one request per step reached the gateway.
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  const count = (route, status) => Number(metrics.match(new RegExp(`infera_gateway_requests_total\\{route="${route}",status="${status}"\\} (\\d+)`))?.[1] ?? 0);
  assert.equal(count('embeddings', '504'), 1);
  assert.equal(count('embeddings', '200'), 2);
  assert.equal(count('chat', '200'), 2);
});

test('20 concurrent requests settle, each in its own transaction with its own nonce', async () => {
  const gateway = gateways[0] ?? await startGateway('//Charlie', 'charlie');
  const [{ responses }] = openaiClient(gateway, [
    { op: 'concurrent', count: CONCURRENT, request: { model: 'all-MiniLM-L6-v2', input: 'concurrent request', encoding_format: 'float' } }
  ]);
  assert.equal(responses.length, CONCURRENT);
  const nonces = new Set();
  const extrinsics = new Set();
  for (const [index, response] of responses.entries()) {
    assert.equal(response.error, undefined, JSON.stringify(response.error));
    const [receipt] = response.infera.receipts;
    const job = await assertReceipt(receipt, models.minilm);
    assert.equal(job.input.text, `concurrent request #${index}`);
    assert.deepEqual(response.floats[0].map((value) => Math.round(value * 127)), job.result.values);
    const block = await api.rpc.chain.getBlock(receipt.submitted.hash);
    const extrinsic = block.block.extrinsics.find((candidate) => candidate.hash.toHex() === receipt.extrinsic);
    assert.ok(extrinsic, `extrinsic ${receipt.extrinsic} in block ${receipt.submitted.number}`);
    assert.equal(extrinsic.signer.toString(), accounts.charlie.address);
    nonces.add(extrinsic.nonce.toNumber());
    extrinsics.add(receipt.extrinsic);
  }
  assert.equal(nonces.size, CONCURRENT);
  assert.equal(extrinsics.size, CONCURRENT);
  const seconds = responses.map((response) => response.seconds).sort((a, b) => a - b);
  console.log(`# ${CONCURRENT} concurrent embeddings: median ${seconds[CONCURRENT / 2].toFixed(1)} s, slowest ${seconds.at(-1).toFixed(1)} s`);
});
