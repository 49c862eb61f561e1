// The model registry: every model by task with its price, usage and routing score, and a
// model's page — versions and their curation, lineage, the workers serving it, and the
// form that submits a job to it.
import { html, nothing } from 'lit-html';
import { styleMap } from 'lit-html/directives/style-map.js';
import { chain } from '../chain.js';
import { amount, chainText, digest, link, ppm, token, words } from '../format.js';
import { submitForm } from './submit.js';

/** Every model, in id order (`infera_models` pages of 100). */
export async function allModels () {
  const models = [];
  for (;;) {
    const page = await chain.rpc('infera_models', [null, models.length ? models[models.length - 1].id + 1 : 0, 100]);
    models.push(...page);
    if (page.length < 100) return models;
  }
}

/** The highest balance: asks the routing for every candidate whatever its price. */
const ANY_PRICE = (2n ** 128n - 1n).toString();
const TASKS = ['textEmbedding', 'textClassification', 'textGeneration'];

/** Routing scores of every routable version by model id: { score, priceScore, … }. */
async function scores () {
  const ranked = await Promise.all(TASKS.map((task) => chain.rpc('infera_rankModels', [task, ANY_PRICE])));
  return new Map(ranked.flat().map((r) => [r.modelId, r]));
}

/** A version's curation state as a badge. */
function statusBadge (status) {
  const kind = status === 'approved' ? 'ok' : status === 'pending' ? 'warn' : 'bad';
  return html`<span class="badge ${kind}">${words(status)}</span>`;
}

export const modelsPage = {
  path: /^\/models$/,
  title: () => 'Models',
  live: true,
  liveEvery: 5,
  async load () {
    const [models, score] = await Promise.all([allModels(), scores()]);
    return { models, score };
  },
  view ({ models, score }) {
    if (models.length === 0) {
      return html`<h1>Models</h1><p class="empty">No model is registered yet. Owners register one with
        <code>modelRegistry.registerModel</code> and governance approves its version (the repository's docs/rpc.md shows how).</p>`;
    }
    return html`<h1>Models</h1>
      ${TASKS.map((task) => {
        const ofTask = models.filter((m) => m.task === task);
        if (ofTask.length === 0) return nothing;
        return html`<section aria-labelledby="task-${task}">
          <h2 id="task-${task}">${words(task)}</h2>
          <div class="table-wrap"><table class="list">
            <thead><tr><th scope="col">Model</th><th scope="col">Owner</th><th scope="col">Version</th>
              <th scope="col" class="num">Price per job</th><th scope="col" class="num">Jobs done</th>
              <th scope="col" class="num">Agreement</th><th scope="col" class="num">Routing score</th></tr></thead>
            <tbody>${ofTask.map((m) => {
              const current = m.versions.find((v) => v.version === m.currentVersion) ?? m.versions[m.versions.length - 1];
              const s = score.get(m.id);
              return html`<tr>
                <td>${link.model(m.id, m.name)} ${m.deprecated ? html`<span class="badge bad">deprecated</span>` : nothing}</td>
                <td>${link.account(m.owner)}</td>
                <td>v${current?.version ?? '–'} ${current ? statusBadge(current.status) : nothing}</td>
                <td class="num">${amount(m.price)}</td>
                <td class="num">${m.usage.jobsCompleted}</td>
                <td class="num">${m.usage.totalReplicas ? ppm(m.usage.agreementRate) : '–'}</td>
                <td class="num">${s ? ppm(s.score) : html`<span class="muted" title="not routable: no approved version with ready workers">–</span>`}</td>
              </tr>`;
            })}</tbody>
          </table></div>
        </section>`;
      })}`;
  }
};

