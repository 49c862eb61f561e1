// What operators deploy: docker/compose.yml and docker/Dockerfile. There is no Docker
// engine on the test machine, so this checks what can be checked without one: every
// node key in the compose file gives the peer id its bootnode addresses name, every
// node runs the committed chain spec, and the files the Dockerfile copies exist.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runNodeCommand, REPO_ROOT } from './lib/node.mjs';

const compose = readFileSync(join(REPO_ROOT, 'docker', 'compose.yml'), 'utf8');

/** Each service's command lines, from the compose file's `command:` lists. */
function services () {
  const found = {};
  let inServices = false;
  let current;
  for (const line of compose.split('\n')) {
    if (/^\S/.test(line)) {
      inServices = line === 'services:';
      current = undefined;
    }
    const service = inServices && line.match(/^ {2}([a-z]+):\s*$/);
    if (service) current = found[service[1]] = [];
    const arg = line.match(/^ {6}- (--\S+)$/);
    if (arg && current) current.push(arg[1]);
  }
  return found;
}

function peerIdOf (hexKey) {
  const dir = mkdtempSync(join(tmpdir(), 'infera-compose-'));
  try {
    writeFileSync(join(dir, 'key'), hexKey);
    const out = runNodeCommand(['key', 'inspect-node-key', '--file', join(dir, 'key')]);
    assert.equal(out.code, 0, out.stderr);
    return out.stdout.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('compose runs three validators and an RPC node whose bootnode is Alice by her node key', () => {
  const all = services();
  assert.deepEqual(Object.keys(all).sort(), ['alice', 'bob', 'charlie', 'rpc']);
  const arg = (name, flag) => all[name].find((a) => a.startsWith(`--${flag}=`))?.split('=')[1];
  const alicePeer = peerIdOf(arg('alice', 'node-key'));
  const keys = new Set();
  for (const [name, args] of Object.entries(all)) {
    assert.equal(arg(name, 'chain'), '/usr/share/infera/chain-specs/local.raw.json', name);
    keys.add(arg(name, 'node-key'));
    if (name !== 'alice') assert.equal(arg(name, 'bootnodes'), `/dns/alice/tcp/30333/p2p/${alicePeer}`, name);
    if (name !== 'rpc') assert.ok(args.includes(`--${name}`), `${name} validates with its dev key`);
  }
  assert.equal(keys.size, 4, 'every node has its own network key');
  assert.ok(all.rpc.includes('--rpc-external') && all.rpc.includes('--rpc-methods=safe'));
});

test('the Dockerfile copies files that exist and runs as a non-root user', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'docker', 'Dockerfile'), 'utf8');
  assert.ok(existsSync(join(REPO_ROOT, 'chain-specs', 'local.raw.json')));
  assert.match(dockerfile, /^COPY chain-specs\/ /m);
  assert.match(dockerfile, /^USER infera$/m);
  assert.match(dockerfile, /^VOLUME \["\/data"\]$/m);
  assert.match(dockerfile, /^EXPOSE 30333 9944 9615$/m);
  assert.match(dockerfile, /^HEALTHCHECK /m);
});
