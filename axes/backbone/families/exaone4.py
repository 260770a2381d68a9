"""EXAONE 4.0: post-norm blocks with per-head QK-norm, local/global layers, NoPE on global.

``modeling_exaone4.py``: no input norm; ``post_attention_layernorm`` and
``post_feedforward_layernorm`` (RMSNorm, hidden each); q/k/v/o without bias; ``q_norm`` /
``k_norm`` RMSNorm(head_dim); SwiGLU without bias. Layers from ``layer_types``, else
configuration_exaone4.py's expansion of ``sliding_window_pattern`` (an int: every n-th layer
full; a string of L/G: that pattern repeated; no ``sliding_window``: every layer full). With a
sliding window, the full-attention layers apply no RoPE (Exaone4Attention: "global NoPE").

exaone_moe (``modular_exaone_moe.py``): the same attention and layer mix (ExaoneMoeConfig
expands ``sliding_window_pattern`` as an int only) in a pre-norm OlmoeDecoderLayer
(``input_layernorm``, ``post_attention_layernorm``); ``mlp_layer_types`` ("dense" / "sparse",
default: the first ``first_k_dense_replace`` dense) places a SwiGLU of ``intermediate_size`` or
a DeepseekV3MoE: router weight (num_experts x hidden; ``e_score_correction_bias`` is a
buffer), fused experts of ``moe_intermediate_size``, one shared SwiGLU of
moe_intermediate_size * num_shared_experts.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.families._common import (
    attention_mixers,
    build,
    header,
    per_layer_kinds,
    read_core,
    read_rope,
    sliding_window,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("exaone4", "exaone_moe")


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "exaone4")
    moe = head["model_type"] == "exaone_moe"
    core = read_core(
        view, family="exaone_moe" if moe else "exaone4", tie_default=False, max_pos_default=2048
    )
    read_rope(view, core)
    n = core["num_layers"]
    # Exaone4Config / ExaoneMoeConfig: sliding_window 4096 unless config.json says otherwise
    # (an explicit null: no window, every layer full)
    window = sliding_window(view, 4096)
    if view.has("layer_types"):
        mixers = attention_mixers(view, n)
    elif window is None:
        mixers = ["attention"] * n
    else:
        pattern = view.raw_get("sliding_window_pattern", default=4, field_name="layer_types")
        if isinstance(pattern, str) and pattern and set(pattern) <= {"L", "G"}:
            mixers = [
                "sliding_attention" if pattern[i % len(pattern)] == "L" else "attention"
                for i in range(n)
            ]
            mixers[-1] = "attention"  # "the final layer always uses global attention"
        else:
            period = view.int("sliding_window_pattern", default=4, field_name="layer_types")
            mixers = [
                "sliding_attention" if period and (i + 1) % period else "attention"
                for i in range(n)
            ]
    extra: dict[str, Any] = {}
    if window is not None:
        full = mixers.count("attention")
        if full:
            extra.update(nope_layers=full, positional="rope+nope")
        if full == n:
            window = None
    if moe:
        return build(
            {**core, **head},
            layers_from(mixers, _exaone_moe_ffns(view, n)),
            qk_norm="per_head",
            sliding_window=window,
            **extra,
            **_exaone_moe_fields(view),
        )
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qk_norm="per_head",
        norm_placement="post",
        sliding_window=window,
        **extra,
    )


def _exaone_moe_ffns(view: ConfigView, n: int) -> list[str]:
    """Dense or MoE per layer: ``mlp_layer_types`` when it says dense / sparse for every layer,
    else the first ``first_k_dense_replace`` layers dense (ExaoneMoeConfig.__post_init__)."""
    kinds = per_layer_kinds(view, n)
    if kinds is not None:
        return ["mlp" if k == "dense" else "moe" for k in kinds]
    first = view.int("first_k_dense_replace", default=1, field_name="first_k_dense")
    return ["mlp" if i < first else "moe" for i in range(n)]


def _exaone_moe_fields(view: ConfigView) -> dict[str, Any]:
    experts = view.int("num_experts", default=64, field_name="num_experts")
    moe_inter = view.int("moe_intermediate_size", default=1024, field_name="moe_intermediate_size")
    shared_n = view.int("num_shared_experts", default=1, field_name="num_shared_experts")
    return {
        "num_experts": experts,
        "experts_per_token": view.int(
            "num_experts_per_tok", default=8, field_name="experts_per_token"
        ),
        "moe_intermediate_size": moe_inter,
        "num_shared_experts": shared_n,
        "shared_expert_intermediate_size": moe_inter * shared_n,
        "norm_topk_prob": view.bool("norm_topk_prob", default=True),
        "router_scoring": "sigmoid",
    }
