// OpenGov: the referenda of each track (ongoing first, with their proposal, tally and
// state; then the finished ones), the protocol parameters in force and the tracks'
// deposits and periods; and one referendum's details, tally, timeline of events and a
// form to vote on it with conviction.
import { html, nothing } from 'lit-html';
import { isU8a, u8aToString } from '@polkadot/util';
import { chain } from '../chain.js';
import { history, is } from '../history.js';
import { wallet } from '../wallet.js';
import { amount, digest, link, parseAmount, ppm, shortAccount, token, words } from '../format.js';
import { sendTx, txStatus } from '../transaction.js';

/** The badge class of each way a referendum ends. */
const OUTCOMES = { Approved: 'ok', Rejected: 'bad', Cancelled: 'bad', TimedOut: 'warn', Killed: 'bad' };
/** Convictions: the vote multiplier (×10) and how many locking periods the tokens stay locked. */
const CONVICTIONS = [
  ['None', 1, 0], ['Locked1x', 10, 1], ['Locked2x', 20, 2], ['Locked3x', 30, 4],
  ['Locked4x', 40, 8], ['Locked5x', 50, 16], ['Locked6x', 60, 32]
];
/** Preimages longer than this are not fetched to be shown (a runtime upgrade's is megabytes). */
const MAX_PREIMAGE = 64 * 1024;
/** How many finished referenda each track lists. */
const MAX_FINISHED = 50;
/** Decoded proposals by connection and preimage hash (a noted preimage never changes). */
const proposals = new Map();

export const governancePage = {
  path: /^\/governance$/,
  title: () => 'Governance',
  live: true,
  liveEvery: 5,
  async load () {
    const api = chain.api;
    const [entries, count, stored, issuance] = await Promise.all([
      api.query.referenda.referendumInfoFor.entries(),
      api.query.referenda.referendumCount(),
      api.query.parameters.parameters.entries(),
      activeIssuance()
    ]);
    const referenda = await Promise.all(entries.map(([key, info]) => summarize(key.args[0].toNumber(), info.unwrap())));
    referenda.sort((a, b) => b.index - a.index);
    return { referenda, count: count.toNumber(), parameters: parameterRows(stored), tracks: tracks(), issuance };
  },
  view (data) {
    const byTrack = new Map();
    for (const r of data.referenda) {
      const key = r.track ?? 'unknown';
      if (!byTrack.has(key)) byTrack.set(key, []);
      byTrack.get(key).push(r);
    }
    const idle = data.tracks.filter((t) => !byTrack.has(t.id));
    const groups = [
      ...data.tracks.filter((t) => byTrack.has(t.id)).map((t) => ({ title: `${t.name} · track ${t.id}`, rows: byTrack.get(t.id) })),
      ...[...byTrack.keys()].filter((k) => k !== 'unknown' && !data.tracks.some((t) => t.id === k))
        .map((k) => ({ title: `track ${k}`, rows: byTrack.get(k) })),
      ...(byTrack.has('unknown') ? [{ title: 'Track not known (submitted before the blocks read)', rows: byTrack.get('unknown') }] : [])
    ];
    const ongoing = data.referenda.filter((r) => r.ongoing).length;
    return html`
      <h1>Governance</h1>
      <p>${data.count} referend${data.count === 1 ? 'um' : 'a'} submitted, ${ongoing} ongoing.
        Proposals are submitted with <code>referenda.submit</code> on the track whose origin the call needs.</p>
      <section aria-labelledby="referenda">
        <h2 id="referenda">Referenda</h2>
        ${groups.length === 0 ? html`<p class="empty">No referendum has been submitted on this chain yet.</p>` : nothing}
        ${groups.map((g) => referendaTable(g, data))}
        ${groups.length && idle.length ? html`<p class="muted">No referenda on ${idle.map((t) => t.name).join(', ')}.</p>` : nothing}
      </section>
      <section aria-labelledby="parameters">
        <h2 id="parameters">Protocol parameters</h2>
        ${parametersTable(data.parameters)}
      </section>
      <section aria-labelledby="tracks">
        <h2 id="tracks">Tracks</h2>
        ${tracksTable(data.tracks)}
      </section>`;
  }
};

