// The account tools wallets expect, on one `--dev` node:
// - RFC 78 metadata hash: polkadot-api signs a transfer and a job with `CheckMetadataHash`
//   in mode 1, using the token symbol and decimals from `system_properties`; both land and
//   the included extrinsics carry mode 1. A signature over a wrong hash (other decimals or
//   symbol) is refused as a bad proof, so the runtime really checks the hash it embeds.
// - `utility.batchAll` submits two jobs at once; a batch whose second job fails reverts
//   the first (only the fee is paid), unlike the non-atomic `utility.batch`.
// - A 2-of-3 multisig (Alice, Bob, Charlie) pays out only at the second approval; the
//   first approver's deposit is exactly `depositBase + depositFactor × threshold` and comes
//   back; a non-signatory cannot approve.
// - A `Jobs` proxy submits jobs paid by its principal, but its transfers, alone or
//   batched, fail with `system.CallFiltered`; removing it returns the deposit.
//
// Nobody runs the jobs (no worker key in the keystore) and their deadlines are far away,
// so no job closes, refunds or slashes while the tests read balances.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { createKeyMulti, encodeAddress, sortAddresses } from '@polkadot/util-crypto';
import { Binary, Enum } from 'polkadot-api';
import { startNode, rpcRequest } from './lib/node.mjs';
import { submit, submitOk, eventsOf, describeError, devAccounts, UNIT, MILLI, MICRO } from './lib/chain.mjs';
import { approvedModelWithWorker, embeddingJob } from './lib/jobs.mjs';
import { protocolParameters, mulCeil } from './lib/params.mjs';
import { papiClient, sr25519Signer, metadataHashSigner, networkInfo, papiEventsOf } from './lib/papi.mjs';

const PRICE = 2n * MILLI;
const MAX_FEE = 10n * MILLI; // above price + worker fee + treasury share
// 20 minutes of 2 s blocks: no job reaches its deadline during the tests.
const DEADLINE_IN = 600;
const UNKNOWN_MODEL = 4242;

let node;
let api;
let papi;
let alice, bob, charlie, dave, eve, ferdie;
let modelId;

before(async () => {
  node = await startNode({ name: 'accounts', args: ['--dev'] });
  api = await node.api();
  ({ alice, bob, charlie, dave, eve, ferdie } = devAccounts());
  // Alice's model, served by Ferdie (who takes no other part).
  ({ modelId } = await approvedModelWithWorker(api, { owner: alice, sudo: alice, price: PRICE, workers: [{ key: ferdie }] }));
  const { workerFee, treasuryShare } = await protocolParameters(api);
  assert.ok(MAX_FEE >= PRICE + workerFee + mulCeil(treasuryShare, PRICE + workerFee), 'MAX_FEE covers a job');
});

after(async () => {
  papi?.destroy();
  if (node) await node.stop(undefined, { exportStateAs: 'accounts' });
});

/** The polkadot-api client, connected on first use (only the metadata-hash tests need it). */
const client = async () => (papi ??= await papiClient(node.rpcUrl));
const job = (text) => embeddingJob(api, modelId, { text, maxPrice: PRICE, maxFee: MAX_FEE, deadlineIn: DEADLINE_IN });
const account = async (who, at) => (await (at ? await api.at(at) : api).query.system.account(who)).data;
const free = async (who, at) => (await account(who, at)).free.toBigInt();
const reserved = async (who, at) => (await account(who, at)).reserved.toBigInt();
const feeOf = (events) => eventsOf(events, 'transactionPayment', 'TransactionFeePaid')[0].actualFee.toBigInt();
const nonceOf = async (who) => (await api.rpc.system.accountNextIndex(who)).toNumber();
const fresh = (tag) => new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(`//accounts-${tag}-${Date.now()}`);
// The `CheckMetadataHash` mode an encoded extrinsic was signed with (0 or 1).
const modeOf = (bytes) => api.createType('Extrinsic', bytes).mode.toNumber();
const escrowOf = async (who) => {
  const hold = (await api.query.balances.holds(who)).find((h) => h.id.isComputeJobs && h.id.asComputeJobs.isJobEscrow);
  return hold ? hold.amount.toBigInt() : 0n;
};

