// Workers: every bonded worker with its stake, models, readiness and reputation, and a
// worker's page — reputation over the recent blocks, what it earned job by job as a worker
// (not as a model owner) and what it was slashed for, from the chain's events.
import { html, nothing } from 'lit-html';
import { chain } from '../chain.js';
import { history, is } from '../history.js';
import { barChart, lineChart } from '../charts.js';
import { amount, link, ppm, toBig, words } from '../format.js';

/** Every worker's `infera_worker` view, highest bond first. */
async function allWorkers () {
  const keys = await chain.api.query.computeJobs.workers.keys();
  const workers = await Promise.all(keys.map((k) => chain.rpcOrNull('infera_worker', [k.args[0].toString()], 4104)));
  return workers.filter(Boolean).sort((a, b) => (toBig(b.bond) > toBig(a.bond) ? 1 : -1));
}

/** A worker's state as a badge. */
function stateBadge (state) {
  const kind = state === 'active' ? 'ok' : state === 'paused' ? 'warn' : 'bad';
  return html`<span class="badge ${kind}">${words(state)}</span>`;
}

export const workersPage = {
  path: /^\/workers$/,
  title: () => 'Workers',
  live: true,
  liveEvery: 5,
  async load () {
    return { workers: await allWorkers() };
  },
  view ({ workers }) {
    if (workers.length === 0) {
      return html`<h1>Workers</h1><p class="empty">No worker has bonded yet. A worker bonds with
        <code>computeJobs.registerWorker</code> and puts its key in its node's keystore (docs/operators.md).</p>`;
    }
    return html`<h1>Workers</h1>
      <div class="table-wrap"><table class="list">
        <thead><tr><th scope="col">Worker</th><th scope="col">State</th><th scope="col" class="num">Bond</th>
          <th scope="col">Models (ready versions)</th><th scope="col" class="num">Assigned / capacity</th>
          <th scope="col" class="num">Reputation</th><th scope="col" class="num hide-narrow">Since</th></tr></thead>
        <tbody>${workers.map((w) => html`<tr>
          <td>${link.worker(w.account)}</td>
          <td>${stateBadge(w.state)}</td>
          <td class="num">${amount(w.bond)}</td>
          <td>${w.models.map((m, i) => html`${i ? ', ' : ''}${link.model(m)}${readyOf(w, m)}`)}</td>
          <td class="num">${w.assigned} / ${w.capacity}</td>
          <td class="num">${ppm(w.reputation)}</td>
          <td class="num hide-narrow">${link.block(w.registeredAt)}</td></tr>`)}</tbody>
      </table></div>`;
  }
};

function readyOf (worker, modelId) {
  const versions = worker.ready.filter((r) => r.modelId === modelId).map((r) => `v${r.version}`);
  return versions.length ? html` <span class="muted">(${versions.join(', ')})</span>` : html` <span class="muted">(not ready)</span>`;
}

/** How many past blocks the reputation chart samples. */
const SAMPLES = 24;

/** The worker's reputation at up to `SAMPLES` blocks spread over the kept history. */
async function reputationHistory (account) {
  const range = history.range();
  if (!range) return [];
  const from = Math.max(range.from, history.prunedBelow ?? 0);
  const step = Math.max(1, Math.ceil((range.to - from) / SAMPLES));
  const numbers = [];
  for (let n = range.to; n >= from && numbers.length < SAMPLES; n -= step) numbers.unshift(n);
  const points = await Promise.all(numbers.map(async (n) => {
    const block = history.blocks.get(n);
    if (!block) return null;
    const view = await chain.rpcOrNull('infera_worker', [account, block.hash], 4104).catch(() => null);
    return view ? { x: n, y: view.reputation } : null;
  }));
  return points.filter(Boolean);
}

/**
 * What `account` earned and lost as a worker in the kept blocks. A job pays from its escrow
 * (`balances.TransferOnHold`) and then records the split (`JobSettled`): the payments to
 * the account before a job's `JobSettled` in the same block are that job's. They count as
 * the worker's only for jobs that assigned it (`JobAssigned`), and less the owner's share
 * when the account also owns the job's model (`owners`: job id → model owner, from
 * `infera_job`). Each `WorkerSlashed` of it; each `JobAssigned` naming it.
 */
