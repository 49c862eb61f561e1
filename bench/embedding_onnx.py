#!/usr/bin/env python3
"""ONNX Runtime side of bench/embedding.sh: all-MiniLM-L6-v2 exported from the same files
with torch.onnx.export, run by ONNX Runtime with sentence-transformers' tokenizer, mean
pooling and normalisation, at batch 1 and batch N on the CPU. Checks the embeddings against
sentence-transformers first (the largest difference goes into the output), then prints one
JSON line per batch size."""
import json
import os
import sys
import tempfile

import numpy as np
import onnxruntime
import torch
from sentence_transformers import SentenceTransformer

from embedding_timing import report

model_dir, sentences_path, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
threads = int(sys.argv[4]) if len(sys.argv) > 4 else os.cpu_count()
sentences = json.load(open(sentences_path))
reference = SentenceTransformer(model_dir, device="cpu")
tokenizer = reference.tokenizer
transformer = reference[0].auto_model.eval()

names = ["input_ids", "attention_mask", "token_type_ids"]
onnx_path = os.path.join(tempfile.mkdtemp(prefix="infera-minilm-onnx-"), "model.onnx")
example = tokenizer(sentences[:2], padding=True, return_tensors="pt")
axes = {name: {0: "batch", 1: "tokens"} for name in names}
axes["last_hidden_state"] = {0: "batch", 1: "tokens"}
export = dict(input_names=names, output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17)
with torch.no_grad():
    try:
        torch.onnx.export(transformer, tuple(example[name] for name in names), onnx_path, dynamo=False, **export)
    except TypeError:  # an older torch without the `dynamo` switch
        torch.onnx.export(transformer, tuple(example[name] for name in names), onnx_path, **export)

options = onnxruntime.SessionOptions()
options.intra_op_num_threads = threads
options.inter_op_num_threads = 1
options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
session = onnxruntime.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])


def encode(texts):
    """Tokenize, run, mean-pool over real tokens and L2-normalise, as sentence-transformers does."""
    inputs = tokenizer(texts, padding=True, truncation=True, max_length=reference.max_seq_length, return_tensors="np")
    feed = {name: inputs[name].astype(np.int64) for name in names}
    hidden = session.run(None, feed)[0]
    mask = feed["attention_mask"][..., None].astype(np.float32)
    pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
    return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


expected = reference.encode(sentences, batch_size=len(sentences), normalize_embeddings=True, convert_to_numpy=True)
max_diff = float(np.abs(encode(sentences) - expected).max())
if max_diff > 1e-4:
    sys.exit(f"ONNX Runtime's embeddings differ from sentence-transformers' by {max_diff}")

report("onnxruntime", encode, sentences, rounds, threads=threads, onnxruntime=onnxruntime.__version__,
       max_diff_vs_sentence_transformers=max_diff)