/**
 * Signs `tx` (PAPI) with `signer` at Alice's next nonce, checks it is in mode `mode`, submits
 * it and waits for finality; returns PAPI's result with the parent of the inclusion block.
 */
async function papiSubmit (tx, signer, mode) {
  const bytes = await tx.sign(signer, { nonce: await nonceOf(alice.address) });
  assert.equal(modeOf(bytes), mode, 'CheckMetadataHash mode of the signed extrinsic');
  const result = await (await client()).submit(bytes);
  const header = await api.rpc.chain.getHeader(result.block.hash);
  return { ...result, parentHash: header.parentHash };
}

/** The extrinsic included at `block` ({ hash, index } from PAPI), decoded by @polkadot/api. */
async function includedExtrinsic ({ hash, index }) {
  return (await api.rpc.chain.getBlock(hash)).block.extrinsics[index];
}

test('polkadot-api signs a transfer and a job in CheckMetadataHash mode 1 with the node\'s INFR/12', async () => {
  const info = await networkInfo(node.rpcPort);
  assert.deepEqual(info, { tokenSymbol: 'INFR', decimals: 12, base58Prefix: 42 });
  const signer = metadataHashSigner(alice, info);
  const unsafe = (await client()).getUnsafeApi();

  // A transfer to a fresh account.
  const dest = fresh('papi');
  const amount = 3n * UNIT;
  const transfer = await papiSubmit(
    unsafe.tx.Balances.transfer_keep_alive({ dest: Enum('Id', dest.address), value: amount }), signer, 1);
  assert.equal(transfer.ok, true, JSON.stringify(transfer.dispatchError));
  const [moved] = papiEventsOf(transfer.events, 'Balances', 'Transfer');
  assert.deepEqual(moved, { from: alice.address, to: dest.address, amount });
  const [transferFee] = papiEventsOf(transfer.events, 'TransactionPayment', 'TransactionFeePaid');
  assert.equal(transferFee.who, alice.address);
  assert.equal(await free(dest.address, transfer.block.hash), amount);
  assert.equal(await free(alice.address, transfer.parentHash) - await free(alice.address, transfer.block.hash),
    amount + transferFee.actual_fee);

  // The block holds the extrinsic as sent: signed by Alice, in mode 1.
  const sentTransfer = await includedExtrinsic(transfer.block);
  assert.equal(sentTransfer.hash.toHex(), transfer.txHash);
  assert.equal(sentTransfer.signer.toString(), alice.address);
  assert.equal(sentTransfer.mode.toNumber(), 1, 'included with CheckMetadataHash mode 1');
  assert.equal(`${sentTransfer.method.section}.${sentTransfer.method.method}`, 'balances.transferKeepAlive');

  // An embedding job on Alice's model, with the arguments the other tests use.
  const submitted = await papiSubmit(unsafe.tx.ComputeJobs.submit_job({
    model: Enum('Model', { model_id: modelId, version: undefined, max_price: PRICE }),
    input: Enum('Inline', Binary.fromText('signed offline, checked on chain')),
    max_fee: MAX_FEE,
    replicas: 1,
    deadline_in: DEADLINE_IN
  }), signer, 1);
  assert.equal(submitted.ok, true, JSON.stringify(submitted.dispatchError));
  const [jobEvent] = papiEventsOf(submitted.events, 'ComputeJobs', 'JobSubmitted');
  assert.equal(jobEvent.requester, alice.address);
  assert.equal(jobEvent.model_id, modelId);
  assert.equal(jobEvent.escrow, MAX_FEE);
  const stored = (await api.query.computeJobs.jobs(jobEvent.job_id)).unwrap();
  assert.equal(stored.requester.toString(), alice.address);
  assert.equal(stored.escrow.toBigInt(), MAX_FEE);
  const [jobFee] = papiEventsOf(submitted.events, 'TransactionPayment', 'TransactionFeePaid');
  assert.equal(await free(alice.address, submitted.parentHash) - await free(alice.address, submitted.block.hash),
    MAX_FEE + jobFee.actual_fee);
  const sentJob = await includedExtrinsic(submitted.block);
  assert.equal(sentJob.hash.toHex(), submitted.txHash);
  assert.equal(sentJob.mode.toNumber(), 1, 'included with CheckMetadataHash mode 1');
  assert.equal(`${sentJob.method.section}.${sentJob.method.method}`, 'computeJobs.submitJob');
});

