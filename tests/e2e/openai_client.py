"""Drives infera-gateway with the official OpenAI Python client (PyPI `openai`), as an app would.

Usage: openai_client.py BASE_URL API_KEY STEPS_JSON

STEPS_JSON is a list of steps; each is run in order, except that steps marked
"background": true start at once and are awaited at the end. Each step's outcome is printed
as one JSON list on stdout, in step order:
  {"op": "models"}
  {"op": "retrieve", "model": "name or id"}    -> models.retrieve's model as a dict
  {"op": "embed", "request": {...}}            -> the response as a dict, with the client's
                                                 decoded embeddings under "floats"
  {"op": "chat", "request": {...}}             -> the response (or, with "stream": true, the
                                                 list of chunks) as dicts
  {"op": "concurrent", "count": N, "request": {...}}
                                              -> N embeddings requests at once, input
                                                 "<input> #i"; each response with its seconds
Any step whose request fails records {"error": {"status", "class", "body"}} instead.
"""

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import openai


def embed(client, request):
    response = client.embeddings.create(**request)
    out = response.to_dict()
    out["floats"] = [item.embedding for item in response.data]
    return out


def chat(client, request):
    if request.get("stream"):
        return [chunk.to_dict() for chunk in client.chat.completions.create(**request)]
    return client.chat.completions.create(**request).to_dict()


def timed(call, *args):
    start = time.monotonic()
    try:
        out = call(*args)
    except openai.APIStatusError as error:
        out = {"error": {"status": error.status_code, "class": type(error).__name__, "body": error.body}}
    out_seconds = time.monotonic() - start
    if isinstance(out, dict):
        out["seconds"] = out_seconds
    return out


def run(client, step):
    op = step["op"]
    if op == "models":
        return timed(lambda: {"data": [model.to_dict() for model in client.models.list()]})
    if op == "retrieve":
        return timed(lambda: client.models.retrieve(step["model"]).to_dict())
    if op == "embed":
        return timed(embed, client, step["request"])
    if op == "chat":
        return timed(lambda: {"result": chat(client, step["request"])})
    if op == "concurrent":
        count = step["count"]
        requests = []
        for index in range(count):
            request = dict(step["request"])
            request["input"] = f"{request['input']} #{index}"
            requests.append(request)
        with ThreadPoolExecutor(max_workers=count) as pool:
            return {"responses": list(pool.map(lambda request: timed(embed, client, request), requests))}
    raise ValueError(f"unknown op {op}")


def main():
    base_url, api_key, steps = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    # The client's defaults (two retries, which the gateway's `x-should-retry` header
    # governs), as an application would use it.
    client = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=600)
    results = [None] * len(steps)
    with ThreadPoolExecutor(max_workers=max(1, len(steps))) as background:
        pending = {index: background.submit(run, client, step) for index, step in enumerate(steps) if step.get("background")}
        for index, step in enumerate(steps):
            if not step.get("background"):
                results[index] = run(client, step)
        for index, future in pending.items():
            results[index] = future.result()
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
