"""Gemma 3n (``configuration_gemma3n.py`` Gemma3nTextConfig, ``modeling_gemma3n.py``).

The on-device Gemma (E2B, E4B): a Gemma 3 block (sandwich norms, per-head q/k norms, GeGLU
without biases, tied embeddings; local/global from ``layer_types``, default four sliding
layers then one full, ``sliding_window`` 512) with what Gemma 3n adds:

- ``intermediate_size`` may be a list, one MLP width per layer (one number: every layer);
- per-layer embeddings (PLE, ``hidden_size_per_layer_input``, default 256):
  ``embed_tokens_per_layer`` (``vocab_size_per_layer_input`` x num_layers x PLE width),
  ``per_layer_model_projection`` and its norm, and in every layer a gate, a projection and a
  norm, as Gemma 4 has them;
- AltUp in every layer (``altup_num_inputs`` streams, default 4): a modality router, the
  prediction (n -> n^2) and correction (n -> n) coefficients, an output scale per hidden unit
  and a router norm; and ``altup_projections`` / ``altup_unembed_projections``
  (n - 1 hidden x hidden linears each) in the model;
- LAuReL in every layer: hidden -> ``laurel_rank`` -> hidden and a norm;
- the last ``num_kv_shared_layers`` (default 15) layers reuse the K/V of the last earlier
  layer of their type: no ``k_proj`` / ``v_proj`` / ``k_norm``, no KV cache of their own (as
  Gemma 4's, without its double-wide MLP); ``v_norm`` has no weight;
- activation sparsity (``activation_sparsity_pattern``): a top-k of the gate activations in
  the first layers, no parameters.

``gemma3n`` (Gemma3nForConditionalGeneration) nests the same text model in ``text_config``;
its MobileNet vision tower, its audio encoder and their embedders are built whether or not
config.json spells their configs (Gemma3nConfig's defaults) and are not mirrored: a
``gemma3n`` config is marked estimated.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import (
    build,
    header,
    layer_types_mixers,
    read_core,
    read_rope,
)
from axes.backbone.families.gemma4 import check_kv_sharing, sliding_and_full_window
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("gemma3n", "gemma3n_text")
MAX_POSITIONS = 32_768  # Gemma3nTextConfig.max_position_embeddings
_MAX_WIDTH = 10_000_000  # spec.py's limit on intermediate_size, for each listed width


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "gemma3n_text")
    widths = _ffn_widths(view)
    core = read_core(
        view,
        family="gemma3n",
        tie_default=True,
        head_dim_default=256,
        max_pos_default=MAX_POSITIONS,
    )
    read_rope(view, core)
    n = core["num_layers"]
    if widths is not None:
        _check_per_layer(view, "intermediate_size", widths, n)
        core["intermediate_size"] = widths[0] if widths else 0
    sparsity = view.raw_get("activation_sparsity_pattern")
    if isinstance(sparsity, list):
        _check_per_layer(view, "activation_sparsity_pattern", sparsity, n)
    mixers = layer_types_mixers(view, n)
    if mixers is None:  # Gemma3nTextConfig.__post_init__: full when (i + 1) % 5 == 0
        mixers = ["attention" if (i + 1) % 5 == 0 else "sliding_attention" for i in range(n)]
    window = sliding_and_full_window(view, mixers, model="Gemma 3n")
    shared = view.int("num_kv_shared_layers", default=15, field_name="kv_shared_layers")
    # Gemma3nTextConfig.kv_sharing_modes: with every layer shared, no layer produces a cache
    check_kv_sharing(view, mixers, shared, all_shared=False)

    ple = view.int("hidden_size_per_layer_input", default=256, field_name="per_layer_input_size")
    ple_vocab = view.int("vocab_size_per_layer_input", default=262_144) if ple else 0
    altup = view.int("altup_num_inputs", default=4, field_name="altup_num_inputs")
    laurel = view.int("laurel_rank", default=64, field_name="laurel_rank")

    notes: list[str] = []
    estimated = head["model_type"] == "gemma3n"
    if estimated:
        notes.append(
            "Gemma 3n's vision and audio towers and their embedders are not counted: the "
            "engine mirrors its text model only, so the totals are low"
        )
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    extra: dict[str, Any] = {}
    if widths and any(w != widths[0] for w in widths):
        extra["ffn_widths"] = list(widths)
    spec = build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        sliding_window=window if "sliding_attention" in mixers else None,
        norms_per_layer=4,
        norm_placement="sandwich",
        qk_norm="per_head",
        kv_shared_layers=shared,
        per_layer_input_size=ple,
        per_layer_input_vocab=ple_vocab,
        altup_num_inputs=altup,
        laurel_rank=laurel,
        estimated=estimated,
        **extra,
    )
    spec.notes.extend(notes)
    return spec


def _ffn_widths(view: ConfigView) -> list[int] | None:
    """``intermediate_size`` as a list (one width per layer), else None; read_core then sees
    the first width (the list is checked against the layer count once that is read)."""
    widths = view.raw_get("intermediate_size")
    if not isinstance(widths, list):
        return None
    where = view.path("intermediate_size") or "intermediate_size"
    if not all(type(w) is int and w >= 0 for w in widths):
        raise ConfigError(
            f"{where} must be an integer or a list of integers, one per layer; fix it in "
            "config.json.",
            key=where,
        )
    for w in widths:
        if w > _MAX_WIDTH:
            raise ConfigError(
                f"{where} = {w:,} is past any real model (at most {_MAX_WIDTH:,}); fix the "
                "value in config.json",
                key=where,
            )
    first = widths[0] if widths else 0
    if where.startswith("text_config."):
        view.raw = {**view.raw, "text_config": {**view.text, "intermediate_size": first}}
    else:
        view.raw = {**view.raw, "intermediate_size": first}
    return widths


def _check_per_layer(view: ConfigView, key: str, values: list[Any], n: int) -> None:
    """Gemma3nTextConfig.__post_init__ refuses a per-layer list of another length."""
    if len(values) != n:
        where = view.path(key) or key
        raise ConfigError(
            f"{where} has {len(values):,} entries for {n:,} layers; transformers needs one per "
            "layer. Fix it in config.json.",
            key=where,
        )
