"""Readers shared by the family modules (the keys every decoder config spells the same)."""

from __future__ import annotations

from typing import Any

from axes.backbone.errors import ConfigError
from axes.backbone.layers import LayerSpec, mixers_from_layer_types
from axes.backbone.spec import _MISSING, ArchSpec, ConfigView, spec_from_fields

MAX_LAYERS = 10_000  # the deepest released decoders have a few hundred layers


_CORE_SIZE: Any = (
    ("hidden_size", ("hidden_size", "n_embd", "d_model", "dim"), _MISSING),
    ("num_layers", ("num_hidden_layers", "n_layer", "num_layers", "n_layers"), _MISSING),
)
_CORE_HEADS: Any = (
    ("vocab_size", ("vocab_size", "padded_vocab_size", "n_vocab"), _MISSING),
    ("num_attention_heads", ("num_attention_heads", "n_head", "num_heads", "n_heads"), 0),
    (
        "num_kv_heads",
        ("num_key_value_heads", "num_kv_heads", "n_kv_heads", "multi_query_group_num"),
        None,
    ),
)
_CORE_WIDTHS: Any = (
    ("head_dim", ("head_dim", "attention_head_dim", "kv_channels"), None),
    ("intermediate_size", ("intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"), None),
)
_CORE: Any = _CORE_SIZE + _CORE_HEADS + _CORE_WIDTHS  # one lookup pass for the seven
_MAX_POS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx")


def read_core(
    view: ConfigView,
    *,
    family: str,
    tie_default: bool,
    head_dim_default: int | None = None,
    max_pos_default: int | None = None,
) -> dict[str, Any]:
    """hidden size, layers, vocab, heads, head_dim, FFN width, tying: the dense core.

    ``head_dim``: ``config.head_dim`` when set, else ``head_dim_default`` (qwen3, gemma: a
    fixed default in their configuration_*.py), else hidden_size // num_attention_heads
    (llama and most others, ``configuration_llama.py``).
    """
    hidden, layers, vocab, heads, kv, hd, inter = view.ints(_CORE)
    if layers > MAX_LAYERS:
        # Checked before any per-layer list is built: 10**13 layers would exhaust memory.
        where = view.sources.get("num_layers", "num_hidden_layers")
        raise ConfigError(
            f"{where} is {layers:,}, over the {MAX_LAYERS:,} layers any real model has; fix "
            "the value in config.json.",
            key=where,
        )
    if kv is None:
        kv = 1 if view.bool("multi_query", default=False) else heads
    if hd is None:
        if head_dim_default is not None:
            hd = head_dim_default
        elif heads:
            hd = hidden // heads
        else:
            hd = 0
    if inter is None:
        inter = 4 * hidden
        view.notes.append("no intermediate_size: assumed 4 x hidden_size")
    if heads and kv and heads % kv:
        raise ConfigError(
            f"num_attention_heads ({heads}) is not a multiple of num_key_value_heads ({kv})",
            key=view.path("num_key_value_heads") or "num_key_value_heads",
        )
    tied = view.bool("tie_word_embeddings", default=tie_default, field_name="tied_embeddings")
    sources = view.sources
    if "tied_embeddings" not in sources:  # absent key: the default, quoted by its name
        sources["tied_embeddings"] = "tie_word_embeddings"
    (max_pos,) = view.ints((("max_position_embeddings", _MAX_POS, max_pos_default),))
    act = view.raw_get(
        "hidden_act", "hidden_activation", "activation_function", field_name="hidden_act"
    )
    eps = view.float(
        "rms_norm_eps", "layer_norm_eps", "layer_norm_epsilon", "norm_eps", field_name="norm_eps"
    )
    return {
        "family": family,
        "hidden_size": hidden,
        "num_layers": layers,
        "vocab_size": vocab,
        "num_attention_heads": heads,
        "num_kv_heads": kv,
        "head_dim": hd,
        "intermediate_size": inter,
        "tied_embeddings": tied,
        "max_position_embeddings": max_pos,
        "hidden_act": act if isinstance(act, str) else None,
        "norm_eps": eps,
    }


def read_rope(view: ConfigView, core: dict[str, Any]) -> None:
    """rope_theta / rope_scaling (transformers 4) or rope_parameters (transformers 5)."""
    get = view._values.get
    sources = view.sources
    params = get("rope_parameters")
    if params is not None:
        sources["rope_theta"] = view._path("rope_parameters")
    theta = get("rope_theta")
    if theta is not None:
        sources["rope_theta"] = view._path("rope_theta")
        if type(theta) is not float:
            theta = view.float("rope_theta")
    scaling = get("rope_scaling")
    if scaling is not None:
        sources["rope_scaling"] = view._path("rope_scaling")
    if isinstance(params, dict):
        inner = params.get("full_attention", params)
        if isinstance(inner, dict):
            theta = theta or (float(inner["rope_theta"]) if "rope_theta" in inner else None)
            if inner.get("rope_type", "default") != "default" and not scaling:
                scaling = dict(inner)
            if "partial_rotary_factor" in inner:
                core["partial_rotary_factor"] = float(inner["partial_rotary_factor"])
    core["rope_theta"] = theta
    core["rope_scaling"] = scaling if isinstance(scaling, dict) else None
    if get("partial_rotary_factor") is not None:
        prf = view.float("partial_rotary_factor", field_name="partial_rotary_factor")
        core["partial_rotary_factor"] = prf


def uniform_layers(n: int, mixer: str | None, ffn: str | None) -> list[LayerSpec]:
    return [LayerSpec(mixer, ffn)] * n  # one interned block, n references


def attention_mixers(view: ConfigView, n: int, *, default_sliding: bool = False) -> list[str]:
    """Mixer per layer from ``layer_types`` when present, else all full (or all sliding)."""
    lt = view.list("layer_types", field_name="layer_types")
    if lt is not None:
        mixers = mixers_from_layer_types(lt, n)
        if mixers is not None:
            return mixers
        view.notes.append("layer_types does not describe every layer; ignored")
    return ["sliding_attention" if default_sliding else "attention"] * n


def build(core: dict[str, Any], layers: list[LayerSpec], **extra: Any) -> ArchSpec:
    values = {"architectures": [], **core, **extra, "layers": layers}
    return spec_from_fields(values)


def header(view: ConfigView, default_type: str) -> dict[str, Any]:
    mt = view.raw.get("model_type") or view.text.get("model_type") or default_type
    archs = view.raw.get("architectures")
    return {
        "model_type": str(mt),
        "architectures": [str(a) for a in archs] if isinstance(archs, list) else [],
    }
