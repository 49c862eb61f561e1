// Gives a running dev chain (scripts/start-dev) the web console's demo data: see
// lib/console-seed.mjs. Usage: node tests/e2e/seed-console.mjs [rpc port, default 9944]
import { ApiPromise, WsProvider } from '@polkadot/api';
import { seedConsoleChain } from './lib/console-seed.mjs';

const port = Number(process.argv[2] ?? 9944);
const api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${port}`), noInitWarn: true });
try {
  const seeded = await seedConsoleChain(api, port, (line) => console.log(line));
  console.log(JSON.stringify(seeded));
} finally {
  await api.disconnect();
}
