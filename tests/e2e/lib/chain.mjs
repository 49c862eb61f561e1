// Helpers to drive the chain through @polkadot/api: the development accounts, submitting a
// transaction and waiting for its block, decoding a failed dispatch into `Pallet.Error`.

import { Keyring } from '@polkadot/api';

/** One INFR in planck (12 decimals, as `system_properties` says: dev-chain.test.mjs checks). */
export const UNIT = 10n ** 12n;
/** A thousandth of an INFR (mINFR). */
export const MILLI = UNIT / 1000n;
/** A millionth of an INFR (µINFR). */
export const MICRO = MILLI / 1000n;

/**
 * The well-known development accounts (`//Alice` … `//Ferdie`, sr25519, SS58 prefix 42) by
 * lower-case name: { alice, bob, charlie, dave, eve, ferdie }.
 */
export function devAccounts () {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  return Object.fromEntries(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']
    .map((name) => [name.toLowerCase(), keyring.addFromUri(`//${name}`)]));
}

/**
 * Signs and sends `tx` as `signer`; resolves when it is in a block with
 * { blockHash, events, error } where `error` is null or a string like
 * `ModelRegistry.DigestAlreadyRegistered` / `BadOrigin`.
 * A sudo call's inner failure (Sudid { sudoResult: Err }) is reported the same way.
 */
export function submit (api, tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, { nonce: -1 }, ({ status, events, dispatchError }) => {
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        reject(new Error(`transaction ${status.type}`));
        return;
      }
      if (!status.isInBlock) return;
      let error = dispatchError ? describeError(api, dispatchError) : null;
      for (const { event } of events) {
        if (api.events.sudo?.Sudid?.is(event) && event.data.sudoResult.isErr) {
          error = describeError(api, event.data.sudoResult.asErr);
        }
      }
      resolve({ blockHash: status.asInBlock, events, error });
    }).catch(reject);
  });
}

/** Like `submit`, but fails with `section.method failed: <error>` unless the dispatch succeeded. */
export async function submitOk (api, tx, signer) {
  const result = await submit(api, tx, signer);
  if (result.error !== null) throw new Error(`${tx.method.section}.${tx.method.method} failed: ${result.error}`);
  return result;
}

/** `Pallet.Error` for module errors, else the error's variant name (e.g. `BadOrigin`). */
export function describeError (api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}`;
  }
  return dispatchError.type;
}

/** The events of `section.method` among `events`, as their `event.data`. */
export function eventsOf (events, section, method) {
  return events
    .filter(({ event }) => event.section === section && event.method === method)
    .map(({ event }) => event.data);
}

/**
 * The commitment a worker submits for `verdict` (e.g. `{ Output: { Embedding: [...] } }` or
 * `{ Failure: 'InvalidInput' }`) on job `jobId` with a 32-byte `salt`:
 * blake2_256(SCALE(b"infera/commit", genesis hash, jobId, worker, verdict, salt)), as
 * pallet-compute-jobs' `results::commitment_of` computes it. Returns
 * { commitment, verdict } with `verdict` as the typed value to reveal.
 */
export async function commitmentOf (api, jobId, worker, verdict, salt) {
  const { blake2AsU8a, decodeAddress } = await import('@polkadot/util-crypto');
  const { u8aConcat, stringToU8a } = await import('@polkadot/util');
  const typed = api.createType(api.tx.computeJobs.revealResult.meta.args[1].type.toString(), verdict);
  const preimage = u8aConcat(
    stringToU8a('infera/commit'),
    api.genesisHash.toU8a(),
    api.createType('u64', jobId).toU8a(),
    decodeAddress(worker),
    typed.toU8a(),
    salt
  );
  return { commitment: blake2AsU8a(preimage, 256), verdict: typed };
}
