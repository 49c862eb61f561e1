"""What bench/embedding.sh's Python engines share: one warm-up, then per-sentence latency
and whole-batch time over `rounds`, printed as one JSON line per batch size."""
import json
import statistics
import time


def report(impl, encode, sentences, rounds, **extra):
    """Times `encode` on each sentence alone and on all of them, and prints the medians."""
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
        print(json.dumps({"impl": impl, "batch": batch, "median_latency_ms": latency * 1e3,
                          "sentences_per_s": batch / latency, **extra}))