export const modelPage = {
  path: /^\/model\/(\d+)$/,
  title: ([id]) => `Model ${id}`,
  live: true,
  async load ([id]) {
    const model = await chain.rpcOrNull('infera_model', [Number(id)], 4001);
    if (!model) throw new Error(`Model ${id} is not registered.`);
    const [score, workerIds, datasets] = await Promise.all([
      chain.rpc('infera_rankModels', [model.task, ANY_PRICE]).then((r) => r.find((s) => s.modelId === model.id) ?? null),
      chain.api.query.computeJobs.modelWorkers(model.id),
      Promise.all(model.datasets.map((d) => chain.rpcOrNull('infera_dataset', [d], 4201)))
    ]);
    const workers = await Promise.all(workerIds.map((w) => chain.rpcOrNull('infera_worker', [w.toString()], 4104)));
    const parent = model.parent === null ? null : await chain.rpcOrNull('infera_model', [model.parent], 4001);
    return { model, score, workers: workers.filter(Boolean), datasets: datasets.filter(Boolean), parent };
  },
  view ({ model, score, workers, datasets, parent }, params, ctx) {
    const u = model.usage;
    return html`<h1><bdi>${chainText(model.name, `model ${model.id}`)}</bdi> <span class="muted">#${model.id}</span></h1>
      <table class="kv"><tbody>
        <tr><th scope="row">Task</th><td>${words(model.task)}</td></tr>
        <tr><th scope="row">Owner</th><td>${link.account(model.owner)}${model.pendingOwner ? html` (transfer to ${link.account(model.pendingOwner)} pending)` : nothing}</td></tr>
        <tr><th scope="row">Licence</th><td>${model.licence}</td></tr>
        <tr><th scope="row">Price per job</th><td>${amount(model.price)}</td></tr>
        <tr><th scope="row">Registered</th><td>${link.block(model.registeredAt)}, deposit ${amount(model.deposit)}</td></tr>
        <tr><th scope="row">State</th><td>${model.deprecated ? html`<span class="badge bad">deprecated</span>` : html`current version v${model.currentVersion ?? '–'}`}</td></tr>
      </tbody></table>

      <h2>Usage and routing</h2>
      <div class="cards">
        ${stat('Jobs completed', u.jobsCompleted)}
        ${stat('Jobs failed', u.jobsFailed)}
        ${stat('Open jobs', u.openJobs)}
        ${stat('Blocks to result', u.meanBlocksToResult ?? '–', 'mean')}
        ${stat('Agreement', u.totalReplicas ? ppm(u.agreementRate) : '–', `${u.agreeingReplicas} of ${u.totalReplicas} replicas`)}
      </div>
      ${score
        ? html`<p>Routing score <strong>${ppm(score.score)}</strong> for v${score.version}, from price ${ppm(score.priceScore)},
            latency ${ppm(score.latencyScore)} and agreement ${ppm(score.agreementScore)}: jobs submitted for the task
            (<code>ModelChoice::Task</code>) go to the best score within their maximum price.</p>
          ${scoreBars(score)}`
        : html`<p class="muted">Not routable now: routing needs an approved version that ready workers serve.</p>`}

      <h2>Lineage</h2>
      <p>${parent ? html`Derived from ${link.model(parent.id, parent.name)}.` : 'No parent model.'}
        ${datasets.length
          ? html`Trained on ${datasets.map((d, i) => html`${i ? ', ' : ''}${link.dataset(d.id, d.name)}`)}: each completed job pays their pots a share of the price.`
          : 'No datasets declared.'}</p>

      <h2>Versions</h2>
      <div class="table-wrap"><table class="list">
        <thead><tr><th scope="col">Version</th><th scope="col">State</th><th scope="col">Weights</th><th scope="col">Format</th>
          <th scope="col" class="num">Size</th><th scope="col">Location</th><th scope="col">Published</th></tr></thead>
        <tbody>${model.versions.map((v) => html`<tr>
          <td>v${v.version}</td>
          <td>${statusBadge(v.status)}${v.reason ? html` <span class="muted">${v.reason}</span>` : nothing}</td>
          <td>${digest(v.weights)}</td>
          <td>${v.format}</td>
          <td class="num">${(v.sizeBytes / 1e6).toFixed(1)} MB</td>
          <td class="mono">${v.url ?? ''}${v.cid ? html` <span title="IPFS CID">${v.cid}</span>` : nothing}</td>
          <td>${link.block(v.publishedAt)}</td></tr>`)}</tbody>
      </table></div>

      <h2>Workers</h2>
      ${workers.length === 0
        ? html`<p class="empty">No worker serves this model yet.</p>`
        : html`<div class="table-wrap"><table class="list">
          <thead><tr><th scope="col">Worker</th><th scope="col">State</th><th scope="col">Ready for</th>
            <th scope="col" class="num">Bond</th><th scope="col" class="num">Reputation</th><th scope="col" class="num">Assigned / capacity</th></tr></thead>
          <tbody>${workers.map((w) => html`<tr>
            <td>${link.worker(w.account)}</td><td>${w.state}</td>
            <td>${w.ready.filter((r) => r.modelId === model.id).map((r) => `v${r.version}`).join(', ') || html`<span class="muted">not ready</span>`}</td>
            <td class="num">${amount(w.bond)}</td><td class="num">${ppm(w.reputation)}</td>
            <td class="num">${w.assigned} / ${w.capacity}</td></tr>`)}</tbody>
        </table></div>`}

      <h2 id="submit">Submit a job</h2>
      ${submitForm(model, ctx)}
      <p class="muted">Prices are in ${token.symbol}.</p>`;
  }
};

function stat (label, value, detail) {
  return html`<div class="card"><span class="card-label">${label}</span><span class="card-value">${value}</span>
    ${detail ? html`<span class="card-detail">${detail}</span>` : nothing}</div>`;
}

/** The score's parts as horizontal bars, with the numbers in text. */
function scoreBars (score) {
  const parts = [['Price', score.priceScore], ['Latency', score.latencyScore], ['Agreement', score.agreementScore], ['Score', score.score]];
  return html`<div class="scorebars" role="list">${parts.map(([name, value]) => html`
    <div class="scorebar" role="listitem"><span class="scorebar-name">${name}</span>
      <span class="scorebar-track"><span class="scorebar-fill" style=${styleMap({ width: `${Number(value) / 10_000}%` })}></span></span>
      <span class="scorebar-value">${ppm(value)}</span></div>`)}</div>`;
}
