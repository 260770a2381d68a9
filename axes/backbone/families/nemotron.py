"""Nemotron-4 / Minitron (dense ``nemotron``): squared-ReLU MLP without a gate, LayerNorm1P.

``modeling_nemotron.py``: per layer ``input_layernorm`` and ``post_attention_layernorm``
(NemotronLayerNorm1P: an ``nn.LayerNorm`` with weight and bias, applied as ``weight + 1``: the
same parameters); q/k/v/o with bias when ``attention_bias``; ``up_proj`` / ``down_proj`` only
(relu2, no gate) with bias when ``mlp_bias``; final ``norm`` (LayerNorm1P); ``lm_head`` untied
by default. RoPE on ``partial_rotary_factor`` of each head (configuration_nemotron.py default
0.5). ``head_dim``: the key, else hidden_size // num_attention_heads (the ``kv_channels`` that
NeMo exports also write is not read by transformers, nor here). Full attention in every layer
(layer_types and sliding_window are not read). Without ``num_key_value_heads`` transformers
cannot build the model (``num_heads // None``); the engine reads such a config as multi-head.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    header,
    read_core,
    read_rope,
    uniform_attention,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("nemotron",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "nemotron")
    core = read_core(view, family="nemotron", tie_default=False, max_pos_default=4096)
    heads = core["num_attention_heads"]
    if view.has("head_dim"):
        core["head_dim"] = view.int("head_dim", field_name="head_dim")
    else:  # configuration_nemotron.py: kv_channels is not an alias of head_dim
        view.sources.pop("head_dim", None)
        core["head_dim"] = core["hidden_size"] // heads if heads else 0
    if not view.has("num_key_value_heads", "num_kv_heads", "n_kv_heads", "multi_query_group_num"):
        view.notes.append(
            "no num_key_value_heads: transformers' nemotron cannot build this config; it is "
            "read as multi-head attention (one K/V head per query head)"
        )
    read_rope(view, core)
    if core.get("partial_rotary_factor") is None:
        core["partial_rotary_factor"] = 0.5
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    mixers = uniform_attention(view, core["num_layers"], module="nemotron")
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=view.bool("mlp_bias", default=False),
        ffn_gated=False,
        norm_type="layernorm",
        norm_bias=True,
    )
