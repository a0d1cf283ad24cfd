"""Measure whether a sentence-embedding signal would earn its place in the matcher.

    python -m benchmarks.semantic_probe --model DIR [--share 0.1,0.2,0.35,0.5,1.0]

DIR is a sentence-transformers folder of a BERT-style encoder (config.json, model.safetensors,
tokenizer.json), e.g. all-MiniLM-L6-v2. Needs `pip install tokenizers safetensors` (not project
dependencies: the bot ships no embedding model; README says why). The encoder runs as a plain
NumPy forward pass with mean pooling. Only the tuning sets are used (dev, own, curated
leave-one-question-out). For each set it prints top-1 / top-3 of the embedding alone (best
cosine against a tip's title + text or any curated question) and of our ranking plus
`share` x 100 x cosine, and the encoder's time per question.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.matching import DEFAULT_KNOWLEDGE, TUNING_QUESTIONS, hits, load_questions, loqo_set
from bot.core import knowledge
from bot.core.matcher import Matcher


class Encoder:
    """A BERT-style encoder (post-layer-norm, GELU) evaluated with NumPy."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.w = load_file(str(folder / "model.safetensors"))
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = cfg["num_attention_heads"]
        self.layers = cfg["num_hidden_layers"]
        self.eps = cfg.get("layer_norm_eps", 1e-12)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(128)

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.w[f"{name}.weight"] + self.w[
            f"{name}.bias"
        ]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    @staticmethod
    def _gelu(x: np.ndarray) -> np.ndarray:
        # erf by Abramowitz & Stegun 7.1.26 (error < 1.5e-7): NumPy has no erf.
        a = np.abs(x / math.sqrt(2))
        t = 1 / (1 + 0.3275911 * a)
        poly = (
            (((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t
            + 0.254829592
        ) * t
        erf = np.sign(x) * (1 - poly * np.exp(-a * a))
        return 0.5 * x * (1 + erf)

    def embed(self, value: str) -> np.ndarray:
        """The unit-length mean-pooled embedding of one text."""
        ids = np.array(self.tokenizer.encode(value).ids)
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: len(ids)]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        size = x.shape[-1] // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q, k, v = (
                self._dense(x, p + f"attention.self.{n}").reshape(len(ids), self.heads, size)
                for n in ("query", "key", "value")
            )
            att = np.einsum("thd,shd->hts", q, k) / math.sqrt(size)
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = np.einsum("hts,shd->thd", att, v).reshape(len(ids), -1)
            x = self._norm(
                self._dense(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm"
            )
            h = self._gelu(self._dense(x, p + "intermediate.dense"))
            x = self._norm(self._dense(h, p + "output.dense") + x, p + "output.LayerNorm")
        e = x.mean(0)
        return e / np.linalg.norm(e)


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit status 0."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.semantic_probe")
    parser.add_argument("--model", type=Path, required=True, help="sentence-transformers folder")
    parser.add_argument("--knowledge", type=Path, default=DEFAULT_KNOWLEDGE)
    parser.add_argument("--share", default="0.1,0.2,0.35,0.5,1.0")
    args = parser.parse_args(argv)
    enc = Encoder(args.model)
    tips = knowledge.load(args.knowledge).live_tips
    body = [enc.embed(f"{t.title}. {t.text}") for t in tips]
    examples = {(i, j): enc.embed(q) for i, t in enumerate(tips) for j, q in enumerate(t.questions)}
    ids = {t.id for t in tips}
    runs = [(load_questions(p, ids), p.name) for p in TUNING_QUESTIONS]
    loqo = loqo_set(tips)
    cases = [(name, c, None, None) for qs, name in runs for c in qs.cases if not c.none]
    spots = [(i, j) for i, t in enumerate(tips) for j in range(len(t.questions))]
    cases += [("LOQO", c, b, s) for c, b, s in zip(loqo.cases, loqo.bases, spots, strict=True)]
    start = time.perf_counter()
    vectors = [enc.embed(c.q) for _, c, _, _ in cases]
    per_question_ms = (time.perf_counter() - start) * 1000 / len(cases)
    full = Matcher(tips)
    ours = []
    for _, case, base, _ in cases:
        m = full if base is None else Matcher(base)
        ours.append({t.id: s for t, s in m.extract(case.q, limit=len(tips))})
    shares = [None] + [float(s) for s in args.share.split(",") if s.strip()]
    print(f"encoder: {per_question_ms:.1f} ms a question (NumPy, one core)")
    for share in shares:
        tally: dict[str, list[int]] = {}
        for (name, case, _, skip), vec, scores in zip(cases, vectors, ours, strict=True):
            cos = []
            for i, tip in enumerate(tips):
                best = float(body[i] @ vec)
                for j in range(len(tip.questions)):
                    if (i, j) != skip:
                        best = max(best, float(examples[(i, j)] @ vec))
                cos.append(best)
            if share is None:
                combined = cos
            else:
                combined = [
                    scores.get(t.id, 0.0) + share * 100 * c for t, c in zip(tips, cos, strict=True)
                ]
            order = sorted(range(len(tips)), key=lambda i: (-combined[i], tips[i].id))
            row = tally.setdefault(name, [0, 0, 0])
            row[0] += hits(tips[order[0]], case)
            row[1] += any(hits(tips[i], case) for i in order[:3])
            row[2] += 1
        label = "embedding alone" if share is None else f"ours + {share} x cosine"
        figures = "  ".join(f"{n} {a / t:.3f}/{b / t:.3f}" for n, (a, b, t) in tally.items())
        print(f"{label:>22}: top-1/top-3 {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
