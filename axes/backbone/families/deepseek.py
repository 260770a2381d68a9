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

MODEL_TYPES = ("deepseek_v2", "deepseek_v3", "kimi_k2")
# max_position_embeddings defaults of configuration_deepseek_v2.py / _v3.py (kimi_k2 ships
# remote code only: no default to mirror)
MAX_POSITIONS = {"deepseek_v2": 2048, "deepseek_v3": 4096}


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
    unread_layer_types(view, ["attention"] * n, module="deepseek_v2" if v2 else "deepseek_v3")
    dense = min(max(first_dense, 0), len(mixers))  # layers [0, first_k_dense) are dense
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    # an explicit ``"q_lora_rank": null`` (DeepSeek-V2-Lite) means one plain q_proj
    scope = view.text if "q_lora_rank" in view.text else view.raw
    if "q_lora_rank" in scope:
        q_lora = view.int("q_lora_rank", default=None, field_name="q_lora_rank")
    else:
        q_lora = 1536  # configuration_deepseek_v3.py default
    rope_dim = view.int("qk_rope_head_dim", default=64, field_name="qk_rope_head_dim")
    scoring = view.raw_get("scoring_func", default="softmax" if v2 else "sigmoid")
    return build(
        {**core, **head, "head_dim": rope_dim + view.int("qk_nope_head_dim", default=128)},
        layers_from(mixers, ["mlp"] * dense + ["moe"] * (len(mixers) - dense)),
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
    )
