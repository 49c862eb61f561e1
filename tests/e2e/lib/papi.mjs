// polkadot-api (PAPI) against a running node: a WebSocket client, sr25519 signers from
// @polkadot/api keyring pairs, and the RFC-78 signer that signs with `CheckMetadataHash`
// in mode 1 (the metadata hash an offline or hardware wallet checks).

import { createClient } from 'polkadot-api';
import { getPolkadotSigner, withMetadataHash } from 'polkadot-api/signer';
import { getWsProvider } from 'polkadot-api/ws';
import { rpcCall } from './node.mjs';

/** A PAPI client connected to `url` (Node 20 has no global WebSocket: use `ws` then). */
export async function papiClient (url) {
  const websocketClass = globalThis.WebSocket ?? (await import('@polkadot/x-ws')).WebSocket;
  return createClient(getWsProvider(url, { websocketClass }));
}

/** A PAPI signer for a keyring `pair` of type sr25519; transactions go out in mode 0. */
export function sr25519Signer (pair) {
  return getPolkadotSigner(pair.publicKey, 'Sr25519', (bytes) => pair.sign(bytes));
}

/**
 * The network information a metadata-hash signer needs, from the node's
 * `system_properties`: { tokenSymbol, decimals, base58Prefix }.
 */
export async function networkInfo (rpcPort) {
  const props = await rpcCall(rpcPort, 'system_properties');
  return { tokenSymbol: props.tokenSymbol, decimals: props.tokenDecimals, base58Prefix: props.ss58Format };
}

/**
 * A PAPI signer for `pair` that signs in `CheckMetadataHash` mode 1 with the metadata hash
 * of the runtime and `info` ({ tokenSymbol, decimals } and optionally base58Prefix, which
 * must then equal the metadata's SS58 prefix).
 */
export function metadataHashSigner (pair, info) {
  return withMetadataHash(info, sr25519Signer(pair));
}

/** The events of `pallet.name` among the events of a PAPI transaction result, as their values. */
export function papiEventsOf (events, pallet, name) {
  return events.filter((e) => e.type === pallet && e.value.type === name).map((e) => e.value.value);
}
