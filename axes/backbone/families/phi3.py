"""Phi-3: fused ``qkv_proj`` and fused ``gate_up_proj`` (same counts as separate linears).

``modeling_phi3.py``: qkv_proj (hidden -> (heads + 2*kv_heads) * head_dim, no bias), o_proj,
gate_up_proj (hidden -> 2*intermediate), down_proj; no biases; RoPE may be partial
(``partial_rotary_factor``). ``sliding_window`` (default none) applies to every layer;
layer_types is not read.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    header,
    read_core,
    read_rope,
    sliding_window,
    uniform_attention,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("phi3",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "phi3")
    core = read_core(view, family="phi3", tie_default=False, max_pos_default=4096)
    read_rope(view, core)
    window = sliding_window(view, None)
    mixers = uniform_attention(view, core["num_layers"], module="phi3", sliding=window is not None)
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        fused_qkv=True,
        sliding_window=window,
    )
