#!/usr/bin/env python3
"""Other model families on the held-out attribution task (docs/ranking.md, experiments 52-56).

Not production code: a side study of whether methods other than duijie's lexical
nearest-neighbour ranking lift institution-level attribution, each measured on the split
written by `cargo run --release -p duijie-eval --example eval -- --seed N --export-split F`.

Every variant starts from the same reference: BM25 (k1 1.2, b 0.75) over title + keywords,
jieba search-mode words plus Han-character bigrams (weight 0.4 in the query), the best 100
documents grouped by institution with the rank-decayed sum 0.5^i over the top 5 — the shape of
duijie's own ranking, so each row shows what one change adds to it.

- `knn`: the reference.
- `inst_idf`: query words re-weighted by (institution-level IDF / document-level IDF): a word
  used by few institutions counts more than one spread over many.
- `lsa`: + 0.5 x cosine in a 300-dimensional LSA space (TF-IDF, truncated SVD of the corpus).
- `svc`, `cnb`: a linear SVM / complement naive Bayes trained to name the institution of a
  document, ranking the institutions alone.
- `knn+svc`, `knn+cnb`: the reference plus beta x 6/(rank in the classifier + 5).
- experts: the reference grouped by (institution, leader), decay 0.3, plus 0.5 x the
  organisation's aggregate (duijie's expert ranking), then x (person's documents)^alpha.

Needs: jieba, numpy, scipy, scikit-learn.
"""
import argparse
import json
import os
import re
import sys
from collections import Counter, defaultdict

import jieba
import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from peer_bm25 import metrics, rank_of  # noqa: E402

WORD = re.compile(r"\w", re.UNICODE)
NOT_HAN = re.compile(r"[^\u4e00-\u9fff]")
GRAM = "~"
GRAM_WEIGHT = 0.4
DEPTH = 100


def tokenize(text):
    words = [w.lower() for w in jieba.lcut_for_search(text) if WORD.search(w)]
    han = NOT_HAN.sub("", text)
    return words + [GRAM + han[i : i + 2] for i in range(len(han) - 1)]


def decayed(scores, decay, k=5):
    top = sorted(scores, reverse=True)[:k]
    return sum(s * decay**i for i, s in enumerate(top))


class Bm25:
    """Document x term matrix of BM25 weights; a query is a weight per term."""

    def __init__(self, docs, k1=1.2, b=0.75):
        self.vocab = {}
        rows, cols, tfs = [], [], []
        for i, doc in enumerate(docs):
            for term, n in Counter(doc).items():
                rows.append(i)
                cols.append(self.vocab.setdefault(term, len(self.vocab)))
                tfs.append(n)
        rows, cols, tfs = np.array(rows), np.array(cols), np.array(tfs, float)
        n_docs, n_terms = len(docs), len(self.vocab)
        length = np.array([len(d) for d in docs], float)
        self.df = np.bincount(cols, minlength=n_terms)
        self.idf = np.log(1 + (n_docs - self.df + 0.5) / (self.df + 0.5))
        norm = k1 * (1 - b + b * length[rows] / length.mean())
        weights = tfs * (k1 + 1) / (tfs + norm) * self.idf[cols]
        self.matrix = sp.csr_matrix((weights, (rows, cols)), shape=(n_docs, n_terms))
        self.rows, self.cols = rows, cols

    def query(self, tokens, term_factor=None):
        q = np.zeros(len(self.vocab))
        for t in set(tokens):
            j = self.vocab.get(t)
            if j is not None:
                w = GRAM_WEIGHT if t.startswith(GRAM) else 1.0
                q[j] = w * (term_factor[j] if term_factor is not None else 1.0)
        return self.matrix @ q


def group_top(scores, keys, depth=DEPTH):
    groups = defaultdict(list)
    for j in np.argsort(-scores)[:depth]:
        if scores[j] > 0:
            groups[keys[j]].append(float(scores[j]))
    return groups


def ranked(scores_by_key):
    return sorted(scores_by_key, key=lambda k: -scores_by_key[k])


