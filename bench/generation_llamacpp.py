"""llama.cpp (llama-cpp-python) on the same GGUF and prompts as inference/examples/generation_bench.rs:
prompt tokens/s and generation tokens/s, greedy, measured separately. Prints one JSON object.

Usage: generation_llamacpp.py <model.gguf> <prompts.json> <new_tokens> <runs> <threads>
"""
import json
import sys
import time

from llama_cpp import Llama

path, prompts_file, new_tokens, runs, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
prompts = json.load(open(prompts_file))
llm = Llama(model_path=path, n_threads=threads, n_threads_batch=threads, n_ctx=1024, verbose=False)
SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


def chat(prompt):
    return f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"


def timed(text, max_tokens):
    llm.reset()
    started = time.perf_counter()
    out = llm.create_completion(text, max_tokens=max_tokens, temperature=0.0, top_k=1, repeat_penalty=1.0)
    return time.perf_counter() - started, out


prompt_tokens = prompt_seconds = generated = generation_seconds = 0
first_tokens = {}
for _ in range(runs):
    for prompt in prompts:
        text = chat(prompt)
        count = len(llm.tokenize(text.encode(), add_bos=False, special=True))
        one, _ = timed(text, 1)
        total, out = timed(text, new_tokens)
        prompt_tokens += count
        prompt_seconds += one
        n = out["usage"]["completion_tokens"]
        generated += n
        generation_seconds += total - one
        first_tokens[prompt] = out["choices"][0]["text"]
print(json.dumps({
    "engine": "llama.cpp (llama-cpp-python 0.3.36)",
    "promptTokensPerSecond": prompt_tokens / prompt_seconds,
    "generationTokensPerSecond": generated / generation_seconds,
    "promptTokens": prompt_tokens,
    "generatedTokens": generated,
    "replies": first_tokens,
}))
