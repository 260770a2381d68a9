"""GOT-OCR 2.0 against transformers: the Qwen2 decoder with the SAM ViT and conv projector that
AutoModelForCausalLM builds (GotOcr2ForConditionalGeneration), counted parameter by parameter
on the meta device (total, the tower as the breakdown's vision, each decoder layer), for tiny
variants, a config.json written as the Hub's transformers-native one is, and one without a
text_config.

Marker ``reference`` (imports torch + transformers).
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig  # noqa: E402

from tests.test_backbone_reference import SMALL, _build  # noqa: E402

TEXT = {**SMALL, "num_hidden_layers": 2, "model_type": "qwen2"}
VISION = {
    "hidden_size": 32,
    "num_hidden_layers": 3,
    "num_attention_heads": 2,
    "image_size": 64,
    "patch_size": 16,
    "window_size": 2,
    "global_attn_indexes": [1],
    "mlp_dim": 48,
    "output_channels": 16,
}

VARIANTS: list[tuple[str, dict[str, Any], str]] = [
    ("small", {"text_config": TEXT, "vision_config": VISION}, "2 GQA · 2 MLP"),
    (
        "untied-no-qkv-bias-no-abs-pos-out-of-range-global",
        {
            "tie_word_embeddings": False,
            "text_config": TEXT,
            "vision_config": {
                **VISION,
                "qkv_bias": False,
                "use_abs_pos": False,
                "global_attn_indexes": [0, 2, 7],
            },
        },
        "2 GQA · 2 MLP",
    ),
    (
        "no-rel-pos-no-window-one-channel-text-bias",
        {
            "text_config": {**TEXT, "attention_bias": True},
            "vision_config": {**VISION, "use_rel_pos": False, "window_size": 0, "num_channels": 1},
        },
        "2 GQA · 2 MLP",
    ),
    (
        "text-untied-flag-ignored-other-window",
        {
            "text_config": {**TEXT, "tie_word_embeddings": False},
            "vision_config": {**VISION, "window_size": 3, "image_size": 80},
        },
        "2 GQA · 2 MLP",
    ),
    (
        "rel-pos-global-only",
        {"text_config": TEXT, "vision_config": {**VISION, "global_attn_indexes": [0, 1, 2]}},
        "2 GQA · 2 MLP",
    ),
]


def _vision(model) -> int:
    return sum(
        p.numel()
        for n, p in model.named_parameters()
        if ".vision_tower." in n or ".multi_modal_projector." in n
    )


@pytest.mark.parametrize("name,extra,summary", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_tiny_got_ocr2_matches_transformers(name: str, extra: dict, summary: str) -> None:
    cfg = AutoConfig.for_model("got_ocr2", **extra)
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert params["total"] == params["active"] == total, params["breakdown"]
    assert sum(params["breakdown"].values()) == total
    assert params["breakdown"]["vision"] == _vision(model)
    layers = model.model.language_model.layers
    assert params["per_layer"] == [sum(p.numel() for p in layer.parameters()) for layer in layers]
    assert report["backbone"]["layers"]["summary"] == summary
    assert report["spec"]["tied_embeddings"] is cfg.tie_word_embeddings
    # as a config.json writes it
    written = analyze_config({"model_type": "got_ocr2", **extra})
    assert written["params"]["total"] == total


def test_hub_style_got_ocr2_config_is_counted_exactly() -> None:
    """A config.json as the transformers-native GOT-OCR-2.0 writes it: the Qwen2 text model in
    text_config, the SAM ViT's sizes in vision_config."""
    written = {
        "architectures": ["GotOcr2ForConditionalGeneration"],
        "model_type": "got_ocr2",
        "image_seq_length": 576,
        "image_token_index": 151859,
        "torch_dtype": "bfloat16",
        "text_config": {
            "model_type": "qwen2",
            "hidden_size": 1024,
            "intermediate_size": 2816,
            "max_position_embeddings": 32768,
            "max_window_layers": 21,
            "num_attention_heads": 16,
            "num_hidden_layers": 24,
            "num_key_value_heads": 16,
            "rms_norm_eps": 1e-06,
            "rope_theta": 1000000.0,
            "sliding_window": 4096,
            "tie_word_embeddings": True,
            "use_sliding_window": False,
            "vocab_size": 151860,
        },
        "vision_config": {
            "model_type": "got_ocr2_vision",
            "hidden_size": 768,
            "image_size": 1024,
            "mlp_dim": 3072,
            "num_attention_heads": 12,
            "num_hidden_layers": 12,
            "output_channels": 256,
            "patch_size": 16,
            "window_size": 14,
            "global_attn_indexes": [2, 5, 8, 11],
        },
    }
    cfg = AutoConfig.for_model(
        "got_ocr2", **{k: v for k, v in written.items() if k != "model_type"}
    )
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    report = analyze_config(written)
    assert report["estimated"] is False
    assert report["params"]["total"] == total == 560_528_640
    assert report["params"]["breakdown"]["vision"] == _vision(model)
    assert report["backbone"]["layers"]["summary"] == "24 MHA · 24 MLP"
    assert report["backbone"]["vision"]["kind"] == "got_ocr2"


def test_got_ocr2_without_text_config_is_the_config_class_default_text_model() -> None:
    """GotOcr2Config builds its own default text model (a Qwen2 of 24 layers) when config.json
    has no text_config: counted exactly, with a note, not left to the generic estimate."""
    model = _build(AutoConfig.for_model("got_ocr2"))
    report = analyze_config({"model_type": "got_ocr2"})
    assert report["estimated"] is False
    assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
    assert any("no text_config" in n for n in report["notes"])
