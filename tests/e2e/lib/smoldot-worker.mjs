// The CPU-heavy part of the smoldot light client, in a worker thread of its own (see
// light-client.mjs): the first message is the port that smoldot's `start({ portToWorker })`
// talks to. Besides keeping the test's main thread responsive, a thread can be terminated
// outright: smoldot 3.4.1's in-thread instance keeps re-arming its timers after
// `Client.terminate()`, which would keep a Node.js process alive for ever.

import { parentPort } from 'node:worker_threads';
import { run } from 'smoldot/worker';

parentPort.once('message', (port) => {
  run(port).catch((e) => { console.error(`smoldot worker: ${e.stack ?? e}`); });
});
