// The console's frame: the header (node, connection, head, account), the navigation, and
// the page lifecycle every page shares. A page is
//   { path: RegExp, title(params), load(params, current) → data,
//     view(data, params, ctx) → template, live }
// `params` are the path's captured groups; `current` is { query (the hash's
// URLSearchParams), state (an object the page keeps while it is open) }; ctx is
// { app, query, state, update(), refresh() }. `load` runs when the page opens and, for
// `live` pages, again as blocks arrive; `view` renders. Errors and the wait for a node are
// shown here, once, for every page.
import { html, render, nothing } from 'lit-html';
import { chain } from './chain.js';
import { history } from './history.js';
import { wallet } from './wallet.js';
import { link, shortAccount } from './format.js';

const NAV = [
  ['#/', 'Overview'],
  ['#/models', 'Models'],
  ['#/workers', 'Workers'],
  ['#/jobs', 'Jobs'],
  ['#/datasets', 'Datasets'],
  ['#/governance', 'Governance']
];

export class App {
  constructor (root, pages) {
    this.root = root;
    root.replaceChildren();
    this.pages = pages;
    this.current = null;
    this.scheduled = false;
    window.addEventListener('hashchange', () => this.open());
    // The skip link moves focus to the page's content without touching the route.
    document.querySelector('a.skip')?.addEventListener('click', (e) => {
      e.preventDefault();
      document.getElementById('main')?.focus();
    });
    chain.addEventListener('change', () => this.update());
    chain.addEventListener('ready', () => this.open());
    wallet.addEventListener('change', () => this.update());
    history.addEventListener('block', () => this.onBlock());
    history.addEventListener('filled', () => this.onBlock());
  }

  /** Opens the page the location's hash names. */
  open () {
    const [path, search] = (location.hash.replace(/^#/, '') || '/').split('?');
    let match = null;
    const page = this.pages.find((p) => (match = p.path.exec(path)));
    const params = match ? match.slice(1).map(decodeURIComponent) : [];
    const query = new URLSearchParams(search ?? '');
    this.current = { page, params, query, data: undefined, error: null, loading: false, loadedAt: 0, state: {} };
    document.title = page ? `${page.title(params)} · Infera console` : 'Not found · Infera console';
    this.load(this.current);
    this.update();
    const main = document.getElementById('main');
    if (main) main.focus({ preventScroll: true });
  }

  /** Runs the page's `load`; a page already loading is not loaded twice. */
  async load (current) {
    if (!current.page || !chain.api || chain.state !== 'connected' || current.loading) return;
    current.loading = true;
    try {
      const data = await current.page.load(current.params, current);
      if (this.current !== current) return;
      current.data = data;
      current.error = null;
    } catch (e) {
      if (this.current !== current) return;
      current.error = e;
    } finally {
      current.loading = false;
      current.loadedAt = Date.now();
      this.update();
    }
  }

  /** Reloads the open page (after a transaction, or a new block on a live page). */
  refresh () {
    if (this.current) this.load(this.current);
  }

  /**
   * A new block: a `live` page reloads, at most every `page.liveEvery` blocks (default 1:
   * pages that read one thing; pages that read every worker, dataset or referendum wait
   * longer, so that a big chain does not cost a burst of calls each block).
   */
  onBlock () {
    const current = this.current;
    const best = chain.best?.number ?? 0;
    const every = current?.page?.liveEvery ?? 1;
    if (current?.page?.live && current.data !== undefined && best - (current.loadedBlock ?? -Infinity) >= every) {
      current.loadedBlock = best;
      this.load(current);
    } else this.update();
  }

  /** Renders on the next frame (many changes in one frame render once). */
  update () {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      render(this.frame(), this.root);
    });
  }

