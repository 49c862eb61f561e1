// A smoldot light client (npm `smoldot`) driven through its JSON-RPC interface: the new
// JSON-RPC spec's `chainHead_v1_*` (follow finality, call the runtime at a pinned block) and
// `transaction_v1_*` (broadcast a signed transaction), as a browser dApp would.
//
//   const light = await startLightClient({ chainSpec });   // chainSpec: the raw spec's JSON text
//   const follow = await light.follow();
//   const fin = await follow.waitFinalized((b) => b.number >= 10, 120_000);
//   const output = await follow.call(fin.hash, 'ModelRegistryApi_model', '0x…');
//   await light.request('transaction_v1_broadcast', [signedHex]);
//   await light.terminate();

import { Worker, MessageChannel } from 'node:worker_threads';
import { start } from 'smoldot';
import { compactFromU8a, hexToU8a } from '@polkadot/util';
import { waitFor, sleep } from './node.mjs';

/** Whether a bootnode multiaddress is a WebSocket one (`…/ws/p2p/…`, `…/wss/p2p/…`, `…/tls/ws/p2p/…`). */
export function isWsAddress (multiaddr) {
  return /\/(ws|wss)\/p2p\//.test(multiaddr);
}

/** The raw chain spec `specText` with only the bootnodes `keep` accepts, as JSON text. */
export function withBootnodes (specText, keep) {
  const spec = JSON.parse(specText);
  spec.bootNodes = (spec.bootNodes ?? []).filter(keep);
  return JSON.stringify(spec);
}

/** The block number of a SCALE-encoded header (parent hash, then the compact number). */
export function headerNumber (headerHex) {
  const [, number] = compactFromU8a(hexToU8a(headerHex).subarray(32));
  return number.toNumber();
}

