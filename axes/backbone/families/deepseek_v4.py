"""DeepSeek-V4 (deepseek_v4): shared-KV MQA over a sliding window plus compressed long-range
KV (CSA with an indexer, HCA), a grouped output projection, mHC hyper-connections and
hash-routed MoE in the first layers.

``modeling_deepseek_v4.py`` (defaults of configuration_deepseek_v4.py):
- DeepseekV4Attention in every layer: q_a_proj / q_a_norm / q_b_proj (q_lora_rank, heads x
  head_dim), one kv_proj (hidden -> head_dim, read as K and V) and kv_norm, o_a_proj
  (DeepseekV4GroupedLinear: o_groups blocks to o_lora_rank each) and o_b_proj, one sink per
  head, no biases. Its compressor follows ``layer_types``: "sliding_attention" none,
  "heavily_compressed_attention" (HCA) one entry per compress_rates[...] (default 128)
  tokens, "compressed_sparse_attention" (CSA) one per 4 tokens over overlapping windows, with
  a DeepseekV4Indexer that picks index_topk of them. Default layer_types: two HCA layers,
  then CSA and HCA alternating; the legacy ``compress_ratios`` (0 / 4 / 128 per layer),
  ``compress_rate_csa`` / ``compress_rate_hca`` are read as the config class folds them in.
- The cache: every layer keeps the last ``sliding_window`` tokens' K=V (head_dim each), and a
  compressed layer one head_dim entry per rate tokens (CSA also one index_head_dim indexer
  key per rate tokens).
- DeepseekV4SparseMoeBlock in every layer: a router (n_routed_experts x hidden; hash_moe
  layers route by token id with a tid2eid buffer, the same parameters), fused experts of
  ``moe_intermediate_size`` and one shared DeepseekV4MLP of moe_intermediate_size
  (``n_shared_experts`` is not read), with ``mlp_bias``.
- DeepseekV4HyperConnection around attention and around the MoE ((2 + hc_mult) x hc_mult
  rows over hc_mult x hidden, a base, three scales), DeepseekV4HyperHead before the norm.
- ``num_nextn_predict_layers`` MTP modules are in the checkpoint, not built by transformers.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("deepseek_v4",)

CSA, HCA, SLIDING = (
    "compressed_sparse_attention",
    "heavily_compressed_attention",
    "sliding_attention",
)
_RATIO_TO_TYPE = {0: SLIDING, 4: CSA, 128: HCA}  # configuration_deepseek_v4.py


def _layer_types(view: ConfigView, n: int) -> list[str]:
    kinds = view.list("layer_types", field_name="layer_types")
    if (
        kinds is not None
        and len(kinds) >= n
        and all(type(k) is str and k in {CSA, HCA, SLIDING} for k in kinds[:n])
    ):
        return list(kinds[:n])
    if kinds is not None:
        view.notes.append("layer_types does not describe every layer; ignored")
    ratios = view.list("compress_ratios", field_name="layer_types")
    if (
        ratios is not None
        and len(ratios) >= n
        and all(type(r) is int and r in _RATIO_TO_TYPE for r in ratios[:n])
    ):
        return [_RATIO_TO_TYPE[r] for r in ratios[:n]]
    return [HCA] * min(n, 2) + [CSA if i % 2 else HCA for i in range(max(n - 2, 0))]


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "deepseek_v4")
    core = read_core(
        view, family="deepseek_v4", tie_default=False, head_dim_default=512, max_pos_default=1048576
    )
    read_rope(view, core)
    if core["rope_theta"] is None:
        core["rope_theta"] = 10000.0
    moe_inter = view.int("moe_intermediate_size", default=2048, field_name="moe_intermediate_size")
    if "intermediate_size" not in view.sources:  # attribute_map: intermediate_size is it
        no_inter = "no intermediate_size: assumed 4 × hidden_size"
        view.notes[:] = [note for note in view.notes if note != no_inter]
        core["intermediate_size"] = moe_inter
    if not view.has("num_key_value_heads"):
        core["num_kv_heads"] = 1  # configuration_deepseek_v4.py default
    n = core["num_layers"]
    kinds = _layer_types(view, n)
    rates = {CSA: 4, HCA: 128}
    given = view.raw_get("compress_rates", field_name="compress_rates")
    if isinstance(given, dict):
        rates.update({k: int(v) for k, v in given.items() if k in rates and isinstance(v, int)})
    for key, kind in (("compress_rate_csa", CSA), ("compress_rate_hca", HCA)):
        if view.has(key):
            rates[kind] = view.int(key, field_name="compress_rates")
    window = view.int("sliding_window", default=128, field_name="sliding_window")
    rope_dim = view.int("qk_rope_head_dim", default=None, field_name="qk_rope_head_dim")
    csa, hca = kinds.count(CSA), kinds.count(HCA)
    view.notes.append(
        f"DeepSeek-V4 attention: every layer caches the last {window:,} tokens' shared K=V "
        f"({core['head_dim']:,} per token); {csa:,} CSA layers add one entry per "
        f"{rates[CSA]:,} tokens and an indexer key, {hca:,} HCA layers one entry per "
        f"{rates[HCA]:,} tokens"
    )
    return build(
        {**core, **head},
        layers_from(["sliding_attention"] * n, "moe"),
        mlp_bias=view.bool("mlp_bias", default=False, field_name="mlp_bias"),
        q_lora_rank=view.int("q_lora_rank", default=1024, field_name="q_lora_rank"),
        qk_rope_head_dim=rope_dim,
        attention_sinks=True,
        attention_kv_shared=True,
        o_groups=view.int("o_groups", default=8, field_name="o_groups"),
        o_lora_rank=view.int("o_lora_rank", default=1024, field_name="o_lora_rank"),
        compressed_attention=kinds,
        compress_rates=rates,
        index_n_heads=view.int("index_n_heads", default=64, field_name="index_n_heads"),
        index_head_dim=view.int("index_head_dim", default=128, field_name="index_head_dim"),
        index_topk=view.int("index_topk", default=512, field_name="index_topk"),
        sliding_window=window,
        hyper_connections=view.int("hc_mult", default=4, field_name="hc_mult"),
        hyper_connection_comb=True,
        num_experts=view.int(
            "n_routed_experts", "num_local_experts", default=256, field_name="num_experts"
        ),
        experts_per_token=view.int(
            "num_experts_per_tok", default=6, field_name="experts_per_token"
        ),
        moe_intermediate_size=moe_inter,
        num_shared_experts=1,
        shared_expert_intermediate_size=moe_inter,
        router_scoring=str(view.raw_get("scoring_func", default="sqrtsoftplus")),
        norm_topk_prob=view.bool("norm_topk_prob", default=True),
        mtp_layers=view.int("num_nextn_predict_layers", default=1, field_name="mtp_layers"),
        mtp_block_types=["attention", "moe"],
    )
