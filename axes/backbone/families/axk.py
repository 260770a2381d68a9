"""A.X-K1 (axk1): the DeepSeek-V3 network with one norm more; A.X-K2 (axk2): DeepSeek-V3.2's
sparse attention with a gated query projection and gated norms.

``modeling_axk1.py``: DeepSeek-V3's MLA (``q_a_proj`` / ``q_a_layernorm`` / ``q_b_proj``,
``kv_a_proj_with_mqa`` / ``kv_a_layernorm`` / ``kv_b_proj``, ``o_proj``; ``attention_bias`` on
q_a, kv_a and o) and its MoE (router weight n_routed_experts x hidden, the correction bias a
buffer; fused experts of ``moe_intermediate_size``; one shared SwiGLU of moe_intermediate_size x
n_shared_experts) with ``post_mlp_layernorm`` (RMSNorm(hidden)) on the MoE block's output.
``mlp_layer_types`` ("dense" / "sparse") places the FFNs; configuration_axk1.py derives it from
``first_k_dense_replace`` (default 1) and ``moe_layer_freq`` (a layer i >= first_k_dense_replace
is sparse when i % moe_layer_freq == 0). The released checkpoints also store that norm for the
dense layers, which transformers ignores (not counted).

``modeling_axk2.py``: MLA without q_b_proj: ``q_gate_proj`` (2 x q_lora_rank -> heads x
(qk_nope + qk_rope + v_head), no bias) gives the query and an output gate; the DeepSeek-V3.2
indexer (``wq_b``, ``wk``, LayerNorm ``k_norm``, ``weights_proj``) in every layer
(``layer_types`` all indexed_attention); ``input_layernorm`` is an AXK2GatedRMSNorm (an
RMSNorm and a gate MLP ``fc1`` hidden -> gated_norm_rank, ``fc2`` back, no biases) in every
layer, ``post_attention_layernorm`` one in the MoE layers and a plain RMSNorm in the dense ones.
The MoE is axk1's without the output norm; FFN placement as for axk1.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.families._common import (
    build,
    header,
    per_layer_kinds,
    read_core,
    read_rope,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("axk1", "axk2")
# configuration_axk1.py / _axk2.py defaults: max_position_embeddings, q_lora_rank, kv_lora_rank,
# qk_rope_head_dim, qk_nope_head_dim, v_head_dim, n_routed_experts, moe_intermediate_size
DEFAULTS = {
    "axk1": (32768, 1536, 512, 64, 128, 128, 192, 2048),
    "axk2": (131072, 384, 128, 32, 64, 64, 128, 512),
}


def mlp_kinds(view: ConfigView, n: int) -> list[str]:
    """ "mlp" / "moe" per layer: ``mlp_layer_types`` when it says dense or sparse for every
    layer, else first_k_dense_replace and moe_layer_freq as the config class expands them."""
    kinds = per_layer_kinds(view, n)
    if kinds is not None:
        return ["mlp" if k == "dense" else "moe" for k in kinds]
    first = view.int("first_k_dense_replace", default=1, field_name="first_k_dense")
    freq = view.int("moe_layer_freq", default=1)
    return ["moe" if i >= first and freq > 0 and i % freq == 0 else "mlp" for i in range(n)]


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "axk1")
    mt = head["model_type"]
    k2 = mt == "axk2"
    max_pos, q_rank, kv_rank, rope, nope, v, experts, moe = DEFAULTS["axk2" if k2 else "axk1"]
    core = read_core(view, family=mt, tie_default=False, max_pos_default=max_pos, mla=True)
    read_rope(view, core)
    n = core["num_layers"]
    ffns = mlp_kinds(view, n)
    rope = view.int("qk_rope_head_dim", default=rope, field_name="qk_rope_head_dim")
    nope = view.int("qk_nope_head_dim", default=nope, field_name="qk_nope_head_dim")
    moe_inter = view.int("moe_intermediate_size", default=moe, field_name="moe_intermediate_size")
    shared_n = view.int("n_shared_experts", default=1, field_name="num_shared_experts")
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    dense_prefix = next((i for i, f in enumerate(ffns) if f == "moe"), n)
    extra: dict[str, Any] = {"moe_output_norm": True}
    if k2:
        extra = {
            "mla_q_gate": True,
            "gated_norm_rank": view.int(
                "gated_norm_rank", default=16, field_name="gated_norm_rank"
            ),
            "index_n_heads": view.int("index_n_heads", default=16, field_name="index_n_heads"),
            "index_head_dim": view.int("index_head_dim", default=128, field_name="index_head_dim"),
            "index_topk": view.int("index_topk", default=2048, field_name="index_topk"),
        }
    return build(
        # the config classes set config.head_dim to qk_rope_head_dim; a head is nope + rope
        {**core, **head, "head_dim": rope + nope},
        layers_from(["mla"] * n, ffns),
        qkv_bias=bias,
        o_bias=bias,
        q_lora_rank=view.int("q_lora_rank", default=q_rank, field_name="q_lora_rank"),
        kv_lora_rank=view.int("kv_lora_rank", default=kv_rank, field_name="kv_lora_rank"),
        qk_nope_head_dim=nope,
        qk_rope_head_dim=rope,
        v_head_dim=view.int("v_head_dim", default=v, field_name="v_head_dim"),
        num_experts=view.int(
            "n_routed_experts", "num_local_experts", default=experts, field_name="num_experts"
        ),
        experts_per_token=view.int(
            "num_experts_per_tok", default=8, field_name="experts_per_token"
        ),
        moe_intermediate_size=moe_inter,
        num_shared_experts=shared_n,
        shared_expert_intermediate_size=moe_inter * shared_n,
        first_k_dense=dense_prefix,
        router_scoring="sigmoid",
        norm_topk_prob=view.bool("norm_topk_prob", default=True),
        **extra,
    )