export const referendumPage = {
  path: /^\/referendum\/(\d+)$/,
  title: ([index]) => `Referendum ${index}`,
  live: true,
  async load ([indexText]) {
    const api = chain.api;
    const index = Number(indexText);
    const info = await api.query.referenda.referendumInfoFor(index);
    if (info.isNone) {
      const count = (await api.query.referenda.referendumCount()).toNumber();
      throw new Error(count === 0
        ? `There is no referendum ${index}: none has been submitted on this chain yet.`
        : `There is no referendum ${index}: this chain's referenda are 0 to ${count - 1}.`);
    }
    const [referendum, issuance] = await Promise.all([summarize(index, info.unwrap()), activeIssuance()]);
    const lockingPeriod = api.consts.convictionVoting?.voteLockingPeriod?.toNumber() ?? null;
    return { referendum, issuance, lockingPeriod, tracks: tracks() };
  },
  view (data, params, ctx) {
    const r = data.referendum;
    const track = data.tracks.find((t) => t.id === r.track);
    return html`
      <h1>Referendum ${r.index} ${stateBadge(r)}</h1>
      <table class="kv"><tbody>
        <tr><th scope="row">Track</th><td>${track ? `${track.name} (${track.id})` : r.track ?? html`<span class="muted">not known</span>`}</td></tr>
        ${r.origin ? html`<tr><th scope="row">Origin</th><td><code>${r.origin}</code></td></tr>` : nothing}
        <tr><th scope="row">Proposal</th><td>${r.proposal ? proposalText(r.proposal, true)
          : html`<span class="muted">not known (submitted before the blocks read)</span>`}</td></tr>
        ${r.enactment ? html`<tr><th scope="row">Enactment</th><td>${r.enactment}</td></tr>` : nothing}
        ${r.submitted !== undefined ? html`<tr><th scope="row">Submitted</th><td>block ${link.block(r.submitted)}</td></tr>` : nothing}
        <tr><th scope="row">State</th><td>${stateText(r, track)}</td></tr>
        ${r.ongoing && r.deciding && track ? html`<tr><th scope="row">Decision period</th>
          <td>ends at ${link.block(r.deciding.since + track.decisionPeriod)}</td></tr>` : nothing}
        <tr><th scope="row">Submission deposit</th><td>${depositText(r.submissionDeposit, 'none held')}</td></tr>
        <tr><th scope="row">Decision deposit</th><td>${depositText(r.decisionDeposit, r.ongoing
          ? html`not placed: anyone may place it (${track ? amount(track.decisionDeposit) : 'the track\'s deposit'})
            with <code>referenda.placeDecisionDeposit</code>`
          : 'none held')}</td></tr>
      </tbody></table>
      <section aria-labelledby="tally">
        <h2 id="tally">Tally</h2>
        ${r.tally ? tallyDetails(r, track, data.issuance) : html`<p class="empty">The final tally is not in the blocks read.</p>`}
      </section>
      <section aria-labelledby="timeline">
        <h2 id="timeline">Timeline</h2>
        ${timeline(r.index, data.tracks)}
      </section>
      <section aria-labelledby="vote">
        <h2 id="vote">Vote</h2>
        ${r.ongoing ? voteForm(r.index, data.lockingPeriod, ctx) : html`<p class="muted">Voting has closed: this referendum is ${r.kind.toLowerCase()}.</p>`}
      </section>`;
  }
};

/**
 * One referendum's state from its `ReferendumInfo`, as plain values: { index, ongoing,
 * kind, track, origin, proposal, submitted, deciding, tally, deposits, at, … }. A finished
 * referendum's track, proposal and tally come from the kept events, where they are.
 */
