// Loopback HTTP servers that publish model files the way model owners do: a plain web
// server (a directory URL), an IPFS gateway (`/ipfs/<cid>/<file>`), or a broken one. Each
// counts the requests it answered, so tests can tell what a node fetched.

import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Serves the files of `dir` under `prefix` (e.g. `/minilm/model.safetensors`) on a free
 * loopback port. `mode`: `ok`; `corrupt` (every 1000th byte flipped: right size, wrong
 * digest); `error` (HTTP 500 for everything). With `gatewayCid` the files are served as
 * an IPFS gateway serves a directory: `/ipfs/<gatewayCid>/<file>`. Returns
 * { url, port, requests, close() }; `url` is the directory URL to register.
 */
export async function serveFiles (dir, { prefix = '/files', mode = 'ok', gatewayCid } = {}) {
  const base = gatewayCid ? `/ipfs/${gatewayCid}` : prefix;
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, range: req.headers.range });
    if (mode === 'error') {
      res.writeHead(500).end('broken on purpose');
      return;
    }
    const name = req.url.startsWith(`${base}/`) ? req.url.slice(base.length + 1) : null;
    if (!name || name.includes('/') || name.includes('..')) {
      res.writeHead(404).end('not here');
      return;
    }
    const path = join(dir, name);
    let size;
    try {
      size = statSync(path).size;
    } catch {
      res.writeHead(404).end('no such file');
      return;
    }
    res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
    const stream = createReadStream(path);
    if (mode === 'corrupt') {
      let offset = 0;
      stream.on('data', (chunk) => {
        const copy = Buffer.from(chunk);
        for (let i = (1000 - (offset % 1000)) % 1000; i < copy.length; i += 1000) copy[i] ^= 0xff;
        offset += chunk.length;
        res.write(copy);
      });
      stream.on('end', () => res.end());
    } else {
      stream.pipe(res);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    requests,
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}${base}`,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); })
  };
}

/** Serves `body` at `/<name>` on a free loopback port; returns { url, requests, close() }. */
export async function serveBytes (name, body) {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push(req.url);
    if (req.url !== `/${name}`) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    requests,
    url: `http://127.0.0.1:${port}/${name}`,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); })
  };
}

/**
 * A binary CIDv1 of a UnixFS directory (dag-pb, sha2-256) named by `seed`, as the registry
 * stores it (0x hex), and its base32 text form (`b…`) as gateways address it.
 */
export function directoryCid (seed) {
  const digest = Buffer.alloc(32, 0);
  Buffer.from(seed).copy(digest);
  const bytes = Buffer.concat([Buffer.from([0x01, 0x70, 0x12, 0x20]), digest]);
  return { hex: `0x${bytes.toString('hex')}`, text: `b${base32(bytes)}` };
}

/** RFC 4648 base32, lowercase, no padding (multibase `b`). */
function base32 (bytes) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
