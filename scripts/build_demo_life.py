#!/usr/bin/env python3
"""Writes data/demo/achievements-nsfc-life.csv from ../shared/data/nsfc-life-2019-2023.

The NSFC life-science funded-project lists (ISC per the source repository's package.json) are
spread over 226 CSV files in which the same project appears in several; this keeps one row per
(title, 依托单位, 负责人), with the source's own column names, which duijie's importer knows.
Only names and affiliations are kept: no contact data.

    python3 scripts/build_demo_life.py [--data ../shared/data] [--out data/demo/achievements-nsfc-life.csv]
"""
import argparse
import csv
from pathlib import Path

COLUMNS = ["title", "organization", "personText", "keywords", "approveYear"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", default="data/demo/achievements-nsfc-life.csv")
    args = ap.parse_args()
    seen, rows = set(), []
    root = Path(args.data) / "nsfc-life-2019-2023"
    for path in sorted(root.glob("*/*/*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                key = (row["title"].split(".", 1)[-1].strip(), row["organization"].strip(), row["personText"].strip())
                if not key[0] or key in seen:
                    continue
                seen.add(key)
                rows.append([row.get(c, "").strip() for c in COLUMNS])
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows(rows)
    print(f"{len(rows)} projects written to {args.out}")


if __name__ == "__main__":
    main()