async function summarize (index, info) {
  if (info.isOngoing) {
    const o = info.asOngoing;
    const deciding = o.deciding.isSome ? o.deciding.unwrap() : null;
    return {
      index,
      ongoing: true,
      kind: 'Ongoing',
      track: o.track.toNumber(),
      origin: originText(o.origin),
      proposal: await describeProposal(o.proposal),
      enactment: o.enactment.isAt ? `at block #${o.enactment.asAt.toNumber()}`
        : `${o.enactment.asAfter.toNumber()} block${o.enactment.asAfter.toNumber() === 1 ? '' : 's'} after approval`,
      submitted: o.submitted.toNumber(),
      submissionDeposit: deposit(o.submissionDeposit),
      decisionDeposit: o.decisionDeposit.isSome ? deposit(o.decisionDeposit.unwrap()) : null,
      deciding: deciding && {
        since: deciding.since.toNumber(),
        confirming: deciding.confirming.isSome ? deciding.confirming.unwrap().toNumber() : null
      },
      inQueue: o.inQueue.isTrue,
      tally: tallyOf(o.tally)
    };
  }
  const kind = info.type;
  const finished = { index, ongoing: false, kind, track: null, proposal: null, tally: null, submissionDeposit: null, decisionDeposit: null };
  if (info.isKilled) finished.at = info.asKilled.toNumber();
  else {
    const [at, submission, decision] = info[`as${kind}`];
    finished.at = at.toNumber();
    finished.submissionDeposit = submission.isSome ? deposit(submission.unwrap()) : null;
    finished.decisionDeposit = decision.isSome ? deposit(decision.unwrap()) : null;
  }
  const events = history.events((e) => e.section === 'referenda' && e.data.index?.toNumber() === index);
  const submitted = events.find((e) => e.method === 'Submitted');
  if (submitted) {
    finished.track = submitted.data.track.toNumber();
    finished.submitted = submitted.block.number;
    finished.proposal = await describeProposal(submitted.data.proposal);
  }
  const tallied = events.filter((e) => e.data.tally).pop();
  if (tallied) finished.tally = tallyOf(tallied.data.tally);
  return finished;
}

/** A `{ who, amount }` deposit as plain values. */
function deposit (d) {
  return { who: d.who.toString(), amount: d.amount.toBigInt() };
}

/** A tally as bigints. */
function tallyOf (t) {
  return { ayes: t.ayes.toBigInt(), nays: t.nays.toBigInt(), support: t.support.toBigInt() };
}

/** An origin ({ Governance: 'Curator' }, { system: 'Root' }) as "Governance.Curator". */
function originText (origin) {
  const human = origin.toHuman();
  if (human && typeof human === 'object') {
    const [[kind, value]] = Object.entries(human);
    return typeof value === 'string' ? `${kind}.${value}` : `${kind} ${JSON.stringify(value)}`;
  }
  return String(human);
}

/**
 * A bounded proposal (Inline, Lookup or Legacy) as { hash, len, call, note }: `call`
 * ({ section, method, args }) when the preimage is noted and decodes, else `note` says why.
 */
async function describeProposal (bounded) {
  const api = chain.api;
  if (bounded.isInline) return { hash: null, len: bounded.asInline.length, call: decodeCall(bounded.asInline), note: 'inline' };
  const hash = (bounded.isLookup ? bounded.asLookup.hash_ : bounded.asLegacy.hash_).toHex();
  const key = `${chain.generation}:${hash}`;
  if (proposals.has(key)) return proposals.get(key);
  let len = bounded.isLookup ? bounded.asLookup.len.toNumber() : await preimageLength(hash);
  if (len === null) return { hash, len: null, call: null, note: 'preimage not noted' };
  if (len > MAX_PREIMAGE) return { hash, len, call: null, note: 'too long to show here' };
  const bytes = await api.query.preimage.preimageFor([hash, len]);
  if (bytes.isNone) return { hash, len, call: null, note: 'preimage not noted' };
  const call = decodeCall(bytes.unwrap());
  const described = { hash, len, call, note: call ? null : 'the preimage does not decode as a call' };
  proposals.set(key, described);
  return described;
}

/** The length of the preimage `hash` from its request status, or null if it is not noted. */
async function preimageLength (hash) {
  const api = chain.api;
  const status = await api.query.preimage.requestStatusFor(hash);
  if (status.isSome) {
    const s = status.unwrap();
    if (s.isUnrequested) return s.asUnrequested.len.toNumber();
    return s.asRequested.maybeLen.isSome ? s.asRequested.maybeLen.unwrap().toNumber() : null;
  }
  if (!api.query.preimage.statusFor) return null;
  const old = await api.query.preimage.statusFor(hash);
  if (old.isNone) return null;
  const s = old.unwrap();
  if (s.isUnrequested) return s.asUnrequested.len.toNumber();
  return s.asRequested.len.isSome ? s.asRequested.len.unwrap().toNumber() : null;
}

/** `bytes` decoded as a call of this runtime: { section, method, args }, or null. */
function decodeCall (bytes) {
  try {
    const call = chain.api.createType('Call', bytes);
    const human = call.toHuman();
    return { section: call.section, method: call.method, args: human.args ?? {} };
  } catch {
    return null;
  }
}

