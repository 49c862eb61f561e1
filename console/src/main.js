// The console's entry: the pages, the frame, and the connection to the node.
import { App } from './app.js';
import { chain, initialNode } from './chain.js';
import overview from './pages/overview.js';
import { modelsPage, modelPage } from './pages/models.js';
import { workersPage, workerPage } from './pages/workers.js';
import { jobsPage, jobPage } from './pages/jobs.js';
import { datasetsPage, datasetPage, accountPage } from './pages/datasets.js';
import { governancePage, referendumPage } from './pages/governance.js';
import blockPage from './pages/block.js';

const app = new App(document.getElementById('app'), [
  overview,
  modelsPage, modelPage,
  workersPage, workerPage,
  jobsPage, jobPage,
  datasetsPage, datasetPage, accountPage,
  governancePage, referendumPage,
  blockPage
]);
app.open();
const { url, fromLink } = initialNode();
chain.connect(url, { fromLink });
