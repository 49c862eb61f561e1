// The connection to a node: @polkadot/api over WebSocket, the `infera_*` JSON-RPC methods,
// the best and finalized heads, and the connection's state for the header and the error
// pages. One instance, `chain`, for the whole console.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { devNames, ss58, token } from './format.js';

const DEV_ACCOUNTS = {
  Alice: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
  Bob: '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty',
  Charlie: '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y',
  Dave: '5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy',
  Eve: '5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw',
  Ferdie: '5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL'
};

/**
 * The node to use: `?node=` in the page's URL (for this visit only: a link cannot change
 * the node later visits use), else the one last typed in the header, else a local node.
 * Returns { url, fromLink }.
 */
export function initialNode () {
  const fromQuery = new URLSearchParams(location.search).get('node');
  if (fromQuery) return { url: fromQuery, fromLink: true };
  return { url: localStorage.getItem('infera.node') ?? 'ws://127.0.0.1:9944', fromLink: false };
}

/** An error from the node's JSON-RPC: `code` and the node's message. */
export class RpcError extends Error {
  constructor (method, code, message) {
    super(`${method}: ${message}`);
    this.code = code;
  }
}

class Chain extends EventTarget {
  constructor () {
    super();
    this.url = null;
    /** Whether the node came from the page's link rather than the person's choice. */
    this.fromLink = false;
    /** 'connecting' | 'connected' | 'disconnected' */
    this.state = 'disconnected';
    this.error = null;
    this.api = null;
    this.best = null;
    this.finalized = null;
    this.chainName = null;
    this.isDev = false;
    this.blockTimeMs = 6000;
    this.generation = 0;
  }

  /**
   * (Re)connects to `url`; resolves once connected and the metadata is loaded. A node the
   * person chose (`remember`) is the default of later visits; one from a link (`fromLink`)
   * is not, and the header warns about it unless it is the remembered one.
   */
  async connect (url, { remember = false, fromLink = false } = {}) {
    await this.disconnect();
    const generation = ++this.generation;
    this.url = url;
    this.fromLink = fromLink && url !== localStorage.getItem('infera.node');
    if (remember) localStorage.setItem('infera.node', url);
    this.state = 'connecting';
    this.error = null;
    this.changed();
    let provider;
    try {
      new URL(url);
      if (!/^wss?:$/.test(new URL(url).protocol)) throw new Error('the node URL must start with ws:// or wss://');
      provider = new WsProvider(url, 2500, {}, 30_000);
    } catch (e) {
      this.state = 'disconnected';
      this.error = `${url} is not a node address: ${e.message}`;
      this.changed();
      return;
    }
    provider.on('disconnected', () => {
      if (generation !== this.generation) return;
      this.state = this.api ? 'disconnected' : 'connecting';
      this.error = `no connection to ${url}; retrying`;
      this.changed();
    });
    provider.on('connected', () => {
      if (generation !== this.generation || !this.api) return;
      this.state = 'connected';
      this.error = null;
      this.changed();
    });
    provider.on('error', () => {
      if (generation !== this.generation) return;
      this.error = `cannot reach ${url}: is the node running, with --rpc-cors allowing this page?`;
      this.changed();
    });
    const api = await ApiPromise.create({ provider, throwOnConnect: false, noInitWarn: true });
    if (generation !== this.generation) {
      await api.disconnect();
      return;
    }
    this.api = api;
    this.provider = provider;
    const [chainName, chainType, properties] = await Promise.all([
      api.rpc.system.chain(), api.rpc.system.chainType(), api.rpc.system.properties()
    ]);
    this.chainName = chainName.toString();
    this.isDev = chainType.isDevelopment || chainType.isLocal;
    token.symbol = properties.tokenSymbol.unwrapOr([token.symbol])[0].toString();
    token.decimals = properties.tokenDecimals.unwrapOr([token.decimals])[0].toNumber();
    ss58.prefix = properties.ss58Format.isSome ? properties.ss58Format.unwrap().toNumber() : 42;
    devNames.clear();
    if (this.isDev) for (const [name, address] of Object.entries(DEV_ACCOUNTS)) devNames.set(address, name);
    this.blockTimeMs = api.consts.babe ? api.consts.babe.expectedBlockTime.toNumber() : 6000;
    await api.rpc.chain.subscribeNewHeads((header) => {
      this.best = { number: header.number.toNumber(), hash: header.hash.toHex() };
      this.dispatchEvent(new CustomEvent('head', { detail: header }));
      this.changed();
    });
    await api.rpc.chain.subscribeFinalizedHeads((header) => {
      this.finalized = { number: header.number.toNumber(), hash: header.hash.toHex() };
      this.changed();
    });
    this.state = 'connected';
    this.error = null;
    this.dispatchEvent(new Event('ready'));
    this.changed();
  }

  async disconnect () {
    const api = this.api;
    this.api = null;
    this.best = null;
    this.finalized = null;
    if (api) await api.disconnect().catch(() => {});
  }

  /** Calls a JSON-RPC method (e.g. `infera_job`); a node error becomes an `RpcError`. */
  async rpc (method, params = []) {
    if (!this.api) throw new Error('not connected to a node');
    try {
      return await this.provider.send(method, params);
    } catch (e) {
      const match = /^(-?\d+): (.*)$/s.exec(e.message);
      if (match) throw new RpcError(method, Number(match[1]), match[2]);
      throw new RpcError(method, null, e.message);
    }
  }

  /** Calls `rpc`, answering `null` for the given error code (e.g. 4101, an unknown job). */
  async rpcOrNull (method, params, code) {
    try {
      return await this.rpc(method, params);
    } catch (e) {
      if (e instanceof RpcError && e.code === code) return null;
      throw e;
    }
  }

  changed () {
    this.dispatchEvent(new Event('change'));
  }
}

export const chain = new Chain();