/** A proposal as `section.method(name: value, …)`, or its hash and why it is not shown. */
function proposalText (p, full = false) {
  if (!p.call) {
    return html`${p.hash ? digest(p.hash) : nothing} <span class="muted">${p.len !== null ? `${p.len.toLocaleString('en-US')} bytes, ` : ''}${p.note}</span>`;
  }
  const limit = full ? 400 : 60;
  const args = Object.entries(p.call.args).map(([name, value]) => `${name}: ${clip(typeof value === 'string' ? value : JSON.stringify(value), limit)}`);
  const model = p.call.section === 'modelRegistry' && p.call.args.model_id !== undefined
    ? Number(String(p.call.args.model_id).replace(/,/g, '')) : null;
  return html`<code style="word-break: break-word">${p.call.section}.${p.call.method}(${args.join(', ')})</code>
    ${model !== null && Number.isInteger(model) ? html` · ${link.model(model)}` : nothing}
    ${full && p.hash ? html`<br><span class="muted">preimage</span> ${digest(p.hash)} <span class="muted">(${p.len} bytes)</span>` : nothing}`;
}

/** `text` cut to `n` characters. */
function clip (text, n) {
  return text.length > n ? `${text.slice(0, n)}…` : text;
}

/** The badge of a referendum's state. */
function stateBadge (r) {
  if (!r.ongoing) return html`<span class="badge ${OUTCOMES[r.kind] ?? ''}">${r.kind === 'TimedOut' ? 'timed out' : r.kind.toLowerCase()}</span>`;
  if (r.deciding && r.deciding.confirming !== null) return html`<span class="badge ok">confirming</span>`;
  if (r.deciding) return html`<span class="badge">deciding</span>`;
  if (!r.decisionDeposit) return html`<span class="badge warn">awaiting decision deposit</span>`;
  return html`<span class="badge">${r.inQueue ? 'queued' : 'preparing'}</span>`;
}

/** A sentence for a referendum's state. */
function stateText (r, track) {
  if (!r.ongoing) return html`${stateBadge(r)} at block ${link.block(r.at)}`;
  if (r.deciding) {
    return html`${stateBadge(r)} since ${link.block(r.deciding.since)}${r.deciding.confirming !== null
      ? html`, confirming until ${link.block(r.deciding.confirming)}` : nothing}`;
  }
  if (!r.decisionDeposit) {
    const timeout = chain.api.consts.referenda.undecidingTimeout?.toNumber();
    return html`${stateBadge(r)} since ${link.block(r.submitted)}${timeout ? html`; times out at ${link.block(r.submitted + timeout)}` : nothing}`;
  }
  if (r.inQueue) return html`${stateBadge(r)} waiting for one of the track's decision slots`;
  return html`${stateBadge(r)}${track ? html` until ${link.block(r.submitted + track.preparePeriod)}` : nothing}`;
}

/** A deposit as "amount by account", or `none`. */
function depositText (d, none) {
  return d ? html`${amount(d.amount)} by ${link.account(d.who)}` : html`<span class="muted">${none}</span>`;
}

/** Aye against nay as a bar, with the same in words. */
function tallyBar (tally) {
  const total = tally.ayes + tally.nays;
  const aye = total === 0n ? 0 : Number((tally.ayes * 10_000n) / total) / 100;
  const text = total === 0n ? 'no votes yet' : `aye ${aye.toFixed(1)} %, nay ${(100 - aye).toFixed(1)} %`;
  return html`<div role="img" aria-label="Tally: ${text}"
      style="display: flex; height: 0.6rem; min-width: 6rem; border-radius: 999px; overflow: hidden; background: var(--line)">
      <span style="width: ${aye}%; background: var(--ok)"></span>
      <span style="width: ${total === 0n ? 0 : 100 - aye}%; background: var(--bad)"></span>
    </div><span class="muted">${text}</span>`;
}

