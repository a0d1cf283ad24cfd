"""The shipped sentence encoder: offline, deterministic, and what it says is plausible."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy
import pytest

from bot.core.pipeline import semantic
from bot.core.pipeline.semantic import Encoder, EncoderError


@pytest.fixture(scope="module")
def encoder():
    return semantic.shared()


def test_vectors_are_unit_length_and_an_empty_text_is_zero(encoder):
    vectors = encoder.embed(["how do we prototype fast", "", "   "])
    assert vectors.shape == (3, semantic.DIMENSIONS) and vectors.dtype == numpy.float32
    assert abs(float(numpy.linalg.norm(vectors[0])) - 1.0) < 1e-4
    assert not vectors[1].any() and not vectors[2].any()


def test_a_text_gets_the_same_vector_alone_or_beside_others():
    texts = ["how do we evaluate an llm feature", "short", "how do we evaluate an llm product"]
    together = Encoder().embed(texts)
    alone = numpy.stack([Encoder().embed_one(t) for t in texts])
    assert numpy.array_equal(together, alone)


def test_paraphrases_are_closer_than_unrelated_texts(encoder):
    a, b, c = encoder.embed(
        [
            "how do I build a prototype without engineers",
            "can a PM make a working mockup alone",
            "my sourdough bread did not rise",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.2


def test_the_cache_is_bounded_and_serves_repeats():
    small = Encoder(cache_size=3)
    first = small.embed_one("one")
    for word in ("two", "three", "four", "five"):
        small.embed_one(word)
    assert len(small._cache) == 3
    assert numpy.array_equal(small.embed_one("one"), first)


def test_the_shipped_model_is_the_one_its_card_describes():
    card = json.loads((semantic.FOLDER / "model.json").read_text())
    digest = hashlib.sha256((semantic.FOLDER / "model.onnx").read_bytes()).hexdigest()
    assert card["sha256"] == digest
    assert card["license"] == "Apache-2.0" and card["dimensions"] == semantic.DIMENSIONS
    assert (semantic.FOLDER / "model.onnx").stat().st_size < 30 * 1024 * 1024


def test_a_missing_model_names_the_file_and_the_fix(tmp_path: Path):
    shutil.copy(semantic.FOLDER / "tokenizer.json", tmp_path / "tokenizer.json")
    with pytest.raises(EncoderError, match=r"model.onnx: missing; rebuild it with"):
        Encoder(tmp_path)
    (tmp_path / "model.onnx").write_bytes(b"not a model")
    (tmp_path / "model.json").write_text("{}")
    with pytest.raises(EncoderError, match="cannot load the encoder"):
        Encoder(tmp_path)
