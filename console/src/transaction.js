// Sending a transaction from a page's form: progress kept in the page's state, shown in a
// live region, and the page reloaded once the transaction is in a block.
import { html, nothing } from 'lit-html';
import { wallet } from './wallet.js';

/**
 * Sends `tx` with the chosen account, keeping its progress in `slot` (an object in the
 * page's state: { busy, status, done, error }) and re-rendering as it moves; `done(result)`
 * gives the sentence for success. Refreshes the page once the transaction is in a block.
 */
export async function sendTx (ctx, slot, tx, done) {
  // A second click before the button re-renders disabled sends nothing.
  if (slot.busy) return;
  Object.assign(slot, { busy: true, status: 'preparing', done: null, error: null });
  ctx.update();
  try {
    const result = await wallet.send(tx, (status) => {
      slot.status = status;
      ctx.update();
    });
    if (result.error) slot.error = `Failed in block #${result.blockNumber}: ${result.error}`;
    else slot.done = done(result);
  } catch (e) {
    slot.error = `Not sent: ${e.message}`;
  } finally {
    slot.busy = false;
    ctx.update();
    ctx.refresh();
  }
}

/** The live region that tells how a transaction in `slot` (see `sendTx`) is going. */
export function txStatus (slot) {
  return html`<div role="status" aria-live="polite" class="tx-status">${
    slot.busy ? html`<span aria-busy="true">Sending: ${slot.status}…</span>`
      : slot.error ? html`<span class="error-text">${slot.error}</span>`
        : slot.done ? html`<span class="good">${slot.done}</span>` : nothing}</div>`;
}