  frame () {
    return html`
      <header class="top">
        <a class="brand" href="#/">Infera <span>console</span></a>
        <nav aria-label="Sections"><ul>${NAV.map(([href, label]) => html`
          <li><a href=${href} aria-current=${this.isActive(href) ? 'page' : 'false'}>${label}</a></li>`)}</ul></nav>
        ${this.nodeForm()}
        ${this.accountMenu()}
      </header>
      ${this.statusBar()}
      <main id="main" tabindex="-1">${this.body()}</main>
      <footer class="foot">
        ${history.range() ? html`Events from blocks #${history.range().from}–#${history.range().to}` : nothing}
        ${history.filling ? html` · reading older blocks…` : nothing}
        ${history.prunedBelow !== null ? html` · the node has pruned the state below #${history.prunedBelow}` : nothing}
      </footer>`;
  }

  isActive (href) {
    const path = location.hash.replace(/^#/, '') || '/';
    const target = href.replace(/^#/, '');
    if (target === '/') return path === '/';
    const section = target.replace(/s$/, '');
    return path.startsWith(target) || path.startsWith(section + '/') ||
      (target === '/governance' && path.startsWith('/referendum')) || (target === '/datasets' && path.startsWith('/account'));
  }

  nodeForm () {
    const submit = (e) => {
      e.preventDefault();
      const url = new FormData(e.target).get('node').trim();
      if (url) chain.connect(url, { remember: true });
    };
    return html`<form class="node" @submit=${submit}>
      <label for="node-url">Node</label>
      <input id="node-url" name="node" .value=${chain.url ?? ''} spellcheck="false" autocomplete="url" size="22">
      <button type="submit">Connect</button>
    </form>`;
  }

  accountMenu () {
    const options = wallet.accounts;
    return html`<div class="wallet">
      <label for="account">Account</label>
      <select id="account" @change=${(e) => wallet.select(e.target.value)} ?disabled=${options.length === 0}>
        ${options.length === 0 ? html`<option>none</option>` : nothing}
        ${options.map((a) => html`<option value=${a.address} ?selected=${a.address === wallet.selected}>${a.name} · ${shortAccount(a.address)}</option>`)}
      </select>
      <button type="button" @click=${() => wallet.connectExtension().catch((e) => { wallet.extensionError = e.message; wallet.changed(); })}>Wallet extension</button>
      ${wallet.extensionError ? html`<span class="warn" role="status">${wallet.extensionError}</span>` : nothing}
    </div>`;
  }

  statusBar () {
    const state = chain.state;
    // Only the connection's state is announced: block numbers change every few seconds.
    return html`<div class="status ${state}">
      <span class="dot" aria-hidden="true"></span>
      <span role="status" aria-live="polite">${state === 'connected'
        ? html`connected to ${chain.chainName}`
        : state === 'connecting' ? `connecting to ${chain.url}…` : 'not connected'}</span>
      ${state === 'connected' && chain.best ? html`<span>best ${link.block(chain.best.number)}</span>` : nothing}
      ${state === 'connected' && chain.finalized ? html`<span>finalized ${link.block(chain.finalized.number)}</span>` : nothing}
      ${chain.fromLink ? html`<span class="warn">this node came from the page's link: check it is one you trust before signing</span>` : nothing}
      ${chain.error ? html`<span class="error-text" role="alert">${chain.error}</span>` : nothing}
    </div>`;
  }

  body () {
    const current = this.current;
    if (!current) return nothing;
    if (!current.page) return html`<h1>Not found</h1><p>No page at <code>${location.hash}</code>. <a href="#/">Overview</a>.</p>`;
    if (!chain.api || (chain.state !== 'connected' && current.data === undefined)) {
      return html`<h1>${current.page.title(current.params)}</h1>
        <div class="notice" role="alert">
          <p>${chain.error ?? `Waiting for the node at ${chain.url}…`}</p>
          <p>Start one with <code>scripts/start-dev</code> (it listens on <code>ws://127.0.0.1:9944</code> and allows this page),
            or type another node's WebSocket address above.</p>
        </div>`;
    }
    if (current.error && current.data === undefined) {
      return html`<h1>${current.page.title(current.params)}</h1>
        <div class="notice error" role="alert"><p>${current.error.message}</p>
        <p><button type="button" @click=${() => this.refresh()}>Try again</button></p></div>`;
    }
    if (current.data === undefined) return html`<h1>${current.page.title(current.params)}</h1><p class="loading" aria-busy="true">Loading…</p>`;
    return html`${current.error ? html`<div class="notice error" role="alert">Could not update: ${current.error.message}</div>` : nothing}
      ${current.page.view(current.data, current.params, { app: this, query: current.query, state: current.state, update: () => this.update(), refresh: () => this.refresh() })}`;
  }
}
