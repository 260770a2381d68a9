"""Qwen2-MoE (Qwen1.5-MoE-A2.7B, Qwen2-57B-A14B): the Qwen2 block with a gated shared expert.

``modeling_qwen2_moe.py``:
- attention (Qwen2MoeAttention): q/k/v biases from ``qkv_bias`` (default True; configs written
  before the key existed have them), o_proj without bias; head_dim = hidden // heads;
- a layer is sparse when ``layer_idx not in mlp_only_layers and num_experts > 0 and
  (layer_idx + 1) % decoder_sparse_step == 0`` (Qwen2MoeDecoderLayer), else a dense SwiGLU of
  ``intermediate_size``;
- Qwen2MoeSparseMoeBlock: router ``gate`` (E x hidden, no bias), fused experts of
  ``moe_intermediate_size``, one SwiGLU ``shared_expert`` of
  ``shared_expert_intermediate_size`` and its sigmoid ``shared_expert_gate`` (hidden -> 1);
- sliding window (configuration_qwen2_moe.py): with ``use_sliding_window``, the layers with
  an even index below ``max_window_layers`` slide (``layer_types`` when given wins).
"""

from __future__ import annotations

from axes.backbone.families._common import attention_mixers, build, header, read_core, read_rope
from axes.backbone.families.qwen3_moe import sparse_layers
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("qwen2_moe",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "qwen2_moe")
    core = read_core(view, family="qwen2_moe", tie_default=False, max_pos_default=32768)
    read_rope(view, core)
    n = core["num_layers"]
    experts = view.int("num_experts", default=60, field_name="num_experts")
    sparse = sparse_layers(view, n, experts)
    use_window = view.bool("use_sliding_window", default=False)
    window = view.int("sliding_window", default=4096, field_name="sliding_window")
    if view.has("layer_types"):
        mixers = attention_mixers(view, n)
    elif use_window:
        start = view.int("max_window_layers", default=28)
        mixers = [
            "sliding_attention" if (i + 1) % 2 and i < start else "attention" for i in range(n)
        ]
    else:
        mixers = ["attention"] * n
    if not use_window or "sliding_attention" not in mixers:
        window = None
    shared = view.int(
        "shared_expert_intermediate_size",
        default=5632,
        field_name="shared_expert_intermediate_size",
    )
    return build(
        {**core, **head},
        layers_from(mixers, ["moe" if s else "mlp" for s in sparse]),
        qkv_bias=view.bool("qkv_bias", default=True, field_name="qkv_bias"),
        sliding_window=window,
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=4, field_name="experts_per_token"
        ),
        moe_intermediate_size=view.int(
            "moe_intermediate_size", default=1408, field_name="moe_intermediate_size"
        ),
        num_shared_experts=1 if shared else 0,
        shared_expert_intermediate_size=shared,
        shared_expert_gate=True,  # built even at width 0
        norm_topk_prob=view.bool("norm_topk_prob", default=False),
        router_scoring="softmax",
    )
