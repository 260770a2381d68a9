"""Phi-4-multimodal against transformers: the Phi-3 decoder with the SigLIP vision tower and the
Conformer audio encoder that AutoModelForCausalLM builds, counted parameter by parameter on the
meta device (total, the towers as the breakdown's vision and audio, each decoder layer, KV per
token), for tiny variants and a config.json written as the Hub's transformers-native one is.

Marker ``reference`` (imports torch + transformers).
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config
from axes.backbone.facts import backbone_facts

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig  # noqa: E402

from tests.test_backbone_reference import SMALL, _build  # noqa: E402

VISION = {
    "hidden_size": 32,
    "intermediate_size": 48,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "image_size": 56,
    "patch_size": 14,
}
AUDIO = {
    "hidden_size": 32,
    "intermediate_size": 40,
    "num_blocks": 2,
    "num_attention_heads": 4,
    "ext_pw_out_channel": 32,
    "depthwise_separable_out_channel": 32,
    "nemo_conv_channels": 16,
    "bias_max_distance": 50,
}
TEXT = {**SMALL, "num_hidden_layers": 3}

VARIANTS: list[tuple[str, dict[str, Any], str]] = [
    ("small", {"vision_config": VISION, "audio_config": AUDIO}, "3 GQA · 3 MLP"),
    (
        "tied-odd-patches-symmetric-bias-other-convs",
        {
            "tie_word_embeddings": True,
            "vision_config": {**VISION, "image_size": 70, "num_channels": 1},
            "audio_config": {
                **AUDIO,
                "bias_symmetric": True,
                "time_reduction": 4,
                "depthwise_multiplier": 2,
                "downsample_rate": 2,
                "kernel_size": 5,
                "input_size": 64,
                "ext_pw_out_channel": 24,
                "depthwise_separable_out_channel": 40,
            },
        },
        "3 GQA · 3 MLP",
    ),
    (
        "window-one-halving-uneven-heads",
        {
            "sliding_window": 16,
            "vision_config": VISION,
            "audio_config": {**AUDIO, "time_reduction": 2, "num_attention_heads": 3},
        },
        "3 sliding GQA · 3 MLP",
    ),
    (
        "four-halvings-odd-mels",
        {
            "vision_config": VISION,
            "audio_config": {**AUDIO, "time_reduction": 16, "input_size": 81},
        },
        "3 GQA · 3 MLP",
    ),
]


def _tower(model, part: str) -> int:
    return sum(p.numel() for n, p in model.named_parameters() if f".{part}." in n)


@pytest.mark.parametrize("name,extra,summary", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_tiny_phi4_multimodal_matches_transformers(name: str, extra: dict, summary: str) -> None:
    cfg = AutoConfig.for_model("phi4_multimodal", **{**TEXT, **extra})
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert report["backbone"]["family"] == "phi4_multimodal"
    assert params["total"] == params["active"] == total, params["breakdown"]
    assert sum(params["breakdown"].values()) == total
    assert params["breakdown"]["vision"] == _tower(model, "image_embed")
    assert params["breakdown"]["audio"] == _tower(model, "audio_embed")
    layers = model.model.layers
    assert params["per_layer"] == [sum(p.numel() for p in layer.parameters()) for layer in layers]
    head_dim = cfg.hidden_size // cfg.num_attention_heads
    assert (
        report["memory"]["kv_bytes_per_token"]
        == len(layers) * 2 * (cfg.num_key_value_heads * head_dim) * 2
    )
    assert report["backbone"]["layers"]["summary"] == summary
    # as a config.json writes it (only the keys given; the config classes' defaults elsewhere)
    written = analyze_config({"model_type": "phi4_multimodal", **TEXT, **extra})
    assert written["params"]["total"] == total


def _hub_config() -> dict[str, Any]:
    """A config.json as the transformers-native Phi-4-multimodal-instruct writes it: nested
    vision_config / audio_config with their model types and the derived nemo_final_size, a
    LongRoPE rope_scaling over 0.75 of each head, tied embeddings, a window past the context."""
    return {
        "architectures": ["Phi4MultimodalForCausalLM"],
        "model_type": "phi4_multimodal",
        "bos_token_id": 199999,
        "eos_token_id": [199999, 200020],
        "pad_token_id": 199999,
        "hidden_act": "silu",
        "hidden_size": 3072,
        "intermediate_size": 8192,
        "max_position_embeddings": 131072,
        "original_max_position_embeddings": 4096,
        "num_attention_heads": 24,
        "num_hidden_layers": 32,
        "num_key_value_heads": 8,
        "partial_rotary_factor": 0.75,
        "rms_norm_eps": 1e-05,
        "rope_scaling": {
            "long_factor": [1.0 + i / 10 for i in range(48)],
            "short_factor": [1.0] * 48,
            "type": "longrope",
        },
        "rope_theta": 10000.0,
        "sliding_window": 262144,
        "tie_word_embeddings": True,
        "torch_dtype": "bfloat16",
        "vocab_size": 200064,
        "audio_config": {
            "model_type": "phi4_multimodal_audio",
            "activation": "swish",
            "bias_max_distance": 500,
            "bias_symmetric": False,
            "depthwise_separable_out_channel": 1024,
            "ext_pw_out_channel": 1024,
            "hidden_size": 1024,
            "input_size": 80,
            "intermediate_size": 1536,
            "kernel_size": 3,
            "nemo_conv_channels": 1024,
            "nemo_final_size": 10,
            "num_attention_heads": 16,
            "num_blocks": 24,
            "time_reduction": 8,
        },
        "vision_config": {
            "model_type": "phi4_multimodal_vision",
            "crop_size": 448,
            "hidden_size": 1152,
            "image_size": 448,
            "intermediate_size": 4304,
            "num_attention_heads": 16,
            "num_hidden_layers": 27,
            "patch_size": 14,
        },
    }


def test_hub_style_phi4_multimodal_config_is_counted_exactly() -> None:
    written = _hub_config()
    cfg = AutoConfig.for_model(
        "phi4_multimodal", **{k: v for k, v in written.items() if k != "model_type"}
    )
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    report = analyze_config(written)
    assert report["estimated"] is False
    assert report["params"]["total"] == total == 4_743_988_032
    breakdown = report["params"]["breakdown"]
    assert breakdown["vision"] == _tower(model, "image_embed")
    assert breakdown["audio"] == _tower(model, "audio_embed")
    assert report["backbone"]["positional"]["partial_rotary_factor"] == 0.75
    facts = backbone_facts(written, report)
    modality = next(f for f in facts if f.kind == "backbone.modality").value
    assert modality["vision"] == "SigLIP" and modality["audio"] == "Conformer"
    assert (modality["params"], modality["audio_params"]) == (
        breakdown["vision"],
        breakdown["audio"],
    )
    assert report["backbone"]["audio"]["num_layers"] == 24
    assert report["spec"]["audio"]["bias_buckets"] == 1000


def test_phi4_multimodal_without_tower_configs_builds_the_default_towers() -> None:
    """transformers builds the config classes' default towers when config.json names none."""
    cfg = AutoConfig.for_model("phi4_multimodal", **TEXT)
    model = _build(cfg)
    report = analyze_config({"model_type": "phi4_multimodal", **TEXT})
    assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
    assert report["params"]["breakdown"]["vision"] == _tower(model, "image_embed") > 400_000_000
    assert report["params"]["breakdown"]["audio"] == _tower(model, "audio_embed") > 400_000_000


