// The documentation's links resolve: in README.md and every docs/*.md, each relative
// markdown link `[text](path)` or `[text](path#anchor)` (and `[text](#anchor)`) names a file
// or folder that exists, and each `#anchor` into a markdown file matches one of its
// headings under GitHub's slug rules. Links to http(s) and mailto, and anything inside
// code (fenced or indented blocks, inline code spans), are not checked.
//
// Needs no node binary: `node --test docs.test.mjs`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** README.md and every markdown page under docs/, as absolute paths. */
function documentationFiles (root) {
  const docs = join(root, 'docs');
  const pages = existsSync(docs)
    ? readdirSync(docs).filter((name) => name.endsWith('.md')).sort().map((name) => join(docs, name))
    : [];
  return [join(root, 'README.md'), ...pages];
}

/** Replaces inline code spans (`code`, ``co`de``) with a placeholder of no markdown meaning. */
function withoutCodeSpans (line) {
  return line.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, 'code');
}

/**
 * The lines of a markdown text that are not code, each as { number, text }: fenced blocks
 * (``` or ~~~) and indented code blocks (4 spaces or a tab after a blank line that does
 * not continue a list) are left out.
 */
function proseLines (markdown) {
  const lines = markdown.split('\n');
  const prose = [];
  let fence = null;
  let inIndentedCode = false;
  let lastProse = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (fence) {
      if (line.trimStart().startsWith(fence)) fence = null;
      continue;
    }
    const opening = line.match(/^ {0,3}(`{3,}|~{3,})/);
    if (opening) {
      fence = opening[1][0].repeat(opening[1].length);
      inIndentedCode = false;
      continue;
    }
    const blank = line.trim() === '';
    const indented = /^( {4}|\t)/.test(line);
    const previousBlank = i > 0 && lines[i - 1].trim() === '';
    const inList = /^\s*([-*+]|\d+[.)])\s/.test(lastProse) || /^\s+\S/.test(lastProse);
    if (indented && !blank && (inIndentedCode || (previousBlank && !inList))) {
      inIndentedCode = true;
      continue;
    }
    if (!blank) {
      inIndentedCode = false;
      lastProse = line;
    }
    prose.push({ number: i + 1, text: line });
  }
  return prose;
}

/**
 * GitHub's anchor for a heading: the rendered text, lowercased, with everything but
 * letters, digits, spaces, '-' and '_' dropped, and each space turned into '-'.
 */
export function slug (heading) {
  // Code spans keep their content verbatim; elsewhere markup is dropped.
  const text = heading
    .split(/(`+[^`]*`+)/)
    .map((part, i) => i % 2 === 1
      ? part.replace(/^`+|`+$/g, '')
      : part
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
        .replace(/<[^>]+>/g, '') // HTML tags
        .replace(/[*~]/g, '') // emphasis and strikethrough markers
        .replace(/(^|[^\p{L}\p{N}])_+(?=\S)|(?<=\S)_+(?=$|[^\p{L}\p{N}])/gu, '$1')) // _emphasis_, not snake_case
    .join('');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a markdown text defines: its headings' slugs (duplicates get -1, -2, …) and HTML ids. */
function anchorsOf (markdown) {
  const anchors = new Set();
  const seen = new Map();
  const add = (base) => {
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  };
  const prose = proseLines(markdown);
  for (let i = 0; i < prose.length; i++) {
    const { text } = prose[i];
    const atx = text.match(/^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/);
    if (atx) {
      add(slug(atx[1]));
    } else {
      const next = prose[i + 1];
      const setext = next && next.number === prose[i].number + 1 && /^ {0,3}(=+|-+)\s*$/.test(next.text);
      if (setext && text.trim() !== '' && !/^\s*([-*+]|\d+[.)])\s/.test(text)) add(slug(text));
    }
    for (const id of text.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) anchors.add(id[1]);
  }
  return anchors;
}

/** The links of a markdown text outside code: [{ line, target }]. */
function linksOf (markdown) {
  const links = [];
  for (const { number, text } of proseLines(markdown)) {
    const line = withoutCodeSpans(text);
    for (const match of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: number, target: match[1] });
    }
    const reference = line.match(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/);
    if (reference) links.push({ line: number, target: reference[1] });
  }
  return links;
}

