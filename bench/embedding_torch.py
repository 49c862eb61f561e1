#!/usr/bin/env python3
"""PyTorch side of bench/embedding.sh: sentence-transformers all-MiniLM-L6-v2 latency and
throughput at batch 1 and batch N on the CPU, one JSON line per batch size."""
import json
import statistics
import sys
import time

import torch
from sentence_transformers import SentenceTransformer

model_dir, sentences_path, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
threads = int(sys.argv[4]) if len(sys.argv) > 4 else torch.get_num_threads()
torch.set_num_threads(threads)
sentences = json.load(open(sentences_path))
model = SentenceTransformer(model_dir, device="cpu")
encode = lambda texts: model.encode(texts, batch_size=len(texts), normalize_embeddings=True, convert_to_numpy=True)
with torch.inference_mode():
    encode(sentences)
    single = []
    for _ in range(rounds):
        for text in sentences:
            start = time.perf_counter()
            encode([text])
            single.append(time.perf_counter() - start)
    batched = []
    for _ in range(rounds):
        start = time.perf_counter()
        encode(sentences)
        batched.append(time.perf_counter() - start)
for batch, samples in [(1, single), (len(sentences), batched)]:
    latency = statistics.median(samples)
    print(json.dumps({"impl": "pytorch", "batch": batch, "median_latency_ms": latency * 1e3,
                      "sentences_per_s": batch / latency, "threads": threads, "torch": torch.__version__}))
