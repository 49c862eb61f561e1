// Jobs: the recent jobs (or one requester's), newest first, and a job's own page with its
// details, its result and its path through the chain, down to each payment it made.
import { html, nothing } from 'lit-html';
import { chain, RpcError } from '../chain.js';
import { history, eventsBetween, is, oldestWithState } from '../history.js';
import { amount, link, words, digest, ago, toBig } from '../format.js';

/** How many of the newest jobs the list shows. */
const RECENT = 50;
/** The largest page `infera_jobsByRequester` gives. */
const PAGE = 100;

/** What each close reason (its JSON name) means for the requester and the workers. */
const CLOSE_REASONS = {
  completed: 'Workers agreed on a result and the fee was split.',
  noQuorum: 'Results came in but no majority of the workers agreed; the escrow was refunded.',
  expired: 'The deadline passed before the job was settled; the escrow was refunded.',
  cancelled: 'The requester cancelled it before it was assigned; refunded in full.',
  queueFull: 'No worker was free at its draw and the queue (or the requester’s share of it) was full; refunded in full.',
  rejected: 'The verifiers’ agreed evidence rejected the generated text; refunded in full, and the generator was slashed.',
  failedInvalidInput: 'A majority of the workers reported that the model cannot run this input (e.g. text that is not UTF-8); the requester paid the agreeing workers.',
  failedInputUnavailable: 'A majority of the workers could not fetch the remote input, or it did not match its digest or size; the requester paid the agreeing workers.',
  failedModelUnavailable: 'A majority of the workers could not fetch the model’s artifacts, or they did not match their digests; refunded in full, nobody was paid.',
  failedOutputTooLarge: 'The output is larger than the chain allows; the requester paid the agreeing workers.'
};

/** Close reasons that are nobody's fault (shown as warnings rather than failures). */
const MILD_REASONS = new Set(['cancelled', 'expired', 'queueFull']);

/** What each slash reason means. */
const SLASH_REASONS = {
  disagreed: 'it revealed a result outside the majority',
  noShow: 'it never committed to a result',
  withheld: 'it committed but did not reveal its result',
  rejected: 'the verifiers’ agreed evidence rejected its generated text'
};

/** What an open job is waiting for, by status. */
const WAITING = {
  drawing: 'Waiting for the randomness of its worker draw.',
  queued: 'Waiting in the queue for enough free workers.',
  assigned: 'The workers are running it: each commits to its result, then reveals it.'
};

/** The list of recent jobs, or of one requester's (`#/jobs?requester=ADDRESS`). */
export const jobsPage = {
  path: /^\/jobs$/,
  title: () => 'Jobs',
  live: true,
  async load (_params, current) {
    const requester = requesterFilter();
    const next = (await chain.api.query.computeJobs.nextJobId()).toNumber();
    let jobs;
    try {
      jobs = requester ? await requesterJobs(requester, next) : await recentJobs(next, current.state);
    } catch (e) {
      if (requester && e instanceof RpcError && e.code === -32602) {
        return { requester, next, jobs: [], invalid: `Not a requester’s address: ${e.message.replace(/^[^:]*: /, '')}` };
      }
      throw e;
    }
    const names = await modelNames(jobs.map((j) => j.modelId), current.state);
    return { requester, next, jobs, names, invalid: null };
  },
  view (data) {
    return html`
      <h1>Jobs</h1>
      ${filterForm(data.requester)}
      ${data.invalid ? html`<div class="notice error" role="alert">${data.invalid}</div>` : nothing}
      ${data.jobs.length === 0 ? emptyList(data) : html`
        <p>${summary(data)}</p>
        <div class="table-wrap"><table class="list">
          <caption class="sr-only">${data.requester ? 'Jobs of the requester, newest first' : 'Recent jobs, newest first'}</caption>
          <thead><tr>
            <th scope="col">Job</th><th scope="col">Model</th><th scope="col">Requester</th>
            <th scope="col" class="num">Replicas</th><th scope="col">Status</th>
            <th scope="col">Submitted</th><th scope="col">Closed</th><th scope="col" class="num">Price / escrow</th>
          </tr></thead>
          <tbody>${data.jobs.map((job) => jobRow(job, data.names))}</tbody>
        </table></div>`}`;
  }
};

