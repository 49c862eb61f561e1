// Data rewards: every curated dataset; one dataset's spec, curators, pot, contributions,
// the models trained on it and the lineage income it has received (with a form to top up
// its pot); and an account's balances, pending rewards (claimable here), contributions,
// jobs and worker standing. Also the helpers the governance pages share: reading an address
// or a token amount typed by a person, and sending a transaction with visible progress.
import { html, nothing } from 'lit-html';
import { chain } from '../chain.js';
import { history, is } from '../history.js';
import { wallet } from '../wallet.js';
import { barChart } from '../charts.js';
import { accountAddress, amount, chainText, digest, link, parseAmount, shortAccount, toBig, token, words } from '../format.js';
import { sendTx, txStatus } from '../transaction.js';

/** Rows per `infera_*` page (the methods' maximum). */
const PAGE = 100;
/** How many contributions (or models) a page reads at most. */
const MAX_ROWS = 300;

export const datasetsPage = {
  path: /^\/datasets$/,
  title: () => 'Datasets',
  live: true,
  liveEvery: 5,
  async load () {
    const next = (await chain.api.query.dataRewards.nextDatasetId()).toNumber();
    const ids = Array.from({ length: next }, (_, i) => i);
    const datasets = [];
    for (let i = 0; i < ids.length; i += 20) {
      const batch = await Promise.all(ids.slice(i, i + 20).map((id) => chain.rpcOrNull('infera_dataset', [id], 4201)));
      datasets.push(...batch.filter(Boolean));
    }
    return { datasets };
  },
  view (data, params, ctx) {
    return html`
      <h1>Datasets</h1>
      <section aria-labelledby="datasets-list">
        <h2 id="datasets-list" class="sr-only">All datasets</h2>
        ${data.datasets.length === 0
          ? html`<p class="empty">No datasets yet. A sponsor creates one with <code>dataRewards.createDataset</code>;
              the treasurer track creates public ones.</p>`
          : html`<div class="table-wrap"><table class="list">
            <thead><tr>
              <th scope="col">Dataset</th><th scope="col">Sponsor</th><th scope="col">Curators</th>
              <th scope="col" class="num">Pot</th><th scope="col" class="num">Owed</th>
              <th scope="col" class="num">Lineage income</th><th scope="col">Era</th>
              <th scope="col" class="num">Accepted</th><th scope="col" class="num">Pending</th>
            </tr></thead>
            <tbody>${data.datasets.map((d) => html`<tr>
              <td>${link.dataset(d.id, d.name || `dataset ${d.id}`)}</td>
              <td>${link.account(d.sponsor)}</td>
              <td>${d.curators.length} · quorum ${d.quorum}</td>
              <td class="num">${amount(d.pot)}</td>
              <td class="num">${amount(d.owed)}</td>
              <td class="num">${amount(d.lineageIncome)}</td>
              <td>${eraText(d)}</td>
              <td class="num">${d.accepted}</td>
              <td class="num">${d.pending}</td>
            </tr>`)}</tbody>
          </table></div>`}
      </section>
      <section aria-labelledby="rewards-lookup">
        <h2 id="rewards-lookup">Pending rewards of an account</h2>
        ${accountLookupForm(ctx)}
      </section>`;
  }
};

