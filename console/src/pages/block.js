import { html } from 'lit-html';
export default { path: /^\/block\/(\d+)$/, title: (p) => 'Block ' + p[0], load: async () => ({}), view: () => html`<h1>block</h1>` };