/** One job: details, input, result and its timeline of chain events. */
export const jobPage = {
  path: /^\/job\/(\d+)$/,
  title: ([id]) => `Job ${id}`,
  live: true,
  async load ([idText], current) {
    const id = Number(idText);
    const job = await chain.rpcOrNull('infera_job', [id], 4101);
    if (!job) throw new Error(`Job ${id} does not exist or was pruned.`);
    const [{ events, missingBelow }, names, pots] = await Promise.all([
      jobEvents(job, current.state),
      modelNames([job.modelId], current.state),
      datasetAccounts(job.datasets, current.state)
    ]);
    return { job, events, missingBelow, modelName: names.get(job.modelId), pots, treasury: treasuryAccount() };
  },
  view (data) {
    const { job } = data;
    const closed = job.status === 'closed';
    return html`
      <h1>Job ${job.id} ${statusBadge(job)}</h1>
      ${closed && job.closeReason !== 'completed'
        ? html`<div class="notice" role="note"><p><strong>${words(job.closeReason)}</strong>: ${CLOSE_REASONS[job.closeReason] ?? ''}</p></div>`
        : nothing}
      ${details(job, data.modelName)}
      ${job.assignments.length > 0 ? assignments(job) : nothing}
      <h2 id="input">Input</h2>
      ${input(job.input)}
      ${closed ? html`<h2 id="result">Result</h2>${result(job)}` : nothing}
      <h2 id="timeline">Timeline</h2>
      ${timeline(job, data)}`;
  }
};

/** The `requester` in the location's query (`#/jobs?requester=…`), or null. */
function requesterFilter () {
  const query = location.hash.split('?')[1] ?? '';
  return new URLSearchParams(query).get('requester')?.trim() || null;
}

/**
 * The `RECENT` newest jobs below `next`, newest first; pruned ids are skipped. Closed jobs
 * no longer change, so they are kept in `state` and not asked for again on each block.
 */
async function recentJobs (next, state) {
  state.closed ??= new Map();
  const ids = [];
  for (let id = next - 1; id >= Math.max(0, next - RECENT); id--) ids.push(id);
  const jobs = await Promise.all(ids.map((id) => state.closed.get(id) ?? chain.rpcOrNull('infera_job', [id], 4101)));
  for (const job of jobs) if (job?.status === 'closed') state.closed.set(job.id, job);
  return jobs.filter(Boolean);
}

/**
 * `account`'s `RECENT` newest jobs below `next`, newest first. The RPC pages upwards from
 * an id, so this looks back through ever wider windows until it has enough or reaches 0.
 */
async function requesterJobs (account, next) {
  const jobs = [];
  let end = next;
  for (let span = 256; jobs.length < RECENT && end > 0; span *= 8) {
    const start = Math.max(0, next - span);
    jobs.unshift(...await jobsInRange(account, start, end));
    end = start;
  }
  return jobs.slice(-RECENT).reverse();
}

/** `account`'s jobs with ids in `start..end` (end excluded), oldest first. */
async function jobsInRange (account, start, end) {
  const found = [];
  for (let cursor = start; cursor < end;) {
    const page = await chain.rpc('infera_jobsByRequester', [account, cursor, PAGE]);
    found.push(...page.filter((job) => job.id < end));
    if (page.length < PAGE) break;
    cursor = page[page.length - 1].id + 1;
  }
  return found;
}

/** Model names by id for `ids`, remembered in `state` (unknown models are left out). */
async function modelNames (ids, state) {
  state.models ??= new Map();
  const missing = [...new Set(ids)].filter((id) => !state.models.has(id));
  const models = await Promise.all(missing.map((id) => chain.rpcOrNull('infera_model', [id], 4001)));
  missing.forEach((id, i) => state.models.set(id, models[i]?.name));
  return state.models;
}

/** The filter by requester: submitting it opens `#/jobs?requester=…`. */
function filterForm (requester) {
  const submit = (e) => {
    e.preventDefault();
    const value = new FormData(e.target).get('requester').trim();
    location.hash = value ? `#/jobs?requester=${encodeURIComponent(value)}` : '#/jobs';
  };
  return html`<form role="search" @submit=${submit}><p>
    <label for="requester">Requester</label>
    <input id="requester" name="requester" .value=${requester ?? ''} placeholder="SS58 address" spellcheck="false" autocomplete="off" size="50">
    <button type="submit">Show jobs</button>
    ${requester ? html`<a href="#/jobs">All jobs</a>` : nothing}
  </p></form>`;
}

