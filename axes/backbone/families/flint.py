"""Flint (``modeling_flint.py``): the Qwen3-MoE block with attention sinks, sliding-window
layers and an ungated shared expert.

- FlintAttention (Qwen3MoeAttention): q/k/v/o (bias = ``attention_bias``), per-head
  ``q_norm`` / ``k_norm``, one learned sink logit per head (``sinks``); a sliding layer gets
  ``sliding_window`` (configuration_flint.py default 513) and RoPE, the full layers apply no
  positional encoding at all.
- Layers: ``layer_types`` (default: full in layers 0 and 1, every ``i % 4 == 1`` and the
  last, else sliding).
- FlintDecoderLayer (Qwen3MoeDecoderLayer): sparse when ``layer_idx not in mlp_only_layers``
  (default [0, 1]) ``and num_experts > 0 and (layer_idx + 1) % decoder_sparse_step == 0``,
  else a dense SwiGLU of ``intermediate_size``.
- FlintSparseMoeBlock: router ``gate`` (num_experts x hidden, float32, no bias; sigmoid
  scores), fused experts of ``moe_intermediate_size``, and a SwiGLU ``shared_expert`` of
  ``shared_expert_intermediate_size`` added in full (no shared_expert_gate, unlike Qwen2-MoE).
"""

from __future__ import annotations

from axes.backbone.families._common import (
    attention_mixers,
    build,
    header,
    read_core,
    read_rope,
    sliding_window,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("flint",)


def _default_mixers(n: int) -> list[str]:
    """configuration_flint.py: full on the first two layers, every fourth and the last."""
    return [
        "attention" if i < 2 or i % 4 == 1 or i == n - 1 else "sliding_attention" for i in range(n)
    ]


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "flint")
    core = read_core(
        view, family="flint", tie_default=False, head_dim_default=128, max_pos_default=262144
    )
    read_rope(view, core)
    n = core["num_layers"]
    experts = view.int("num_experts", default=256, field_name="num_experts")
    only = view.list("mlp_only_layers", field_name="mlp_only_layers")
    only = (
        {0, 1} if only is None else {i for i in only if type(i) is int}
    )  # configuration_flint.py default [0, 1]
    step = view.int("decoder_sparse_step", default=1, field_name="decoder_sparse_step")
    sparse = [i not in only and experts > 0 and step > 0 and (i + 1) % step == 0 for i in range(n)]
    window = sliding_window(view, 513)
    mixers = attention_mixers(view, n) if view.has("layer_types") else _default_mixers(n)
    mixers = unwindowed(view, mixers, window=window or None)
    full = mixers.count("attention")
    extra: dict = {}
    if full:  # FlintAttention applies RoPE only where a layer has a window
        extra.update(nope_layers=full, positional="rope+nope" if full < n else "none")
        if "layer_types" in view.sources:  # the NoPE layers are the full ones layer_types lists
            view.sources["nope_layers"] = view.sources["layer_types"]
    if "sliding_attention" not in mixers:
        window = None
    shared = view.int(
        "shared_expert_intermediate_size",
        default=1024,
        field_name="shared_expert_intermediate_size",
    )
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(mixers, ["moe" if s else "mlp" for s in sparse]),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="per_head",
        attention_sinks=True,
        sliding_window=window or None,
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=6, field_name="experts_per_token"
        ),
        moe_intermediate_size=view.int(
            "moe_intermediate_size", default=512, field_name="moe_intermediate_size"
        ),
        num_shared_experts=1 if shared else 0,
        shared_expert_intermediate_size=shared,
        norm_topk_prob=view.bool("norm_topk_prob", default=True),
        router_scoring="sigmoid",
        **extra,
    )