@pytest.mark.parametrize(
    ("left_out", "kv_heads", "notes"),
    [
        (("num_key_value_heads",), 8, [("num_key_value_heads", "8")]),
        (("intermediate_size",), 2, [("intermediate_size", "8,192")]),
        (
            ("num_key_value_heads", "intermediate_size", "num_attention_heads"),
            8,
            [
                ("num_key_value_heads", "8"),
                ("intermediate_size", "8,192"),
                ("num_attention_heads", "32"),
            ],
        ),
    ],
    ids=["no-kv-heads", "no-intermediate", "no-heads-kv-intermediate"],
)
def test_a_config_without_a_decoder_width_takes_the_config_classs_default(
    left_out: tuple[str, ...], kv_heads: int, notes: list[tuple[str, str]]
) -> None:
    # Before the fix: no num_key_value_heads was counted as kv = heads (Phi4MultimodalConfig's
    # default is 8) and no intermediate_size as 4 x hidden_size (its default is 8192).
    text = {**TEXT, "num_attention_heads": 16, "num_key_value_heads": 2}
    text = {k: v for k, v in text.items() if k not in left_out}
    towers = {"vision_config": VISION, "audio_config": AUDIO}
    model = _build(AutoConfig.for_model("phi4_multimodal", **text, **towers))
    assert model.config.num_key_value_heads == kv_heads
    report = analyze_config({"model_type": "phi4_multimodal", **text, **towers})
    assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
    layers = model.model.layers
    assert report["params"]["per_layer"] == [sum(p.numel() for p in x.parameters()) for x in layers]
    head_dim = model.config.hidden_size // model.config.num_attention_heads
    assert report["memory"]["kv_bytes_per_token"] == len(layers) * 2 * kv_heads * head_dim * 2
    for key, value in notes:
        said = f"no {key} in config.json: transformers' phi4_multimodal default, {value}, is used"
        assert said in report["notes"], report["notes"]
    assert not any(n.startswith("no intermediate_size: assumed") for n in report["notes"])


def test_an_explicit_null_kv_heads_means_as_many_as_the_query_heads() -> None:
    text = {**TEXT, "num_attention_heads": 16, "num_key_value_heads": None}
    model = _build(AutoConfig.for_model("phi4_multimodal", **text))
    assert model.config.num_key_value_heads == 16
    report = analyze_config({"model_type": "phi4_multimodal", **text})
    assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
    # the engine's general note on a null (many config classes refuse it); no default note
    assert [n for n in report["notes"] if "num_key_value_heads" in n] == [
        "num_key_value_heads is null: counted with as many K/V heads as query heads (16), as "
        "LlamaConfig and Qwen2Config read it; many config classes refuse a null there or build "
        "no model from it"
    ], report["notes"]


def test_a_decode_step_reads_no_tower() -> None:
    """The roofline's weights per decode step leave out the vision tower and the audio
    encoder: the same as the model without them."""
    with_towers = analyze_config(_hub_config())
    breakdown = with_towers["params"]["breakdown"]
    towers = breakdown["vision"] + breakdown["audio"]
    read = with_towers["compute"]["decode_bytes_detail"]["weight_params"]
    # tied: the input table is read whole as the lm_head, so no row is added
    assert read == with_towers["params"]["active"] - towers


@pytest.mark.parametrize(
    "lang,label", [("en", "Audio encoder"), ("ko", "오디오 인코더"), ("de", "Audio-Encoder")]
)
def test_the_audio_component_reads_as_words(lang: str, label: str) -> None:
    """The model page's breakdown names the new component in the reader's language."""
    from django.utils import translation

    from catalog import i18n

    with translation.override(lang):
        assert i18n.component_label("audio") == label
