"""XGLM (``configuration_xglm.py``, ``modeling_xglm.py``): a pre-LN decoder with sinusoidal
positions (a buffer, no parameters) and a scaled token embedding.

XGLMModel: ``embed_tokens`` (vocab x d_model; ``scale_embedding`` multiplies its output by
sqrt(d_model), no parameter), the layers, a final ``layer_norm``. XGLMDecoderLayer:
``self_attn_layer_norm`` and ``final_layer_norm`` (LayerNorms with bias), XGLMAttention
``q_proj`` / ``k_proj`` / ``v_proj`` / ``out_proj`` (d_model -> d_model, with bias; multi-head,
``attention_heads``), ``fc1`` (d_model -> ffn_dim) and ``fc2`` (back), with biases, no gate.
With ``add_cross_attention`` each layer adds ``encoder_attn`` (the same four linears) and its
LayerNorm. XGLMForCausalLM: ``lm_head`` (no bias), tied to ``embed_tokens`` by default.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    header,
    heads_divide,
    read_core,
    uniform_attention,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("xglm",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "xglm")
    aliased = not view.has("num_attention_heads", "n_head", "num_heads", "n_heads")
    if aliased and view.has("attention_heads"):  # XGLMConfig's name for the head count
        view.raw = {**view.raw, "num_attention_heads": view.raw_get("attention_heads")}
    core = read_core(view, family="xglm", tie_default=True, max_pos_default=2048)
    if aliased and view.has("attention_heads"):
        view.sources["num_attention_heads"] = "attention_heads"
    hidden, heads = core["hidden_size"], core["num_attention_heads"]
    heads_divide(view, hidden, heads)
    for key in ("num_kv_heads", "head_dim"):
        view.sources.pop(key, None)  # XGLMAttention is multi-head, d_model // heads wide
    if not view.has("ffn_dim", "intermediate_size"):
        core["intermediate_size"] = 4096  # XGLMConfig.ffn_dim
        view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    core.update(
        num_kv_heads=heads,
        head_dim=hidden // heads if heads else 0,
        hidden_act=core["hidden_act"] or "gelu",
    )
    extra = {}
    if view.bool("add_cross_attention", default=False):
        # each layer's encoder_attn (four biased d_model x d_model linears) and its LayerNorm
        extra = {
            "attention_extra": 4 * hidden * hidden + 4 * hidden,
            "layer_extra_norms": 2 * hidden,
        }
        view.notes.append(
            "add_cross_attention is true: each layer's cross-attention (encoder_attn and its "
            "norm) is counted in the parameters; its K/V over the encoder's tokens is not in the "
            "KV figures"
        )
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module="xglm"), "mlp"),
        qkv_bias=True,
        o_bias=True,
        mlp_bias=True,
        ffn_gated=False,
        norm_type="layernorm",
        norm_bias=True,
        positional="sinusoidal",
        **extra,
    )
