"""GLM-4 (0414): the Llama block with sandwich norms, q/k/v biases and partial RoPE.

``modeling_glm4.py`` Glm4DecoderLayer: ``input_layernorm``, ``post_self_attn_layernorm``,
``post_attention_layernorm`` and ``post_mlp_layernorm`` (4 RMSNorms a layer); q/k/v with bias
when ``attention_bias`` (configuration_glm4.py default true), o_proj never; fused
``gate_up_proj`` (hidden -> 2*intermediate) and ``down_proj`` without bias (the SwiGLU
count); head_dim default 128; RoPE on ``partial_rotary_factor`` of each head (default 0.5).
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("glm4",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "glm4")
    core = read_core(
        view, family="glm4", tie_default=False, head_dim_default=128, max_pos_default=131072
    )
    read_rope(view, core)
    if core.get("partial_rotary_factor") is None:
        core["partial_rotary_factor"] = 0.5
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module="glm4"), "mlp"),
        qkv_bias=view.bool("attention_bias", default=True, field_name="attention_bias"),
        norms_per_layer=4,
        norm_placement="sandwich",
    )
