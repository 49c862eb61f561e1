import { html } from 'lit-html';
export const workersPage = { path: /^\/__workersPage$/, title: () => 'workersPage', load: async () => ({}), view: () => html`<h1>workersPage</h1>` };
export const workerPage = { path: /^\/__workerPage$/, title: () => 'workerPage', load: async () => ({}), view: () => html`<h1>workerPage</h1>` };