function workerRecord (account, owners) {
  const earnings = [];
  const slashes = [];
  const assigned = [];
  const assignedJobs = new Set();
  for (const block of history.list()) {
    let pending = 0n;
    for (const e of block.events) {
      if (is(e, 'computeJobs', 'JobAssigned') && e.data.workers.some((w) => w.toString() === account)) {
        assigned.push({ block, jobId: e.data.jobId.toNumber() });
        assignedJobs.add(e.data.jobId.toNumber());
      } else if (is(e, 'balances', 'TransferOnHold') && e.data.dest.toString() === account) {
        pending += toBig(e.data.amount);
      } else if (is(e, 'computeJobs', 'JobSettled')) {
        const jobId = e.data.jobId.toNumber();
        const asOwner = owners.get(jobId) === account ? toBig(e.data.ownerPaid) : 0n;
        if (assignedJobs.has(jobId) && pending - asOwner > 0n) earnings.push({ block, jobId, amount: pending - asOwner });
        pending = 0n;
      } else if (is(e, 'computeJobs', 'WorkerSlashed') && e.data.worker.toString() === account) {
        slashes.push({ block, jobId: e.data.jobId.toNumber(), amount: toBig(e.data.amount), reason: e.data.reason.toString() });
      } else if (e.section === 'system' && (e.method === 'ExtrinsicSuccess' || e.method === 'ExtrinsicFailed')) {
        pending = 0n; // payments never cross an extrinsic's end
      }
    }
  }
  return { earnings, slashes, assigned };
}

/**
 * The model owner of each job `account` was paid in while assigned, cached in `cache`
 * (job id → owner; a pruned job is remembered as unknown).
 */
async function jobOwners (account, cache) {
  const jobs = new Set();
  for (const block of history.list()) {
    let paid = false;
    for (const e of block.events) {
      if (is(e, 'balances', 'TransferOnHold') && e.data.dest.toString() === account) paid = true;
      else if (is(e, 'computeJobs', 'JobSettled')) {
        if (paid) jobs.add(e.data.jobId.toNumber());
        paid = false;
      }
    }
  }
  await Promise.all([...jobs].filter((id) => !cache.has(id)).map(async (id) => {
    const job = await chain.rpcOrNull('infera_job', [id], 4101);
    cache.set(id, job ? job.owner : null);
  }));
  return cache;
}