/** What the list says when it has no jobs to show. */
function emptyList (data) {
  if (data.invalid) return nothing;
  if (data.requester) {
    return html`<p class="empty">No jobs of ${link.account(data.requester)} are kept on chain. <a href="#/jobs">All jobs</a>.</p>`;
  }
  if (data.next > 0) return html`<p class="empty">No jobs kept: the ${data.next} jobs so far were pruned.</p>`;
  return html`<p class="empty">No jobs yet. Submit one from a <a href="#/models">model's page</a>.</p>`;
}

/** One line on the jobs shown: how many are open (by status) and closed. */
function summary ({ jobs, requester, next }) {
  const count = (test) => jobs.filter(test).length;
  const open = count((j) => j.status !== 'closed');
  const closed = jobs.length - open;
  const states = ['drawing', 'queued', 'assigned']
    .map((s) => [s, count((j) => j.status === s)]).filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`).join(', ');
  const completed = count((j) => j.closeReason === 'completed');
  const which = requester
    ? html`${jobs.length < RECENT ? plural(jobs.length, 'job') : `The ${RECENT} newest jobs`} of ${link.account(requester)}`
    : jobs.length === next ? plural(next, 'job') : `The ${jobs.length} newest of ${plural(next, 'job')}`;
  return html`${which}: <strong>${open} open</strong>${states ? ` (${states})` : ''},
    <strong>${closed} closed</strong>${closed ? ` (${completed} completed)` : ''}.`;
}

/** "1 job", "2 jobs". */
const plural = (n, noun) => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;

/** A row of the jobs list. */
function jobRow (job, names) {
  return html`<tr>
    <td>${link.job(job.id)}</td>
    <td>${link.model(job.modelId, names.get(job.modelId))} <span class="muted">v${job.version}</span></td>
    <td>${link.account(job.requester)}</td>
    <td class="num">${job.replicas}</td>
    <td>${statusBadge(job)}</td>
    <td>${link.block(job.submittedAt)}</td>
    <td>${job.closedAt === null ? html`<span class="muted">open</span>` : link.block(job.closedAt)}</td>
    <td class="num">${amount(job.price)}${toBig(job.escrow) > 0n ? html`<br><span class="muted">${amount(job.escrow)} held</span>` : nothing}</td>
  </tr>`;
}

/** The status as a badge: open states plain, completed ok, other closes warn or bad. */
function statusBadge (job) {
  if (job.status !== 'closed') return html`<span class="badge">${job.status}</span>`;
  const reason = job.closeReason;
  const tone = reason === 'completed' ? 'ok' : MILD_REASONS.has(reason) ? 'warn' : 'bad';
  return html`<span class="badge ${tone}" title=${CLOSE_REASONS[reason] ?? ''}>${words(reason)}</span>`;
}

/** The job's facts: model, requester, money, blocks and generation settings. */
function details (job, modelName) {
  const best = chain.best?.number;
  const open = job.status !== 'closed';
  const row = (label, value) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  return html`<table class="kv"><tbody>
    ${row('Model', html`${link.model(job.modelId, modelName)} version ${job.version}`)}
    ${row('Task', words(job.task))}
    ${row('Weights', digest(job.weights))}
    ${row('Requester', link.account(job.requester))}
    ${row('Model owner', link.account(job.owner))}
    ${job.datasets.length > 0 ? row('Datasets', job.datasets.map((d, i) => html`${i ? ', ' : ''}${link.dataset(d)}`)) : nothing}
    ${row('Replicas', job.replicas)}
    ${row('Price', amount(job.price))}
    ${row('Worker fee', html`${amount(job.workerFee)} <span class="muted">per agreeing replica</span>`)}
    ${job.generation ? row('Verifier fee', amount(job.generation.verifierFee)) : nothing}
    ${row('Escrow', open ? html`${amount(job.escrow)} held` : html`${amount(job.escrow)} <span class="muted">(released at close)</span>`)}
    ${row('Submitted', link.block(job.submittedAt))}
    ${row('Deadline', html`${link.block(job.deadline)}${open && best !== undefined ? html` <span class="muted">(${blocksLeft(job.deadline - best)})</span>` : nothing}`)}
    ${job.assignedAt !== null ? row('Assigned', html`${link.block(job.assignedAt)}; reveals from ${link.block(job.revealFrom)}`) : nothing}
    ${row('Status', html`${statusBadge(job)}${open ? html` <span class="muted">${WAITING[job.status] ?? ''}</span>` : nothing}`)}
    ${job.closedAt !== null ? row('Closed', html`${link.block(job.closedAt)} <span class="muted">(${words(job.closeReason)})</span>`) : nothing}
    ${job.generation ? generationRows(job.generation, row) : nothing}
  </tbody></table>`;
}

/** "in 12 blocks", "now" or "passed 3 blocks ago". */
function blocksLeft (n) {
  if (n > 0) return `in ${n} block${n === 1 ? '' : 's'}`;
  if (n === 0) return 'now';
  return `passed ${-n} block${n === -1 ? '' : 's'} ago`;
}

/** The decoding settings of a text-generation job, as rows of the details table. */
function generationRows (generation, row) {
  return html`
    ${row('Check', generation.check === 'verify' ? 'verify (one generator, the others verify its output)' : 'replicate (every worker generates)')}
    ${row('Max new tokens', generation.maxNewTokens)}
    ${row('Temperature', generation.temperature === 0 ? '0 (greedy)' : (generation.temperature / 1000).toFixed(3))}
    ${row('Seed', digest(generation.seed))}`;
}

/** The assigned workers' progress (while the job is assigned). */
function assignments (job) {
  const yes = (flag) => (flag ? html`<span class="good">yes</span>` : html`<span class="muted">not yet</span>`);
  return html`<h2 id="workers">Workers</h2>
    <table class="list"><thead><tr><th scope="col">Worker</th><th scope="col">Committed</th><th scope="col">Revealed</th></tr></thead>
      <tbody>${job.assignments.map((a) => html`<tr><td>${link.worker(a.worker)}</td><td>${yes(a.committed)}</td><td>${yes(a.revealed)}</td></tr>`)}</tbody>
    </table>`;
}

/** The job's input: inline text (or its hex when not UTF-8), or where a remote input lives. */
function input (value) {
  if (value.kind === 'remote') {
    return html`<dl class="kv">
      <dt>URL</dt><dd class="mono">${value.url}</dd>
      <dt>Digest</dt><dd>${digest(value.digest)}</dd>
      <dt>Size</dt><dd>${value.sizeBytes.toLocaleString('en-US')} bytes</dd>
    </dl>`;
  }
  if (value.text === null) return html`<p class="muted">Not UTF-8 text; its bytes:</p><pre class="output">${value.hex}</pre>`;
  return html`<pre class="output">${value.text}</pre>`;
}

/** A closed job's result, by kind; or why there is none. */
function result (job) {
  const output = job.result;
  if (!output) return html`<p class="empty">No result: the job closed as ${words(job.closeReason)}.</p>`;
  if (output.kind === 'embedding') return embedding(output.values);
  if (output.kind === 'text') return generated(output, job.generation);
  const fields = Object.entries(output).filter(([key]) => key !== 'kind');
  return html`<dl class="kv">${fields.map(([key, value]) => html`<dt>${words(key)}</dt><dd>${String(value)}</dd>`)}</dl>`;
}

/** An embedding (i8 components, each round(127·x)): its size, first values and a bar strip. */
function embedding (values) {
  const shown = values.slice(0, 384);
  const max = Math.max(1, ...shown.map(Math.abs));
  const first = values.slice(0, 8).map((v) => (v / 127).toFixed(3)).join(', ');
  return html`<dl class="kv">
      <dt>Dimensions</dt><dd>${values.length}</dd>
      <dt>First values</dt><dd class="mono">${first}${values.length > 8 ? ', …' : ''}</dd>
    </dl>
    <div class="embedding" role="img" aria-label=${`The ${shown.length} first components as bars, their height the magnitude`}>
      ${shown.map((v) => html`<span style=${`height: ${Math.max(2, (Math.abs(v) / max) * 100)}%; opacity: ${v < 0 ? 0.5 : 1}`} title=${v}></span>`)}
    </div>
    ${values.length > shown.length ? html`<p class="muted">The first ${shown.length} of ${values.length} components.</p>` : nothing}
    <p class="muted">Components are stored as round(127 · x) of the L2-normalised vector; faded bars are negative.</p>`;
}

/** A generated text with its token count and the settings it was decoded with. */
function generated (output, generation) {
  return html`<pre class="output">${output.text}</pre>
    <p>${output.tokenCount} tokens${generation ? html` of at most ${generation.maxNewTokens},
      temperature ${generation.temperature === 0 ? '0 (greedy)' : (generation.temperature / 1000).toFixed(3)},
      checked by ${generation.check === 'verify' ? 'verification' : 'replication'}` : nothing}.</p>`;
}

/**
 * The job's events from its submission to its close (or the best block while open), and
 * `missingBelow`: the first block still readable when the node has pruned the state of the
 * first ones. The events of finalized blocks do not change, so they are read once and kept
 * in `state`; only the blocks above the finalized head are read again.
 */
async function jobEvents (job, state) {
  const filter = (e) => e.section === 'computeJobs' && e.data.jobId?.toNumber?.() === job.id;
  const end = job.closedAt ?? chain.best?.number ?? (await chain.api.rpc.chain.getHeader()).number.toNumber();
  if (!state.timeline) {
    const first = await oldestWithState(job.submittedAt, end);
    state.timeline = { to: first - 1, events: [], missingBelow: first > job.submittedAt ? first : null };
  }
  const kept = state.timeline;
  const stable = Math.min(end, chain.finalized?.number ?? -1);
  if (kept.to < stable) {
    kept.events.push(...await scan(kept.to + 1, stable, filter));
    kept.to = stable;
  }
  return { events: [...kept.events, ...await scan(kept.to + 1, end, filter)], missingBelow: kept.missingBelow };
}

/** `eventsBetween` over `from..=to` in up to 8 ranges read at once. */
async function scan (from, to, filter) {
  if (to < from) return [];
  const size = Math.max(32, Math.ceil((to - from + 1) / 8));
  const ranges = [];
  for (let start = from; start <= to; start += size) ranges.push(eventsBetween(start, Math.min(to, start + size - 1), filter));
  return (await Promise.all(ranges)).flat();
}

/** The accounts of the job's datasets (where their lineage share goes), kept in `state`. */
async function datasetAccounts (ids, state) {
  state.pots ??= new Map();
  const missing = ids.filter((id) => !state.pots.has(id));
  const datasets = await Promise.all(missing.map((id) => chain.rpcOrNull('infera_dataset', [id], 4201)));
  missing.forEach((id, i) => state.pots.set(id, datasets[i]?.account));
  return state.pots;
}

/** The treasury's account, derived from its pallet id as FRAME does ("modl" ‖ id ‖ zeros). */
function treasuryAccount () {
  const id = chain.api.consts.treasury?.palletId;
  if (!id) return null;
  const bytes = new Uint8Array(32);
  bytes.set(new TextEncoder().encode('modl'));
  bytes.set(id.toU8a(), 4);
  return chain.api.createType('AccountId', bytes).toString();
}

/** The timeline: each event with its block and time, the payments after the settlement. */
function timeline (job, data) {
  const { events, missingBelow } = data;
  const roles = payeeRoles(job, data);
  const open = job.status !== 'closed';
  if (events.length === 0 && !open) {
    return html`<p class="empty">No events of this job could be read: the node has pruned the state of its blocks
      (an archive node, <code>--state-pruning archive</code>, keeps them).</p>`;
  }
  return html`
    ${missingBelow !== null ? html`<p class="notice">The node has pruned the state of the blocks before
      ${link.block(missingBelow)}, so the events before it are missing here.</p>` : nothing}
    <ol class="timeline">
      ${events.map((e) => html`${entry(e, job)}${is(e, 'computeJobs', 'JobSettled') ? payments(e, job, roles) : nothing}`)}
      ${open ? html`<li><span class="muted">Now (best ${chain.best ? link.block(chain.best.number) : '…'}):</span>
        ${WAITING[job.status] ?? job.status}</li>` : nothing}
    </ol>`;
}

/** One event of the timeline, with its block link and time. */
function entry (e, job) {
  const tone = is(e, 'computeJobs', 'WorkerSlashed') ? 'bad'
    : is(e, 'computeJobs', 'JobSettled') ? 'good'
      : is(e, 'computeJobs', 'JobClosed') ? (closeName(e.data.reason) === 'completed' ? 'good' : 'bad') : '';
  return html`<li class=${tone}>${eventText(e, job)} ${when(e.block)}</li>`;
}

/** "· #22, 3 min ago", the time in full in a tooltip. */
function when (block) {
  const time = new Date(block.time);
  return html`<span class="muted">· ${link.block(block.number)},
    <time datetime=${time.toISOString()} title=${time.toLocaleString()}>${ago(block.time)}</time></span>`;
}

/** The sentence for one of the job's events. */
function eventText (e, job) {
  const d = e.data;
  switch (e.method) {
    case 'JobSubmitted':
      return html`<strong>Submitted</strong> by ${link.account(d.requester.toString())}, ${amount(d.escrow)} held in escrow, deadline ${link.block(d.deadline.toNumber())}`;
    case 'JobAssigned':
      return html`<strong>Assigned</strong> to ${d.workers.map((w, i) => html`${i ? ', ' : ''}${link.worker(w.toString())}`)}`;
    case 'ResultCommitted':
      return html`${link.worker(d.worker.toString())} <strong>committed</strong> to a result`;
    case 'ResultRevealed':
      return html`${link.worker(d.worker.toString())} <strong>revealed</strong> its result`;
    case 'JobSettled':
      return html`<strong>Settled</strong>: workers ${amount(d.workersPaid)}, model owner ${amount(d.ownerPaid)},
        datasets ${amount(d.dataPaid)}, treasury ${amount(d.treasuryPaid)}`;
    case 'LineagePaid':
      return html`${link.dataset(d.dataset.toNumber())} <strong>received</strong> ${amount(d.amount)} of the price (data lineage)`;
    case 'WorkerSlashed': {
      const reason = lowerFirst(d.reason.type);
      return html`${link.worker(d.worker.toString())} <strong>slashed</strong> ${amount(d.amount)}: ${words(reason)}
        <span class="muted">(${SLASH_REASONS[reason] ?? ''})</span>`;
    }
    case 'JobClosed': {
      const reason = closeName(d.reason);
      return html`<strong>Closed</strong>: ${words(reason)}${toBig(d.refunded) > 0n
        ? html`, ${amount(d.refunded)} refunded to ${link.account(job.requester)}` : nothing}`;
    }
    default:
      return words(e.method);
  }
}

/** "Completed" → "completed". */
const lowerFirst = (name) => name.charAt(0).toLowerCase() + name.slice(1);

/** A `CloseReason` codec as its JSON name: "completed", "failedInvalidInput", … */
function closeName (reason) {
  return reason.isFailed ? `failed${reason.asFailed.type}` : lowerFirst(reason.type);
}

/**
 * The transfers out of holds that made up the settlement `settled`: the
 * `balances.TransferOnHold` events just before it in its block, back to the previous
 * extrinsic's end or another job's event (several jobs may settle in one block).
 */
function settlementTransfers (settled, id) {
  const events = settled.block.events;
  const found = [];
  for (let i = settled.index - 1; i >= 0; i--) {
    const e = events[i];
    if (e.section === 'system' && (e.method === 'ExtrinsicSuccess' || e.method === 'ExtrinsicFailed')) break;
    if (e.section === 'computeJobs' && e.data.jobId && e.data.jobId.toNumber() !== id) break;
    if (is(e, 'balances', 'TransferOnHold')) found.unshift(e);
  }
  return found;
}

/** Who each payee is, by account: the treasury, the datasets' pots, the model owner, the workers. */
function payeeRoles (job, { events, pots, treasury }) {
  const roles = new Map();
  if (treasury) roles.set(treasury, 'treasury');
  for (const [id, account] of pots) if (account && job.datasets.includes(id)) roles.set(account, html`${link.dataset(id)}’s pot`);
  roles.set(job.owner, 'model owner');
  for (const e of events) {
    if (is(e, 'computeJobs', 'JobAssigned')) for (const w of e.data.workers) roles.set(w.toString(), 'worker');
  }
  return roles;
}

/** The settlement's payments, one timeline entry each: "paid X to ACCOUNT (role)". */
function payments (settled, job, roles) {
  return settlementTransfers(settled, job.id).map((t) => {
    const source = t.data.source.toString();
    const dest = t.data.dest.toString();
    const role = roles.get(dest);
    return html`<li>Paid ${amount(t.data.amount)}${source !== job.requester ? html` from ${link.account(source)}` : nothing}
      to ${link.account(dest)}${role ? html` <span class="muted">(${role})</span>` : nothing} ${when(settled.block)}</li>`;
  });
}
