// How values look: token amounts, accounts, shares, blocks, and the links between pages.
import { html } from 'lit-html';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';

/** The chain's token: symbol and decimals, from `system_properties` (set once connected). */
export const token = { symbol: 'INFR', decimals: 12 };

/** The chain's SS58 address prefix (set once connected). */
export const ss58 = { prefix: 42 };

/** Well-known development accounts by address, named on development chains only. */
export const devNames = new Map();

/** `planck` (bigint, number, string or Codec) as "1.234 INFR", up to 4 significant decimals. */
export function amount (planck, { symbol = true } = {}) {
  const value = toBig(planck);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(token.decimals);
  const whole = abs / unit;
  let fraction = (abs % unit).toString().padStart(token.decimals, '0').replace(/0+$/, '');
  if (whole > 0n) fraction = fraction.slice(0, 4);
  else {
    const lead = fraction.match(/^0*/)[0].length;
    fraction = fraction.slice(0, lead + 3);
  }
  const text = `${negative ? '−' : ''}${whole.toLocaleString('en-US')}${fraction ? '.' + fraction : ''}`;
  return symbol ? `${text} ${token.symbol}` : text;
}

/** A bigint from a bigint, number, decimal string or Codec. */
export function toBig (value) {
  if (typeof value === 'bigint') return value;
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'string') return BigInt(value);
  if (typeof value.toBigInt === 'function') return value.toBigInt();
  return BigInt(value.toString());
}

/** Parts per million as a percentage. */
export const ppm = (value) => `${(Number(value) / 10_000).toFixed(1)} %`;

/** "5Grw…utQY", or the development name. */
export function shortAccount (address) {
  const text = String(address);
  return devNames.get(text) ?? `${text.slice(0, 4)}…${text.slice(-4)}`;
}

/** Links to the pages of each kind of thing. */
export const link = {
  account: (a) => html`<a class="account" href="#/account/${a}" title=${String(a)}>${shortAccount(a)}</a>`,
  worker: (a) => html`<a class="account" href="#/worker/${a}" title=${String(a)}>${shortAccount(a)}</a>`,
  block: (n) => html`<a href="#/block/${n}">#${Number(n).toLocaleString('en-US')}</a>`,
  job: (id) => html`<a href="#/job/${id}">job ${id}</a>`,
  model: (id, name) => html`<a href="#/model/${id}"><bdi>${name === undefined || name === null ? `model ${id}` : chainText(name, `model ${id}`)}</bdi></a>`,
  dataset: (id, name) => html`<a href="#/dataset/${id}"><bdi>${name === undefined || name === null ? `dataset ${id}` : chainText(name, `dataset ${id}`)}</bdi></a>`,
  referendum: (i) => html`<a href="#/referendum/${i}">referendum ${i}</a>`
};

/** A digest shortened for display, whole in its title. */
export const digest = (hex) => html`<code title=${hex}>${String(hex).slice(0, 10)}…${String(hex).slice(-6)}</code>`;

/** Milliseconds as "3 s ago", "2 min ago", … */
export function ago (ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** camelCase or PascalCase as words: "noQuorum" → "no quorum". */
export const words = (name) => String(name).replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** A job's close reason (the runtime's `CloseReason`, or the RPC's camelCase name) in words: "completed", "failed: invalid input". */
export function closeReason (reason) {
  if (typeof reason === 'string') return words(reason).replace(/^failed /, 'failed: ');
  return reason.isFailed ? `failed: ${words(reason.asFailed.type)}` : words(reason.type);
}

/**
 * `text` as an account address in this chain's SS58 format; throws an Error that says
 * why when it is not one.
 */
export function accountAddress (text) {
  let key;
  try {
    key = decodeAddress(String(text).trim());
  } catch (e) {
    throw new Error(`${text} is not a valid account address: ${e.message.replace(/^Decoding \S+: /, '')}.`);
  }
  if (key.length !== 32) throw new Error(`${text} is not an account address (it decodes to ${key.length} bytes, not 32).`);
  return encodeAddress(key, ss58.prefix);
}

/**
 * A token amount typed by a person ("10", "0.25") in planck: { planck } or, when it is
 * not a positive decimal with at most `token.decimals` decimals, { error }.
 */
export function parseAmount (text) {
  const value = String(text ?? '').trim();
  if (!/^(\d+\.?\d*|\.\d+)$/.test(value)) return { error: `Type a positive amount in ${token.symbol}, e.g. 10 or 0.5.` };
  const [whole, fraction = ''] = value.split('.');
  if (fraction.length > token.decimals) return { error: `At most ${token.decimals} decimals.` };
  const unit = 10n ** BigInt(token.decimals);
  const planck = BigInt(whole || '0') * unit + BigInt(fraction.padEnd(token.decimals, '0') || '0');
  if (planck <= 0n) return { error: 'The amount must be more than zero.' };
  return { planck };
}

/**
 * Text from the chain (names, labels) made safe to show: characters that reorder or hide
 * text (bidirectional overrides and isolates, zero-width spaces, byte-order marks) become
 * "�", so "‮gnp.exe" cannot pose as "exe.png" and a name cannot be invisible; `fallback`
 * stands in for a name with nothing visible left.
 */
export function chainText (text, fallback = '(no name)') {
  const cleaned = String(text ?? '').replace(/[\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g, '\uFFFD');
  return cleaned.trim() ? cleaned : fallback;
}