test('a mode-1 signature over a wrong metadata hash is refused as a bad proof', async () => {
  const info = await networkInfo(node.rpcPort);
  const dest = fresh('wrong-hash');
  const tx = (await client()).getUnsafeApi().tx.Balances.transfer_keep_alive({ dest: Enum('Id', dest.address), value: UNIT });
  const nonce = await nonceOf(alice.address);
  const best = await api.rpc.chain.getBlockHash();
  // The pool's check, by the runtime at the best block.
  const validity = (bytes) => api.call.taggedTransactionQueue.validateTransaction('External', bytes, best);

  // Control: the same transfer at the same nonce with the node's own properties is valid;
  // without the metadata-hash wrapper the signer uses mode 0 (what the mode checks catch).
  const right = await tx.sign(metadataHashSigner(alice, info), { nonce });
  assert.equal(modeOf(right), 1);
  const rightValidity = await validity(right);
  assert.ok(rightValidity.isOk, `valid with the right hash: ${rightValidity.toString()}`);
  assert.equal(modeOf(await tx.sign(sr25519Signer(alice), { nonce })), 0);

  for (const wrongInfo of [{ ...info, decimals: 10 }, { ...info, tokenSymbol: 'XXX' }]) {
    const wrong = await tx.sign(metadataHashSigner(alice, wrongInfo), { nonce });
    assert.equal(modeOf(wrong), 1);
    const wrongValidity = await validity(wrong);
    assert.ok(wrongValidity.isErr && wrongValidity.asErr.isInvalid && wrongValidity.asErr.asInvalid.isBadProof,
      `${JSON.stringify(wrongInfo)}: ${wrongValidity.toString()}`);
    const { error } = await rpcRequest(node.rpcPort, 'author_submitExtrinsic', [u8aToHex(wrong)]);
    assert.ok(error, `${JSON.stringify(wrongInfo)}: the node accepted the transaction`);
    assert.equal(error.code, 1010);
    assert.match(`${error.message}: ${error.data}`, /Invalid Transaction.*bad signature/);
  }
  assert.equal(await nonceOf(alice.address), nonce, 'nothing was applied');
  assert.equal(await free(dest.address), 0n);
});

test('utility.batchAll of two jobs from one account creates both', async () => {
  const nextBefore = (await api.query.computeJobs.nextJobId()).toBigInt();
  const [freeBefore, escrowBefore] = [await free(eve.address), await escrowOf(eve.address)];
  const { events, blockHash } = await submitOk(api, api.tx.utility.batchAll([job('first of two'), job('second of two')]), eve);

  const jobs = eventsOf(events, 'computeJobs', 'JobSubmitted');
  assert.deepEqual(jobs.map((j) => j.jobId.toBigInt()), [nextBefore, nextBefore + 1n]);
  for (const j of jobs) {
    assert.equal(j.requester.toString(), eve.address);
    assert.equal(j.modelId.toNumber(), modelId);
    const stored = (await api.query.computeJobs.jobs(j.jobId)).unwrap();
    assert.equal(stored.requester.toString(), eve.address);
  }
  assert.equal(eventsOf(events, 'utility', 'ItemCompleted').length, 2);
  assert.equal(eventsOf(events, 'utility', 'BatchCompleted').length, 1);
  assert.equal((await api.query.computeJobs.nextJobId()).toBigInt(), nextBefore + 2n);
  assert.equal(await escrowOf(eve.address), escrowBefore + 2n * MAX_FEE);
  assert.equal(await free(eve.address, blockHash), freeBefore - 2n * MAX_FEE - feeOf(events));
});