/** The tally with approval and support against what the track requires now. */
function tallyDetails (r, track, issuance) {
  const { ayes, nays, support } = r.tally;
  const total = ayes + nays;
  const approval = total === 0n ? 0 : Number((ayes * 1_000_000_000n) / total) / 1e9;
  const supportShare = issuance > 0n ? Number((support * 1_000_000_000n) / issuance) / 1e9 : 0;
  let needed = null;
  if (r.ongoing && r.deciding && track) {
    const now = chain.best?.number ?? r.deciding.since;
    const x = Math.min(1, Math.max(0, (now - r.deciding.since) / Math.max(1, track.decisionPeriod)));
    needed = { approval: curveAt(track.minApproval, x), support: curveAt(track.minSupport, x) };
  }
  const verdict = (value, need) => need === null ? nothing
    : html` <span class=${value >= need ? 'good' : 'bad'}>(needs ${percent(need)} now${value >= need ? ': passing' : ''})</span>`;
  return html`<div style="max-width: 32rem">${tallyBar(r.tally)}</div>
    <table class="kv"><tbody>
      <tr><th scope="row">Ayes</th><td>${amount(ayes)} <span class="muted">(conviction-weighted)</span></td></tr>
      <tr><th scope="row">Nays</th><td>${amount(nays)}</td></tr>
      <tr><th scope="row">Approval</th><td>${total === 0n ? 'no votes' : percent(approval)}${verdict(approval, needed?.approval ?? null)}</td></tr>
      <tr><th scope="row">Support</th><td>${amount(support)} · ${percent(supportShare)} of the active issuance${
        verdict(supportShare, needed?.support ?? null)}</td></tr>
    </tbody></table>`;
}

/** A track curve's threshold (0–1) at `x` (0–1) of the decision period, or null for an unknown curve. */
function curveAt (curve, x) {
  const perbill = (v) => v.toNumber() / 1e9;
  if (curve.isLinearDecreasing) {
    const c = curve.asLinearDecreasing;
    const length = perbill(c.length) || 1;
    return perbill(c.ceil) - (Math.min(x, length) / length) * (perbill(c.ceil) - perbill(c.floor));
  }
  if (curve.isSteppedDecreasing) {
    const c = curve.asSteppedDecreasing;
    const steps = Math.floor(x / (perbill(c.period) || 1));
    return Math.max(perbill(c.end), perbill(c.begin) - steps * perbill(c.step));
  }
  if (curve.isReciprocal) {
    const c = curve.asReciprocal;
    // FixedI64: parts of 10⁹.
    const factor = Number(c.factor.toBigInt()) / 1e9;
    const xOffset = Number(c.xOffset.toBigInt()) / 1e9;
    const yOffset = Number(c.yOffset.toBigInt()) / 1e9;
    return Math.min(1, Math.max(0, factor / (x + xOffset) + yOffset));
  }
  return null;
}

/** A share (0–1) as "12.34 %" (`digits` decimals, trailing zeros dropped). */
function percent (share, digits = 2) {
  return `${Number((share * 100).toFixed(digits))} %`;
}

/** The kept events about referendum `index`, and the votes on it, as a timeline. */
function timeline (index, trackList) {
  const events = history.events((e) => (e.section === 'referenda' && e.data.index?.toNumber() === index) ||
    (e.section === 'convictionVoting' && ['Voted', 'VoteRemoved'].includes(e.method) && e.data.pollIndex?.toNumber() === index));
  const range = history.range();
  const seen = range ? html`<p class="muted">Events in the blocks read so far (#${range.from}–#${range.to}).</p>` : nothing;
  if (events.length === 0) return html`${seen}<p class="empty">No events about this referendum in these blocks.</p>`;
  return html`${seen}<ol class="timeline">${events.map((e) => html`<li class=${eventClass(e)}>
    ${link.block(e.block.number)} <span class="muted">${new Date(e.block.time).toLocaleString()}</span><br>
    ${eventText(e, trackList)}</li>`)}</ol>`;
}

/** The timeline class of an event: good, bad or none. */
function eventClass (e) {
  if (e.section !== 'referenda') return '';
  if (['Confirmed', 'Approved'].includes(e.method)) return 'good';
  if (['Rejected', 'TimedOut', 'Cancelled', 'Killed', 'ConfirmAborted'].includes(e.method)) return 'bad';
  return '';
}

