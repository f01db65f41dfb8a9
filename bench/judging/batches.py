#!/usr/bin/env python3
"""Blind judging batches for the demand set (data/eval/demands/GUIDE.md).

make:  batches.py make DEMANDS.jsonl CARDS.jsonl OUTDIR --size 350 [--second 0.2]
       Groups the cards (from bench/peers/peer_demands.py --pool ... --cards-out ...) by demand,
       shuffles the candidates within a demand (fixed seed) and writes OUTDIR/batch_NN.jsonl,
       plus OUTDIR/second.jsonl: a random fifth of the items for a second judge. Items carry
       no system name.
merge: batches.py merge OUTDIR JUDGEMENTS.jsonl [--second SECOND.jsonl]
       Appends the grades written by the judges (OUTDIR/out_NN.jsonl: {"item", "grade",
       "justification"}) as judgement lines {demand, level, key, grade, justification}.
"""
import argparse
import json
import random
from collections import defaultdict
from pathlib import Path


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write(path, rows, mode="w"):
    with open(path, mode, encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def query(d):
    text = (d.get("text") or "").strip()
    return d["title"] if not text or text == d["title"].strip() else f"{d['title']}。{text}"


def make(args):
    demands = {d["id"]: d for d in read(args.demands)}
    cards = read(args.cards)
    rng = random.Random(20261206)
    by_demand = defaultdict(list)
    for i, c in enumerate(cards):
        c["item"] = f"{c['demand']}/{c['level']}/{i}"
        by_demand[c["demand"]].append(c)
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    batches, current = [], []
    for demand in sorted(by_demand):
        items = by_demand[demand]
        rng.shuffle(items)
        for c in items:
            current.append({
                "item": c["item"],
                "demand": query(demands[demand]),
                "level": c["level"],
                "candidate": c["key"],
                "evidence_card": c["evidence_card"],
            })
        if len(current) >= args.size:
            batches.append(current)
            current = []
    if current:
        batches.append(current)
    for n, b in enumerate(batches):
        write(out / f"batch_{n:02}.jsonl", b)
    everything = [i for b in batches for i in b]
    second = rng.sample(everything, int(len(everything) * args.second))
    second.sort(key=lambda i: i["item"])
    write(out / "second.jsonl", second)
    print(f"{len(everything)} items in {len(batches)} batches; {len(second)} for the second judge")


def merge(args):
    out = Path(args.outdir)
    items = {}
    for path in sorted(out.glob("batch_*.jsonl")) + [out / "second.jsonl"]:
        for i in read(path):
            items[i["item"]] = i

    def lines(paths):
        rows = []
        for path in paths:
            for g in read(path):
                i = items[g["item"]]
                grade = int(g["grade"])
                assert grade in (0, 1, 2), g
                rows.append({
                    "demand": g["item"].split("/")[0],
                    "level": i["level"],
                    "key": i["candidate"],
                    "grade": grade,
                    "justification": g.get("justification", ""),
                })
        return rows

    first = lines(sorted(out.glob("out_*.jsonl")))
    write(args.judgements, first, "a")
    print(f"{len(first)} judgements appended to {args.judgements}")
    if args.second:
        second = lines([out / "second_out.jsonl"])
        write(args.second, second, "a")
        print(f"{len(second)} second judgements appended to {args.second}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("demands")
    m.add_argument("cards")
    m.add_argument("outdir")
    m.add_argument("--size", type=int, default=350)
    m.add_argument("--second", type=float, default=0.2)
    g = sub.add_parser("merge")
    g.add_argument("outdir")
    g.add_argument("judgements")
    g.add_argument("--second")
    args = p.parse_args()
    make(args) if args.cmd == "make" else merge(args)


if __name__ == "__main__":
    main()
