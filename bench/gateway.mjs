// Latency of an embedding request through infera-gateway against submitting the same job
// directly, side by side on one `--dev` node (2 s blocks) with all-MiniLM-L6-v2 served by
// Bob's off-chain worker.
//
// Each round starts, at the same moment, one request on each path:
//   - gateway (best):      POST /v1/embeddings to a gateway run with --best (answers once
//                          the settling block is the best block), signing as Charlie;
//   - gateway (finalized): the same to a gateway with the default (settling block
//                          finalized), signing as Eve;
//   - direct:              @polkadot/api signs `computeJobs.submitJob` as Dave at the
//                          quote, then polls `infera_job` until the job is closed at the
//                          best block: what an app without the gateway does.
// and reports, per path, the seconds and blocks (submission to close) from start to
// answer, median and p95 over the rounds; "overhead" is gateway (best) minus direct.
//   node bench/gateway.mjs [rounds]        (default 20; needs the release build of
//                                           infera-node and infera-gateway, scripts/setup)

import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { startNode, rpcCall, waitFor, freePort, targetDir } from '../tests/e2e/lib/node.mjs';
import { devAccounts, submit, eventsOf, MILLI } from '../tests/e2e/lib/chain.mjs';
import { approvedModelWithWorker } from '../tests/e2e/lib/jobs.mjs';
import { join } from 'node:path';

const rounds = Number(process.argv[2] ?? 20);
const PRICE = 2n * MILLI;

function cpuLine () {
  const flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:\s*(.*)$/m)?.[1].split(' ') ?? [];
  const features = ['avx2', 'avx512f', 'avx512_vnni'].filter((flag) => flags.includes(flag)).join(' ');
  return `CPU: ${cpus()[0].model} (${cpus().length} threads); vector features: ${features}`;
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};

async function startGateway (node, suri, extra) {
  const port = await freePort();
  const child = spawn(process.env.INFERA_GATEWAY ?? join(targetDir(), 'release', 'infera-gateway'),
    ['--node', `http://127.0.0.1:${node.rpcPort}`, '--listen', `127.0.0.1:${port}`, ...extra],
    { stdio: 'ignore', env: { ...process.env, INFERA_GATEWAY_SURI: suri } });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('the gateway', async () => (await fetch(`${url}/health`)).ok, 30_000);
  return { child, url };
}

async function viaGateway (gateway, input) {
  const start = performance.now();
  const response = await fetch(`${gateway.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'all-MiniLM-L6-v2', input })
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`gateway: ${JSON.stringify(body)}`);
  const [receipt] = body.infera.receipts;
  return { seconds: (performance.now() - start) / 1000, blocks: receipt.blocks };
}

async function direct (node, api, signer, modelId, input) {
  const start = performance.now();
  const estimate = await rpcCall(node.rpcPort, 'infera_estimateFee', [{ modelId }, 1]);
  const { events, error } = await submit(api, api.tx.computeJobs.submitJob(
    { Model: { modelId, version: null, maxPrice: BigInt(estimate.price) } }, { Inline: input }, BigInt(estimate.minMaxFee), 1, 50), signer);
  if (error) throw new Error(`direct: ${error}`);
  const jobId = eventsOf(events, 'computeJobs', 'JobSubmitted')[0].jobId.toNumber();
  const job = await waitFor(`job ${jobId}`, async () => {
    const view = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
    return view.status === 'closed' ? view : null;
  }, 120_000, 100);
  if (job.closeReason !== 'completed') throw new Error(`direct: job ${jobId} ${job.closeReason}`);
  return { seconds: (performance.now() - start) / 1000, blocks: job.closedAt - job.submittedAt };
}

const node = await startNode({ name: 'gateway-bench', args: ['--dev'], modelStore: true });
const gateways = [];
try {
  const api = await node.api();
  const { alice, bob, dave } = devAccounts();
  const { modelId } = await approvedModelWithWorker(api, {
    owner: alice, sudo: alice, price: PRICE,
    workers: [{ key: bob, keystore: { rpcPort: node.rpcPort, suri: '//Bob' } }], capacity: 8
  });
  const best = await startGateway(node, '//Charlie', ['--best']);
  const finalized = await startGateway(node, '//Eve', []);
  gateways.push(best, finalized);
  const samples = { 'gateway (best)': [], 'gateway (finalized)': [], direct: [] };
  for (let round = 0; round < rounds; round++) {
    const [a, b, c] = await Promise.all([
      viaGateway(best, `bench round ${round} best`),
      viaGateway(finalized, `bench round ${round} finalized`),
      direct(node, api, dave, modelId, `bench round ${round} direct`)
    ]);
    samples['gateway (best)'].push(a);
    samples['gateway (finalized)'].push(b);
    samples.direct.push(c);
  }
  console.log(cpuLine());
  console.log(`${rounds} rounds, one request per path each, started together; 2 s blocks (--dev)`);
  const report = {};
  for (const [path, list] of Object.entries(samples)) {
    const seconds = list.map((sample) => sample.seconds);
    const blocks = list.map((sample) => sample.blocks);
    report[path] = { medianSeconds: quantile(seconds, 0.5), p95Seconds: quantile(seconds, 0.95), medianBlocks: quantile(blocks, 0.5), p95Blocks: quantile(blocks, 0.95) };
    console.log(`${path.padEnd(20)} seconds: median ${report[path].medianSeconds.toFixed(2)}, p95 ${report[path].p95Seconds.toFixed(2)}   blocks (submission to close): median ${report[path].medianBlocks}, p95 ${report[path].p95Blocks}`);
  }
  const overhead = samples['gateway (best)'].map((sample, index) => sample.seconds - samples.direct[index].seconds);
  console.log(`overhead, gateway (best) minus direct in the same round: median ${quantile(overhead, 0.5).toFixed(2)} s, p95 ${quantile(overhead, 0.95).toFixed(2)} s`);
} finally {
  for (const gateway of gateways) gateway.child.kill('SIGTERM');
  await node.stop();
  process.exit(0);
}
