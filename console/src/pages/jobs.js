import { html } from 'lit-html';
export const jobsPage = { path: /^\/__jobsPage$/, title: () => 'jobsPage', load: async () => ({}), view: () => html`<h1>jobsPage</h1>` };
export const jobPage = { path: /^\/__jobPage$/, title: () => 'jobPage', load: async () => ({}), view: () => html`<h1>jobPage</h1>` };
