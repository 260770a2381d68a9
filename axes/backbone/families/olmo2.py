"""OLMo 1 / 2 / 3.

- olmo (``modeling_olmo.py``): the Llama block with OlmoLayerNorm, a LayerNorm without any
  parameters (input, post-attention and final norm: nothing to count); ``attention_bias`` on
  q/k/v/o; SwiGLU without bias; full attention in every layer (layer_types is not read).
- olmo2 (``modeling_olmo2.py``): post-norm blocks: no input_layernorm; ``post_attention_layernorm``
  and ``post_feedforward_layernorm`` (hidden each); ``q_norm`` over num_heads*head_dim and
  ``k_norm`` over num_kv_heads*head_dim; ``attention_bias`` on q/k/v/o; SwiGLU without bias;
  full attention in every layer (layer_types is not read).
- olmo3 (``modeling_olmo3.py``): the olmo2 block with sliding-window layers from
  ``layer_types`` (configuration_olmo3.py default: every 4th layer full, the rest sliding;
  ``sliding_window`` default 4096).
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

MODEL_TYPES = ("olmo2", "olmo", "olmo3")


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "olmo2")
    mt = head["model_type"]
    core = read_core(view, family=mt, tie_default=False, max_pos_default=2048)
    read_rope(view, core)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    n = core["num_layers"]
    if mt == "olmo":
        mixers = uniform_attention(view, n, module="olmo")
        return build(
            {**core, **head},
            layers_from(mixers, "mlp"),
            qkv_bias=bias,
            o_bias=bias,
            norm_type="nonparametric_layernorm",
        )
    window = None
    if mt == "olmo3":
        if view.has("layer_types"):
            mixers = attention_mixers(view, n)
        else:
            mixers = ["sliding_attention" if (i + 1) % 4 else "attention" for i in range(n)]
        if "sliding_attention" in mixers:
            window = view.int("sliding_window", default=4096, field_name="sliding_window")
    else:
        mixers = uniform_attention(view, n, module="olmo2")
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="full_width",
        norm_placement="post",
        sliding_window=window,
    )
