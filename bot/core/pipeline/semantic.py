"""The sentence encoder behind the semantic signal: all-MiniLM-L6-v2, int8, on onnxruntime.

The model ships in `bot/core/data/encoder/` (about 23 MB, Apache-2.0; `model.json` says where
it came from) and was written once by `python -m benchmarks.make_encoder`. It runs offline on
the CPU with `onnxruntime` and the `tokenizers` WordPiece tokenizer; no torch at run time.
Each text becomes one unit-length 384-dimension vector, so a dot product is a cosine.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy

FOLDER = Path(__file__).resolve().parent.parent / "data" / "encoder"
DIMENSIONS = 384


class EncoderError(RuntimeError):
    """The encoder cannot be loaded; the message names the file and the fix."""


class Encoder:
    """Embeds texts; thread-safe (onnxruntime sessions are), one intra-op thread per call.

    `max_tokens` cuts a long text (the model saw at most 128 WordPiece tokens in training, so
    more add little); `cache_size` keeps the vectors of that many recent single texts, so a
    message asked again, or a tip text when the index is rebuilt, is not encoded twice.
    """

    def __init__(
        self, folder: Path = FOLDER, *, max_tokens: int = 128, cache_size: int = 4096
    ) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both are runtime dependencies
            raise EncoderError(
                f"the semantic signal needs onnxruntime and tokenizers ({exc}); "
                "reinstall the bot with `pip install .`"
            ) from exc
        model, vocab = folder / "model.onnx", folder / "tokenizer.json"
        for path in (model, vocab):
            if not path.is_file():
                raise EncoderError(
                    f"{path}: missing; rebuild it with `python -m benchmarks.make_encoder`"
                )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self._session = onnxruntime.InferenceSession(
                str(model), options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = Tokenizer.from_file(str(vocab))
        except Exception as exc:
            raise EncoderError(f"{folder}: cannot load the encoder: {exc}") from exc
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_tokens)
        self.max_tokens = max_tokens
        self.info = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        self._cache: OrderedDict[str, numpy.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        """Unit vectors for `texts`, one row each (float32, shape (len(texts), 384)).

        Cached texts are not encoded again. An empty text gets a zero vector.
        """
        out = numpy.zeros((len(texts), DIMENSIONS), dtype=numpy.float32)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, value in enumerate(texts):
                hit = self._cache.get(value)
                if hit is not None:
                    self._cache.move_to_end(value)
                    out[i] = hit
                elif value.strip():
                    todo.setdefault(value, []).append(i)
        if not todo:
            return out
        # One text per run: int8 activations are quantised per run, so a text encoded beside
        # others would get a slightly different vector. Same text, same vector, always.
        vectors: dict[str, numpy.ndarray] = {}
        for value, enc in zip(todo, self._tokenizer.encode_batch(list(todo)), strict=True):
            ids = numpy.array([enc.ids], dtype=numpy.int64)
            feed = {"input_ids": ids, "attention_mask": numpy.ones_like(ids)}
            vectors[value] = self._session.run(None, feed)[0][0].astype(numpy.float32)
        with self._lock:
            for value, vector in vectors.items():
                for i in todo[value]:
                    out[i] = vector
                self._cache[value] = vector
                self._cache.move_to_end(value)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return out

    def embed_one(self, value: str) -> numpy.ndarray:
        """The unit vector of one text (a zero vector for an empty one)."""
        return self.embed([value])[0]


_shared: Encoder | None = None
_shared_lock = threading.Lock()


def shared() -> Encoder:
    """The process's one encoder, loaded on first use (about 0.1 s). Raises EncoderError."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Encoder()
        return _shared
