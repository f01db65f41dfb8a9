#!/usr/bin/env python3
"""Builds duijie's jieba user dictionary, data/dict/terms.txt.

Sources (see data/dict/README.md for licences):
  * THUOCL word lists (MIT): the technical ones only.
  * CSL keyword-generation benchmark (Apache-2.0): author keywords of Chinese paper abstracts.

Output: one `word freq tag` line per term, sorted by word, UTF-8, LF.

Usage: python3 scripts/build_dict.py [--data ../shared/data] [--out data/dict/terms.txt]
"""

import argparse
import math
import re
import sys
from pathlib import Path

# Technical and economic vocabularies. Left out on purpose: poetry, idioms (chengyu), historical
# people and place names (they add ambiguity, not technical terms) and law.
THUOCL_LISTS = ["IT", "medical", "food", "car", "animal", "caijing"]

# Terms seen fewer times than this in THUOCL's corpus are mostly one-off product or dish names.
THUOCL_MIN_WEIGHT = 20

CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
MIN_CHARS, MAX_CHARS = 2, 12


def usable(word: str) -> bool:
    """2..12 CJK characters, nothing else (no digits, Latin, punctuation or spaces)."""
    return MIN_CHARS <= len(word) <= MAX_CHARS and CJK.match(word) is not None


def thuocl_freq(weight: int) -> int:
    # THUOCL weights are document counts in a web corpus (up to ~10^7); jieba frequencies only
    # need to be large enough for the term to win over its parts, so compress them.
    return max(5, min(3000, int(math.sqrt(weight))))


def read_thuocl(path: Path) -> dict:
    terms = {}
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    for line in text.split("\n"):
        parts = line.split("\t")
        if len(parts) != 2:
            continue
        word = parts[0].strip()
        try:
            weight = int(parts[1].strip())
        except ValueError:
            continue
        if weight < THUOCL_MIN_WEIGHT or not usable(word):
            continue
        terms[word] = max(terms.get(word, 0), thuocl_freq(weight))
    return terms


def read_csl_keywords(path: Path) -> dict:
    counts = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        for kw in parts[2].split("_"):
            kw = kw.strip()
            if usable(kw):
                counts[kw] = counts.get(kw, 0) + 1
    return counts


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=root.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=root / "data" / "dict" / "terms.txt")
    args = ap.parse_args()

    terms = {}
    per_source = {}
    for name in THUOCL_LISTS:
        got = read_thuocl(args.data / "thuocl" / "data" / f"THUOCL_{name}.txt")
        per_source[f"THUOCL_{name}"] = len(got)
        for w, f in got.items():
            terms[w] = max(terms.get(w, 0), f)

    csl = {}
    for split in ["dev", "test"]:
        for w, c in read_csl_keywords(args.data / "csl-benchmark" / "benchmark" / "kg" / f"{split}.tsv").items():
            csl[w] = csl.get(w, 0) + c
    per_source["CSL keywords"] = len(csl)
    for w, c in csl.items():
        # A paper keyword is a deliberate technical term: keep it whole even when rare.
        terms[w] = max(terms.get(w, 0), min(300, 20 * c))

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="\n") as out:
        for w in sorted(terms):
            out.write(f"{w} {terms[w]} n\n")

    for src, n in per_source.items():
        print(f"{src}: {n} terms", file=sys.stderr)
    print(f"wrote {len(terms)} terms to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
