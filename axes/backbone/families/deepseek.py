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
  every shipped config has 1), else a dense SwiGLU of ``intermediate_size``; V2's MLPs take
  ``mlp_bias`` (DeepseekV2MLP), V3's have no bias. MoE: router
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

Types that build these same modules with other defaults (``DEFAULTS`` below):
- sarvam_mla (configuration_sarvam_mla.py, built as DeepseekV3ForCausalLM): V3 with no
  q_lora_rank by default, one dense layer, 128 experts; ``num_mtp_layers`` names the MTP
  modules.
- glm4_moe_lite (modeling_glm4_moe_lite.py): V3's MLA and the GLM-4.5 MoE; ``mlp_layer_types``
  places the FFNs (default: the first layer dense; first_k_dense_replace is not read).
- glm_moe_dsa (GLM-5, modeling_glm_moe_dsa.py): V3.2 (indexer, mlp_layer_types from
  first_k_dense_replace) with ``indexer_types``: a "shared" layer builds no indexer and caches
  no indexer key (it reuses the previous full layer's top-k); without indexer_types the
  pattern comes from ``index_topk_pattern`` ("F" / "S") or ``index_topk_freq`` /
  ``index_skip_topk_offset`` (default: every layer full).
- minicpm3 (modeling_minicpm3.py): the MLA block (q_lora_rank, kv_lora_rank) with a dense
  SwiGLU (``mlp_bias``) in every layer, tied embeddings by default, v_head_dim
  hidden_size // heads when unset.
- youtu (modeling_youtu.py): the V3 MLA (YoutuAttention, V3's rank and head defaults) with a
  dense SwiGLU without bias (YoutuMLP) in every layer: configuration_youtu.py has no MoE or
  MTP keys; tied embeddings by default.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    header,
    per_layer_kinds,
    read_core,
    read_rope,
    unread_layer_types,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = (
    "deepseek_v2",
    "deepseek_v3",
    "kimi_k2",
    "deepseek_v32",
    "sarvam_mla",
    "glm4_moe_lite",
    "glm_moe_dsa",
    "minicpm3",
    "hy_v4",
    "youtu",
)
# max_position_embeddings defaults of configuration_deepseek_v2.py / _v3.py (kimi_k2 ships
# remote code only: no default to mirror)
MAX_POSITIONS = {
    "deepseek_v2": 2048,
    "deepseek_v3": 4096,
    "deepseek_v32": 163840,
    "sarvam_mla": 4096,
    "glm4_moe_lite": 202752,
    "glm_moe_dsa": 202752,
    "minicpm3": 32768,
    "hy_v4": 262144,
    "youtu": 131072,
}
# each type's configuration_*.py defaults: first_k_dense_replace, n_routed_experts,
# n_shared_experts, moe_intermediate_size, num_experts_per_tok, q_lora_rank, qk_nope_head_dim,
# v_head_dim (None: hidden_size // heads), kv_lora_rank, qk_rope_head_dim, index_n_heads
_V3 = (3, 256, 1, 2048, 8, 1536, 128, 128, 512, 64, 64)
DEFAULTS = {
    "deepseek_v2": (0, 64, 2, 1407, 6, 1536, 128, 128, 512, 64, 64),
    "deepseek_v3": _V3,
    "kimi_k2": _V3,
    "deepseek_v32": _V3,
    "sarvam_mla": (1, 128, 1, 2048, 8, None, 128, 128, 512, 64, 64),
    "glm4_moe_lite": (1, 64, 1, 1536, 4, 768, 192, 256, 512, 64, 64),
    "glm_moe_dsa": (3, 256, 1, 2048, 8, 2048, 192, 256, 512, 64, 32),
    "minicpm3": (0, 0, 0, 0, 0, 768, 64, None, 256, 32, 0),
    "hy_v4": (1, 256, 1, 768, 8, 1536, 192, 256, 512, 64, 16),
    "youtu": (0, 0, 0, 0, 0, 1536, 128, 128, 512, 64, 0),
}
# types with a dense MLP in every layer (no experts)
_DENSE_MLP = ("minicpm3", "youtu")
# types whose MLP placement is ``mlp_layer_types`` ("dense" / "sparse")
_MLP_LAYER_TYPES = ("deepseek_v32", "glm4_moe_lite", "glm_moe_dsa", "hy_v4")
# types whose MLPs (dense and shared expert) take mlp_bias
_MLP_BIAS = ("deepseek_v2", "minicpm3")
# types whose MLA layers have a DSA indexer
_INDEXED = ("deepseek_v32", "glm_moe_dsa", "hy_v4")


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "deepseek_v3")
    mt = head["model_type"]
    v2 = mt == "deepseek_v2"
    (
        dense_d,
        experts_d,
        shared_d,
        moe_inter_d,
        top_k_d,
        q_lora_d,
        nope_d,
        v_head_d,
        kv_lora_d,
        rope_d,
        idx_heads_d,
    ) = DEFAULTS.get(mt, _V3)
    dense_mlp = mt in _DENSE_MLP
    core = read_core(
        view,
        family="deepseek",
        tie_default=dense_mlp,
        max_pos_default=MAX_POSITIONS.get(mt),
        mla=True,
    )
    read_rope(view, core)
    n = core["num_layers"]
    first_dense = view.int("first_k_dense_replace", default=dense_d, field_name="first_k_dense")
    freq = view.int("moe_layer_freq", default=1)
    if freq != 1:
        view.notes.append(
            f"moe_layer_freq = {freq}: transformers ignores it and builds MoE in every layer "
            f"from {first_dense} on; counted as transformers builds it"
        )
    experts = view.int(
        "n_routed_experts", "num_experts", default=experts_d, field_name="num_experts"
    )
    shared_n = view.int(
        "n_shared_experts", "num_shared_experts", default=shared_d, field_name="num_shared_experts"
    )
    moe_inter = view.int(
        "moe_intermediate_size", default=moe_inter_d, field_name="moe_intermediate_size"
    )
    mixers = ["mla"] * n
    if dense_mlp:  # modeling_minicpm3.py / modeling_youtu.py: a dense MLP in every layer
        first_dense = n
        experts = shared_n = moe_inter = 0
    elif mt in ("glm4_moe_lite", "hy_v4"):  # mlp_layer_types, else the first layer dense
        first_dense = 1
    dense = min(max(first_dense, 0), len(mixers))  # layers [0, first_k_dense) are dense
    ffns = ["mlp"] * dense + ["moe"] * (len(mixers) - dense)
    if mt in _MLP_LAYER_TYPES:
        # layer_types is all "indexed_attention" (the one mask modeling_deepseek_v32.py
        # builds); mlp_layer_types, when given, is what places the dense and sparse FFNs
        kinds = per_layer_kinds(view, n)
        if kinds is not None:
            ffns = ["mlp" if k == "dense" else "moe" for k in kinds]
    else:
        module = mt if mt in ("deepseek_v2", "minicpm3", "youtu") else "deepseek_v3"
        unread_layer_types(view, ["attention"] * n, module=module)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    # an explicit ``"q_lora_rank": null`` (DeepSeek-V2-Lite) means one plain q_proj
    scope = view.text if "q_lora_rank" in view.text else view.raw
    if "q_lora_rank" in scope:
        q_lora = view.int("q_lora_rank", default=None, field_name="q_lora_rank")
    else:
        q_lora = q_lora_d  # the configuration_*.py default
    rope_dim = view.int("qk_rope_head_dim", default=rope_d, field_name="qk_rope_head_dim")
    nope = view.int("qk_nope_head_dim", default=nope_d, field_name="qk_nope_head_dim")
    v_head = view.int("v_head_dim", default=v_head_d, field_name="v_head_dim")
    if v_head is None:  # configuration_minicpm3.py: hidden_size // num_attention_heads
        heads = core["num_attention_heads"]
        v_head = core["hidden_size"] // heads if heads else 0
    scoring = view.raw_get("scoring_func", default="softmax" if v2 else "sigmoid")
    sparse: dict = {}
    if mt in _INDEXED:
        sparse = {
            "index_n_heads": view.int(
                "index_n_heads", default=idx_heads_d, field_name="index_n_heads"
            ),
            "index_head_dim": view.int("index_head_dim", default=128, field_name="index_head_dim"),
            "index_topk": view.int("index_topk", default=2048, field_name="index_topk"),
        }
        if mt != "deepseek_v32":
            skipped = _shared_indexer_layers(view, n, hy_v4=mt == "hy_v4")
            if skipped:
                sparse["index_shared_layers"] = skipped
                view.notes.append(
                    f"{len(skipped)} of the {n} layers reuse the previous indexer's top-k "
                    "(indexer_types shared): they build no indexer and cache no indexer key"
                )
    if mt == "hy_v4":
        # modeling_hy_v4.py HYV4Attention: gate_proj (hidden -> heads x v_head_dim) gates the
        # output, one sink logit per head; HYV4HyperConnection around attention and the FFN
        sparse["attention_output_gate"] = True
        sparse["attention_sinks"] = True
        sparse["hyper_connections"] = view.int("hc_mult", default=4, field_name="hc_mult")
    moe: dict = {}
    if not dense_mlp:
        moe = {
            "num_experts": experts,
            "experts_per_token": view.int(
                "num_experts_per_tok", default=top_k_d, field_name="experts_per_token"
            ),
            "moe_intermediate_size": moe_inter,
            "num_shared_experts": shared_n,
            "shared_expert_intermediate_size": moe_inter * shared_n,
            "first_k_dense": first_dense,
            "router_scoring": str(scoring),
            "norm_topk_prob": view.bool("norm_topk_prob", default=not v2),
        }
    return build(
        {**core, **head, "head_dim": rope_dim + nope},
        layers_from(mixers, ffns),
        qkv_bias=bias,
        o_bias=bias,
        # modeling_deepseek_v2.py / modeling_minicpm3.py MLPs take mlp_bias; the V3 ones do not
        mlp_bias=mt in _MLP_BIAS and view.bool("mlp_bias", default=False, field_name="mlp_bias"),
        # DeepseekV2Moe builds shared_experts whatever n_shared_experts: at 0 a width-0
        # DeepseekV2MLP whose down_proj bias (hidden) every token uses
        shared_expert_always=v2,
        q_lora_rank=q_lora,
        kv_lora_rank=view.int("kv_lora_rank", default=kv_lora_d, field_name="kv_lora_rank"),
        qk_nope_head_dim=nope,
        qk_rope_head_dim=rope_dim,
        v_head_dim=v_head,
        mtp_layers=view.int(
            "num_nextn_predict_layers", "num_mtp_layers", default=0, field_name="mtp_layers"
        ),
        mtp_block_types=["mla", "mlp" if dense_mlp else "moe"],
        **moe,
        **sparse,
    )


def _shared_indexer_layers(view: ConfigView, n: int, *, hy_v4: bool = False) -> list[int]:
    """The layers that build no DSA indexer (``indexer_types`` "shared"), as
    configuration_glm_moe_dsa.py derives them: indexer_types, else index_topk_pattern ("F" /
    "S" per layer), else every ``index_topk_freq``-th layer from ``index_skip_topk_offset``.
    configuration_hy_v4.py: indexer_types, else full in layer 0 and every 4th from layer 1."""
    kinds = view.list("indexer_types", field_name="indexer_types")
    if kinds is None and hy_v4:
        return [i for i in range(n) if i and (i - 1) % 4]
    if kinds is None:
        pattern = view.raw_get("index_topk_pattern", field_name="indexer_types")
        if isinstance(pattern, str):
            kinds = [{"F": "full", "S": "shared"}.get(c, c) for c in pattern]
        elif isinstance(pattern, list):
            kinds = pattern
    if kinds is None:
        freq = max(view.int("index_topk_freq", default=1, field_name="indexer_types"), 1)
        offset = view.int("index_skip_topk_offset", default=2)
        if freq == 1:
            return []
        return [i for i in range(n) if max(i - offset + 1, 0) % freq]
    if len(kinds) < n or not all(type(k) is str and k in {"full", "shared"} for k in kinds[:n]):
        view.notes.append("indexer_types does not say full or shared for every layer; ignored")
        return []
    return [i for i in range(n) if kinds[i] == "shared"]