test('utility.batchAll is atomic: a failing second job reverts the first', async () => {
  const submitter = charlie;
  const nextBefore = (await api.query.computeJobs.nextJobId()).toBigInt();
  const [freeBefore, escrowBefore] = [await free(submitter.address), await escrowOf(submitter.address)];
  const unknownModelJob = embeddingJob(api, UNKNOWN_MODEL, { text: 'no such model', maxPrice: PRICE, maxFee: MAX_FEE, deadlineIn: DEADLINE_IN });

  const atomic = await submit(api, api.tx.utility.batchAll([job('reverted'), unknownModelJob]), submitter);
  assert.equal(atomic.error, 'modelRegistry.UnknownModel');
  const sections = new Set(atomic.events.map(({ event }) => event.section));
  assert.ok(!sections.has('computeJobs') && !sections.has('utility'), [...sections].join(', '));
  assert.equal((await api.query.computeJobs.nextJobId()).toBigInt(), nextBefore, 'no job created');
  assert.equal(await escrowOf(submitter.address), escrowBefore);
  assert.equal(await free(submitter.address, atomic.blockHash), freeBefore - feeOf(atomic.events), 'only the fee is paid');

  // The same calls in a non-atomic `utility.batch`: the first job stays, the batch stops
  // at the second with its error.
  const loose = await submitOk(api, api.tx.utility.batch([job('kept'), unknownModelJob]), submitter);
  const [kept] = eventsOf(loose.events, 'computeJobs', 'JobSubmitted');
  assert.equal(kept.jobId.toBigInt(), nextBefore);
  const [interrupted] = eventsOf(loose.events, 'utility', 'BatchInterrupted');
  assert.equal(interrupted.index.toNumber(), 1);
  assert.equal(describeError(api, interrupted.error), 'modelRegistry.UnknownModel');
  assert.equal(await escrowOf(submitter.address), escrowBefore + MAX_FEE);
});