export const datasetPage = {
  path: /^\/dataset\/(\d+)$/,
  title: ([id]) => `Dataset ${id}`,
  live: true,
  async load ([idText]) {
    const id = Number(idText);
    const dataset = await chain.rpcOrNull('infera_dataset', [id], 4201);
    if (!dataset) {
      const next = (await chain.api.query.dataRewards.nextDatasetId()).toNumber();
      throw new Error(next === 0 ? `There is no dataset ${id}: this chain has no datasets yet.`
        : next === 1 ? `There is no dataset ${id}: this chain has one dataset, dataset 0.`
          : `There is no dataset ${id}: this chain's datasets are 0 to ${next - 1}.`);
    }
    const [contributions, models] = await Promise.all([
      allPages('infera_contributions', (start) => [{ dataset: id }, start, PAGE]),
      allPages('infera_models', (start) => [null, start, PAGE])
    ]);
    const trained = models.rows.filter((m) => (m.datasets ?? []).includes(id) ||
      (m.versions ?? []).some((v) => (v.datasets ?? []).includes(id)));
    return { dataset, contributions, models: trained, modelsMore: models.more };
  },
  view (data, [idText], ctx) {
    const d = data.dataset;
    const id = Number(idText);
    return html`
      <h1><bdi>${chainText(d.name, `Dataset ${id}`)}</bdi> <span class="muted">· dataset ${id}</span></h1>
      <div class="grid2">
        <section aria-labelledby="spec">
          <h2 id="spec">Specification</h2>
          <table class="kv"><tbody>
            <tr><th scope="row">Name</th><td><bdi>${chainText(d.name)}</bdi></td></tr>
            <tr><th scope="row">Description</th><td>${d.description || html`<span class="muted">none</span>`}</td></tr>
            <tr><th scope="row">Licence</th><td>${d.licence}</td></tr>
            <tr><th scope="row">Format</th><td>${d.format}</td></tr>
            <tr><th scope="row">Rules</th><td>${d.rules}</td></tr>
            <tr><th scope="row">Rules digest</th><td>${digest(d.rulesDigest)}</td></tr>
            <tr><th scope="row">Sponsor</th><td>${link.account(d.sponsor)}</td></tr>
            <tr><th scope="row">Dataset account</th><td>${link.account(d.account)}</td></tr>
            <tr><th scope="row">Created</th><td>block ${link.block(d.createdAt)}</td></tr>
          </tbody></table>
        </section>
        <section aria-labelledby="rewards">
          <h2 id="rewards">Rewards</h2>
          <table class="kv"><tbody>
            <tr><th scope="row">Pot</th><td>${amount(d.pot)}</td></tr>
            <tr><th scope="row">Reward per era</th><td>${d.rewardPerEra === null ? 'the whole pot' : html`up to ${amount(d.rewardPerEra)}`}</td></tr>
            <tr><th scope="row">Owed</th><td>${amount(d.owed)} <span class="muted">(won in finished eras, not yet claimed)</span></td></tr>
            <tr><th scope="row">Lineage income</th><td>${amount(d.lineageIncome)} <span class="muted">(from jobs of models trained on it)</span></td></tr>
            <tr><th scope="row">Era</th><td>${eraText(d)}</td></tr>
            <tr><th scope="row">Points this era</th><td>${Number(d.eraPoints).toLocaleString('en-US')}</td></tr>
            <tr><th scope="row">Contributions</th><td>${d.accepted} accepted, ${d.pending} pending</td></tr>
          </tbody></table>
        </section>
      </div>
      <section aria-labelledby="curators">
        <h2 id="curators">Curators <span class="muted">· quorum ${d.quorum} of ${d.curators.length}</span></h2>
        ${d.curators.length === 0
          ? html`<p class="empty">No curators.</p>`
          : html`<table class="list"><thead><tr><th scope="col">Curator</th><th scope="col" class="num">Agreed</th>
              <th scope="col" class="num">Disagreed</th><th scope="col" class="num">Strikes</th></tr></thead>
            <tbody>${d.curators.map((c) => html`<tr><td>${link.account(c.account)}</td><td class="num">${c.agreed}</td>
              <td class="num">${c.disagreed}</td>
              <td class="num">${c.strikes > 0 ? html`<span class="badge warn">${c.strikes}</span>` : c.strikes}</td></tr>`)}</tbody></table>`}
      </section>
      <section aria-labelledby="contributions">
        <h2 id="contributions">Contributions</h2>
        ${contributionsTable(data.contributions, { quorum: d.quorum, showDataset: false })}
      </section>
      <section aria-labelledby="top-up">
        <h2 id="top-up">Top up the pot</h2>
        ${topUpForm(id, ctx)}
      </section>
      <section aria-labelledby="models">
        <h2 id="models">Models trained on it</h2>
        ${data.models.length === 0
          ? html`<p class="empty">No model names this dataset in its lineage${data.modelsMore ? ` among the first ${MAX_ROWS} models` : ''}.</p>`
          : html`<table class="list"><thead><tr><th scope="col">Model</th><th scope="col">Task</th><th scope="col">Owner</th>
              <th scope="col" class="num">Price</th></tr></thead>
            <tbody>${data.models.map((m) => html`<tr><td>${link.model(m.id, m.name)}</td><td>${words(m.task)}</td>
              <td>${link.account(m.owner)}</td><td class="num">${amount(m.price)}</td></tr>`)}</tbody></table>`}
      </section>
      <section aria-labelledby="lineage">
        <h2 id="lineage">Lineage payments</h2>
        ${lineagePayments(id)}
      </section>`;
  }
};

