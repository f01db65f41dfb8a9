#!/usr/bin/env python3
"""Peer baseline of quality.md section 1b: enterprise demands against the mixed corpus.

Python jieba (search mode, lowercased, tokens holding at least one word character) + bm25s
(library defaults: k1=1.5, b=0.75, method "lucene") over ONE text field per document,
title + keywords + body, achievements and expert profiles in one index. Document scores are
aggregated to institutions (sum of the top-3 documents) and to experts `institution|person`
(best document); documents without a person do not count for experts.

Reads the export written by `duijie eval demands --export DIR`:
  DIR/corpus.jsonl   {"id", "kind": "achievement"|"expert", "title", "keywords", "body",
                      "institution", "person"}
  DIR/demands.jsonl  {"id", "title", "text"}; query = title + "。" + text

Modes (both may be given in one run; the index is built once):
  --out RUNS.jsonl                     top 10 per demand and level
  --pool POOL.jsonl --cards-out CARDS  blind evidence card (5 best documents) per pooled candidate
  --closest DIR/closest.jsonl          cards fill up with the documents closest in meaning to the
                                       demand (written by `--semantic-ratios` with `--export`)
                                       instead of by id when fewer than 5 share its words
"""
import argparse
import json
import re
import sys
import time
from collections import defaultdict

import bm25s
import jieba
import numpy as np

TOKEN = re.compile(r"\w", re.UNICODE)
LEVELS = ["institution", "expert"]
TOP_DOCS_INSTITUTION = 3
CARD_DOCS = 5
BODY_CHARS = 120


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def tokenize(text):
    return [t.lower() for t in jieba.lcut_for_search(text) if TOKEN.search(t)]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def doc_text(d):
    keywords = " ".join(d.get("keywords") or [])
    return " ".join([d.get("title") or "", keywords, d.get("body") or ""])


def demand_query(q):
    title = (q.get("title") or "").strip()
    text = (q.get("text") or "").strip()
    if not text or text == title:
        return title
    return title + "。" + text


def expert_key(d):
    return d["institution"] + "|" + d["person"] if d.get("person") else None


