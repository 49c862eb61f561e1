// The real all-MiniLM-L6-v2 as the e2e tests register it: its digests and reference
// embeddings (tests/fixtures/minilm-reference.json) and its files fetched by scripts/setup.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { REPO_ROOT } from './node.mjs';

/** Where scripts/setup put the model files. */
export const MODELS = process.env.INFERA_MODELS ?? join(homedir(), '.cache', 'infera', 'models');

/** Digests, sentences and sentence-transformers embeddings of the model. */
export const fixture = JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'minilm-reference.json'), 'utf8'));

/** Where scripts/setup put all-MiniLM-L6-v2's three files. */
export const MINILM_DIR = join(MODELS, 'all-MiniLM-L6-v2');

/**
 * The `Artifacts` of a registration: real digests; by default the files on this machine
 * (`file://`), or `location` ({ url, cid }) as published elsewhere.
 */
export function minilmArtifacts (location = { url: `file://${MINILM_DIR}`, cid: null }) {
  return {
    format: 'Safetensors',
    weights: fixture.files['model.safetensors'],
    tokenizer: fixture.files['tokenizer.json'],
    config: fixture.files['config.json'],
    sizeBytes: 91_335_235,
    location
  };
}
