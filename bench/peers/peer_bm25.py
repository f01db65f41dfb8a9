#!/usr/bin/env python3
"""Peer baseline of quality.md section 1, measured on duijie's own split.

Python jieba (search mode) + bm25s over title + keywords of the indexed projects; document
scores aggregated to institutions and to (institution, leader) experts by max, sum,
sum-of-top-3 and rank-decay (0.5^i over the top 5). Reads the split written by
`cargo run --release -p duijie-eval --example eval -- --export-split FILE`.
"""
import argparse
import json
import math
import re
import time
from collections import defaultdict

import bm25s
import jieba
import numpy as np

TOKEN = re.compile(r"\w", re.UNICODE)


def tokenize(text):
    return [t.lower() for t in jieba.lcut_for_search(text) if TOKEN.search(t)]


def aggregate(scores, method):
    s = sorted(scores, reverse=True)
    if method == "max":
        return s[0]
    if method == "sum":
        return sum(s)
    if method == "top3":
        return sum(s[:3])
    if method == "decay":
        return sum(x * 0.5**i for i, x in enumerate(s[:5]))
    raise ValueError(method)


METHODS = ["max", "sum", "top3", "decay"]


def metrics(ranks):
    n = len(ranks)
    if n == 0:
        return {"queries": 0, "mrr": 0.0, "mrr10": 0.0, "hit1": 0.0, "hit10": 0.0, "ndcg10": 0.0}
    return {
        "queries": n,
        "mrr": sum(1.0 / r for r in ranks if r) / n,
        "mrr10": sum(1.0 / r for r in ranks if r and r <= 10) / n,
        "hit1": sum(1 for r in ranks if r == 1) / n,
        "hit10": sum(1 for r in ranks if r and r <= 10) / n,
        "ndcg10": sum(1.0 / math.log2(r + 1) for r in ranks if r and r <= 10) / n,
    }


def rank_of(ranked, gold, depth=100):
    for i, c in enumerate(ranked[:depth]):
        if c == gold:
            return i + 1
    return None


def run_set(split, retrieve_k):
    train = split["train"]
    corpus = [tokenize(d["title"] + " " + " ".join(d["keywords"])) for d in train]
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    vocab = retriever.vocab_dict
    inst = {m: [] for m in METHODS}
    expert = {m: [] for m in METHODS}
    times = []
    for q in split["test"]:
        t0 = time.perf_counter()
        tokens = [t for t in tokenize(q["query"]) if t in vocab]
        scores = retriever.get_scores(tokens) if tokens else np.zeros(len(train))
        top = np.argsort(-scores)[:retrieve_k]
        by_inst, by_expert = defaultdict(list), defaultdict(list)
        for i in top:
            s = float(scores[i])
            if s <= 0:
                break
            d = train[i]
            by_inst[d["institution"]].append(s)
            if d["person"]:
                by_expert[d["institution"] + "|" + d["person"]].append(s)
        for m in METHODS:
            ranked = sorted(by_inst, key=lambda k: -aggregate(by_inst[k], m))
            inst[m].append(rank_of(ranked, q["institution"]))
            if q["expert"]:
                ranked = sorted(by_expert, key=lambda k: -aggregate(by_expert[k], m))
                expert[m].append(rank_of(ranked, q["expert"]))
        times.append((time.perf_counter() - t0) * 1000)
    return inst, expert, times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("split", help="split JSON written by the duijie eval (--export-split)")
    ap.add_argument("--retrieve", type=int, default=1000, help="documents aggregated per query")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    jieba.setLogLevel(60)
    with open(args.split, encoding="utf-8") as f:
        data = json.load(f)
    pooled_i = {m: [] for m in METHODS}
    pooled_e = {m: [] for m in METHODS}
    pooled_t = []
    out = {"seed": data["seed"], "sets": {}}
    for split in data["sets"]:
        inst, expert, times = run_set(split, args.retrieve)
        out["sets"][split["set"]] = {
            "institution": {m: metrics(inst[m]) for m in METHODS},
            "expert": {m: metrics(expert[m]) for m in METHODS},
            "p50_ms": float(np.percentile(times, 50)),
            "p95_ms": float(np.percentile(times, 95)),
        }
        for m in METHODS:
            pooled_i[m] += inst[m]
            pooled_e[m] += expert[m]
        pooled_t += times
    out["sets"]["combined"] = {
        "institution": {m: metrics(pooled_i[m]) for m in METHODS},
        "expert": {m: metrics(pooled_e[m]) for m in METHODS},
        "p50_ms": float(np.percentile(pooled_t, 50)),
        "p95_ms": float(np.percentile(pooled_t, 95)),
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    print(f"peer (jieba + bm25s), seed {data['seed']}")
    print(f"{'set':<10} {'level':<12} {'agg':<6} {'n':>5} {'MRR':>6} {'hit@1':>6} {'hit@10':>6} {'NDCG@10':>8}")
    for name, s in out["sets"].items():
        for level in ["institution", "expert"]:
            best = max(METHODS, key=lambda m: s[level][m]["mrr"])
            for m in METHODS:
                r = s[level][m]
                mark = " *" if m == best else ""
                print(f"{name:<10} {level:<12} {m:<6} {r['queries']:>5} {r['mrr']:>6.3f} {r['hit1']:>6.3f} "
                      f"{r['hit10']:>6.3f} {r['ndcg10']:>8.3f}{mark}")
        print(f"{name:<10} latency p50 {s['p50_ms']:.2f} ms, p95 {s['p95_ms']:.2f} ms (query + aggregation)")


if __name__ == "__main__":
    main()
