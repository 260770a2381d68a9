"""MiniMax-M2: full attention with full-width QK-norm and a sigmoid-routed MoE in every layer.

``modeling_minimax_m2.py``: q/k/v/o without bias; ``q_norm`` over heads * head_dim and
``k_norm`` over kv_heads * head_dim (head_dim default 128); partial RoPE (``rotary_dim`` /
head_dim, configuration_minimax_m2.py); router ``gate`` (num_local_experts x hidden, sigmoid;
``e_score_correction_bias`` is a buffer); fused experts of ``intermediate_size``; no shared
expert. (MiniMax-M1/Text-01's lightning attention is another model type, not this one.)
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("minimax_m2",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "minimax_m2")
    core = read_core(
        view, family="minimax_m2", tie_default=False, head_dim_default=128, max_pos_default=196608
    )
    read_rope(view, core)
    rotary = view.int("rotary_dim", default=None, field_name="partial_rotary_factor")
    if rotary is not None and core.get("partial_rotary_factor") is None and core["head_dim"]:
        core["partial_rotary_factor"] = rotary / core["head_dim"]
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module="minimax_m2"), "moe"),
        qk_norm="full_width",
        num_experts=view.int(
            "num_local_experts", "num_experts", default=256, field_name="num_experts"
        ),
        experts_per_token=view.int(
            "num_experts_per_tok", default=8, field_name="experts_per_token"
        ),
        moe_intermediate_size=core["intermediate_size"],
        norm_topk_prob=True,
        router_scoring="sigmoid",
    )
