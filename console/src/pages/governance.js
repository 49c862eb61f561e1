import { html } from 'lit-html';
export const governancePage = { path: /^\/__governancePage$/, title: () => 'governancePage', load: async () => ({}), view: () => html`<h1>governancePage</h1>` };
export const referendumPage = { path: /^\/__referendumPage$/, title: () => 'referendumPage', load: async () => ({}), view: () => html`<h1>referendumPage</h1>` };
