#!/usr/bin/env python3
"""PyTorch side of bench/embedding.sh: sentence-transformers all-MiniLM-L6-v2 latency and
throughput at batch 1 and batch N on the CPU, one JSON line per batch size.
    embedding_torch.py <model dir> <sentences.json> <rounds> [threads] [name, default "pytorch"]"""
import json
import sys

import torch
from sentence_transformers import SentenceTransformer

from embedding_timing import report

model_dir, sentences_path, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
threads = int(sys.argv[4]) if len(sys.argv) > 4 else torch.get_num_threads()
name = sys.argv[5] if len(sys.argv) > 5 else "pytorch"
torch.set_num_threads(threads)
sentences = json.load(open(sentences_path))
model = SentenceTransformer(model_dir, device="cpu")
encode = lambda texts: model.encode(texts, batch_size=len(texts), normalize_embeddings=True, convert_to_numpy=True)
with torch.inference_mode():
    report(name, encode, sentences, rounds, threads=threads, torch=torch.__version__,
           cpu_capability=torch.backends.cpu.get_cpu_capability())