def institution_idf_factor(bm25, institutions):
    """Per term: institution-level IDF over document-level IDF."""
    names = {n: i for i, n in enumerate(sorted(set(institutions)))}
    pairs = {(names[institutions[r]], c) for r, c in zip(bm25.rows, bm25.cols)}
    inst_freq = np.bincount([c for _, c in pairs], minlength=len(bm25.vocab))
    n = len(names)
    inst_idf = np.log(1 + (n - inst_freq + 0.5) / (inst_freq + 0.5))
    return np.maximum(inst_idf, 1e-3) / np.maximum(bm25.idf, 1e-3)


def run_set(split, variants):
    train, test = split["train"], split["test"]
    docs = [tokenize(d["title"] + "。" + "；".join(d["keywords"] or [])) for d in train]
    queries = [tokenize(q["query"]) for q in test]
    inst = [d["institution"] for d in train]
    person = [d["institution"] + "|" + d["person"] for d in train]
    person_docs = Counter(person)
    bm25 = Bm25(docs)
    factor = institution_idf_factor(bm25, inst)

    tfidf = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True)
    x = tfidf.fit_transform(docs)
    q = tfidf.transform(queries)
    svd = TruncatedSVD(300, random_state=0)
    z = svd.fit_transform(x)
    z /= np.linalg.norm(z, axis=1, keepdims=True) + 1e-9
    qz = svd.transform(q)
    qz /= np.linalg.norm(qz, axis=1, keepdims=True) + 1e-9
    svc = LinearSVC(C=0.5).fit(x, inst)
    cnb = ComplementNB(alpha=0.3).fit(x, inst)
    # (class names, score of every class per query)
    classifiers = {
        "svc": (list(svc.classes_), svc.decision_function(q)),
        "cnb": (list(cnb.classes_), cnb.predict_log_proba(q)),
    }

    ranks = defaultdict(list)
    for i, query in enumerate(test):
        gold = query["institution"]
        s = bm25.query(queries[i])
        knn = {k: decayed(v, 0.5) for k, v in group_top(s, inst).items()}
        ranks["knn"].append(rank_of(ranked(knn), gold))
        s_idf = bm25.query(queries[i], factor)
        ranks["inst_idf"].append(
            rank_of(ranked({k: decayed(v, 0.5) for k, v in group_top(s_idf, inst).items()}), gold)
        )
        s_lsa = s / (s.max() + 1e-9) + 0.5 * np.maximum(z @ qz[i], 0)
        ranks["lsa"].append(
            rank_of(ranked({k: decayed(v, 0.5) for k, v in group_top(s_lsa, inst).items()}), gold)
        )
        top = max(knn.values()) if knn else 1.0
        for name, (classes, scores) in classifiers.items():
            order = [classes[j] for j in np.argsort(-scores[i])]
            ranks[name].append(rank_of(order, gold, depth=len(order)))
            position = {c: r + 1 for r, c in enumerate(order)}
            beta = variants[name]
            fused = {c: knn.get(c, 0.0) / top + beta * 6.0 / (position[c] + 5) for c in classes}
            ranks["knn+" + name].append(rank_of(ranked(fused), gold))
        if query["expert"]:
            people = group_top(s, person)
            org = {k: decayed(v, 0.5) for k, v in group_top(s, inst).items()}
            for alpha in variants["person_alpha"]:
                score = {
                    p: (decayed(v, 0.3) + 0.5 * org[p.split("|")[0]]) * person_docs[p] ** alpha
                    for p, v in people.items()
                }
                ranks[f"expert a={alpha}"].append(rank_of(ranked(score), query["expert"]))
    return ranks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("split", help="split JSON written by the duijie eval (--export-split)")
    args = ap.parse_args()
    jieba.setLogLevel(60)
    with open(args.split, encoding="utf-8") as f:
        data = json.load(f)
    variants = {"svc": 0.5, "cnb": 1.0, "person_alpha": [0.0, 0.1, 0.2]}
    pooled = defaultdict(list)
    print(f"other models, seed {data['seed']}  (MRR / NDCG@10)")
    for split in data["sets"]:
        for name, r in run_set(split, variants).items():
            m = metrics(r)
            print(f"{split['set']:<10} {name:<14} {m['queries']:>4} {m['mrr']:.3f} / {m['ndcg10']:.3f}")
            pooled[name] += r
    for name, r in pooled.items():
        m = metrics(r)
        print(f"{'combined':<10} {name:<14} {m['queries']:>4} {m['mrr']:.3f} / {m['ndcg10']:.3f}")


if __name__ == "__main__":
    main()