class Peer:
    def __init__(self, corpus):
        self.corpus = corpus
        t0 = time.perf_counter()
        tokens = [tokenize(doc_text(d)) for d in corpus]
        t1 = time.perf_counter()
        self.retriever = bm25s.BM25()  # defaults: k1=1.5, b=0.75, method="lucene"
        self.retriever.index(tokens, show_progress=False)
        self.vocab = self.retriever.vocab_dict
        t2 = time.perf_counter()
        chars = sum(len(doc_text(d)) for d in corpus)
        log(f"peer: segmented {len(corpus)} docs ({chars} chars) in {t1 - t0:.2f} s, "
            f"indexed in {t2 - t1:.2f} s (vocab {len(self.vocab)})")
        # documents of every candidate, for the evidence cards
        self.docs_of = {"institution": defaultdict(list), "expert": defaultdict(list)}
        for i, d in enumerate(corpus):
            self.docs_of["institution"][d["institution"]].append(i)
            k = expert_key(d)
            if k:
                self.docs_of["expert"][k].append(i)

    def scores(self, query):
        tokens = [t for t in tokenize(query) if t in self.vocab]
        if not tokens:
            return np.zeros(len(self.corpus), dtype=np.float32)
        return self.retriever.get_scores(tokens)

    def rank(self, scores, retrieve, depth):
        """Top `depth` keys per level from the `retrieve` best documents with score > 0."""
        k = min(retrieve, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = sorted(top.tolist(), key=lambda i: (-float(scores[i]), self.corpus[i]["id"]))
        by_inst, by_expert = defaultdict(list), defaultdict(list)
        for i in top:
            s = float(scores[i])
            if s <= 0:
                break
            d = self.corpus[i]
            by_inst[d["institution"]].append(s)
            ek = expert_key(d)
            if ek:
                by_expert[ek].append(s)
        inst = {k: sum(sorted(v, reverse=True)[:TOP_DOCS_INSTITUTION]) for k, v in by_inst.items()}
        expert = {k: max(v) for k, v in by_expert.items()}
        out = {}
        for level, agg in (("institution", inst), ("expert", expert)):
            out[level] = [k for k, _ in sorted(agg.items(), key=lambda kv: (-kv[1], kv[0]))[:depth]]
        return out

    def card(self, scores, level, key, closeness=None):
        docs = self.docs_of[level].get(key, [])
        closeness = closeness or {}
        # best first; zero-score documents only fill up when fewer than 5 score > 0, closest
        # in meaning first when that is known
        best = sorted(docs, key=lambda i: (-float(scores[i]),
                                           -closeness.get(self.corpus[i]["id"], -1.0),
                                           self.corpus[i]["id"]))[:CARD_DOCS]
        return [card_line(self.corpus[i]) for i in best]


def card_line(d):
    keywords = [k for k in (d.get("keywords") or []) if k]
    if d["kind"] == "expert":
        name = d.get("title") or d.get("person") or ""
        line = "主页: " + name
        if keywords:
            line += " " + "；".join(keywords)
        body = (d.get("body") or "").strip()
        if body:
            line += " — " + body[:BODY_CHARS]
        return line
    line = "项目: " + (d.get("title") or "")
    if keywords:
        line += "（关键词：" + "、".join(keywords) + "）"
    return line


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("export", help="directory written by `duijie eval demands --export DIR`")
    ap.add_argument("--out", help="write the peer's top 10 per demand and level (JSONL)")
    ap.add_argument("--pool", help="pooled candidates (JSONL: demand, level, key)")
    ap.add_argument("--cards-out", help="evidence cards for --pool (JSONL)")
    ap.add_argument("--closest", help="documents closest in meaning per demand (JSONL: demand, id, cosine)")
    ap.add_argument("--retrieve", type=int, default=1000, help="documents aggregated per demand")
    ap.add_argument("--depth", type=int, default=10, help="candidates ranked per level")
    args = ap.parse_args()
    if not args.out and not args.pool:
        ap.error("give --out and/or --pool with --cards-out")
    if bool(args.pool) != bool(args.cards_out):
        ap.error("--pool and --cards-out go together")
    jieba.setLogLevel(60)

    t0 = time.perf_counter()
    corpus = read_jsonl(f"{args.export}/corpus.jsonl")
    demands = read_jsonl(f"{args.export}/demands.jsonl")
    pool = read_jsonl(args.pool) if args.pool else []
    kinds = defaultdict(int)
    for d in corpus:
        kinds[d["kind"]] += 1
    log(f"peer: read {len(corpus)} docs ({dict(kinds)}), {len(demands)} demands"
        + (f", {len(pool)} pooled candidates" if args.pool else "")
        + f" in {time.perf_counter() - t0:.2f} s")

    by_id = {q["id"]: q for q in demands}
    missing = sorted({p["demand"] for p in pool} - by_id.keys())
    if missing:
        sys.exit(f"peer: pool names demands not in {args.export}/demands.jsonl: {missing[:5]}")
    bad_level = sorted({p["level"] for p in pool} - set(LEVELS))
    if bad_level:
        sys.exit(f"peer: unknown level(s) in pool: {bad_level}")

    jieba.initialize()
    peer = Peer(corpus)

    t1 = time.perf_counter()
    needed = [q["id"] for q in demands] if args.out else sorted({p["demand"] for p in pool})
    scores = {qid: peer.scores(demand_query(by_id[qid])) for qid in needed}
    t2 = time.perf_counter()
    log(f"peer: scored {len(scores)} demands in {t2 - t1:.2f} s "
        f"({(t2 - t1) * 1000 / max(len(scores), 1):.1f} ms each)")

    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            for q in demands:
                ranked = peer.rank(scores[q["id"]], args.retrieve, args.depth)
                for level in LEVELS:
                    row = {"demand": q["id"], "level": level, "system": "peer", "ranking": ranked[level]}
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
        t3 = time.perf_counter()
        log(f"peer: wrote {2 * len(demands)} rankings to {args.out} in {t3 - t2:.2f} s")
        t2 = t3

    closest = defaultdict(dict)
    if args.closest:
        for c in read_jsonl(args.closest):
            closest[c["demand"]][c["id"]] = float(c["cosine"])
    if args.pool:
        unknown = 0
        with open(args.cards_out, "w", encoding="utf-8") as f:
            for p in pool:
                card = peer.card(scores[p["demand"]], p["level"], p["key"], closest.get(p["demand"]))
                if not card:
                    unknown += 1
                    if unknown <= 10:
                        log(f"peer: warning: no documents for {p['demand']} {p['level']} {p['key']!r}")
                row = {"demand": p["demand"], "level": p["level"], "key": p["key"], "evidence_card": card}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        log(f"peer: wrote {len(pool)} evidence cards to {args.cards_out} in "
            f"{time.perf_counter() - t2:.2f} s ({unknown} candidates without documents)")
    log(f"peer: total {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