/** What is wrong with the relative links of the markdown file `file`, one string each. */
export function brokenLinks (file) {
  const markdown = readFileSync(file, 'utf8');
  const problems = [];
  const anchorCache = new Map();
  const anchorsIn = (path) => {
    if (!anchorCache.has(path)) anchorCache.set(path, anchorsOf(readFileSync(path, 'utf8')));
    return anchorCache.get(path);
  };
  for (const { line, target } of linksOf(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:, …
    const where = `${relative(REPO_ROOT, file) || file}:${line}`;
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, '');
    const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
    const path = pathPart === '' ? file : resolve(dirname(file), pathPart);
    if (!existsSync(path)) {
      problems.push(`${where}: ${target}: no such file`);
      continue;
    }
    if (anchor === null) continue;
    if (anchor === '') {
      problems.push(`${where}: ${target}: empty anchor`);
    } else if (statSync(path).isDirectory()) {
      problems.push(`${where}: ${target}: an anchor into a folder`);
    } else if (/\.(md|markdown)$/i.test(path)) {
      if (!anchorsIn(path).has(anchor)) {
        problems.push(`${where}: ${target}: no heading with the anchor #${anchor} in ${relative(REPO_ROOT, path)}`);
      }
    } else if (!/^L\d+(C\d+)?(-L\d+(C\d+)?)?$/.test(anchor)) {
      problems.push(`${where}: ${target}: #${anchor} is not a line anchor (#L12, #L12-L20)`);
    }
  }
  return problems;
}

test('headings get GitHub\'s anchors', () => {
  assert.equal(slug('A job\'s path'), 'a-jobs-path');
  assert.equal(slug('The `infera_*` methods'), 'the-infera_-methods');
  assert.equal(slug('Batches, multisig accounts and proxies'), 'batches-multisig-accounts-and-proxies');
  assert.equal(slug('Build and CI timings'), 'build-and-ci-timings');
  assert.equal(slug('**Bold** and _emphasis_ in [a link](x.md)'), 'bold-and-emphasis-in-a-link');
  assert.equal(slug('Threat model of the job market'), 'threat-model-of-the-job-market');
});

test('the checker reports missing files and anchors, and ignores code and external links', () => {
  const dir = mkdtempSync(join(tmpdir(), 'infera-docs-'));
  try {
    writeFileSync(join(dir, 'target.md'), '# Target page\n\n## Some `code` section\n\n## Twice\n\n## Twice\n');
    writeFileSync(join(dir, 'page.md'), [
      '# Page',
      '',
      '[fine](target.md) [fine too](target.md#some-code-section) [second](target.md#twice-1)',
      '[here](#page) <https://example.com> [web](https://example.com/x.md#nope)',
      '[missing file](nothere.md)',
      '[missing anchor](target.md#no-such-heading)',
      '[missing local anchor](#nowhere)',
      'an inline span `[not a link](gone.md)` is code',
      '',
      '```md',
      '[in a fence](gone.md)',
      '```',
      '',
      '    [in an indented block](gone.md)',
      ''
    ].join('\n'));
    const problems = brokenLinks(join(dir, 'page.md'));
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0], /page\.md:5: nothere\.md: no such file/);
    assert.match(problems[1], /page\.md:6: target\.md#no-such-heading: no heading/);
    assert.match(problems[2], /page\.md:7: #nowhere: no heading/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('README.md and docs/ exist', () => {
  const files = documentationFiles(REPO_ROOT);
  assert.ok(existsSync(files[0]), 'README.md');
  assert.ok(files.length > 1, 'docs/*.md');
});

for (const file of documentationFiles(REPO_ROOT)) {
  test(`every relative link in ${relative(REPO_ROOT, file)} resolves`, () => {
    const problems = brokenLinks(file);
    assert.deepEqual(problems, [], `broken links:\n${problems.join('\n')}`);
  });
}
