"""OLMo Hybrid (``olmo_hybrid``): Gated DeltaNet layers with OLMo-2 attention layers between.

``modeling_olmo_hybrid.py``: a layer is OlmoHybridLinearAttentionDecoderLayer where
``layer_types`` says "linear_attention" (pre-norm: ``input_layernorm``,
``post_attention_layernorm``), else OlmoHybridAttentionDecoderLayer (OLMo-2's post-norm:
``post_attention_layernorm``, ``post_feedforward_layernorm``); two RMSNorms either way, and a
SwiGLU MLP (no bias) in every layer. Attention: q/k/v/o with bias when ``attention_bias``,
full-width ``q_norm`` (heads x head_dim) and ``k_norm`` (kv_heads x head_dim). Gated DeltaNet
(OlmoHybridGatedDeltaNet): separate q/k/v/a/b/g projections and o_proj (the same shapes as
Qwen3-Next's fused in_proj_qkvz / in_proj_ba), a bias-free depthwise conv over q, k and v,
A_log and dt_bias per value head and a gated RMSNorm of value_head_dim: the engine's
``gated_deltanet`` kind, parameters and recurrent state alike.

configuration_olmo_hybrid.py: ``layer_types`` default: full attention every 4th layer (i % 4
== 3), the last layer full when none is; the linear sizes default from the attention heads
(key heads and value heads = num_attention_heads, key_head_dim = int(0.75 x hidden / key
heads), value_head_dim = 2 x key_head_dim). The released checkpoints use no RoPE (a null
``rope_parameters`` / rope_theta: Olmo Hybrid builds no rotary embedding); without the key
transformers' default RoPE (theta 10000) applies.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    header,
    layer_types_mixers,
    read_core,
    read_rope,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("olmo_hybrid",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "olmo_hybrid")
    core = read_core(view, family="olmo_hybrid", tie_default=False, max_pos_default=65536)
    read_rope(view, core)
    extra: dict = {}
    if _no_rope(view):
        extra["positional"] = "none"
        core["rope_theta"] = None
    elif core["rope_theta"] is None:
        core["rope_theta"] = 10000.0  # transformers' default RoPE
    n = core["num_layers"]
    mixers = layer_types_mixers(view, n)
    if mixers is None:
        mixers = ["attention" if i % 4 == 3 else "linear_attention" for i in range(n)]
        if "attention" not in mixers and n:
            mixers[-1] = "attention"
    heads, hidden = core["num_attention_heads"], core["hidden_size"]
    key_heads = view.int("linear_num_key_heads", default=heads, field_name="linear_num_key_heads")
    key_dim = view.int(
        "linear_key_head_dim", default=int(0.75 * hidden / key_heads) if key_heads else 0
    )
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="full_width",
        linear_attention_kind="gated_deltanet",
        linear_num_key_heads=key_heads,
        linear_num_value_heads=view.int("linear_num_value_heads", default=heads),
        linear_key_head_dim=key_dim,
        linear_value_head_dim=view.int("linear_value_head_dim", default=2 * key_dim),
        linear_conv_kernel=view.int("linear_conv_kernel_dim", default=4),
        **extra,
    )


def _no_rope(view: ConfigView) -> bool:
    """A null ``rope_parameters`` or rope_theta in config.json: no rotary embedding is built."""
    raw = view.raw
    if "rope_parameters" in raw:
        params = raw["rope_parameters"]
        return params is None or (isinstance(params, dict) and params.get("rope_theta") is None)
    return "rope_theta" in raw and raw["rope_theta"] is None
