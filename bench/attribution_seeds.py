#!/usr/bin/env python3
"""Held-out attribution over many seeds, duijie and the peer side by side (quality.md section 1).

For each seed: `duijie eval attribution --seed N --json --export-split` through the production
path, then `bench/peers/peer_bm25.py` on the same split. Reports the mean and a 95% interval
(t distribution over seeds) of MRR@10 and NDCG@10 at institution and expert level, and of the
per-seed ratio duijie / peer. The peer's aggregation is fixed by the protocol: institution = sum
of its top-3 documents, expert = its best document.

Seeds 20240601, 7 and 11 were used for tuning in earlier sessions; report on others:
    python3 bench/attribution_seeds.py --duijie target/release/duijie --seeds 101-110
With dense evidence mixed in (issue #20), vectors kept between seeds in one database:
    python3 bench/attribution_seeds.py --semantic-ratio 0.5 --vectors /tmp/vectors.db
"""
import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086]
PEER_AGG = {"institution": "top3", "expert": "max"}


def interval(xs):
    m = statistics.fmean(xs)
    if len(xs) < 2:
        return m, m, m
    half = T975[min(len(xs) - 2, len(T975) - 1)] * statistics.stdev(xs) / math.sqrt(len(xs))
    return m, m - half, m + half


def pooled(parts, key):
    n = sum(p["queries"] for p in parts)
    return sum(p[key] * p["queries"] for p in parts) / n if n else 0.0


def seeds_of(text):
    out = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += range(int(a), int(b) + 1)
        else:
            out.append(int(part))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duijie", default="target/release/duijie")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--seeds", default="101-110")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--semantic-ratio", type=float, default=0.0,
                    help="share of dense evidence (0 = words only, 1 = meaning only)")
    ap.add_argument("--vectors", help="duijie SQLite database keeping vectors between seeds")
    args = ap.parse_args()
    dense = ["--semantic-ratio", str(args.semantic_ratio)]
    if args.vectors:
        dense += ["--vectors", args.vectors]
    peer_script = Path(__file__).parent / "peers" / "peer_bm25.py"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds_of(args.seeds):
            split = Path(tmp) / f"split-{seed}.json"
            ours = json.loads(subprocess.run(
                [args.duijie, "eval", "attribution", "--data", args.data, "--seed", str(seed),
                 "--json", "--export-split", str(split)] + dense,
                check=True, capture_output=True, text=True).stdout)
            peer = json.loads(subprocess.run(
                [sys.executable, str(peer_script), str(split), "--json"],
                check=True, capture_output=True, text=True).stdout)
            row = {"seed": seed}
            for level in ("institution", "expert"):
                mine = [s[level]["duijie"] for s in ours["sets"]]
                theirs = peer["sets"]["combined"][level][PEER_AGG[level]]
                for metric in ("mrr10", "ndcg10"):
                    row[f"{level}.{metric}.duijie"] = pooled(mine, metric)
                    row[f"{level}.{metric}.peer"] = theirs[metric]
            rows.append(row)
            print(f"seed {seed}: " + ", ".join(f"{k} {v:.3f}" for k, v in row.items() if k != "seed"),
                  file=sys.stderr)
    summary = {}
    for level in ("institution", "expert"):
        for metric in ("mrr10", "ndcg10"):
            d = [r[f"{level}.{metric}.duijie"] for r in rows]
            p = [r[f"{level}.{metric}.peer"] for r in rows]
            summary[f"{level}.{metric}"] = {
                "duijie": interval(d), "peer": interval(p),
                "ratio": interval([a / b for a, b in zip(d, p) if b > 0]),
            }
    if args.json:
        print(json.dumps({"seeds": [r["seed"] for r in rows], "rows": rows, "summary": summary}, indent=2))
        return
    print(f"held-out attribution over {len(rows)} seeds ({args.seeds}); mean [95% interval]")
    print(f"{'level.metric':<20} {'duijie':>22} {'peer':>22} {'ratio':>22}")
    for k, v in summary.items():
        cell = lambda t: f"{t[0]:.3f} [{t[1]:.3f}, {t[2]:.3f}]"
        print(f"{k:<20} {cell(v['duijie']):>22} {cell(v['peer']):>22} {cell(v['ratio']):>22}")


if __name__ == "__main__":
    main()
