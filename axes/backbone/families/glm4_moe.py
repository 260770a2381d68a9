"""GLM-4.5 / GLM-4.6 (glm4_moe): GQA attention with DeepSeek-V3-style MoE.

``modeling_glm4_moe.py``:
- attention (Glm4MoeAttention): q/k/v with ``attention_bias``, o_proj without bias; per-head
  q_norm/k_norm when ``use_qk_norm``; partial RoPE (``partial_rotary_factor`` default 0.5,
  configuration_glm4_moe.py);
- the first ``first_k_dense_replace`` layers are a dense SwiGLU of ``intermediate_size``, the
  rest Glm4MoeMoE: router (n_routed_experts x hidden, sigmoid scores; its
  ``e_score_correction_bias`` is a buffer, not a parameter), fused experts of
  ``moe_intermediate_size``, one shared SwiGLU of moe_intermediate_size * n_shared_experts.
The MTP layer (``num_nextn_predict_layers``) ships in the checkpoint but transformers does not
build it; it is not counted.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("glm4_moe",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "glm4_moe")
    core = read_core(view, family="glm4_moe", tie_default=False, max_pos_default=131072)
    read_rope(view, core)
    if core.get("partial_rotary_factor") is None:
        core["partial_rotary_factor"] = 0.5  # configuration_glm4_moe.py default
    n = core["num_layers"]
    first_dense = view.int("first_k_dense_replace", default=1, field_name="first_k_dense")
    experts = view.int("n_routed_experts", default=128, field_name="num_experts")
    moe_inter = view.int("moe_intermediate_size", default=1408, field_name="moe_intermediate_size")
    shared_n = view.int("n_shared_experts", default=1)
    return build(
        {**core, **head},
        layers_from(
            uniform_attention(view, n, module="glm4_moe"),
            ["mlp" if i < first_dense else "moe" for i in range(n)],
        ),
        qkv_bias=view.bool("attention_bias", default=False, field_name="attention_bias"),
        qk_norm="per_head" if view.bool("use_qk_norm", default=False) else None,
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=8, field_name="experts_per_token"
        ),
        moe_intermediate_size=moe_inter,
        num_shared_experts=shared_n,
        shared_expert_intermediate_size=moe_inter * shared_n,
        first_k_dense=min(first_dense, n),
        norm_topk_prob=view.bool("norm_topk_prob", default=True),
        router_scoring="sigmoid",
    )
