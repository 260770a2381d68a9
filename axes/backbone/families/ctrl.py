"""CTRL (``modeling_ctrl.py``): a pre-LN decoder with sinusoidal absolute positions.

CTRLModel: ``w`` (vocab x n_embd); ``pos_encoding`` is a buffer (sinusoidal, no parameters);
per layer ``layernorm1`` / ``layernorm2`` (LayerNorm with bias), MultiHeadAttention
``Wq`` / ``Wk`` / ``Wv`` / ``dense`` (n_embd -> n_embd, with bias; multi-head), the FFN
Linear(n_embd, ``dff``) + ReLU + Linear(dff, n_embd), with biases; a final ``layernorm``.
CTRLLMHeadModel: ``lm_head`` with a bias (vocab), its weight tied to ``w`` by default.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("ctrl",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "ctrl")
    core = read_core(
        view, family="ctrl", tie_default=True, max_pos_default=256, max_pos_key="n_positions"
    )
    hidden, heads = core["hidden_size"], core["num_attention_heads"]
    for key in ("num_kv_heads", "head_dim", "intermediate_size"):
        view.sources.pop(key, None)  # modeling_ctrl.py reads dff, and is multi-head
    view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    core.update(
        num_kv_heads=heads,
        head_dim=hidden // heads if heads else 0,
        intermediate_size=view.int("dff", default=8192, field_name="intermediate_size"),
        hidden_act="relu",
    )
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module="ctrl"), "mlp"),
        qkv_bias=True,
        o_bias=True,
        mlp_bias=True,
        lm_head_bias=True,
        ffn_gated=False,
        norm_type="layernorm",
        norm_bias=True,
        positional="sinusoidal",
    )
