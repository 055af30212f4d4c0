#!/usr/bin/env python3
"""Python onnxruntime baseline for the embedding benchmark (compare with `cargo bench --bench embed`).

Setup (once):
    python3 -m venv /tmp/ortpy && /tmp/ortpy/bin/pip install onnxruntime==1.32.0 tokenizers numpy

Usage:
    bench_embed.py gen OUT_DIR                 write short.txt, long.txt, mixed.txt (one text per line)
    bench_embed.py run INPUT_DIR [--tuned] [--kinds short,long,mixed] [--batches 1,8,32] [--seconds 5]

`gen` writes deterministic text made up here (seeded), never the shared data. To measure
on real text instead, put one text per line in INPUT_DIR/<kind>.txt, e.g. resume text.

`run` embeds every text of each kind the way a straightforward Python service would: the
texts in input order, `batch` at a time, tokenized with padding to the longest in the
batch and truncation to 256 tokens, one `InferenceSession.run` per batch, then mean
pooling over the attention mask and L2 normalisation in numpy. Session options are
onnxruntime's defaults ("naive"), or with --tuned the ones the Rust embedder uses
(1 intra-op thread, no spinning, int8 weights expanded once at load). It prints
sentences per second (wall clock) per kind and batch size.

Model files: $INTELLICV_MODELS_DIR (default <repo>/models)/all-MiniLM-L6-v2-int8.
"""
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODEL_DIR = Path(os.environ.get("INTELLICV_MODELS_DIR") or REPO / "models") / "all-MiniLM-L6-v2-int8"
MAX_LENGTH = 256

ROLES = ["software engineer", "data scientist", "nurse", "pastry chef", "accountant", "truck driver",
         "product manager", "teacher", "electrician", "graphic designer", "sales representative",
         "DevOps engineer", "civil engineer", "pharmacist", "marketing specialist", "HR partner"]
SKILLS = ["Rust", "Python", "Kubernetes", "customer service", "bookkeeping", "baking bread", "SQL databases",
          "project planning", "welding", "machine learning", "Adobe Photoshop", "team leadership",
          "network security", "payroll", "patient care", "route planning", "contract negotiation"]
VERBS = ["with five years of experience in", "looking for a position involving", "skilled at",
         "who led a team focused on", "certified in", "passionate about improving"]
PLACES = ["in Berlin", "at a fast-growing startup", "for a large hospital", "in a remote-first company",
          "at a family-owned bakery", "for the public sector", "across three European offices"]


def sentence(rng):
    return (f"Experienced {rng.choice(ROLES)} {rng.choice(VERBS)} {rng.choice(SKILLS)} "
            f"and {rng.choice(SKILLS)} {rng.choice(PLACES)}.")


def paragraph(rng, words):
    parts = []
    while sum(len(p.split()) for p in parts) < words:
        parts.append(sentence(rng))
    return " ".join(parts)


def gen(out_dir):
    rng = random.Random(42)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    kinds = {
        # ~20 tokens each
        "short": [sentence(rng) for _ in range(64)],
        # longer than the 256-token window, so every text runs at 256 tokens
        "long": [paragraph(rng, 230) for _ in range(32)],
        # resume-like mix: a few long sections, many short lines (5-250 tokens)
        "mixed": [paragraph(rng, rng.choice([3, 6, 10, 15, 25, 40, 80, 150, 200])) if rng.random() < 0.9
                  else " ".join(sentence(rng).split()[: rng.randint(2, 6)]) for _ in range(64)],
    }
    for kind, texts in kinds.items():
        (out / f"{kind}.txt").write_text("\n".join(texts) + "\n")
    print(f"wrote {', '.join(f'{k}.txt ({len(v)} texts)' for k, v in kinds.items())} to {out}")


def load(tuned):
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_LENGTH)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in the batch
    so = ort.SessionOptions()
    if tuned:
        so.intra_op_num_threads = 1
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        so.add_session_config_entry("session.disable_quant_qdq", "1")
    sess = ort.InferenceSession(str(MODEL_DIR / "model.onnx"), so, providers=["CPUExecutionProvider"])
    return tok, sess


def embed(tok, sess, texts, batch):
    import numpy as np

    out = []
    for i in range(0, len(texts), batch):
        enc = tok.encode_batch(texts[i:i + batch])
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        types = np.array([e.type_ids for e in enc], dtype=np.int64)
        hidden = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        m = mask[..., None].astype(np.float32)
        v = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
        out.append(v / np.linalg.norm(v, axis=1, keepdims=True))
    return np.concatenate(out)


def run(input_dir, tuned, kinds, batches, seconds):
    tok, sess = load(tuned)
    label = "python-tuned" if tuned else "python-naive"
    for kind in kinds:
        texts = [line for line in (Path(input_dir) / f"{kind}.txt").read_text().splitlines() if line]
        for batch in batches:
            embed(tok, sess, texts, batch)  # warm-up
            n, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds:
                n += len(embed(tok, sess, texts, batch))
            rate = n / (time.perf_counter() - start)
            print(f"{label:13} kind={kind:5} batch={batch:2} texts={len(texts)} {rate:8.1f} sentences/s", flush=True)


def main(argv):
    if len(argv) >= 2 and argv[0] == "gen":
        return gen(argv[1])
    if len(argv) >= 2 and argv[0] == "run":
        opts = {"--kinds": "short,long,mixed", "--batches": "1,8,32", "--seconds": "5"}
        args = argv[2:]
        tuned = "--tuned" in args
        args = [a for a in args if a != "--tuned"]
        for key, value in zip(args[::2], args[1::2]):
            if key not in opts:
                sys.exit(f"unknown option {key}")
            opts[key] = value
        return run(argv[1], tuned, opts["--kinds"].split(","),
                   [int(b) for b in opts["--batches"].split(",")], float(opts["--seconds"]))
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
