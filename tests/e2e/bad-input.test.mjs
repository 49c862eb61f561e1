// User mistakes end with a clear one-line error and a non-zero exit code, never a panic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNodeCommand, freePort } from './lib/node.mjs';

function assertCleanFailure (out, pattern) {
  const all = `${out.stdout}\n${out.stderr}`;
  assert.equal(out.signal, null, all);
  assert.equal(out.code, 1, all);
  assert.match(out.stderr, pattern);
  assert.doesNotMatch(all, /panicked|stack backtrace|RUST_BACKTRACE/);
}

test('an unknown --chain is refused with the accepted values', () => {
  const out = runNodeCommand(['--chain', 'no-such-chain', '--tmp']);
  assertCleanFailure(out, /unknown chain `no-such-chain`: expected `dev`, `local`, `testnet` or the path of a chain-spec JSON file/);
});

test('a malformed chain-spec file is refused with the parse error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'infera-badspec-'));
  try {
    const spec = join(dir, 'broken.json');
    writeFileSync(spec, '{ "name": "broken", "id": ');
    const out = runNodeCommand(['--chain', spec, '--tmp']);
    assertCleanFailure(out, /invalid chain spec `.*broken\.json`/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a chain spec whose genesis is not valid for the runtime is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'infera-badgenesis-'));
  try {
    const exported = runNodeCommand(['export-chain-spec', '--chain', 'dev']);
    assert.equal(exported.code, 0, exported.stderr);
    const spec = JSON.parse(exported.stdout);
    spec.genesis.runtimeGenesis.patch.balances = { balances: 'not a list' };
    const path = join(dir, 'bad-genesis.json');
    writeFileSync(path, JSON.stringify(spec));
    const out = runNodeCommand(['--chain', path, '--tmp', '--rpc-port', '0', '--port', '0', '--prometheus-port', '0']);
    assertCleanFailure(out, /Error: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a busy RPC port is reported and the node exits', async () => {
  const port = await freePort();
  const blocker = createServer();
  await new Promise((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  try {
    const out = runNodeCommand(['--dev', '--tmp', '--rpc-port', String(port), '--port', '0', '--no-prometheus']);
    assertCleanFailure(out, new RegExp(`cannot serve JSON-RPC on 127\\.0\\.0\\.1:${port}: .*[Aa]ddress already in use`));
  } finally {
    blocker.close();
  }
});
