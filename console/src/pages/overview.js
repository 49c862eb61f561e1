// The overview: the chain's activity over the recent blocks (jobs per block, fees), what
// is open now, and the latest job events.
import { html, nothing } from 'lit-html';
import { chain } from '../chain.js';
import { history, blockActivity, is } from '../history.js';
import { barChart } from '../charts.js';
import { allModels } from './models.js';
import { amount, closeReason, link, words } from '../format.js';

export default {
  path: /^\/$/,
  title: () => 'Overview',
  live: true,
  async load () {
    const [models, nextJob, workers, queue, datasets] = await Promise.all([
      allModels(),
      chain.api.query.computeJobs.nextJobId(),
      chain.api.query.computeJobs.workers.keys(),
      chain.api.query.computeJobs.queue(),
      chain.api.query.dataRewards.nextDatasetId()
    ]);
    return {
      models,
      jobs: nextJob.toNumber(),
      workers: workers.length,
      queued: queue.length,
      datasets: datasets.toNumber()
    };
  },
  view (data) {
    const blocks = history.list().slice(-120);
    const activity = blocks.map((b) => ({ number: b.number, ...blockActivity(b) }));
    const submitted = activity.reduce((t, a) => t + a.submitted, 0);
    const fees = activity.reduce((t, a) => t + a.fees, 0n);
    const recent = history.events((e) => e.section === 'computeJobs' &&
      ['JobSubmitted', 'JobAssigned', 'JobSettled', 'JobClosed', 'WorkerSlashed'].includes(e.method)).slice(-12).reverse();
    const approved = data.models.filter((m) => m.versions.some((v) => v.status === 'approved') && !m.deprecated).length;
    return html`
      <h1>Overview</h1>
      <section class="cards" aria-label="Totals">
        ${card('Models', data.models.length, html`${approved} approved`, '#/models')}
        ${card('Workers', data.workers, 'bonded', '#/workers')}
        ${card('Jobs', data.jobs, html`${data.queued} queued`, '#/jobs')}
        ${card('Datasets', data.datasets, 'curated', '#/datasets')}
      </section>
      <section aria-labelledby="activity">
        <h2 id="activity">Activity</h2>
        ${history.filling && blocks.length < 10 ? html`<p class="loading" aria-busy="true">Reading recent blocks…</p>` : nothing}
        <div class="grid2">
          ${barChart({
            title: 'Jobs submitted per block',
            points: activity.map((a) => ({ x: a.number, y: a.submitted })),
            summary: `${submitted} jobs submitted in the last ${activity.length} blocks`
          })}
          ${barChart({
            title: 'Fees settled per block',
            points: activity.map((a) => ({ x: a.number, y: Number(a.fees) })),
            format: (y) => amount(BigInt(Math.round(y))),
            axisFormat: (y) => amount(BigInt(Math.round(y)), { symbol: false }),
            summary: `${amount(fees)} settled in the last ${activity.length} blocks`
          })}
        </div>
      </section>
      <section aria-labelledby="latest">
        <h2 id="latest">Latest job events</h2>
        ${recent.length === 0
          ? html`<p class="empty">No job events in the blocks read so far. Submit one from a <a href="#/models">model's page</a>.</p>`
          : html`<table class="list"><thead><tr><th scope="col">Block</th><th scope="col">Job</th><th scope="col">Event</th></tr></thead>
            <tbody>${recent.map((e) => html`<tr>
              <td>${link.block(e.block.number)}</td>
              <td>${link.job(e.data.jobId.toNumber())}</td>
              <td>${eventText(e)}</td></tr>`)}</tbody></table>`}
      </section>`;
  }
};

function card (label, value, detail, href) {
  return html`<a class="card" href=${href}><span class="card-label">${label}</span>
    <span class="card-value">${value.toLocaleString('en-US')}</span><span class="card-detail">${detail}</span></a>`;
}

function eventText (e) {
  if (is(e, 'computeJobs', 'JobSubmitted')) return html`submitted by ${link.account(e.data.requester.toString())}, ${amount(e.data.escrow)} escrowed`;
  if (is(e, 'computeJobs', 'JobAssigned')) return html`assigned to ${e.data.workers.map((w, i) => html`${i ? ', ' : ''}${link.worker(w.toString())}`)}`;
  if (is(e, 'computeJobs', 'JobSettled')) return html`settled: workers ${amount(e.data.workersPaid)}, owner ${amount(e.data.ownerPaid)}`;
  if (is(e, 'computeJobs', 'WorkerSlashed')) return html`${link.worker(e.data.worker.toString())} slashed ${amount(e.data.amount)} (${words(e.data.reason.toString())})`;
  if (is(e, 'computeJobs', 'JobClosed')) return html`closed: ${closeReason(e.data.reason)}`;
  return e.method;
}