const LEVELS = ['', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'];

/**
 * Starts a smoldot client and adds the chain of `chainSpec` (raw spec JSON text, nothing
 * else: no database, no extra bootnodes). `forbidTcp` (default true) makes it behave as in a
 * browser: it can then only reach peers over WebSocket. Logs up to `maxLogLevel` (3 = info)
 * are kept for `logTail()`. smoldot's executor runs in a worker thread (smoldot-worker.mjs),
 * which `terminate()` ends.
 */
export async function startLightClient ({ chainSpec, forbidTcp = true, maxLogLevel = 3 }) {
  const logs = [];
  const worker = new Worker(new URL('./smoldot-worker.mjs', import.meta.url));
  worker.unref(); // never what keeps the test process alive
  const { port1, port2 } = new MessageChannel();
  worker.postMessage(port1, [port1]);
  const client = start({
    portToWorker: port2,
    maxLogLevel,
    forbidTcp,
    logCallback: (level, target, message) => {
      logs.push(`${new Date().toISOString()} ${LEVELS[level] ?? level} ${target}: ${message}`);
      if (logs.length > 1000) logs.shift();
    }
  });
  try {
    const chain = await client.addChain({ chainSpec });
    return new LightClient(client, chain, logs, worker);
  } catch (e) {
    await client.terminate().catch(() => {});
    await worker.terminate();
    throw e;
  }
}

class LightClient {
  constructor (client, chain, logs, worker) {
    this.client = client;
    this.chain = chain;
    this.worker = worker;
    this.logs = logs;
    this.nextId = 1;
    this.pending = new Map(); // request id -> { resolve, reject, method }
    this.handlers = new Map(); // subscription id -> handler(result)
    this.early = new Map(); // subscription id -> notifications that came before its handler
    this.follows = new Set();
    this.terminated = false;
    this.pump = this.#pump();
  }

  /** The last `n` lines smoldot logged. */
  logTail (n = 40) {
    return this.logs.slice(-n).join('\n');
  }

  /** Warnings and errors smoldot logged. */
  warnings () {
    return this.logs.filter((line) => / (WARN|ERROR) /.test(line));
  }

  async #pump () {
    for (;;) {
      let text;
      try {
        text = await this.chain.nextJsonRpcResponse();
      } catch (e) {
        // The chain was removed or the client terminated (or crashed): nothing more comes.
        for (const { reject, method } of this.pending.values()) reject(new Error(`${method}: ${e.message}`));
        this.pending.clear();
        return;
      }
      const message = JSON.parse(text);
      if (message.id !== undefined && message.id !== null) {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (!waiter) continue;
        if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message} (code ${message.error.code})`));
        else waiter.resolve(message.result);
      } else if (message.params?.subscription !== undefined) {
        const { subscription, result } = message.params;
        const handler = this.handlers.get(subscription);
        if (handler) handler(result);
        else this.early.set(subscription, [...(this.early.get(subscription) ?? []), result]);
      }
    }
  }

  /** A JSON-RPC request; resolves to its result, rejects with its error or after `timeoutMs`. */
  request (method, params = [], timeoutMs = 120_000) {
    if (this.terminated) return Promise.reject(new Error(`${method}: light client terminated`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer from the light client in ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (f) => (value) => { clearTimeout(timer); f(value); };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject), method });
      try {
        this.chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      } catch (e) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(e);
      }
    });
  }

  /** Routes the notifications of `subscription` to `handler`, including any that came early. */
  onSubscription (subscription, handler) {
    this.handlers.set(subscription, handler);
    const early = this.early.get(subscription) ?? [];
    this.early.delete(subscription);
    for (const result of early) handler(result);
  }

  offSubscription (subscription) {
    this.handlers.delete(subscription);
    this.early.delete(subscription);
  }

  /** Follows the chain (`chainHead_v1_follow` with runtime); see {@link Follow}. */
  async follow () {
    const follow = new Follow(this);
    this.follows.add(follow);
    await follow.subscribe();
    return follow;
  }

  /** Stops following, removes the chain, terminates the client and ends its worker thread. */
  async terminate () {
    if (this.terminated) return;
    for (const follow of this.follows) await follow.unfollow();
    this.terminated = true;
    try {
      this.chain.remove();
    } catch {
      // Already removed (e.g. smoldot crashed): terminate below says so if it matters.
    }
    try {
      await this.client.terminate();
      await this.pump;
    } finally {
      await this.worker.terminate();
    }
  }
}

/**
 * A `chainHead_v1_follow` subscription that survives smoldot's `stop` events (smoldot stops
 * a subscription when it cannot give a consistent view, e.g. after a warp sync jumps the
 * finalized block: the subscription is then renewed). Tracks the finalized block, keeps
 * only the latest few finalized blocks pinned, and runs runtime calls on pinned blocks.
 */
class Follow {
  static KEEP_PINNED = 6;

  constructor (light) {
    this.light = light;
    this.id = null;
    this.stops = 0;
    this.finalized = null; // { hash, number, at } of the latest finalized block
    this.finalizedHistory = [];
    this.best = null;
    this.pinnedFinalized = []; // finalized hashes still pinned, oldest first
    this.operations = new Map(); // operationId -> { resolve, reject } or the event that came first
    this.queue = Promise.resolve();
    this.errors = [];
    this.closed = false;
  }

  async subscribe () {
    const id = await this.light.request('chainHead_v1_follow', [true]);
    this.id = id;
    this.pinnedFinalized = [];
    this.light.onSubscription(id, (event) => {
      this.queue = this.queue.then(() => this.#handle(id, event)).catch((e) => this.errors.push(e));
    });
  }

  async #handle (id, event) {
    if (id !== this.id) return; // a stopped subscription's stragglers
    switch (event.event) {
      case 'initialized':
        this.pinnedFinalized.push(...event.finalizedBlockHashes);
        await this.#finalizedTo(event.finalizedBlockHashes.at(-1));
        break;
      case 'newBlock':
        break;
      case 'bestBlockChanged':
        this.best = event.bestBlockHash;
        break;
      case 'finalized':
        this.pinnedFinalized.push(...event.finalizedBlockHashes);
        await this.#finalizedTo(event.finalizedBlockHashes.at(-1));
        await this.#unpin([...event.prunedBlockHashes, ...this.pinnedFinalized.splice(0, Math.max(0, this.pinnedFinalized.length - Follow.KEEP_PINNED))]);
        break;
      case 'operationCallDone':
      case 'operationError':
      case 'operationInaccessible': {
        const waiter = this.operations.get(event.operationId);
        if (waiter?.resolve) {
          this.operations.delete(event.operationId);
          waiter.resolve(event);
        } else {
          this.operations.set(event.operationId, event);
        }
        break;
      }
      case 'stop':
        this.light.offSubscription(id);
        this.id = null;
        this.stops++;
        for (const [operationId, waiter] of this.operations) {
          if (waiter.resolve) waiter.resolve({ event: 'stop', operationId });
        }
        this.operations.clear();
        if (!this.closed) await this.subscribe();
        break;
      default:
        // operationBodyDone, operationStorageItems, …: not used here.
    }
  }

  async #finalizedTo (hash) {
    if (hash === undefined) return;
    const header = await this.light.request('chainHead_v1_header', [this.id, hash]);
    const block = { hash, number: headerNumber(header), at: Date.now() };
    this.finalized = block;
    this.finalizedHistory.push(block);
  }

  async #unpin (hashes) {
    if (hashes.length === 0 || this.id === null) return;
    await this.light.request('chainHead_v1_unpin', [this.id, hashes]);
  }

  /** Resolves with the latest finalized { hash, number } once `predicate` accepts it. */
  waitFinalized (predicate, timeoutMs = 120_000) {
    return waitFor('the light client to finalize a matching block', () => {
      if (this.errors.length) throw this.errors[0];
      return this.finalized && predicate(this.finalized) ? this.finalized : false;
    }, timeoutMs, 200).catch((e) => {
      throw new Error(`${e.message}; light client finalized ${JSON.stringify(this.finalized)}, ${this.stops} stop(s)${this.errors.length ? `, errors: ${this.errors.join('; ')}` : ''}\n${this.light.logTail()}`);
    });
  }

  /**
   * Calls runtime function `fn` (e.g. `ModelRegistryApi_model`) with SCALE-encoded `args`
   * (hex) at pinned block `hash`; resolves to the output (hex). Retries while smoldot cannot
   * get a proof from its peers (`operationInaccessible`) or renews the subscription.
   */
  async call (hash, fn, args, attempts = 5) {
    let last;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (this.id === null) await sleep(1000);
      const started = await this.light.request('chainHead_v1_call', [this.id, hash, fn, args]);
      if (started.result !== 'started') {
        last = started.result;
        await sleep(1000);
        continue;
      }
      const done = await this.#operation(started.operationId);
      if (done.event === 'operationCallDone') return done.output;
      if (done.event === 'operationError') throw new Error(`${fn} at ${hash}: ${done.error}`);
      last = done.event;
      await sleep(1000);
    }
    throw new Error(`${fn} at ${hash}: gave up after ${attempts} attempts (last: ${last})`);
  }

  #operation (operationId, timeoutMs = 60_000) {
    const early = this.operations.get(operationId);
    if (early && !early.resolve) {
      this.operations.delete(operationId);
      return Promise.resolve(early);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.operations.delete(operationId);
        reject(new Error(`operation ${operationId}: no result in ${timeoutMs} ms`));
      }, timeoutMs);
      this.operations.set(operationId, { resolve: (event) => { clearTimeout(timer); resolve(event); }, reject });
    });
  }

  async unfollow () {
    this.closed = true;
    await this.queue;
    if (this.id === null) return;
    const id = this.id;
    this.id = null;
    this.light.offSubscription(id);
    await this.light.request('chainHead_v1_unfollow', [id], 10_000).catch(() => {});
  }
}
