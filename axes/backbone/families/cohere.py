"""Cohere Command-R (cohere) and Command-R7B / Command-A (cohere2): parallel blocks with a
bias-free LayerNorm.

``modeling_cohere.py``: one ``input_layernorm`` (CohereLayerNorm: LayerNorm with a weight and
no bias) feeds both attention and the SwiGLU MLP (no bias); q/k/v/o with bias when
``attention_bias``; final ``norm``; lm_head tied by default, its logits multiplied by
``logit_scale`` (a constant, no parameter). ``use_qk_norm``: CohereLayerNorm((heads,
head_dim)) on q and ((kv_heads, head_dim)) on k, a weight for every head.
cohere2 (``modeling_cohere2.py``): the same block without QK-norm; sliding-window and full
layers from ``layer_types``, else ``sliding_window_pattern`` (default 4: every 4th layer full).
"""

from __future__ import annotations

from axes.backbone.families._common import (
    attention_mixers,
    build,
    header,
    read_core,
    read_rope,
    uniform_attention,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("cohere", "cohere2")


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "cohere")
    mt = head["model_type"]
    core = read_core(view, family=mt, tie_default=True, max_pos_default=8192)
    read_rope(view, core)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    n = core["num_layers"]
    qk_norm = None
    window = None
    if mt == "cohere2":
        if view.has("layer_types"):
            mixers = attention_mixers(view, n)
        else:
            period = view.int("sliding_window_pattern", default=4, field_name="layer_types")
            mixers = [
                "sliding_attention" if period and (i + 1) % period else "attention"
                for i in range(n)
            ]
        if "sliding_attention" in mixers:
            window = view.int("sliding_window", default=4096, field_name="sliding_window")
    else:
        mixers = uniform_attention(view, n, module="cohere")
        if view.bool("use_qk_norm", default=False, field_name="qk_norm"):
            qk_norm = "every_head"
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm=qk_norm,
        norm_type="layernorm",
        norms_per_layer=1,
        sliding_window=window,
    )