export const accountPage = {
  path: /^\/account\/([1-9A-HJ-NP-Za-km-z]+)$/,
  title: ([address]) => `Account ${shortAccount(address)}`,
  live: true,
  async load ([text]) {
    const address = accountAddress(text);
    const [info, rewards, contributions, jobs, worker] = await Promise.all([
      chain.api.query.system.account(address),
      chain.rpc('infera_pendingRewards', [address]),
      allPages('infera_contributions', (start) => [{ contributor: address }, start, PAGE]),
      chain.rpc('infera_jobsByRequester', [address, null, 20]),
      chain.rpcOrNull('infera_worker', [address], 4104)
    ]);
    const datasetIds = new Set([...rewards.rewards.map((r) => r.dataset), ...contributions.rows.map((c) => c.dataset)]);
    const names = new Map();
    await Promise.all([...datasetIds].map(async (id) => {
      const d = await chain.rpcOrNull('infera_dataset', [id], 4201);
      if (d) names.set(id, d.name);
    }));
    return {
      address,
      typed: text,
      names,
      balance: { free: info.data.free.toBigInt(), reserved: info.data.reserved.toBigInt(), frozen: info.data.frozen.toBigInt(), nonce: info.nonce.toNumber() },
      rewards,
      contributions,
      jobs,
      worker
    };
  },
  view (data, params, ctx) {
    const mine = isChosen(data.address);
    const claim = (ctx.state.claim ??= {});
    return html`
      <h1>Account ${shortAccount(data.address)}</h1>
      <table class="kv"><tbody>
        <tr><th scope="row">Address</th><td><code>${data.address}</code>
          ${data.typed !== data.address ? html`<span class="muted">(typed as ${data.typed}; shown in this chain's format)</span>` : nothing}</td></tr>
        <tr><th scope="row">Free</th><td>${amount(data.balance.free)}</td></tr>
        <tr><th scope="row">Reserved</th><td>${amount(data.balance.reserved)}</td></tr>
        <tr><th scope="row">Frozen</th><td>${amount(data.balance.frozen)} <span class="muted">(locks: votes, vesting)</span></td></tr>
        <tr><th scope="row">Transactions sent</th><td>${data.balance.nonce}</td></tr>
        <tr><th scope="row">Worker</th><td>${data.worker
          ? html`${link.worker(data.address)} · ${words(data.worker.state)}, bond ${amount(data.worker.bond)}`
          : html`<span class="muted">not a worker</span>`}</td></tr>
      </tbody></table>
      <section aria-labelledby="pending">
        <h2 id="pending">Pending rewards</h2>
        <p>Claimable now: <strong>${amount(data.rewards.claimable)}</strong> ·
          estimated for eras still running: ${amount(data.rewards.estimated)}</p>
        ${txStatus(claim)}
        ${data.rewards.rewards.length === 0
          ? html`<p class="empty">No unclaimed rewards.</p>`
          : html`${mine || !data.rewards.rewards.some((r) => r.claimable) ? nothing
              : html`<p class="muted">Choose this account in the account menu (at the top) to claim.</p>`}
            <table class="list"><thead><tr><th scope="col">Contribution</th><th scope="col">Dataset</th><th scope="col" class="num">Era</th>
              <th scope="col" class="num">Points</th><th scope="col" class="num">Amount</th><th scope="col">Claim</th></tr></thead>
            <tbody>${data.rewards.rewards.map((r) => html`<tr>
              <td>${r.contribution}</td>
              <td>${link.dataset(r.dataset, data.names.get(r.dataset))}</td>
              <td class="num">${r.era}</td>
              <td class="num">${r.points}</td>
              <td class="num">${amount(r.amount)}${r.claimable ? nothing : html` <span class="muted">(estimate)</span>`}</td>
              <td>${claimCell(r, mine, claim, ctx)}</td>
            </tr>`)}</tbody></table>`}
      </section>
      <section aria-labelledby="its-contributions">
        <h2 id="its-contributions">Contributions</h2>
        ${contributionsTable(data.contributions, { showDataset: true, names: data.names })}
      </section>
      <section aria-labelledby="its-jobs">
        <h2 id="its-jobs">Jobs</h2>
        ${data.jobs.length === 0
          ? html`<p class="empty">This account has submitted no jobs.</p>`
          : html`<table class="list"><thead><tr><th scope="col">Job</th><th scope="col">Model</th><th scope="col">Status</th>
              <th scope="col">Submitted</th></tr></thead>
            <tbody>${data.jobs.map((j) => html`<tr><td>${link.job(j.id)}</td><td>${link.model(j.modelId)} <span class="muted">v${j.version}</span></td>
              <td>${jobStatus(j)}</td><td>${link.block(j.submittedAt)}</td></tr>`)}</tbody></table>
            ${data.jobs.length === 20 ? html`<p class="muted">Its first 20 jobs.</p>` : nothing}`}
      </section>`;
  }
};

/**
 * Reads every page of a paged `infera_*` method (`paramsAt(start)` gives its parameters;
 * rows carry an `id`), up to `MAX_ROWS` rows. Returns { rows, more }.
 */
async function allPages (method, paramsAt) {
  const rows = [];
  let start = 0;
  for (;;) {
    const page = await chain.rpc(method, paramsAt(start));
    rows.push(...page);
    if (page.length < PAGE) return { rows, more: false };
    if (rows.length >= MAX_ROWS) return { rows: rows.slice(0, MAX_ROWS), more: true };
    start = page[page.length - 1].id + 1;
  }
}

/** The dataset's collecting era and the chain's. */
function eraText (d) {
  return d.era === d.currentEra ? `${d.era}` : html`${d.era} <span class="muted">(chain: ${d.currentEra})</span>`;
}

/** A table of contributions ({ rows, more } from `allPages`); `names` maps dataset ids to names. */
function contributionsTable ({ rows, more }, { quorum, showDataset, names = new Map() }) {
  if (rows.length === 0) return html`<p class="empty">No contributions yet.</p>`;
  return html`<div class="table-wrap"><table class="list">
    <thead><tr><th scope="col" class="num">Id</th>${showDataset ? html`<th scope="col">Dataset</th>` : html`<th scope="col">Contributor</th>`}
      <th scope="col">Label</th><th scope="col" class="num">Size</th><th scope="col">Content</th><th scope="col">Status</th></tr></thead>
    <tbody>${rows.map((c) => html`<tr>
      <td class="num">${c.id}</td>
      <td>${showDataset ? link.dataset(c.dataset, names.get(c.dataset)) : link.account(c.contributor)}</td>
      <td>${c.label ?? html`<span class="muted">none</span>`}</td>
      <td class="num">${bytes(c.sizeBytes)}</td>
      <td>${contentUrl(c.url)}<br>${digest(c.digest)}</td>
      <td>${contributionStatus(c, quorum)}</td>
    </tr>`)}</tbody>
  </table></div>
  ${more ? html`<p class="muted">The first ${rows.length} contributions.</p>` : nothing}`;
}

/** A contribution's URL: a link only for https:// URLs, else text. */
function contentUrl (url) {
  if (!url) return html`<span class="muted">no URL</span>`;
  const text = html`<span class="mono" style="word-break: break-all">${url}</span>`;
  return url.startsWith('https://') ? html`<a href=${url} rel="noopener noreferrer nofollow">${text}</a>` : text;
}

/** A contribution's review status as a badge with its details. */
function contributionStatus (c, quorum) {
  if (c.status === 'pending') {
    const votes = c.votes ?? [];
    const accepts = votes.filter((v) => v.vote === 'accept').length;
    return html`<span class="badge warn">pending</span>
      <span class="muted">${votes.length}${quorum ? ` of ${quorum}` : ''} vote${votes.length === 1 ? '' : 's'}
      (${accepts} accept), until #${c.reviewUntil}</span>`;
  }
  if (c.status === 'accepted') {
    return html`<span class="badge ok">accepted</span>
      <span class="muted">era ${c.era}, ${c.points} points, ${c.claimed ? 'claimed' : 'not claimed'}</span>`;
  }
  if (c.status === 'rejected') {
    return html`<span class="badge bad">rejected</span> <span class="muted">${c.rejectReason ? words(c.rejectReason) : ''}</span>`;
  }
  return html`<span class="badge">${words(c.status)}</span>`;
}

/** Bytes as B / KiB / MiB. */
function bytes (n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** A job's status, with the reason it closed. */
function jobStatus (j) {
  if (j.status !== 'closed') return html`<span class="badge warn">${words(j.status)}</span>`;
  const ok = j.closeReason === 'completed';
  return html`<span class="badge ${ok ? 'ok' : 'bad'}">${words(j.closeReason ?? 'closed')}</span>`;
}

/** The kept `LineagePaid` events of dataset `id`: a table and a chart per block. */
function lineagePayments (id) {
  const payments = history.events((e) => is(e, 'computeJobs', 'LineagePaid') && e.data.dataset.toNumber() === id);
  const range = history.range();
  const seen = range ? html`<p class="muted">From the blocks read so far (#${range.from}–#${range.to}); the lineage income above is the total.</p>` : nothing;
  if (payments.length === 0) return html`${seen}<p class="empty">No lineage payments in these blocks.</p>`;
  const perBlock = new Map();
  for (const p of payments) perBlock.set(p.block.number, (perBlock.get(p.block.number) ?? 0n) + toBig(p.data.amount));
  const first = payments[0].block.number;
  const blocks = history.list().filter((b) => b.number >= first).slice(-300);
  const total = payments.reduce((t, p) => t + toBig(p.data.amount), 0n);
  return html`${seen}
    ${barChart({
      title: 'Lineage income per block',
      points: blocks.map((b) => ({ x: b.number, y: Number(perBlock.get(b.number) ?? 0n) })),
      format: (y) => amount(BigInt(Math.round(y))),
      summary: `${amount(total)} of lineage income in ${payments.length} payments since block ${first}`
    })}
    <table class="list"><thead><tr><th scope="col">Block</th><th scope="col">Job</th><th scope="col" class="num">Amount</th></tr></thead>
      <tbody>${payments.slice().reverse().map((p) => html`<tr><td>${link.block(p.block.number)}</td>
        <td>${link.job(p.data.jobId.toNumber())}</td><td class="num">${amount(p.data.amount)}</td></tr>`)}</tbody></table>`;
}

/** The "top up the pot" form of dataset `id`: an amount in tokens, sent as `dataRewards.topUp`. */
function topUpForm (id, ctx) {
  const form = (ctx.state.topUp ??= { amount: '', invalid: null, tx: {} });
  const submit = (e) => {
    e.preventDefault();
    const parsed = parseAmount(form.amount);
    form.invalid = parsed.error ?? null;
    if (parsed.error) {
      ctx.update();
      return;
    }
    sendTx(ctx, form.tx, chain.api.tx.dataRewards.topUp(id, parsed.planck),
      (result) => `Added ${amount(parsed.planck)} to the pot in block #${result.blockNumber}.`);
  };
  const account = wallet.current();
  return html`<form class="action" @submit=${submit} novalidate>
    <p class="muted">Anyone may add to the pot; it pays the contributors of the eras to come.</p>
    <div class="row">
      <label for="top-up-amount">Amount (${token.symbol})</label>
      <input id="top-up-amount" name="amount" inputmode="decimal" autocomplete="off" placeholder="10"
        .value=${form.amount} @input=${(e) => { form.amount = e.target.value; }}
        aria-invalid=${form.invalid ? 'true' : 'false'} aria-describedby="top-up-error">
      <span id="top-up-error" class="error-text">${form.invalid ?? nothing}</span>
    </div>
    <div class="inline">
      <button type="submit" ?disabled=${form.tx.busy || !account}>Top up</button>
      <span class="muted">${account ? html`from ${shortAccount(account.address)}` : 'choose an account first (the account menu at the top)'}</span>
    </div>
    ${txStatus(form.tx)}
  </form>`;
}

/**
 * The Claim button of one pending reward (or why there is none); `tx` is the page's one
 * claim in progress (see `sendTx`), whose status shows above the table.
 */
function claimCell (reward, mine, tx, ctx) {
  if (!reward.claimable) return html`<span class="muted">era still running</span>`;
  const claim = () => sendTx(ctx, tx, chain.api.tx.dataRewards.claim(reward.contribution),
    (result) => `Claimed ${amount(reward.amount)} for contribution ${reward.contribution} in block #${result.blockNumber}.`);
  return html`<button type="button" @click=${claim} ?disabled=${!mine || tx.busy}
      aria-label="Claim the reward of contribution ${reward.contribution}">Claim</button>
    ${mine ? nothing : html`<span class="muted">choose this account to claim</span>`}`;
}

/** The form that opens an account's page (its pending rewards); the chosen account by default. */
function accountLookupForm (ctx) {
  const form = (ctx.state.lookup ??= { address: null, invalid: null });
  const value = form.address ?? wallet.current()?.address ?? '';
  const submit = (e) => {
    e.preventDefault();
    const text = String(new FormData(e.target).get('address') ?? '').trim();
    try {
      accountAddress(text);
    } catch (err) {
      form.invalid = err.message;
      ctx.update();
      return;
    }
    form.invalid = null;
    location.hash = `#/account/${text}`;
  };
  return html`<form class="action" @submit=${submit} novalidate>
    <div class="row">
      <label for="lookup-address">Account address</label>
      <input id="lookup-address" name="address" spellcheck="false" autocomplete="off" .value=${value}
        @input=${(e) => { form.address = e.target.value; }}
        aria-invalid=${form.invalid ? 'true' : 'false'} aria-describedby="lookup-error">
      <span id="lookup-error" class="error-text">${form.invalid ?? nothing}</span>
    </div>
    <div class="inline"><button type="submit">Show its rewards</button></div>
  </form>`;
}

/** Is `address` the account chosen in the header? */
function isChosen (address) {
  const chosen = wallet.current();
  if (!chosen) return false;
  try {
    return accountAddress(chosen.address) === address;
  } catch {
    return false;
  }
}