/** A referendum or vote event in words. */
function eventText (e, trackList) {
  const d = e.data;
  if (is(e, 'convictionVoting', 'Voted')) return html`${link.account(d.who.toString())} voted ${voteText(d.vote)}`;
  if (is(e, 'convictionVoting', 'VoteRemoved')) return html`${link.account(d.who.toString())} removed their vote (${voteText(d.vote)})`;
  const tally = d.tally ? ` (ayes ${amount(d.tally.ayes)}, nays ${amount(d.tally.nays)})` : '';
  switch (e.method) {
    case 'Submitted': {
      const track = trackList.find((t) => t.id === d.track.toNumber());
      return `Submitted on the ${track ? track.name : `track ${d.track}`} track`;
    }
    case 'DecisionDepositPlaced': return html`Decision deposit of ${amount(d.amount)} placed by ${link.account(d.who.toString())}`;
    case 'DecisionDepositRefunded': return html`Decision deposit of ${amount(d.amount)} refunded to ${link.account(d.who.toString())}`;
    case 'SubmissionDepositRefunded': return html`Submission deposit of ${amount(d.amount)} refunded to ${link.account(d.who.toString())}`;
    case 'DecisionStarted': return 'Decision started';
    case 'ConfirmStarted': return 'Confirmation started: approval and support pass';
    case 'ConfirmAborted': return 'Confirmation aborted: approval or support fell short';
    case 'Confirmed': return `Confirmed${tally}`;
    case 'Approved': return 'Approved: the call is scheduled for enactment';
    case 'Rejected': return `Rejected${tally}`;
    case 'TimedOut': return `Timed out${tally}`;
    case 'Cancelled': return `Cancelled${tally}`;
    case 'Killed': return `Killed${tally}`;
    case 'MetadataSet': return 'Metadata set';
    case 'MetadataCleared': return 'Metadata cleared';
    default: return e.method;
  }
}

/** An `AccountVote` in words: "aye with 10 INFR at 1× (Locked1x)", split votes, abstentions. */
function voteText (v) {
  if (v.isStandard) {
    const { vote, balance } = v.asStandard;
    const conviction = vote.conviction.type;
    const multiplier = (CONVICTIONS.find(([name]) => name === conviction)?.[1] ?? 10) / 10;
    return html`<strong class=${vote.isAye ? 'good' : 'bad'}>${vote.isAye ? 'aye' : 'nay'}</strong> with ${amount(balance)} × ${multiplier} (${conviction})`;
  }
  if (v.isSplit) return `split: aye ${amount(v.asSplit.aye)}, nay ${amount(v.asSplit.nay)}`;
  if (v.isSplitAbstain) {
    const s = v.asSplitAbstain;
    return `split: aye ${amount(s.aye)}, nay ${amount(s.nay)}, abstain ${amount(s.abstain)}`;
  }
  return v.type;
}