export const workerPage = {
  path: /^\/worker\/([1-9A-HJ-NP-Za-km-z]+)$/,
  title: ([account]) => `Worker ${account.slice(0, 8)}…`,
  live: true,
  async load ([account], current) {
    const worker = await chain.rpcOrNull('infera_worker', [account], 4104);
    if (!worker) throw new Error(`${account} is not a registered worker.`);
    const [balance, operator] = await Promise.all([
      chain.api.query.system.account(account),
      chain.api.query.computeJobs.operators(account)
    ]);
    // Sampling past states is the slow part: once per page visit and every 10 blocks
    // (or when the history has been filled further back since).
    const last = current.state.reputationAt ?? -Infinity;
    const from = history.range()?.from;
    if (!current.state.reputation || (chain.best?.number ?? 0) - last >= 10 || from !== current.state.reputationFrom) {
      current.state.reputation = await reputationHistory(account);
      current.state.reputationAt = chain.best?.number ?? 0;
      current.state.reputationFrom = from;
    }
    return {
      worker,
      free: balance.data.free.toBigInt(),
      operator: operator.isSome ? operator.unwrap().toString() : null,
      record: workerRecord(account, await jobOwners(account, (current.state.owners ??= new Map()))),
      reputation: current.state.reputation
    };
  },
  view ({ worker: w, free, operator, record, reputation }) {
    const earned = record.earnings.reduce((t, e) => t + e.amount, 0n);
    const slashed = record.slashes.reduce((t, s) => t + s.amount, 0n);
    const byBlock = new Map(history.list().slice(-120).map((b) => [b.number, 0n]));
    for (const e of record.earnings) if (byBlock.has(e.block.number)) byBlock.set(e.block.number, byBlock.get(e.block.number) + e.amount);
    const range = history.range();
    return html`<h1>Worker ${link.account(w.account)}</h1>
      <table class="kv"><tbody>
        <tr><th scope="row">Account</th><td class="mono">${w.account}</td></tr>
        <tr><th scope="row">State</th><td>${stateBadge(w.state)}${w.unlocksAt ? html` — bond unlocks at ${link.block(w.unlocksAt)}` : nothing}</td></tr>
        <tr><th scope="row">Bond</th><td>${amount(w.bond)}</td></tr>
        <tr><th scope="row">Free balance</th><td>${amount(free)}</td></tr>
        <tr><th scope="row">Reputation</th><td>${ppm(w.reputation)}</td></tr>
        <tr><th scope="row">Capacity</th><td>${w.assigned} assigned of ${w.capacity}</td></tr>
        <tr><th scope="row">Models</th><td>${w.models.map((m, i) => html`${i ? ', ' : ''}${link.model(m)}${readyOf(w, m)}`)}</td></tr>
        <tr><th scope="row">Operator key</th><td>${operator ? link.account(operator) : html`<span class="muted">none: the worker's own key signs</span>`}</td></tr>
        <tr><th scope="row">Registered</th><td>${link.block(w.registeredAt)}</td></tr>
      </tbody></table>

      <h2>Recent blocks${range ? html` <span class="muted">(#${range.from}–#${range.to})</span>` : nothing}</h2>
      <div class="cards">
        <div class="card"><span class="card-label">Earned</span><span class="card-value" data-testid="worker-earned">${amount(earned)}</span>
          <span class="card-detail">${record.earnings.length} payments</span></div>
        <div class="card"><span class="card-label">Slashed</span><span class="card-value">${amount(slashed)}</span>
          <span class="card-detail">${record.slashes.length} slashes</span></div>
        <div class="card"><span class="card-label">Jobs assigned</span><span class="card-value">${record.assigned.length}</span></div>
      </div>
      <div class="grid2">
        ${lineChart({
          title: 'Reputation',
          points: reputation,
          format: (y) => ppm(y),
          yMax: 1_000_000,
          summary: reputation.length ? `Reputation from ${ppm(reputation[0].y)} to ${ppm(reputation[reputation.length - 1].y)}` : 'No samples'
        })}
        ${barChart({
          title: 'Earnings per block (last 120)',
          points: [...byBlock].map(([x, y]) => ({ x, y: Number(y) })),
          format: (y) => amount(BigInt(Math.round(y))),
          axisFormat: (y) => amount(BigInt(Math.round(y)), { symbol: false }),
          summary: `${amount(earned)} earned in ${record.earnings.length} payments`
        })}
      </div>

      <h2>Payments</h2>
      ${record.earnings.length === 0
        ? html`<p class="empty">No payment in the recent blocks.</p>`
        : html`<table class="list"><thead><tr><th scope="col">Block</th><th scope="col">Job</th><th scope="col" class="num">Paid</th></tr></thead>
          <tbody>${record.earnings.slice().reverse().map((e) => html`<tr><td>${link.block(e.block.number)}</td>
            <td>${link.job(e.jobId)}</td><td class="num">${amount(e.amount)}</td></tr>`)}</tbody></table>`}

      <h2>Slashes</h2>
      ${record.slashes.length === 0
        ? html`<p class="empty">No slash in the recent blocks.</p>`
        : html`<table class="list"><thead><tr><th scope="col">Block</th><th scope="col">Job</th><th scope="col">Reason</th><th scope="col" class="num">Amount</th></tr></thead>
          <tbody>${record.slashes.slice().reverse().map((s) => html`<tr><td>${link.block(s.block.number)}</td>
            <td>${link.job(s.jobId)}</td><td>${slashReason(s.reason)}</td><td class="num bad">${amount(s.amount)}</td></tr>`)}</tbody></table>`}`;
  }
};

/** What each slash reason means, for the person asking "why wasn't I paid". */
function slashReason (reason) {
  const meaning = {
    NoShow: 'assigned but never committed',
    Withheld: 'committed but never revealed',
    Disagreed: 'its result was outside the agreeing majority',
    Rejected: 'its generation was rejected by the verifiers'
  }[reason];
  return html`${words(reason)}${meaning ? html` <span class="muted">— ${meaning}</span>` : nothing}`;
}
