"""GPT-J (EleutherAI/gpt-j-6b, GPT4All-J) and CodeGen (Salesforce/codegen-*, codegen2 is
remote code): parallel attention + MLP under one LayerNorm, partial rotary, an lm_head with a
bias.

``modeling_gptj.py``: ``wte`` (vocab x n_embd), no position table; per block one ``ln_1``
(LayerNorm with bias) feeding both the attention and the MLP; q/k/v/out_proj (n_embd -> n_embd)
without bias; MLP ``fc_in`` / ``fc_out`` over n_inner (default 4 * n_embd), with bias; final
``ln_f``; ``lm_head`` (n_embd -> vocab) with a bias, untied by default. Multi-head only (head
size n_embd // n_head; a ``num_key_value_heads``, ``head_dim`` or ``intermediate_size`` key is
not read). RoPE (base 10000, fixed) on the first ``rotary_dim`` (default 64) of each head.
``modeling_codegen.py`` is the same network with q/k/v fused into one ``qkv_proj``
(n_embd -> 3 * n_embd, no bias): the same parameters.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("gptj", "codegen")


def read(view: ConfigView) -> ArchSpec:
    mt = str(view.raw.get("model_type") or "gptj")
    head = header(view, mt)
    core = read_core(
        view, family=mt, tie_default=False, max_pos_default=2048, max_pos_key="n_positions"
    )
    hidden, heads = core["hidden_size"], core["num_attention_heads"]
    for key in ("num_kv_heads", "head_dim", "intermediate_size"):
        view.sources.pop(key, None)  # read_core's aliases: the modeling code reads none
    head_dim = hidden // heads if heads else 0
    core.update(
        num_kv_heads=heads,
        head_dim=head_dim,
        intermediate_size=view.int("n_inner", default=4 * hidden, field_name="intermediate_size"),
        hidden_act=view.raw_get("activation_function", default="gelu_new", field_name="hidden_act"),
        rope_theta=10000.0,  # create_sinusoidal_positions: 10000 ** (i / dim)
        rope_scaling=None,
    )
    view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    rotary = view.int("rotary_dim", default=64, field_name="partial_rotary_factor")
    if head_dim and rotary < head_dim:
        core["partial_rotary_factor"] = rotary / head_dim
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module=mt), "mlp"),
        qkv_bias=False,
        o_bias=False,
        mlp_bias=True,
        lm_head_bias=True,
        ffn_gated=False,
        norm_type="layernorm",
        norm_bias=True,
        norms_per_layer=1,
        fused_qkv=mt == "codegen",
    )
