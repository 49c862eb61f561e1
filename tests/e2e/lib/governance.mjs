// OpenGov helpers: note a preimage, submit a referendum on a track, place its decision
// deposit, vote with conviction, and wait for the outcome.

import { blake2AsHex } from '@polkadot/util-crypto';
import { hexToU8a } from '@polkadot/util';
import { submitOk as ok, eventsOf } from './chain.mjs';
import { waitFor } from './node.mjs';

/**
 * Notes `call` as `proposer`'s preimage and submits it as a referendum dispatched with
 * `origin` (e.g. `{ system: 'Root' }`, `{ Governance: 'ParameterAdmin' }`), enacted one
 * block after approval at the earliest. Returns { index, hash, len }.
 */
export async function propose (api, proposer, origin, call) {
  const bytes = hexToU8a(call.method.toHex());
  const hash = blake2AsHex(bytes, 256);
  const noted = await ok(api, api.tx.preimage.notePreimage(call.method.toHex()), proposer);
  // The event's field is `hash_` (a Codec's own `hash` getter would shadow `hash`).
  const [[notedHash]] = eventsOf(noted.events, 'preimage', 'Noted');
  if (notedHash.toHex() !== hash) throw new Error(`preimage hash ${notedHash.toHex()} != ${hash}`);
  const submitted = await ok(api, api.tx.referenda.submit(origin, { Lookup: { hash, len: bytes.length } }, { After: 1 }), proposer);
  const [{ index }] = eventsOf(submitted.events, 'referenda', 'Submitted');
  return { index: index.toNumber(), hash, len: bytes.length };
}

/** Places the decision deposit of referendum `index` from `who`. */
export async function placeDecisionDeposit (api, who, index) {
  const placed = await ok(api, api.tx.referenda.placeDecisionDeposit(index), who);
  return eventsOf(placed.events, 'referenda', 'DecisionDepositPlaced')[0].amount.toBigInt();
}

/** `who` votes on `index` with `balance` locked at `conviction` ('None', 'Locked1x' … 'Locked6x'). */
export async function vote (api, who, index, aye, conviction, balance) {
  await ok(api, api.tx.convictionVoting.vote(index, { Standard: { vote: { aye, conviction }, balance } }), who);
}

/** Resolves with the referendum's final state name ('Approved', 'Rejected', …) once it is over. */
export async function outcome (api, index, timeoutMs = 120_000) {
  return waitFor(`referendum ${index} to end`, async () => {
    const info = await api.query.referenda.referendumInfoFor(index);
    if (info.isNone || info.unwrap().isOngoing) return null;
    return info.unwrap().type;
  }, timeoutMs, 1_000);
}
