// Recent blocks and their events, for the live lists, the charts and the pages that show
// what happened to a job, a worker or an account. It follows the best chain as blocks
// arrive and fills in backwards from the head when the console connects, as far as the
// node still has state (a pruned node keeps 256 blocks; `--state-pruning archive` keeps
// all). Events are kept as @polkadot/api records; a block is
// { number, hash, parentHash, time, events: [{ section, method, data, index }] }.
import { chain } from './chain.js';
import { toBig } from './format.js';

/** How many blocks back the console reads when it connects. */
export const BACKFILL = 300;
/** How many blocks it keeps. */
const KEEP = 1200;
/** How far back a new head repairs the kept chain (missed blocks, another fork's blocks). */
const REPAIR = 64;

class History extends EventTarget {
  constructor () {
    super();
    this.blocks = new Map();
    /** The oldest block the node could not give events for, if any. */
    this.prunedBelow = null;
    this.filling = false;
    chain.addEventListener('ready', () => this.start());
    chain.addEventListener('head', (e) => this.onHead(e.detail));
  }

  start () {
    this.blocks.clear();
    this.prunedBelow = null;
    this.backfill().catch(() => {});
  }

  /** The kept blocks from oldest to newest. */
  list () {
    return [...this.blocks.values()].sort((a, b) => a.number - b.number);
  }

  /** The range of block numbers held: { from, to } or null. */
  range () {
    const numbers = [...this.blocks.keys()];
    if (numbers.length === 0) return null;
    return { from: Math.min(...numbers), to: Math.max(...numbers) };
  }

  /** Every kept event matching `filter(event)`, oldest first, each with its block. */
  events (filter) {
    const found = [];
    for (const block of this.list()) {
      for (const event of block.events) if (filter(event)) found.push({ ...event, block });
    }
    return found;
  }

  /** Queues a new best head: heads are applied one at a time, in the order they came. */
  onHead (header) {
    const generation = chain.generation;
    this.heads = (this.heads ?? Promise.resolve()).then(() => this.applyHead(header, generation)).catch(() => {
      // The node went away or pruned the block: the next head brings the history up to date.
    });
  }

  /**
   * Makes `header` the newest kept block, then walks back through its parents, replacing
   * kept blocks of another fork and reading blocks missed (a reconnection, skipped heads)
   * until it meets a kept ancestor, at most `REPAIR` blocks.
   */
  async applyHead (header, generation) {
    if (generation !== chain.generation) return;
    let block = await this.load(header.hash, header.number.toNumber(), header.parentHash.toHex());
    if (generation !== chain.generation) return;
    const newest = block;
    for (const n of [...this.blocks.keys()]) if (n > block.number) this.blocks.delete(n); // a reorg to a shorter chain
    this.blocks.set(block.number, block);
    const lowest = this.range()?.from ?? block.number;
    for (let steps = 0; steps < REPAIR && block.number > lowest; steps++) {
      const parent = this.blocks.get(block.number - 1);
      if (parent && parent.hash === block.parentHash) break;
      block = await this.load(block.parentHash, block.number - 1);
      if (generation !== chain.generation) return;
      this.blocks.set(block.number, block);
    }
    while (this.blocks.size > KEEP) this.blocks.delete(Math.min(...this.blocks.keys()));
    this.dispatchEvent(new CustomEvent('block', { detail: newest }));
  }

  /**
   * Reads the events of the `BACKFILL` blocks below the head, newest first, 8 at a time,
   * down to the oldest block whose state the node still has.
   */
  async backfill () {
    const generation = chain.generation;
    const head = (await chain.api.rpc.chain.getHeader()).number.toNumber();
    this.filling = true;
    this.changed();
    let next = head;
    let lowest = await oldestWithState(Math.max(0, head - BACKFILL), head);
    // A pruning node drops a block's state every block: leave a margin for the time the
    // backfill takes to get down there.
    if (lowest > 0 && lowest > head - BACKFILL) lowest = Math.min(head, lowest + 16);
    if (lowest > 0) this.prunedBelow = lowest;
    const worker = async () => {
      while (next >= lowest && generation === chain.generation) {
        const number = next--;
        if (this.blocks.has(number)) continue;
        try {
          const hash = await chain.api.rpc.chain.getBlockHash(number);
          const block = await this.load(hash, number);
          if (generation === chain.generation) this.blocks.set(number, block);
        } catch {
          // Pruned meanwhile (or the node went away): what is left stays unread.
          this.prunedBelow = Math.max(this.prunedBelow ?? 0, number + 1);
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    this.filling = false;
    this.dispatchEvent(new Event('filled'));
  }

  changed () {
    this.dispatchEvent(new Event('filled'));
  }

  /** The block `hash` (number `number`, parent `parentHash` if known) with its events and timestamp. */
  async load (hash, number, parentHash) {
    const api = chain.api;
    const at = await api.at(hash);
    if (parentHash === undefined) parentHash = (await api.rpc.chain.getHeader(hash)).parentHash.toHex();
    const [records, moment] = await Promise.all([at.query.system.events(), at.query.timestamp.now()]);
    const events = records.map((record, index) => ({
      section: record.event.section,
      method: record.event.method,
      data: record.event.data,
      index
    }));
    return {
      number,
      hash: hash.toHex ? hash.toHex() : String(hash),
      parentHash,
      time: moment.toNumber(),
      events
    };
  }
}

export const history = new History();

/** Is `event` `section.method`? */
export const is = (event, section, method) => event.section === section && event.method === method;

/** Jobs submitted, jobs closed and fees settled (all four parts) in `block`. */
export function blockActivity (block) {
  let submitted = 0;
  let closed = 0;
  let fees = 0n;
  for (const e of block.events) {
    if (is(e, 'computeJobs', 'JobSubmitted')) submitted++;
    else if (is(e, 'computeJobs', 'JobClosed')) closed++;
    else if (is(e, 'computeJobs', 'JobSettled')) {
      fees += toBig(e.data.workersPaid) + toBig(e.data.ownerPaid) + toBig(e.data.dataPaid) + toBig(e.data.treasuryPaid);
    }
  }
  return { submitted, closed, fees };
}

/**
 * Whether the node still has block `number`'s state. Asked over plain JSON-RPC, not
 * `api.at`, which logs an error to the console for every pruned block.
 */
async function hasState (number) {
  if (history.blocks.has(number)) return true;
  try {
    const hash = await chain.rpc('chain_getBlockHash', [number]);
    if (!hash) return false;
    await chain.rpc('state_getRuntimeVersion', [hash]);
    return true;
  } catch {
    return false;
  }
}

/**
 * The lowest block of `from..=to` whose state the node still has (`to + 1` if none). A
 * pruned node keeps the newest blocks only, so past the first block this is a binary search.
 */
export async function oldestWithState (from, to) {
  if (await hasState(from)) return from;
  let low = from + 1;
  let high = to + 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (await hasState(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Reads the events of blocks `from..=to` (those not kept already), for a page about
 * something older than the kept window. Blocks the node has pruned are skipped.
 */
export async function eventsBetween (from, to, filter) {
  const found = [];
  const kept = history.range();
  if (!(kept && from >= kept.from)) from = await oldestWithState(from, to);
  for (let number = from; number <= to; number++) {
    let block = history.blocks.get(number);
    if (!block) {
      try {
        const hash = await chain.api.rpc.chain.getBlockHash(number);
        block = await history.load(hash, number);
      } catch {
        continue;
      }
    }
    for (const event of block.events) if (filter(event)) found.push({ ...event, block });
  }
  return found;
}
