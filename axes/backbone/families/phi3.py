"""Phi-3: fused ``qkv_proj`` and fused ``gate_up_proj`` (same counts as separate linears).

``modeling_phi3.py``: qkv_proj (hidden -> (heads + 2*kv_heads) * head_dim, no bias), o_proj,
gate_up_proj (hidden -> 2*intermediate), down_proj; no biases; RoPE may be partial
(``partial_rotary_factor``).
"""

from __future__ import annotations

from axes.backbone.families._common import attention_mixers, build, header, read_core, read_rope
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("phi3",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "phi3")
    core = read_core(view, family="phi3", tie_default=False)
    read_rope(view, core)
    window = view.int("sliding_window", default=None, field_name="sliding_window")
    mixers = attention_mixers(view, core["num_layers"], default_sliding=window is not None)
    if "sliding_attention" not in mixers:
        window = None
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        fused_qkv=True,
        sliding_window=window,
    )
