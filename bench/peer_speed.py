#!/usr/bin/env python3
"""Speed peer of shared/design/quality.md section 2, run by `duijie-bench nsfc`.

Import: openpyxl (read-only) reads the xlsx listing, Python jieba (search mode, as in
bench/peers/peer_bm25.py) segments title + keywords, bm25s builds the index. Queries: the same
match texts duijie is asked, scored in-process with bm25s, the top 1000 documents aggregated
to institutions by the sum of their top-3 scores (the peer's best institution aggregation).

usage: peer_speed.py LISTING.xlsx QUERIES.json [--repeat N]   (prints one JSON object)
"""
import argparse
import json
import re
import time
from collections import defaultdict

import bm25s
import jieba
import numpy as np
import openpyxl

TOKEN = re.compile(r"\w", re.UNICODE)


def tokenize(text):
    return [t.lower() for t in jieba.lcut_for_search(text) if TOKEN.search(t)]


def read_listing(path):
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h or "") for h in next(rows)]
    ti, oi, ki = header.index("成果名称"), header.index("完成单位"), header.index("关键词")
    docs, orgs = [], []
    for r in rows:
        if not r or r[ti] is None:
            continue
        docs.append(str(r[ti]) + " " + str(r[ki] or "").replace("；", " "))
        orgs.append(str(r[oi] or ""))
    wb.close()
    return docs, orgs


def pct(xs, p):
    return float(np.percentile(xs, p)) if xs else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("listing")
    ap.add_argument("queries")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--retrieve", type=int, default=1000)
    args = ap.parse_args()
    jieba.setLogLevel(60)
    t = time.perf_counter()
    jieba.initialize()
    init_s = time.perf_counter() - t
    runs = []
    retriever = orgs = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        docs, orgs = read_listing(args.listing)
        t1 = time.perf_counter()
        corpus = [tokenize(d) for d in docs]
        t2 = time.perf_counter()
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        t3 = time.perf_counter()
        runs.append({"rows": len(docs), "read_s": t1 - t0, "segment_s": t2 - t1,
                     "index_s": t3 - t2, "total_s": t3 - t0})
    with open(args.queries, encoding="utf-8") as f:
        queries = json.load(f)
    vocab = retriever.vocab_dict
    times = []
    for q in queries:
        t0 = time.perf_counter()
        tokens = [t for t in tokenize(q) if t in vocab]
        scores = retriever.get_scores(tokens) if tokens else np.zeros(len(orgs))
        top = np.argsort(-scores)[: args.retrieve]
        by_inst = defaultdict(list)
        for i in top:
            s = float(scores[i])
            if s <= 0:
                break
            by_inst[orgs[i]].append(s)
        ranked = sorted(by_inst, key=lambda k: -sum(sorted(by_inst[k], reverse=True)[:3]))
        _ = ranked[:10]
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        "jieba_init_s": init_s,
        "runs": runs,
        "query": {"n": len(times), "p50_ms": pct(times, 50), "p95_ms": pct(times, 95),
                  "p99_ms": pct(times, 99), "mean_ms": float(np.mean(times)) if times else 0.0},
    }))


if __name__ == "__main__":
    main()
