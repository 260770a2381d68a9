"""StarCoder2: the Llama layout with LayerNorm, a plain GELU MLP and biases (``use_bias``).

``modeling_starcoder2.py``: q/k/v/o and ``c_fc``/``c_proj`` (up/down, no gate) all with bias
when ``use_bias`` (default true); ``input_layernorm``, ``post_attention_layernorm`` and the
final ``norm`` are LayerNorm with bias; lm_head tied by default; ``sliding_window`` (when set)
masks every layer.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("starcoder2",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "starcoder2")
    core = read_core(view, family="starcoder2", tie_default=True, max_pos_default=4096)
    read_rope(view, core)
    if core["norm_eps"] is None:
        core["norm_eps"] = view.float("norm_epsilon", field_name="norm_eps")
    bias = view.bool("use_bias", default=True, field_name="qkv_bias")
    window = view.int("sliding_window", default=None, field_name="sliding_window")
    mixer = "attention" if window is None else "sliding_attention"
    return build(
        {**core, **head},
        layers_from([mixer] * core["num_layers"], "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=bias,
        ffn_gated=False,
        norm_type="layernorm",
        norm_bias=True,
        sliding_window=window,
    )