/** The vote form of referendum `index`: aye or nay, conviction and amount, as `convictionVoting.vote`. */
function voteForm (index, lockingPeriod, ctx) {
  const form = (ctx.state.vote ??= { aye: true, conviction: 'Locked1x', amount: '', invalid: null, tx: {} });
  const account = wallet.current();
  const submit = (e) => {
    e.preventDefault();
    const parsed = parseAmount(form.amount);
    form.invalid = parsed.error ?? null;
    if (parsed.error) {
      ctx.update();
      return;
    }
    const tx = chain.api.tx.convictionVoting.vote(index, {
      Standard: { vote: { aye: form.aye, conviction: form.conviction }, balance: parsed.planck }
    });
    sendTx(ctx, form.tx, tx, (result) =>
      `Voted ${form.aye ? 'aye' : 'nay'} with ${amount(parsed.planck)} (${form.conviction}) in block #${result.blockNumber}.`);
  };
  const lock = (periods) => {
    if (periods === 0) return 'no lock';
    if (lockingPeriod === null) return `locked ${periods} period${periods === 1 ? '' : 's'}`;
    return `locked ${(periods * lockingPeriod).toLocaleString('en-US')} blocks (≈ ${duration(periods * lockingPeriod)}) after the end`;
  };
  return html`<form class="action" @submit=${submit} novalidate>
    <fieldset class="inline" style="border: 0; padding: 0; margin: 0">
      <legend class="sr-only">Your vote</legend>
      <label><input type="radio" name="aye" value="aye" .checked=${form.aye} @change=${() => { form.aye = true; ctx.update(); }}> Aye</label>
      <label><input type="radio" name="aye" value="nay" .checked=${!form.aye} @change=${() => { form.aye = false; ctx.update(); }}> Nay</label>
    </fieldset>
    <div class="row">
      <label for="vote-conviction">Conviction</label>
      <select id="vote-conviction" @change=${(e) => { form.conviction = e.target.value; }}>
        ${CONVICTIONS.map(([name, times, periods]) => html`<option value=${name} ?selected=${form.conviction === name}>
          ${name}: ${times / 10}× votes, ${lock(periods)}</option>`)}
      </select>
    </div>
    <div class="row">
      <label for="vote-amount">Amount (${token.symbol})</label>
      <input id="vote-amount" inputmode="decimal" autocomplete="off" placeholder="10"
        .value=${form.amount} @input=${(e) => { form.amount = e.target.value; }}
        aria-invalid=${form.invalid ? 'true' : 'false'} aria-describedby="vote-amount-error">
      <span id="vote-amount-error" class="error-text">${form.invalid ?? nothing}</span>
    </div>
    <div class="inline">
      <button type="submit" ?disabled=${form.tx.busy || !account}>Vote ${form.aye ? 'aye' : 'nay'}</button>
      <span class="muted">${account ? html`as ${shortAccount(account.address)}; a new vote replaces this account's earlier one`
        : 'choose an account first (the account menu at the top)'}</span>
    </div>
    ${txStatus(form.tx)}
  </form>`;
}

/** The referenda of one track group: ongoing first (newest first), then the latest finished. */
function referendaTable (group, data) {
  const ongoing = group.rows.filter((r) => r.ongoing);
  const finished = group.rows.filter((r) => !r.ongoing);
  const rows = [...ongoing, ...finished.slice(0, MAX_FINISHED)];
  const track = data.tracks.find((t) => group.rows[0] && t.id === group.rows[0].track);
  return html`<h3>${group.title}</h3>
    <div class="table-wrap"><table class="list">
      <thead><tr><th scope="col">Referendum</th><th scope="col">Proposal</th><th scope="col" style="min-width: 11rem">Tally</th>
        <th scope="col">State</th><th scope="col">Submitted</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr>
        <td style="white-space: nowrap">${link.referendum(r.index)}</td>
        <td>${r.proposal ? proposalText(r.proposal) : html`<span class="muted">not known</span>`}</td>
        <td>${r.tally
          ? html`${tallyBar(r.tally)}<br><span class="muted">support ${amount(r.tally.support)}</span>`
          : html`<span class="muted">not known</span>`}</td>
        <td>${stateText(r, track)}</td>
        <td>${r.submitted !== undefined ? link.block(r.submitted) : html`<span class="muted">—</span>`}</td>
      </tr>`)}</tbody>
    </table></div>
    ${finished.length > MAX_FINISHED ? html`<p class="muted">The latest ${MAX_FINISHED} of ${finished.length} finished referenda.</p>` : nothing}`;
}

/** The tracks from the metadata, with their names and numbers as plain values. */
function tracks () {
  return chain.api.consts.referenda.tracks.map(([id, info]) => ({
    id: id.toNumber(),
    name: trackName(info.name),
    maxDeciding: info.maxDeciding.toNumber(),
    decisionDeposit: info.decisionDeposit.toBigInt(),
    preparePeriod: info.preparePeriod.toNumber(),
    decisionPeriod: info.decisionPeriod.toNumber(),
    confirmPeriod: info.confirmPeriod.toNumber(),
    minEnactmentPeriod: info.minEnactmentPeriod.toNumber(),
    minApproval: info.minApproval,
    minSupport: info.minSupport
  }));
}

/** A track's name, which the metadata may give as bytes padded with NULs. */
function trackName (name) {
  const text = isU8a(name) ? u8aToString(name) : name.toString();
  return text.replace(/\0+$/, '');
}

