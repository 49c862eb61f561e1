// Who signs: accounts from a browser wallet extension (the polkadot-js extension API:
// polkadot{.js}, Talisman, SubWallet, …) and, on development chains only, the well-known
// development keys. `send` signs a transaction with the chosen account and resolves once
// it is in a block, with the dispatch error (if any) named as `pallet.Error`.
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { chain } from './chain.js';
import { ss58 } from './format.js';

const DEV = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

class Wallet extends EventTarget {
  constructor () {
    super();
    /** [{ address, name, source: 'dev' | extension name }] */
    this.accounts = [];
    this.selected = localStorage.getItem('infera.account');
    this.extensionError = null;
    this.devPairs = new Map();
    chain.addEventListener('ready', () => this.loadDev());
  }

  async loadDev () {
    this.devPairs.clear();
    this.accounts = this.accounts.filter((a) => a.source !== 'dev');
    if (chain.isDev) {
      await cryptoWaitReady();
      const keyring = new Keyring({ type: 'sr25519', ss58Format: ss58.prefix });
      for (const name of DEV) {
        const pair = keyring.addFromUri(`//${name}`, { name });
        this.devPairs.set(pair.address, pair);
        this.accounts.push({ address: pair.address, name: `${name} (dev)`, source: 'dev' });
      }
    }
    if (!this.accounts.some((a) => a.address === this.selected)) this.selected = this.accounts[0]?.address ?? null;
    this.changed();
  }

  /** Asks the browser's wallet extensions for their accounts. */
  async connectExtension () {
    const { web3Enable, web3Accounts } = await import('@polkadot/extension-dapp');
    const extensions = await web3Enable('Infera console');
    if (extensions.length === 0) {
      this.extensionError = 'No wallet extension answered: install polkadot{.js}, Talisman or SubWallet, and allow this page.';
      this.changed();
      return;
    }
    const found = await web3Accounts({ ss58Format: ss58.prefix });
    this.extensionError = found.length === 0 ? 'The wallet extension shares no accounts with this page.' : null;
    this.accounts = this.accounts.filter((a) => a.source === 'dev')
      .concat(found.map((a) => ({ address: a.address, name: a.meta.name ?? a.address, source: a.meta.source })));
    if (!this.selected && this.accounts.length) this.selected = this.accounts[0].address;
    this.changed();
  }

  select (address) {
    this.selected = address;
    localStorage.setItem('infera.account', address);
    this.changed();
  }

  /** The chosen account, or null. */
  current () {
    return this.accounts.find((a) => a.address === this.selected) ?? null;
  }

  /**
   * Signs `tx` with the chosen account and sends it. `onStatus(text)` hears its progress.
   * Resolves with { blockHash, blockNumber, events, error }; rejects if the node refuses it.
   */
  async send (tx, onStatus = () => {}) {
    const account = this.current();
    if (!account) throw new Error('Choose an account first (the account menu at the top).');
    let signer;
    let options = { nonce: -1 };
    if (account.source === 'dev') signer = this.devPairs.get(account.address);
    else {
      const { web3FromSource } = await import('@polkadot/extension-dapp');
      const injected = await web3FromSource(account.source);
      signer = account.address;
      options = { ...options, signer: injected.signer };
    }
    onStatus('signing');
    const api = chain.api;
    return new Promise((resolve, reject) => {
      let unsubscribe = () => {};
      tx.signAndSend(signer, options, ({ status, events, dispatchError }) => {
        if (status.isReady || status.isBroadcast) onStatus('in the pool');
        if (status.isInvalid || status.isDropped || status.isUsurped) {
          unsubscribe();
          reject(new Error(`the transaction was ${status.type.toLowerCase()}`));
          return;
        }
        if (!status.isInBlock) return;
        unsubscribe();
        let error = dispatchError ? describe(api, dispatchError) : null;
        for (const { event } of events) {
          if (api.events.sudo?.Sudid?.is(event) && event.data.sudoResult.isErr) error = describe(api, event.data.sudoResult.asErr);
        }
        api.rpc.chain.getHeader(status.asInBlock).then((header) => resolve({
          blockHash: status.asInBlock.toHex(), blockNumber: header.number.toNumber(), events, error
        }), reject);
      }).then((unsub) => { unsubscribe = unsub; }, reject);
    });
  }

  changed () {
    this.dispatchEvent(new Event('change'));
  }
}

/** `pallet.Error: its documentation` for a module error, else the error's kind. */
function describe (api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name, docs } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}${docs.length ? `: ${docs.join(' ')}` : ''}`;
  }
  const meaning = {
    FundsUnavailable: 'the account has not enough free balance',
    BelowMinimum: 'the amount would leave an account below the existential deposit',
    Underflow: 'the account has not enough balance',
    Overflow: 'an amount would overflow'
  };
  for (const kind of ['Token', 'Arithmetic', 'Transactional']) {
    if (dispatchError[`is${kind}`]) {
      const inner = dispatchError[`as${kind}`].type;
      return `${kind}.${inner}${meaning[inner] ? `: ${meaning[inner]}` : ''}`;
    }
  }
  return dispatchError.type;
}

export const wallet = new Wallet();
