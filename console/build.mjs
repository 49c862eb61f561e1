// Builds the console into dist/: one minified ES module bundle (src/main.js and what it
// imports), the page and the stylesheet. Prints, and writes to dist/bundle-report.json,
// each file's size raw and gzip-compressed: what a cold load transfers.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = dirname(fileURLToPath(import.meta.url));
const out = join(root, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out);

const result = await build({
  entryPoints: [join(root, 'src', 'main.js')],
  bundle: true,
  format: 'esm',
  splitting: true,
  minify: true,
  sourcemap: 'linked',
  target: ['es2022'],
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'linked'
});
const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint)[0];
const entryName = entry.split('/').pop();

cpSync(join(root, 'src', 'style.css'), join(out, 'style.css'));
writeFileSync(join(out, 'index.html'),
  readFileSync(join(root, 'src', 'index.html'), 'utf8').replace('__ENTRY__', `assets/${entryName}`));

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (!name.endsWith('.map') && !name.endsWith('.LEGAL.txt')) {
      const bytes = readFileSync(path);
      files.push({ file: path.slice(out.length + 1), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
    }
  }
};
walk(out);
files.sort((a, b) => b.bytes - a.bytes);
const total = files.reduce((t, f) => ({ bytes: t.bytes + f.bytes, gzip: t.gzip + f.gzip }), { bytes: 0, gzip: 0 });
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const f of files) console.log(`${f.file.padEnd(40)} ${kib(f.bytes).padStart(11)} ${kib(f.gzip).padStart(11)} gzip`);
console.log(`${'total'.padEnd(40)} ${kib(total.bytes).padStart(11)} ${kib(total.gzip).padStart(11)} gzip`);
writeFileSync(join(out, 'bundle-report.json'), JSON.stringify({ files, total }, null, 2) + '\n');
