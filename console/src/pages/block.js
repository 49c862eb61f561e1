// A block: its hash, time and every event in it, with links to the jobs, workers,
// models and accounts they name. The pages that show a path through the chain link here.
import { html, nothing } from 'lit-html';
import { chain } from '../chain.js';
import { history } from '../history.js';
import { link } from '../format.js';

export default {
  path: /^\/block\/(\d+)$/,
  title: ([n]) => `Block #${n}`,
  async load ([n]) {
    const number = Number(n);
    if (chain.best && number > chain.best.number) throw new Error(`Block #${number} is not produced yet (best is #${chain.best.number}).`);
    const kept = history.blocks.get(number);
    if (kept) return kept;
    const hash = await chain.api.rpc.chain.getBlockHash(number);
    if (hash.isEmpty) throw new Error(`The node has no block #${number}.`);
    try {
      return await history.load(hash, number);
    } catch {
      throw new Error(`The node has pruned the state of block #${number}, so its events cannot be read here (an archive node keeps them).`);
    }
  },
  view (block) {
    const finalized = chain.finalized && block.number <= chain.finalized.number;
    return html`<h1>Block #${block.number.toLocaleString('en-US')}</h1>
      <p>${block.number > 0 ? html`<a href="#/block/${block.number - 1}" rel="prev">← #${block.number - 1}</a>` : nothing}
        <a href="#/block/${block.number + 1}" rel="next">#${block.number + 1} →</a></p>
      <table class="kv"><tbody>
        <tr><th scope="row">Hash</th><td class="mono">${block.hash}</td></tr>
        <tr><th scope="row">Time</th><td>${new Date(block.time).toISOString().replace('T', ' ').replace(/\.\d+Z/, ' UTC')}</td></tr>
        <tr><th scope="row">Finality</th><td>${finalized ? html`<span class="badge ok">finalized</span>` : html`<span class="badge warn">not finalized yet</span>`}</td></tr>
      </tbody></table>
      <h2>Events</h2>
      <div class="table-wrap"><table class="list">
        <thead><tr><th scope="col">#</th><th scope="col">Event</th><th scope="col">Data</th></tr></thead>
        <tbody>${block.events.map((e) => html`<tr><td>${e.index}</td><td>${e.section}.${e.method}</td><td>${fields(e)}</td></tr>`)}</tbody>
      </table></div>`;
  }
};

/** An event's fields, linking those that name a job, worker, account, model or dataset. */
function fields (event) {
  const names = event.data.names ?? [];
  return names.map((name, i) => {
    const value = event.data[i];
    let shown;
    if (name === 'jobId' || (name === 'job_id')) shown = link.job(value.toNumber());
    else if (name === 'modelId' || name === 'model') shown = link.model(value.toNumber());
    else if (name === 'dataset' && value.toNumber) shown = link.dataset(value.toNumber());
    else if (name === 'worker') shown = link.worker(value.toString());
    else if (value.toRawType?.() === 'AccountId32' || value.toRawType?.() === 'AccountId') shown = link.account(value.toString());
    else if (name === 'dispatchInfo') return nothing;
    else shown = html`<span class="mono">${short(JSON.stringify(value.toHuman()))}</span>`;
    return html`<span class="field">${name}: ${shown}</span> `;
  });
}

const short = (text) => (text.length > 120 ? text.slice(0, 117) + '…' : text);