test('a 2-of-3 multisig transfers only at the second approval and returns the deposit', async () => {
  const threshold = 2;
  const signatories = [alice, bob, charlie].map((p) => p.address);
  const multisig = encodeAddress(createKeyMulti(signatories, threshold), 42);
  const others = (me) => sortAddresses(signatories.filter((a) => a !== me.address), 42);
  const dest = fresh('multisig');
  const amount = 5n * UNIT;

  // The deposit is the runtime's: 0.1 INFR + 88 × 100 µINFR, plus 32 × 100 µINFR a signatory.
  const { depositBase, depositFactor } = api.consts.multisig;
  assert.equal(depositBase.toBigInt(), 100n * MILLI + 88n * 100n * MICRO);
  assert.equal(depositFactor.toBigInt(), 32n * 100n * MICRO);
  const deposit = depositBase.toBigInt() + depositFactor.toBigInt() * BigInt(threshold);

  // The treasury-style account is funded like any other.
  await submitOk(api, api.tx.balances.transferKeepAlive(multisig, 20n * UNIT), dave);
  const multisigFunds = await free(multisig);
  assert.equal(multisigFunds, 20n * UNIT);

  // Bob proposes the payout: his deposit is reserved, nothing moves yet.
  const call = api.tx.balances.transferKeepAlive(dest.address, amount);
  const callHash = call.method.hash.toHex();
  const [bobFree, bobReserved] = [await free(bob.address), await reserved(bob.address)];
  const first = await submitOk(api, api.tx.multisig.asMulti(threshold, others(bob), null, call.method, { refTime: 0, proofSize: 0 }), bob);
  const [created] = eventsOf(first.events, 'multisig', 'NewMultisig');
  assert.equal(created.approving.toString(), bob.address);
  assert.equal(created.multisig.toString(), multisig);
  assert.equal(created.callHash.toHex(), callHash);
  const [reservedEvent] = eventsOf(first.events, 'balances', 'Reserved');
  assert.equal(reservedEvent.who.toString(), bob.address);
  assert.equal(reservedEvent.amount.toBigInt(), deposit);
  assert.equal(await reserved(bob.address), bobReserved + deposit);
  const pending = (await api.query.multisig.multisigs(multisig, callHash)).unwrap();
  assert.equal(pending.deposit.toBigInt(), deposit);
  assert.equal(pending.depositor.toString(), bob.address);
  assert.deepEqual(pending.approvals.map((a) => a.toString()), [bob.address]);
  assert.equal(await free(dest.address), 0n);
  assert.equal(await free(multisig), multisigFunds);
  const timepoint = { height: pending.when.height.toNumber(), index: pending.when.index.toNumber() };

  // Dave is no signatory: whatever he names as co-signatories, his approval addresses
  // another account (the multisig account is derived from its signatories), which has no
  // operation at that timepoint.
  const maxWeight = (await call.paymentInfo(multisig)).weight;
  for (const claimed of [others(bob), sortAddresses(signatories, 42)]) {
    const stranger = await submit(api, api.tx.multisig.approveAsMulti(threshold, claimed, timepoint, callHash, maxWeight), dave);
    assert.equal(stranger.error, 'multisig.UnexpectedTimepoint');
  }
  assert.deepEqual((await api.query.multisig.multisigs(multisig, callHash)).unwrap().approvals.map((a) => a.toString()), [bob.address]);
  assert.equal(await free(dest.address), 0n);

  // Charlie's approval is the second: the transfer runs from the multisig account.
  const second = await submitOk(api, api.tx.multisig.asMulti(threshold, others(charlie), timepoint, call.method, maxWeight), charlie);
  const [executed] = eventsOf(second.events, 'multisig', 'MultisigExecuted');
  assert.equal(executed.approving.toString(), charlie.address);
  assert.equal(executed.multisig.toString(), multisig);
  assert.equal(executed.callHash.toHex(), callHash);
  assert.deepEqual(executed.timepoint.toJSON(), timepoint);
  assert.ok(executed.result.isOk, `MultisigExecuted result: ${executed.result.toString()}`);
  const [paid] = eventsOf(second.events, 'balances', 'Transfer');
  assert.deepEqual([paid.from.toString(), paid.to.toString(), paid.amount.toBigInt()], [multisig, dest.address, amount]);
  assert.equal(await free(dest.address), amount);
  assert.equal(await free(multisig), multisigFunds - amount, 'the multisig account pays no fee');
  assert.ok((await api.query.multisig.multisigs(multisig, callHash)).isNone);

  // Bob has his deposit back and paid only his transaction's fee.
  const [unreserved] = eventsOf(second.events, 'balances', 'Unreserved');
  assert.deepEqual([unreserved.who.toString(), unreserved.amount.toBigInt()], [bob.address, deposit]);
  assert.equal(await reserved(bob.address), bobReserved);
  assert.equal(await free(bob.address), bobFree - feeOf(first.events));
});

