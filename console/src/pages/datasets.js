import { html } from 'lit-html';
export const datasetsPage = { path: /^\/__datasetsPage$/, title: () => 'datasetsPage', load: async () => ({}), view: () => html`<h1>datasetsPage</h1>` };
export const datasetPage = { path: /^\/__datasetPage$/, title: () => 'datasetPage', load: async () => ({}), view: () => html`<h1>datasetPage</h1>` };
export const accountPage = { path: /^\/__accountPage$/, title: () => 'accountPage', load: async () => ({}), view: () => html`<h1>accountPage</h1>` };
