"""Phi-1 / Phi-1.5 / Phi-2: a parallel attention + MLP block with biases everywhere.

``modeling_phi.py``: one ``input_layernorm`` (LayerNorm with bias) feeds both the attention
and the MLP (PhiDecoderLayer adds both to the residual); q/k/v and ``dense`` (o) with bias;
``fc1``/``fc2`` (up/down, GELU, with bias); ``final_layernorm``; ``lm_head`` with a bias
(vocab). RoPE on ``partial_rotary_factor`` of each head (configuration_phi.py default 0.5).
``qk_layernorm``: LayerNorm(head_dim) with bias on q and on k.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_layers
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("phi",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "phi")
    core = read_core(view, family="phi", tie_default=False, max_pos_default=2048)
    read_rope(view, core)
    if core.get("partial_rotary_factor") is None:
        core["partial_rotary_factor"] = 0.5
    qk = view.bool("qk_layernorm", default=False, field_name="qk_norm")
    return build(
        {**core, **head},
        uniform_layers(core["num_layers"], "attention", "mlp"),
        qkv_bias=True,
        o_bias=True,
        mlp_bias=True,
        lm_head_bias=True,
        ffn_gated=False,
        qk_norm="per_head_layernorm" if qk else None,
        norm_type="layernorm",
        norm_bias=True,
        norms_per_layer=1,
    )
