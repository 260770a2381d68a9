"""OPT (facebook/opt-125m ... opt-66b, Galactica): learned positions offset by 2, optional
post-LN, and a narrower token table with projections around it (opt-350m).

``modeling_opt.py``: ``embed_tokens`` (vocab x word_embed_proj_dim, default hidden_size);
OPTLearnedPositionalEmbedding ``embed_positions`` with max_position_embeddings + 2 rows (the
offset of 2 kept from fairseq); ``project_in`` (word_embed_proj_dim -> hidden) and
``project_out`` (hidden -> word_embed_proj_dim), no bias, only when the two widths differ. Per
layer ``self_attn_layer_norm`` and ``final_layer_norm`` (LayerNorm, weight and bias only with
``layer_norm_elementwise_affine``, its default), q/k/v/out_proj (hidden -> hidden) and
``fc1`` / ``fc2`` over ``ffn_dim`` (ReLU), all with bias when ``enable_bias`` (default true).
The decoder's ``final_layer_norm`` exists only with ``do_layer_norm_before`` (pre-LN, the
default; opt-350m is post-LN) and not ``_remove_final_layer_norm``. lm_head
(word_embed_proj_dim -> vocab, no bias) tied by default. Multi-head only: head size is
hidden // heads; a ``num_key_value_heads``, ``head_dim`` or ``intermediate_size`` key is not
read.

BioGPT (``modeling_biogpt.py``): the same fairseq decoder, pre-LN only: ``embed_positions``
with max_position_embeddings + 2 rows, q/k/v/out_proj and fc1/fc2 (``intermediate_size``,
``hidden_act``) always with bias, self_attn_layer_norm / final_layer_norm per layer and a final
``layer_norm``; ``output_projection`` tied by default. Multi-head (hidden // heads).
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("opt", "biogpt")

POSITION_OFFSET = 2  # modeling_opt.py OPTLearnedPositionalEmbedding.offset


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "opt")
    if head["model_type"] == "biogpt":
        return _biogpt(view, head)
    core = read_core(view, family="opt", tie_default=True, max_pos_default=2048)
    hidden, heads = core["hidden_size"], core["num_attention_heads"]
    for key in ("num_kv_heads", "head_dim", "intermediate_size"):
        view.sources.pop(key, None)  # read_core's aliases: modeling_opt.py reads none
    core.update(
        num_kv_heads=heads,
        head_dim=hidden // heads if heads else 0,
        intermediate_size=view.int("ffn_dim", default=3072, field_name="intermediate_size"),
        hidden_act=view.raw_get("activation_function", default="relu", field_name="hidden_act"),
    )
    view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    width = view.int("word_embed_proj_dim", default=hidden, field_name="embedding_width")
    pre_ln = view.bool("do_layer_norm_before", default=True, field_name="norm_placement")
    final_norm = pre_ln and not view.bool("_remove_final_layer_norm", default=False)
    affine = view.bool("layer_norm_elementwise_affine", default=True)
    bias = view.bool("enable_bias", default=True, field_name="qkv_bias")
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module="opt"), "mlp"),
        embedding_width=width if width != hidden else None,
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=bias,
        ffn_gated=False,
        norm_type="layernorm" if affine else "nonparametric_layernorm",
        norm_bias=True,
        norm_placement="pre" if pre_ln else "post",
        outer_norms=1 if final_norm else 0,
        positional="learned",
        learned_positions=core["max_position_embeddings"] + POSITION_OFFSET,
    )


def _biogpt(view: ConfigView, head: dict) -> ArchSpec:
    core = read_core(view, family="opt", tie_default=True, max_pos_default=1024)
    hidden, heads = core["hidden_size"], core["num_attention_heads"]
    for key in ("num_kv_heads", "head_dim"):
        view.sources.pop(key, None)  # BioGptAttention: multi-head, embed_dim // num_heads
    core.update(num_kv_heads=heads, head_dim=hidden // heads if heads else 0)
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module="biogpt"), "mlp"),
        qkv_bias=True,
        o_bias=True,
        mlp_bias=True,
        ffn_gated=False,
        norm_type="layernorm",
        norm_bias=True,
        positional="learned",
        learned_positions=core["max_position_embeddings"] + POSITION_OFFSET,
    )
