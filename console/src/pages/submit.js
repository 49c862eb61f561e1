// The form that submits a job to a model: the input (a text, or a chat prompt for a
// generation model), replicas, deadline and the fee the chain quotes for them, signed by
// the account chosen in the header. Once the job is in a block the console opens its page.
import { html, nothing } from 'lit-html';
import { chain } from '../chain.js';
import { wallet } from '../wallet.js';
import { amount, parseAmount, toBig, token } from '../format.js';

/** The form for `model`; its state lives in the page's `ctx.state.submit`. */
export function submitForm (model, ctx) {
  const state = (ctx.state.submit ??= { replicas: 1, deadline: 60, check: 'Verify', maxNewTokens: 32, quote: null, quoteFor: null, busy: false, message: null, error: null });
  const generation = model.task === 'textGeneration';
  if (generation && state.replicas < 3 && state.check === 'Verify') state.replicas = 3;
  const routable = model.versions.some((v) => v.status === 'approved') && !model.deprecated;
  const quoteKey = JSON.stringify([model.id, state.replicas, generation && state.maxNewTokens, generation && state.check]);
  if (routable && state.quoteFor !== quoteKey) {
    state.quoteFor = quoteKey;
    const params = [{ modelId: model.id }, Number(state.replicas), null];
    if (generation) params.push({ maxNewTokens: Number(state.maxNewTokens), verify: state.check === 'Verify' });
    chain.rpc('infera_estimateFee', params)
      .then((quote) => { state.quote = quote; state.quoteError = null; })
      .catch((e) => { state.quote = null; state.quoteError = e.message; })
      .finally(() => ctx.update());
  }
  const account = wallet.current();
  const field = (name) => (e) => { state[name] = e.target.value; ctx.update(); };

  const submit = async (e) => {
    e.preventDefault();
    // A second click before the button re-renders disabled sends nothing.
    if (state.busy) return;
    const form = new FormData(e.target);
    const input = String(form.get('input') ?? '').trim();
    state.error = null;
    state.message = null;
    if (!input) { state.error = generation ? 'Write a prompt.' : 'Write the text to run the model on.'; ctx.update(); return; }
    const typed = form.get('maxFee') ? parseAmount(String(form.get('maxFee'))) : { planck: toBig(state.quote?.minMaxFee) };
    if (typed.error) { state.error = `Maximum fee: ${typed.error}`; ctx.update(); return; }
    const maxFee = typed.planck;
    if (!state.quote) { state.error = state.quoteError ?? 'Waiting for the chain\'s quote.'; ctx.update(); return; }
    const choice = { Model: { modelId: model.id, version: null, maxPrice: state.quote.price } };
    const api = chain.api;
    const tx = generation
      ? api.tx.computeJobs.submitGeneration(choice, JSON.stringify([{ role: 'user', content: input }]),
        { maxNewTokens: Number(state.maxNewTokens), temperature: 0, check: state.check }, maxFee, Number(state.replicas), Number(state.deadline))
      : api.tx.computeJobs.submitJob(choice, { Inline: input }, maxFee, Number(state.replicas), Number(state.deadline));
    state.busy = true;
    ctx.update();
    try {
      const result = await wallet.send(tx, (status) => { state.message = `Transaction ${status}…`; ctx.update(); });
      if (result.error) {
        state.error = `Refused in block #${result.blockNumber}: ${result.error}`;
      } else {
        const submitted = result.events.find(({ event }) => api.events.computeJobs.JobSubmitted.is(event));
        const jobId = submitted.event.data.jobId.toNumber();
        state.message = `Job ${jobId} submitted in block #${result.blockNumber}.`;
        location.hash = `#/job/${jobId}`;
      }
    } catch (err) {
      state.error = err.message;
    } finally {
      state.busy = false;
      ctx.update();
    }
  };

  if (!routable) return html`<p class="muted">This model takes no jobs until governance approves a version.</p>`;
  const q = state.quote;
  return html`<form class="action" @submit=${submit} aria-describedby="submit-help">
    <div class="row">
      <label for="job-input">${generation ? 'Prompt' : 'Text'}</label>
      <textarea id="job-input" name="input" required maxlength="4096"
        placeholder=${generation ? 'What is the capital of France?' : 'Infera settles inference jobs on chain.'}></textarea>
    </div>
    <div class="inline">
      <div class="row"><label for="job-replicas">Replicas</label>
        <input id="job-replicas" name="replicas" type="number" min=${generation && state.check === 'Verify' ? 3 : 1} max="5" .value=${String(state.replicas)} @change=${field('replicas')}></div>
      <div class="row"><label for="job-deadline">Deadline (blocks)</label>
        <input id="job-deadline" name="deadline" type="number" min=${chain.api.consts.computeJobs.minDeadline.toString()} max="600" .value=${String(state.deadline)} @change=${field('deadline')}></div>
      ${generation ? html`
        <div class="row"><label for="job-tokens">Most new tokens</label>
          <input id="job-tokens" name="maxNewTokens" type="number" min="1" max=${chain.api.consts.computeJobs.maxNewTokens.toString()} .value=${String(state.maxNewTokens)} @change=${field('maxNewTokens')}></div>
        <div class="row"><label for="job-check">Checked by</label>
          <select id="job-check" name="check" @change=${field('check')}>
            <option value="Verify" ?selected=${state.check === 'Verify'}>one generator, verifiers</option>
            <option value="Replicate" ?selected=${state.check === 'Replicate'}>replicas that must agree</option>
          </select></div>` : nothing}
      <div class="row"><label for="job-maxfee">Maximum fee (${token.symbol})</label>
        <input id="job-maxfee" name="maxFee" inputmode="decimal" placeholder=${q ? amount(q.minMaxFee, { symbol: false }) : ''}></div>
    </div>
    <p id="submit-help" class="muted">${q
      ? html`Quote: ${amount(q.price)} to the model's side (owner ${amount(toBig(q.price) - toBig(q.dataShare))}, its datasets ${amount(q.dataShare)}),
        ${amount(q.workerFees)} to workers, ${amount(q.treasury)} to the treasury. At least <strong>${amount(q.minMaxFee)}</strong> is held in escrow;
        what the job does not use comes back.`
      : state.quoteError ? html`<span class="bad">${state.quoteError}</span>` : 'Asking the chain for a quote…'}</p>
    <div class="inline">
      <button type="submit" ?disabled=${state.busy || !account}>Submit job${account ? html` as ${account.name}` : nothing}</button>
      ${!account ? html`<span class="warn">Choose an account at the top (a wallet extension, or a dev account on a dev chain).</span>` : nothing}
    </div>
    <div role="status" aria-live="polite">
      ${state.message ? html`<p>${state.message}</p>` : nothing}
      ${state.error ? html`<p class="bad">${state.error}</p>` : nothing}
    </div>
  </form>`;
}
