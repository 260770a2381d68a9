"""dots.llm1 (dots1): the Qwen3 attention block with DeepSeek-V3's MoE after dense-first layers.

``modeling_dots1.py``:
- Dots1Attention: q/k/v/o with ``attention_bias``; ``q_norm`` / ``k_norm`` RMSNorm(head_dim);
  ``sliding_window`` on the layers ``layer_types`` marks sliding_attention
  (configuration_dots1.py default: layers from ``max_window_layers`` on, when a window is set;
  max_window_layers defaults to 62, the default depth, so none).
- layers below ``first_k_dense_replace`` (default 0) a SwiGLU of ``intermediate_size``, the rest
  Dots1MoE: router ``gate.weight`` (n_routed_experts x hidden; ``e_score_correction_bias`` is a
  buffer), fused experts of ``moe_intermediate_size``, one shared SwiGLU of
  moe_intermediate_size x n_shared_experts.
Dots1Config has no default for n_routed_experts, n_shared_experts or num_experts_per_tok:
transformers cannot build a config without n_routed_experts, which is then read by the
generic fallback (an estimate).
"""

from __future__ import annotations

from axes.backbone.families import generic
from axes.backbone.families._common import (
    attention_mixers,
    build,
    default_note,
    header,
    read_core,
    read_rope,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("dots1",)


def read(view: ConfigView) -> ArchSpec:
    if view.raw_get("n_routed_experts", "num_local_experts") is None:
        # Dots1Config's None: transformers cannot build the model; an estimate, at the config
        # class's context when config.json gives none
        spec = generic.read(view)
        if spec.max_position_embeddings is None:
            default_note(view, "max_position_embeddings", 2048)
            spec.max_position_embeddings = 2048
        return spec
    head = header(view, "dots1")
    core = read_core(view, family="dots1", tie_default=False, max_pos_default=2048)
    read_rope(view, core)
    n = core["num_layers"]
    if view.has("sliding_window"):
        window = view.int("sliding_window", field_name="sliding_window")
    elif "sliding_window" in view.raw or "sliding_window" in view.text:
        window = None  # an explicit null
    else:
        window = 4096  # configuration_dots1.py default
    if view.has("layer_types"):
        mixers = attention_mixers(view, n)
    else:
        start = view.int("max_window_layers", default=62, field_name="layer_types")
        mixers = [
            "sliding_attention" if window is not None and i >= start else "attention"
            for i in range(n)
        ]
    if "sliding_attention" not in mixers:
        window = None
    mixers = unwindowed(view, mixers, window=window)
    experts = view.int("n_routed_experts", "num_local_experts", field_name="num_experts")
    moe_inter = view.int("moe_intermediate_size", default=1408, field_name="moe_intermediate_size")
    shared_n = view.int("n_shared_experts", default=0, field_name="num_shared_experts")
    first_dense = view.int("first_k_dense_replace", default=0, field_name="first_k_dense")
    dense = min(max(first_dense, 0), n)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(mixers, ["mlp"] * dense + ["moe"] * (n - dense)),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="per_head",
        sliding_window=window,
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=0, field_name="experts_per_token"
        ),
        moe_intermediate_size=moe_inter,
        num_shared_experts=shared_n,
        shared_expert_intermediate_size=moe_inter * shared_n,
        first_k_dense=dense,
        norm_topk_prob=view.bool("norm_topk_prob", default=False),
        router_scoring="sigmoid",
    )
