"""MiniMax-M3's text model (minimax_m3_vl_text): GQA with per-head QK-norm, block-sparse
attention on some layers, and a shared-expert MoE or a dense MLP per layer.

``modeling_minimax_m3_vl.py`` (MiniMaxM3VLDecoderLayer, what AutoModelForCausalLM builds as
MiniMaxM3VLForCausalLM):
- MiniMaxM3VLAttention: q/k/v/o without bias, ``q_norm`` / ``k_norm`` over head_dim (default
  128), partial RoPE over ``rotary_dim`` (64); on the layers ``layer_types`` marks
  "minimax_m3_sparse" a lightning indexer (MiniMaxM3VLIndexer: ``q_proj`` hidden ->
  index_n_heads x index_head_dim, ``k_proj`` hidden -> index_head_dim, q/k norms of
  index_head_dim, no biases) whose key is cached per token (MiniMaxM3VLSparseCacheLayer) and
  which picks, per query, the index_topk_blocks blocks of index_block_size keys attended to
  (the index_local_blocks preceding blocks boosted into them), scoring every key;
- ``mlp_layer_types`` "sparse": MiniMaxM3VLSparseMoeBlock, a sigmoid router (num_local_experts
  x hidden; ``e_score_correction_bias`` is a buffer), fused experts of ``intermediate_size``
  and one shared expert of ``shared_intermediate_size``; "dense": a SwiGLU of
  ``dense_intermediate_size``;
- two RMSNorms per layer, a final norm, an untied lm_head by default.
configuration_minimax_m3_vl.py: ``layer_types`` default every layer full attention (or from a
legacy ``sparse_attention_config.sparse_attention_freq``, whose ``sparse_*`` keys also name the
indexer's sizes), ``mlp_layer_types`` default every layer sparse (or from ``moe_layer_freq``).
"""

from __future__ import annotations

from typing import Any

from axes.backbone.families._common import build, header, read_core, read_rope
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("minimax_m3_vl_text",)

# MiniMaxM3VLTextConfig.__post_init__: the legacy sparse_attention_config keys
_LEGACY_INDEX = (
    ("index_n_heads", "sparse_num_index_heads", 4),
    ("index_head_dim", "sparse_index_dim", 128),
    ("index_block_size", "sparse_block_size", 128),
    ("index_topk_blocks", "sparse_topk_blocks", 16),
)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "minimax_m3_vl_text")
    core = read_core(
        view, family="minimax_m3", tie_default=False, head_dim_default=128, max_pos_default=524288
    )
    read_rope(view, core)
    rotary = view.int("rotary_dim", default=64, field_name="partial_rotary_factor")
    if core.get("partial_rotary_factor") is None and core["head_dim"]:
        core["partial_rotary_factor"] = rotary / core["head_dim"]
    n, h = core["num_layers"], core["hidden_size"]
    legacy = view.raw_get("sparse_attention_config")
    legacy = legacy if isinstance(legacy, dict) else {}
    sparse = _flags(
        view, "layer_types", legacy.get("sparse_attention_freq"), n, "minimax_m3_sparse"
    )
    moe = _flags(view, "mlp_layer_types", view.raw_get("moe_layer_freq"), n, "sparse", True)
    sizes = {}
    for name, old, default in _LEGACY_INDEX:
        value = legacy.get(old)
        sizes[name] = (
            view.int(name, default=default, field_name=name)
            if value is None
            else ConfigView({old: value}).int(old)
        )
    n_idx, d_idx = sizes["index_n_heads"], sizes["index_head_dim"]
    weights = h * n_idx * d_idx + h * d_idx
    extras = [(i, "attention", weights + 2 * d_idx, weights) for i in range(n) if sparse[i]]
    fields: dict[str, Any] = {}
    if extras:
        fields.update(
            index_n_heads=n_idx,
            index_head_dim=d_idx,
            sparse_layers=len(extras),
            sparse_attended=sizes["index_topk_blocks"] * sizes["index_block_size"],
            layer_extras=extras,
        )
        view.notes.append(
            f"block-sparse attention: each query of the {len(extras)} minimax_m3_sparse layers "
            f"attends to at most {sizes['index_topk_blocks']} blocks of "
            f"{sizes['index_block_size']:,} tokens its indexer picks; the KV cache holds the "
            f"indexer's key too ({d_idx:,} per token and layer), and a decode step reads every "
            "indexer key but only those blocks' K/V"
        )
    shared = view.int("shared_intermediate_size", default=3072)
    return build(
        {**core, **head},
        layers_from(["attention"] * n, ["moe" if m else "mlp" for m in moe]),
        intermediate_size=view.int(
            "dense_intermediate_size", default=12288, field_name="intermediate_size"
        ),
        qk_norm="per_head",
        num_experts=view.int(
            "num_local_experts", "num_experts", default=128, field_name="num_experts"
        ),
        experts_per_token=view.int(
            "num_experts_per_tok", default=4, field_name="experts_per_token"
        ),
        moe_intermediate_size=core["intermediate_size"],
        num_shared_experts=1,
        shared_expert_intermediate_size=shared,
        norm_topk_prob=True,
        router_scoring="sigmoid",
        **fields,
    )


def _flags(
    view: ConfigView, key: str, legacy: Any, n: int, marked: str, default: bool = False
) -> list[bool]:
    """Per layer, whether ``key``'s entry is ``marked`` (``layer_types`` /
    ``mlp_layer_types``); else the legacy per-layer 0/1 list; else ``default`` everywhere. A
    list that does not describe every layer is noted and ignored."""
    entries = view.list(key, field_name=key)
    if entries is not None:
        allowed = {marked, "full_attention"} if key == "layer_types" else {marked, "dense"}
        if len(entries) >= n and all(isinstance(e, str) and e in allowed for e in entries[:n]):
            return [e == marked for e in entries[:n]]
        if key == "layer_types":
            view.notes.append("layer_types does not describe every layer; ignored")
        else:
            view.notes.append("mlp_layer_types does not describe every layer; ignored")
    if isinstance(legacy, list) and len(legacy) >= n:
        return [bool(f) for f in legacy[:n]]
    return [default] * n
