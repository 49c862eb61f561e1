import { html } from 'lit-html';
export const modelsPage = { path: /^\/__modelsPage$/, title: () => 'modelsPage', load: async () => ({}), view: () => html`<h1>modelsPage</h1>` };
export const modelPage = { path: /^\/__modelPage$/, title: () => 'modelPage', load: async () => ({}), view: () => html`<h1>modelPage</h1>` };