/** The tracks' deposits, periods and curves' ends. */
function tracksTable (list) {
  if (list.length === 0) return html`<p class="empty">This runtime has no referendum tracks.</p>`;
  const period = (n) => html`<td class="num" style="white-space: nowrap">${n.toLocaleString('en-US')}
    <span class="muted">(≈ ${duration(n)})</span></td>`;
  const ends = (curve) => {
    const start = curveAt(curve, 0);
    const end = curveAt(curve, 1);
    return start === null ? curve.type : `${percent(start, 1)} → ${percent(end, 1)}`;
  };
  return html`<div class="table-wrap"><table class="list">
    <thead><tr><th scope="col">Track</th><th scope="col" class="num">Decision deposit</th>
      <th scope="col" class="num">Prepare</th><th scope="col" class="num">Decision</th><th scope="col" class="num">Confirm</th>
      <th scope="col" class="num">Min. enactment</th><th scope="col" class="num">Deciding at once</th>
      <th scope="col">Approval</th><th scope="col">Support</th></tr></thead>
    <tbody>${list.map((t) => html`<tr>
      <td>${t.name} <span class="muted">(${t.id})</span></td>
      <td class="num">${amount(t.decisionDeposit)}</td>
      ${period(t.preparePeriod)}
      ${period(t.decisionPeriod)}
      ${period(t.confirmPeriod)}
      ${period(t.minEnactmentPeriod)}
      <td class="num">${t.maxDeciding}</td>
      <td style="white-space: nowrap">${ends(t.minApproval)}</td>
      <td style="white-space: nowrap">${ends(t.minSupport)}</td>
    </tr>`)}</tbody>
  </table></div>
  <p class="muted">Periods in blocks. Approval and support: what a referendum needs at the start and at the end of its decision period.</p>`;
}

/**
 * Every protocol parameter the metadata declares (`parameters.parameters`, keyed by
 * `RuntimeParametersKey`), with the stored value where governance has set one:
 * [{ name, value, set }]. Falls back to the stored ones alone if the metadata is unusual.
 */
function parameterRows (stored) {
  const values = new Map();
  for (const [, option] of stored) {
    if (option.isNone) continue;
    const outer = option.unwrap();
    values.set(`${outer.type}.${outer.value.type}`, outer.value.value);
  }
  const rows = [];
  try {
    const lookup = chain.api.registry.lookup;
    const valueType = chain.api.query.parameters.parameters.creator.meta.type.asMap.value;
    for (const group of lookup.getSiType(valueType).def.asVariant.variants) {
      for (const item of lookup.getSiType(group.fields[0].type).def.asVariant.variants) {
        const name = `${group.name.toString()}.${item.name.toString()}`;
        const typeName = item.fields[0]?.typeName.unwrapOr('').toString() ?? '';
        const value = values.get(name);
        rows.push({ name, set: value !== undefined, value: value === undefined ? null : parameterValue(name, typeName, value) });
        values.delete(name);
      }
    }
  } catch {
    // Unusual metadata: list what is stored.
  }
  for (const [name, value] of values) rows.push({ name, set: true, value: parameterValue(name, value.toRawType(), value) });
  return rows;
}

/** A parameter's value: balances as amounts, Perbill and Permill as percentages, blocks with a duration. */
function parameterValue (name, typeName, value) {
  if (/Perbill/.test(typeName)) return percent(value.toNumber() / 1e9);
  if (/Permill/.test(typeName)) return ppm(value.toNumber());
  if (/Balance|u128/.test(typeName) || /fee|deposit|bond/i.test(name.split('.').pop())) return amount(value);
  if (/BlockNumber/.test(typeName)) return `${value.toNumber().toLocaleString('en-US')} blocks (≈ ${duration(value.toNumber())})`;
  return value.toString();
}

/** The protocol parameters table. */
function parametersTable (rows) {
  if (rows.length === 0) return html`<p class="empty">This runtime declares no protocol parameters.</p>`;
  return html`<table class="list"><thead><tr><th scope="col">Parameter</th><th scope="col">Value</th></tr></thead>
    <tbody>${rows.map((p) => html`<tr><td><code>${p.name}</code></td>
      <td>${p.set ? p.value : html`<span class="muted">the runtime's default (never set)</span>`}</td></tr>`)}</tbody></table>
    <p class="muted">Changed by referenda on the protocol_parameters track with <code>parameters.setParameter</code>;
      an unset parameter uses the default in the runtime's <code>parameters.rs</code>.</p>`;
}

/** The active issuance (total less inactive), against which support is measured. */
async function activeIssuance () {
  const api = chain.api;
  const [total, inactive] = await Promise.all([
    api.query.balances.totalIssuance(),
    api.query.balances.inactiveIssuance ? api.query.balances.inactiveIssuance() : Promise.resolve(null)
  ]);
  return total.toBigInt() - (inactive ? inactive.toBigInt() : 0n);
}

/** `blocks` as a rough duration at the chain's block time: "40 s", "3 min", "7 d". */
function duration (blocks) {
  const s = Math.round((blocks * chain.blockTimeMs) / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}
