// SmolLM2-135M-Instruct (Q4_1 GGUF) as the e2e tests register it: its real digest and size,
// and the file scripts/setup fetched (saved as model.gguf, the name a version's location
// holds GGUF weights under).

import { join } from 'node:path';
import { MODELS } from './minilm.mjs';

/** Where scripts/setup put the GGUF file. */
export const SMOLLM_DIR = join(MODELS, 'SmolLM2-135M-Instruct');

/** The registration `approvedModelWithWorker` takes as `model`. */
export function smollmModel (location = { url: `file://${SMOLLM_DIR}`, cid: null }) {
  return {
    name: 'SmolLM2-135M-Instruct',
    task: 'TextGeneration',
    artifacts: {
      format: 'Gguf',
      weights: '0xb179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
      tokenizer: null,
      config: null,
      sizeBytes: 98_362_432,
      location
    }
  };
}