test('a Jobs proxy submits jobs for its principal but cannot move funds', async () => {
  const { proxyDepositBase, proxyDepositFactor } = api.consts.proxy;
  assert.equal(proxyDepositBase.toBigInt(), 100n * MILLI + 8n * 100n * MICRO);
  assert.equal(proxyDepositFactor.toBigInt(), 33n * 100n * MICRO);
  const deposit = proxyDepositBase.toBigInt() + proxyDepositFactor.toBigInt();

  // Alice makes Dave her Jobs proxy, for a deposit.
  const aliceBeforeAdd = await free(alice.address);
  const added = await submitOk(api, api.tx.proxy.addProxy(dave.address, 'Jobs', 0), alice);
  const [proxyAdded] = eventsOf(added.events, 'proxy', 'ProxyAdded');
  assert.deepEqual([proxyAdded.delegator.toString(), proxyAdded.delegatee.toString(), proxyAdded.proxyType.toString()],
    [alice.address, dave.address, 'Jobs']);
  const [definitions, held] = await api.query.proxy.proxies(alice.address);
  assert.deepEqual(definitions.map((d) => [d.delegate.toString(), d.proxyType.toString(), d.delay.toNumber()]),
    [[dave.address, 'Jobs', 0]]);
  assert.equal(held.toBigInt(), deposit);
  assert.equal(await free(alice.address), aliceBeforeAdd - deposit - feeOf(added.events));

  // Dave submits a job as Alice: Alice is the requester and her funds are escrowed; Dave,
  // who signed, pays the transaction fee.
  const [aliceBefore, daveBefore, escrowBefore] = [await free(alice.address), await free(dave.address), await escrowOf(alice.address)];
  const viaProxy = await submitOk(api, api.tx.proxy.proxy(alice.address, null, job('on behalf of Alice')), dave);
  const [executed] = eventsOf(viaProxy.events, 'proxy', 'ProxyExecuted');
  assert.ok(executed.result.isOk, executed.result.toString());
  const [submitted] = eventsOf(viaProxy.events, 'computeJobs', 'JobSubmitted');
  assert.equal(submitted.requester.toString(), alice.address);
  assert.equal((await api.query.computeJobs.jobs(submitted.jobId)).unwrap().requester.toString(), alice.address);
  const [feePaid] = eventsOf(viaProxy.events, 'transactionPayment', 'TransactionFeePaid');
  assert.equal(feePaid.who.toString(), dave.address);
  assert.equal(await escrowOf(alice.address), escrowBefore + MAX_FEE);
  assert.equal(await free(alice.address), aliceBefore - MAX_FEE);
  assert.equal(await free(dave.address), daveBefore - feePaid.actualFee.toBigInt());

  // A transfer through the proxy, alone or inside a batch, is dispatched and filtered.
  const dest = fresh('proxy');
  const transfer = api.tx.balances.transferKeepAlive(dest.address, 7n * UNIT);
  for (const call of [transfer, api.tx.utility.batchAll([transfer])]) {
    const [aliceFree, daveFree] = [await free(alice.address), await free(dave.address)];
    const filtered = await submitOk(api, api.tx.proxy.proxy(alice.address, null, call), dave);
    const [result] = eventsOf(filtered.events, 'proxy', 'ProxyExecuted');
    assert.ok(result.result.isErr, `${call.method.section}.${call.method.method} got through the Jobs filter`);
    assert.equal(describeError(api, result.result.asErr), 'system.CallFiltered');
    assert.deepEqual(eventsOf(filtered.events, 'balances', 'Transfer'), []);
    assert.equal(await free(alice.address), aliceFree, 'Alice lost nothing');
    assert.equal(await free(dave.address), daveFree - feeOf(filtered.events));
  }
  assert.equal(await free(dest.address), 0n);

  // Removing the proxy returns the deposit.
  const aliceBeforeRemove = await free(alice.address);
  const removed = await submitOk(api, api.tx.proxy.removeProxy(dave.address, 'Jobs', 0), alice);
  assert.equal(eventsOf(removed.events, 'proxy', 'ProxyRemoved').length, 1);
  const [unreserved] = eventsOf(removed.events, 'balances', 'Unreserved');
  assert.deepEqual([unreserved.who.toString(), unreserved.amount.toBigInt()], [alice.address, deposit]);
  const [left, leftDeposit] = await api.query.proxy.proxies(alice.address);
  assert.equal(left.length, 0);
  assert.equal(leftDeposit.toBigInt(), 0n);
  assert.equal(await free(alice.address), aliceBeforeRemove + deposit - feeOf(removed.events));
  // Dave is no proxy any more.
  const refused = await submit(api, api.tx.proxy.proxy(alice.address, null, job('too late')), dave);
  assert.equal(refused.error, 'proxy.NotProxy');
});
