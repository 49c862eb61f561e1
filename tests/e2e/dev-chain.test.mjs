// A `--dev` node: produces and finalizes blocks, applies a signed transfer with the
// right events and fees, and shuts down cleanly.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/api';
import { startNode, waitFor, tail } from './lib/node.mjs';
import { UNIT } from './lib/chain.mjs';

// Must match runtime/src/configs/monetary.rs.
const LENGTH_FEE_PER_BYTE = 1_000_000n;
const WEIGHT_FEE_PER_REF_TIME = 10n;

let node;
let api;
let alice;

before(async () => {
  node = await startNode({ name: 'dev', args: ['--dev'] });
  api = await node.api();
  alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice');
});

after(async () => {
  if (node) await node.stop();
});

test('chain identifies itself as Infera with INFR, 12 decimals, ss58 42 and 2 s dev blocks', async () => {
  const [chain, props, version] = await Promise.all([
    api.rpc.system.chain(), api.rpc.system.properties(), api.rpc.state.getRuntimeVersion()
  ]);
  assert.equal(chain.toString(), 'Infera Development');
  assert.equal(props.tokenSymbol.unwrap()[0].toString(), 'INFR');
  assert.equal(props.tokenDecimals.unwrap()[0].toNumber(), 12);
  assert.equal(10n ** props.tokenDecimals.unwrap()[0].toBigInt(), UNIT, 'lib/chain.mjs counts one INFR as 10^decimals planck');
  assert.equal(props.ss58Format.unwrap().toNumber(), 42);
  assert.equal(version.specName.toString(), 'infera');
  assert.equal((await api.query.blockTime.slotDurationMillis()).toNumber(), 2000);
  const babe = await api.call.babeApi.configuration();
  assert.equal(babe.slotDuration.toNumber(), 2000);
  // Every slot's author proves a VRF output (the job draw's randomness).
  assert.equal(babe.allowedSlots.toString(), 'PrimaryAndSecondaryVRFSlots');
});

test('blocks are produced and finalized', async () => {
  const best = await waitFor('best block #4', async () => {
    const n = (await api.rpc.chain.getHeader()).number.toNumber();
    return n >= 4 && n;
  }, 60_000);
  const finalized = await waitFor('a finalized block > 1', async () => {
    const head = await api.rpc.chain.getFinalizedHead();
    const n = (await api.rpc.chain.getHeader(head)).number.toNumber();
    return n > 1 && n;
  }, 60_000);
  assert.ok(best >= 4, `best ${best}`);
  assert.ok(finalized > 1, `finalized ${finalized}`);
});

test('a signed transfer lands with Transfer and TransactionFeePaid events and the quoted fee', async () => {
  const dest = new Keyring({ type: 'sr25519' }).addFromUri(`//e2e-${Date.now()}`);
  const amount = 10n * UNIT;
  const tx = api.tx.balances.transferKeepAlive(dest.address, amount);

  // Fee quote from the runtime API, before sending (the runtime call takes the SCALE
  // bytes of the signed extrinsic and its length).
  const signedForQuote = await api.tx.balances.transferKeepAlive(dest.address, amount)
    .signAsync(alice, { nonce: -1 });
  const bytes = signedForQuote.toU8a();
  const details = await api.call.transactionPaymentApi.queryFeeDetails(bytes, bytes.length);
  const inclusion = details.inclusionFee.unwrap();
  assert.equal(inclusion.lenFee.toBigInt(), BigInt(bytes.length) * LENGTH_FEE_PER_BYTE, 'length fee follows LengthFeePerByte');
  const info = await api.call.transactionPaymentApi.queryInfo(bytes, bytes.length);
  assert.equal(inclusion.adjustedWeightFee.toBigInt(), info.weight.refTime.toBigInt() * WEIGHT_FEE_PER_REF_TIME,
    'weight fee follows WeightFeePerRefTimeUnit');
  const quoted = inclusion.baseFee.toBigInt() + inclusion.lenFee.toBigInt() + inclusion.adjustedWeightFee.toBigInt();
  assert.equal(info.partialFee.toBigInt(), quoted);
  // The wallet-facing helper agrees.
  assert.equal((await tx.paymentInfo(alice)).partialFee.toBigInt(), quoted);

  const { blockHash, events } = await new Promise((resolve, reject) => {
    tx.signAndSend(alice, ({ status, events, dispatchError }) => {
      if (dispatchError) reject(new Error(`dispatch error: ${dispatchError.toString()}`));
      if (status.isInBlock) resolve({ blockHash: status.asInBlock, events });
    }).catch(reject);
  });

  const named = events.map(({ event }) => `${event.section}.${event.method}`);
  assert.ok(named.includes('system.ExtrinsicSuccess'), named.join(', '));

  const transfer = events.find(({ event }) => api.events.balances.Transfer.is(event));
  assert.ok(transfer, 'balances.Transfer emitted');
  assert.equal(transfer.event.data.from.toString(), alice.address);
  assert.equal(transfer.event.data.to.toString(), dest.address);
  assert.equal(transfer.event.data.amount.toBigInt(), amount);

  const feePaid = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
  assert.ok(feePaid, 'transactionPayment.TransactionFeePaid emitted');
  assert.equal(feePaid.event.data.who.toString(), alice.address);
  const actualFee = feePaid.event.data.actualFee.toBigInt();
  assert.equal(actualFee, quoted, 'the fee charged is the fee quoted');

  // Balances at the parent and at the inclusion block.
  const header = await api.rpc.chain.getHeader(blockHash);
  const before = await api.at(header.parentHash);
  const atBlock = await api.at(blockHash);
  const aliceBefore = (await before.query.system.account(alice.address)).data.free.toBigInt();
  const aliceAfter = (await atBlock.query.system.account(alice.address)).data.free.toBigInt();
  const destAfter = (await atBlock.query.system.account(dest.address)).data.free.toBigInt();
  assert.equal(destAfter, amount);
  assert.equal(aliceBefore - aliceAfter, amount + actualFee);

  // The block is eventually finalized.
  const included = header.number.toNumber();
  await waitFor(`finality of block #${included}`, async () => {
    const fin = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
    return fin.number.toNumber() >= included;
  }, 60_000);
  const canonical = await api.rpc.chain.getBlockHash(included);
  assert.equal(canonical.toHex(), blockHash.toHex());
});

test('the node shuts down cleanly on SIGINT', async () => {
  const { code, signal, log } = await node.stop();
  node = undefined;
  assert.equal(signal, null, tail(log));
  assert.equal(code, 0, tail(log));
  assert.doesNotMatch(log, /panicked|thread '.*' panicked/);
  assert.match(log, /Imported #\d+/);
});
