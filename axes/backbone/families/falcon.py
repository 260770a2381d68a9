"""Falcon: a fused q/k/v with multi-query or grouped K/V, parallel attention + MLP blocks.

``modeling_falcon.py`` FalconAttention: ``query_key_value`` out width is
``(2 * num_kv_heads + heads) * head_dim`` with ``new_decoder_architecture`` (falcon-40b/180b:
``num_kv_heads`` groups), else ``hidden + 2 * head_dim`` with ``multi_query`` (falcon-7b: one
K/V head), else ``3 * hidden``; ``dense`` (hidden -> hidden); all with bias only when ``bias``.
FalconMLP: ``dense_h_to_4h`` / ``dense_4h_to_h`` over ``ffn_hidden_size`` (default 4*hidden;
an ``intermediate_size`` key is not read), no gate. FalconDecoderLayer norms (LayerNorm with
bias): ``input_layernorm`` + ``post_attention_layernorm`` without ``parallel_attn``;
``ln_attn`` + ``ln_mlp`` when ``num_ln_in_parallel_attn`` is 2 (its default with the new
architecture); else one ``input_layernorm``. ``ln_f``; lm_head tied by default. ``alibi``
replaces RoPE (no parameters either way). KV cache: ``num_kv_heads`` K/V heads per token, the
grouped figure (transformers itself caches K/V broadcast to every head with the new
architecture).
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_layers
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("falcon",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "falcon")
    core = read_core(view, family="falcon", tie_default=True, max_pos_default=2048)
    hidden, heads = core["hidden_size"], core["num_attention_heads"]
    new_arch = view.bool("new_decoder_architecture", default=False)
    if new_arch:
        kv = view.int("num_kv_heads", "n_head_kv", default=heads, field_name="num_kv_heads")
    elif view.bool("multi_query", default=True, field_name="num_kv_heads"):
        kv = 1
    else:
        kv = heads
    core["num_kv_heads"] = kv
    core["head_dim"] = hidden // heads if heads else 0
    core["intermediate_size"] = view.int(
        "ffn_hidden_size", default=4 * hidden, field_name="intermediate_size"
    )
    view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    core["hidden_act"] = core["hidden_act"] or view.raw_get(
        "activation", default="gelu", field_name="hidden_act"
    )
    parallel = view.bool("parallel_attn", default=True)
    n_ln = view.int("num_ln_in_parallel_attn", default=2 if new_arch else 1)
    alibi = view.bool("alibi", default=False, field_name="positional")
    if alibi:
        core.update(rope_theta=None, rope_scaling=None)
    else:
        read_rope(view, core)
    bias = view.bool("bias", default=False, field_name="qkv_bias")
    return build(
        {**core, **head},
        uniform_layers(core["num_layers"], "attention", "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=bias,
        ffn_gated=False,
        fused_qkv=True,
        norm_type="layernorm",
        norm_bias=True,
        norms_per_layer=2 if not parallel or n_ln == 2 else 1,
        positional="alibi" if alibi else "rope",
    )
