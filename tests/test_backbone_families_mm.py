"""Mllama (Llama 3.2 Vision), Fuyu, CPM-Ant and Moshi against transformers: tiny variants built
on the meta device as AutoModelForCausalLM builds them (the wrapper configs included) and
counted parameter by parameter, with the KV cache each built attention module holds per token,
the layer summary, and config fuzzing (a garbled key is a ConfigError or a clean reading).

Marker ``reference`` (imports torch + transformers).
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config
from axes.backbone.errors import ConfigError

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import CONFIG_MAPPING, AutoConfig  # noqa: E402

from tests.test_backbone_reference import SMALL, TOKENS, _build  # noqa: E402

CPMANT = {
    "vocab_size": 512,
    "hidden_size": 64,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "dim_head": 24,
    "dim_ff": 96,
    "prompt_types": 3,
    "prompt_length": 5,
    "segment_types": 6,
    "position_bias_num_buckets": 40,
}
FUYU_TOP = {"patch_size": 4, "num_channels": 3, "image_size": 32}

# (id, model_type, AutoConfig.for_model kwargs, summary, variant)
VARIANTS: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "mllama",
        "mllama",
        {"text_config": {**SMALL, "cross_attention_layers": [1, 3]}},
        "2 GQA + 2 cross-attention · 4 MLP",
        "GQA",
    ),
    (
        "mllama-mha-tie-flag-out-of-range-layer",
        "mllama",
        {
            "text_config": {
                **SMALL,
                "num_hidden_layers": 5,
                "num_key_value_heads": 4,
                "cross_attention_layers": [0, 9],
                "tie_word_embeddings": True,
            }
        },
        "4 MHA + 1 cross-attention · 5 MLP",
        "MHA",
    ),
    ("fuyu", "fuyu", {"text_config": {**SMALL, "model_type": "persimmon"}, **FUYU_TOP}, "", ""),
    (
        "fuyu-tied-no-qk-norm",
        "fuyu",
        {
            "text_config": {**SMALL, "model_type": "persimmon", "qk_layernorm": False},
            "tie_word_embeddings": True,
            **FUYU_TOP,
        },
        "",
        "",
    ),
    (
        "fuyu-llama-text",
        "fuyu",
        {"text_config": {**SMALL, "model_type": "llama"}, "patch_size": 5, "num_channels": 1},
        "4 GQA · 4 MLP",
        "GQA",
    ),
    ("moshi", "moshi", {**SMALL, "ffn_dim": 192}, "4 GQA · 4 MLP", "GQA"),
    (
        "moshi-head-dim-tie-flag",
        "moshi",
        {**SMALL, "ffn_dim": 160, "head_dim": 24, "tie_word_embeddings": True},
        "4 GQA · 4 MLP",
        "GQA",
    ),
    ("cpmant", "cpmant", CPMANT, "4 MHA · 4 MLP", "MHA"),
    (
        "cpmant-untied-flag",
        "cpmant",
        {**CPMANT, "tie_word_embeddings": False, "num_hidden_layers": 3},
        "3 MHA · 3 MLP",
        "MHA",
    ),
]


def _kv_elements_per_token(model) -> int:
    """K and V widths of every built attention module that caches the text's tokens
    (Mllama's cross-attention layers cache the image's: skipped)."""
    total = 0
    for name, module in model.named_modules():
        tail = name.rsplit(".", 1)[-1]
        if tail == "self_attn":
            if hasattr(module, "query_key_value"):  # persimmon: fused, multi-head
                total += 2 * module.config.num_attention_heads * module.head_dim
            elif hasattr(module.k_proj, "linear"):  # moshi MoshiLinear
                total += module.k_proj.linear.out_features + module.v_proj.linear.out_features
            else:
                total += module.k_proj.out_features + module.v_proj.out_features
        elif tail == "self_attention":  # cpmant
            total += module.project_k.out_features + module.project_v.out_features
    return total


def _lookups(model) -> int:
    """The parameters of the tables a token reads rows of (input embeddings, CPM-Ant's
    segment embedding), but a table tied to the lm_head."""
    names = (".embed_tokens.weight", ".input_embedding.weight", ".segment_embedding.weight")
    head = model.get_output_embeddings().weight  # a tied table stays in: read as the lm_head
    return sum(
        p.numel() for n, p in model.named_parameters() if n.endswith(names) and p is not head
    )


@pytest.mark.parametrize(
    "name,model_type,extra,summary,variant", VARIANTS, ids=[v[0] for v in VARIANTS]
)
def test_tiny_variant_matches_transformers(
    name: str, model_type: str, extra: dict, summary: str, variant: str
) -> None:
    kwargs = extra if "text_config" in extra else {**TOKENS, **extra}
    if "text_config" in kwargs:
        kwargs = {**kwargs, "text_config": {**TOKENS, **kwargs["text_config"]}}
    cfg = AutoConfig.for_model(model_type, **kwargs)
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == total
    assert sum(params["breakdown"].values()) == total
    in_layers = sum(p.numel() for n, p in model.named_parameters() if ".layers." in n)
    assert sum(params["per_layer"]) == in_layers
    assert report["memory"]["kv_bytes_per_token"] == _kv_elements_per_token(model) * 2
    assert report["memory"]["state_bytes_per_sequence"] == 0
    assert report["backbone"]["decoder_type"] == "dense"
    if model_type == "fuyu" and not summary:  # persimmon: multi-head
        summary, variant = "4 MHA · 4 MLP", "MHA"
    assert report["backbone"]["layers"]["summary"] == summary
    assert report["backbone"]["attention"]["variant"] == variant
    vision = sum(p.numel() for n, p in model.named_parameters() if "vision" in n)
    assert params["breakdown"]["vision"] == vision
    assert params["active_excluding_input_embedding"] == total - _lookups(model)
    tie = extra.get("tie_word_embeddings") or extra.get("text_config", {}).get(
        "tie_word_embeddings"
    )
    if model_type != "fuyu" and tie:  # modeling_*.py ties nothing: said so
        assert any("ties no weights" in n for n in report["notes"])


def test_mllama_text_model_config_is_counted_as_mllama_for_causal_lm() -> None:
    """A saved MllamaForCausalLM carries its MllamaTextConfig (model_type mllama_text_model),
    which AutoModelForCausalLM cannot map: counted as MllamaForCausalLM builds it."""
    from transformers.models.mllama.configuration_mllama import MllamaTextConfig
    from transformers.models.mllama.modeling_mllama import MllamaForCausalLM

    cfg = MllamaTextConfig(**{**SMALL, **TOKENS}, cross_attention_layers=[2])
    with torch.device("meta"):
        model = MllamaForCausalLM(cfg)
    report = analyze_config(cfg.to_dict())
    assert report["estimated"] is False
    assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
    assert report["memory"]["kv_bytes_per_token"] == _kv_elements_per_token(model) * 2
    assert report["backbone"]["layers"]["summary"] == "3 GQA + 1 cross-attention · 4 MLP"


def test_mllama_cross_attention_cache_and_flops() -> None:
    """The cross-attention layers' K/V are the image's: a note gives one image's cache
    (max_num_tiles x ((image_size // patch_size)^2 + 1) tokens), and the attention FLOPs
    count the self-attention layers over the context only."""
    cfg = AutoConfig.for_model(
        "mllama",
        text_config={**SMALL, **TOKENS, "cross_attention_layers": [1, 3]},
        vision_config={
            "image_size": 56,
            "patch_size": 14,
            "max_num_tiles": 2,
            "supported_aspect_ratios": [[1, 1], [1, 2], [2, 1]],
        },
    )
    report = analyze_config(cfg.to_dict(), context_len=100)
    tokens = 2 * (4 * 4 + 1)
    per_image = tokens * 2 * 2 * 2 * 16 * 2
    assert any(f"{tokens:,} image tokens, {per_image:,} bytes" in n for n in report["notes"])
    assert report["compute"]["flops_detail"]["attention_flops"] == 2 * 4 * 4 * 16 * 100


def test_fuyu_flat_hub_config() -> None:
    """Hub configs are flat: FuyuConfig passes only its text keys to the Persimmon model
    (num_key_value_heads, for one, is dropped), and ties by its own tie_word_embeddings."""
    for tie in (False, True):
        flat = {
            "model_type": "fuyu",
            **SMALL,
            **FUYU_TOP,
            "qk_layernorm": True,
            "tie_word_embeddings": tie,
        }
        cfg = AutoConfig.for_model(**flat)
        model = _build(cfg)
        report = analyze_config(flat)
        assert report["estimated"] is False
        assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
        assert report["memory"]["kv_bytes_per_token"] == _kv_elements_per_token(model) * 2


@pytest.mark.parametrize("model_type", ["mllama", "fuyu", "cpmant", "moshi"])
def test_default_config_matches_transformers(model_type: str) -> None:
    cfg = CONFIG_MAPPING[model_type]()
    model = _build(cfg)
    report = analyze_config(cfg.to_dict())
    assert report["estimated"] is False
    assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
    assert report["memory"]["kv_bytes_per_token"] == _kv_elements_per_token(model) * 2


GARBLE: list[Any] = [None, 0, -3, "x", "7", [1], {"a": 1}, 2.5, True, 10**30]


def _fuzz_keys(config: dict, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for k, v in config.items():
        out.append((*path, k))
        if isinstance(v, dict) and k in ("text_config", "vision_config"):
            out.extend(_fuzz_keys(v, (*path, k)))
    return out


def _with(config: dict, path: tuple[str, ...], value: Any, drop: bool = False) -> dict:
    out = dict(config)
    if len(path) > 1:
        out[path[0]] = _with(out[path[0]], path[1:], value, drop)
        return out
    if drop:
        out.pop(path[0], None)
    else:
        out[path[0]] = value
    return out


@pytest.mark.parametrize("model_type", ["mllama", "fuyu", "cpmant", "moshi"])
def test_garbled_keys_refuse_or_read_cleanly(model_type: str) -> None:
    """Each key of the default config dropped or garbled: a ConfigError or a reading, never
    a crash."""
    config = CONFIG_MAPPING[model_type]().to_dict()
    for path in _fuzz_keys(config):
        if path == ("model_type",):
            continue
        for value in [*GARBLE, "drop"]:
            garbled = _with(config, path, value, drop=value == "drop")
            try:
                analyze_config(garbled)
            except ConfigError:
                pass


def test_mllama_vision_tower_is_reported_as_not_built() -> None:
    """MllamaForConditionalGeneration's vision tower and projector: not in the total (what
    AutoModelForCausalLM builds), counted exactly under vision_not_built."""
    from transformers.models.mllama.modeling_mllama import MllamaForConditionalGeneration

    vision = {
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_global_layers": 1,
        "intermediate_size": 48,
        "attention_heads": 4,
        "image_size": 28,
        "patch_size": 14,
        "max_num_tiles": 2,
        "supported_aspect_ratios": [[1, 1], [1, 2], [2, 1]],
        "vision_output_dim": 96,
        "intermediate_layers_indices": [0, 1],
    }
    text = {**SMALL, **TOKENS, "cross_attention_layers": [1]}
    for cfg in (
        AutoConfig.for_model("mllama", text_config=text, vision_config=vision),
        AutoConfig.for_model("mllama", text_config=text),
    ):
        with torch.device("meta"):
            model = MllamaForConditionalGeneration(cfg)
        tower = sum(
            p.numel()
            for n, p in model.named_parameters()
            if "language_model" not in n and not n.startswith("lm_head")
        )
        report = analyze_config(cfg.to_dict())
        assert report["params"]["breakdown"]["vision"] == 0
        assert report["params"]["vision_not_built"]["params"] == tower


def test_the_compare_verdicts_layer_summary_is_the_model_pages() -> None:
    """The compare verdict rebuilds the summary from the stored spec: Mllama's cross-attention
    layers read the same there."""
    from axes.verdict import layer_pattern_summary

    report = analyze_config(CONFIG_MAPPING["mllama"]().to_dict())
    assert report["spec"]["cross_attention_layers"] == [3, 8, 13, 18, 23, 28, 33, 38]
    assert layer_pattern_summary(report["spec"]) == "32 GQA + 8 cross-attention · 40 MLP"


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "de", "ko"])
def test_model_pages_render(client, web_model, lang) -> None:
    """Each type's default config stored as ingestion stores it: its model page renders in
    every language with the layer summary."""
    import html as html_lib

    from axes.backbone.facts import backbone_facts

    for model_type, summary in (
        ("mllama", "32 GQA + 8 cross-attention · 40 MLP"),
        ("fuyu", "36 MHA · 36 MLP"),
        ("cpmant", "48 MHA · 48 MLP"),
        ("moshi", "32 MHA · 32 MLP"),
    ):
        config = CONFIG_MAPPING[model_type]().to_dict()
        report = analyze_config(config)
        report["facts"] = [f.to_dict() for f in backbone_facts(config, report)]
        web_model(f"acme/{model_type}-default", analysis=report, config=config)
        response = client.get(f"/models/acme/{model_type}-default/", {"lang": lang})
        assert response.status_code == 200
        assert summary in html_lib.unescape(response.content.decode())
