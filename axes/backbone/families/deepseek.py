"""DeepSeek-V2 / V3 (and Kimi K2, which ships the V3 layout): MLA attention, shared + routed
experts, dense-first layers, MTP modules in the checkpoint.

``modeling_deepseek_v3.py`` (V2 is the same shape, ``modeling_deepseek_v2.py``):
- MLA (DeepseekV3Attention): with ``q_lora_rank``: ``q_a_proj`` hidden -> q_lora_rank
  (bias = attention_bias), ``q_a_layernorm`` (q_lora_rank), ``q_b_proj`` q_lora_rank ->
  heads * (qk_nope_head_dim + qk_rope_head_dim); without it one ``q_proj``.
  ``kv_a_proj_with_mqa`` hidden -> kv_lora_rank + qk_rope_head_dim (bias = attention_bias),
  ``kv_a_layernorm`` (kv_lora_rank), ``kv_b_proj`` kv_lora_rank -> heads * (qk_nope + v_head_dim),
  ``o_proj`` heads * v_head_dim -> hidden (bias = attention_bias).
- FFN: MoE when ``layer_idx >= first_k_dense_replace`` (transformers ignores ``moe_layer_freq``;
  every shipped config has 1), else a dense SwiGLU of ``intermediate_size``. MoE: router
  ``gate.weight`` (E x hidden; ``e_score_correction_bias`` is a buffer, not a parameter),
  fused experts of ``moe_intermediate_size``, shared experts as one SwiGLU of
  ``moe_intermediate_size * n_shared_experts``.
- MTP: ``num_nextn_predict_layers`` extra blocks are saved as ``model.layers.{N..}`` but not
  built by transformers; they are reported separately.
- DeepSeek-V3.2 (``modeling_deepseek_v32.py``): the V3 network (q_lora_rank always used) with
  DeepSeek Sparse Attention: every MLA block has an indexer (DeepseekV32Indexer: ``wq_b``
  q_lora_rank -> index_n_heads * index_head_dim, ``wk`` hidden -> index_head_dim, ``k_norm`` a
  LayerNorm of index_head_dim, ``weights_proj`` hidden -> index_n_heads, no biases) that picks
  ``index_topk`` tokens for each query; its key (index_head_dim per token) is cached beside the
  latent. ``mlp_layer_types`` ("dense" / "sparse" per layer) places the FFNs when given
  (configuration_deepseek_v32.py derives it from ``first_k_dense_replace`` otherwise).
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    header,
    read_core,
    read_rope,
    unread_layer_types,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("deepseek_v2", "deepseek_v3", "kimi_k2", "deepseek_v32")
# max_position_embeddings defaults of configuration_deepseek_v2.py / _v3.py (kimi_k2 ships
# remote code only: no default to mirror)
MAX_POSITIONS = {"deepseek_v2": 2048, "deepseek_v3": 4096, "deepseek_v32": 163840}


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "deepseek_v3")
    mt = head["model_type"]
    v2 = mt == "deepseek_v2"
    core = read_core(
        view, family="deepseek", tie_default=False, max_pos_default=MAX_POSITIONS.get(mt)
    )
    read_rope(view, core)
    n = core["num_layers"]
    first_dense = view.int(
        "first_k_dense_replace", default=0 if v2 else 3, field_name="first_k_dense"
    )
    freq = view.int("moe_layer_freq", default=1)
    if freq != 1:
        view.notes.append(
            f"moe_layer_freq = {freq}: transformers ignores it and builds MoE in every layer "
            f"from {first_dense} on; counted as transformers builds it"
        )
    experts = view.int(
        "n_routed_experts", "num_experts", default=64 if v2 else 256, field_name="num_experts"
    )
    shared_n = view.int("n_shared_experts", default=2 if v2 else 1, field_name="num_shared_experts")
    moe_inter = view.int(
        "moe_intermediate_size", default=1407 if v2 else 2048, field_name="moe_intermediate_size"
    )
    mixers = ["mla"] * n
    dense = min(max(first_dense, 0), len(mixers))  # layers [0, first_k_dense) are dense
    ffns = ["mlp"] * dense + ["moe"] * (len(mixers) - dense)
    if mt == "deepseek_v32":
        # layer_types is all "indexed_attention" (the one mask modeling_deepseek_v32.py
        # builds); mlp_layer_types, when given, is what places the dense and sparse FFNs
        kinds = view.list("mlp_layer_types", field_name="first_k_dense")
        if kinds is not None and len(kinds) >= n and set(kinds[:n]) <= {"dense", "sparse"}:
            ffns = ["mlp" if k == "dense" else "moe" for k in kinds[:n]]
        elif kinds is not None:
            view.notes.append(
                "mlp_layer_types does not say dense or sparse for every layer; ignored"
            )
    else:
        unread_layer_types(view, ["attention"] * n, module="deepseek_v2" if v2 else mt)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    # an explicit ``"q_lora_rank": null`` (DeepSeek-V2-Lite) means one plain q_proj
    scope = view.text if "q_lora_rank" in view.text else view.raw
    if "q_lora_rank" in scope:
        q_lora = view.int("q_lora_rank", default=None, field_name="q_lora_rank")
    else:
        q_lora = 1536  # configuration_deepseek_v3.py default
    rope_dim = view.int("qk_rope_head_dim", default=64, field_name="qk_rope_head_dim")
    scoring = view.raw_get("scoring_func", default="softmax" if v2 else "sigmoid")
    sparse: dict = {}
    if mt == "deepseek_v32":
        sparse = {
            "index_n_heads": view.int("index_n_heads", default=64, field_name="index_n_heads"),
            "index_head_dim": view.int("index_head_dim", default=128, field_name="index_head_dim"),
            "index_topk": view.int("index_topk", default=2048, field_name="index_topk"),
        }
    return build(
        {**core, **head, "head_dim": rope_dim + view.int("qk_nope_head_dim", default=128)},
        layers_from(mixers, ffns),
        qkv_bias=bias,
        o_bias=bias,
        q_lora_rank=q_lora,
        kv_lora_rank=view.int("kv_lora_rank", default=512, field_name="kv_lora_rank"),
        qk_nope_head_dim=view.int("qk_nope_head_dim", default=128, field_name="qk_nope_head_dim"),
        qk_rope_head_dim=rope_dim,
        v_head_dim=view.int("v_head_dim", default=128, field_name="v_head_dim"),
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=6 if v2 else 8, field_name="experts_per_token"
        ),
        moe_intermediate_size=moe_inter,
        num_shared_experts=shared_n,
        shared_expert_intermediate_size=moe_inter * shared_n,
        first_k_dense=first_dense,
        router_scoring=str(scoring),
        norm_topk_prob=view.bool("norm_topk_prob", default=not v2),
        mtp_layers=view.int("num_nextn_predict_layers", default=0, field_name="mtp_layers"),
        mtp_block_types=["mla", "moe"],
        **sparse,
    )
