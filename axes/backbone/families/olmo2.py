"""OLMo 2: post-norm blocks and full-width QK-norm.

``modeling_olmo2.py``: no input_layernorm; ``post_attention_layernorm`` and
``post_feedforward_layernorm`` (hidden each); ``q_norm`` over num_heads*head_dim and
``k_norm`` over num_kv_heads*head_dim; ``attention_bias`` on q/k/v/o; SwiGLU without bias.
"""

from __future__ import annotations

from axes.backbone.families._common import attention_mixers, build, header, read_core, read_rope
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("olmo2",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "olmo2")
    core = read_core(view, family="olmo2", tie_default=False)
    read_rope(view, core)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    mixers = attention_mixers(view, core["num_layers"])
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="full_width",
        norm_placement="post",
    )
