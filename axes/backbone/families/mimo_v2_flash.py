"""Xiaomi MiMo-V2-Flash (mimo_v2_flash): sliding-window and full attention with V heads
narrower than Q/K, a dense first layer and routed experts.

``modeling_mimo_v2_flash.py``:
- MiMoV2FlashAttention: q_proj heads x head_dim (default 192), k_proj K/V heads x head_dim,
  v_proj K/V heads x ``v_head_dim`` (default 128), all three with ``attention_bias``; o_proj
  heads x v_head_dim -> hidden, no bias. A sliding-window layer has twice
  ``num_key_value_heads`` K/V heads and one learned sink logit per head; a full layer neither.
- ``layer_types`` (default: full attention in layer 0 and every 6th layer, sliding elsewhere),
  ``sliding_window`` (default 129; configuration_mimo_v2_flash.py sets it to
  ``sliding_window_size`` + 1 when that key is given).
- ``mlp_layer_types`` (default: the first layer dense, the rest sparse): MiMoV2FlashMoE is a
  router ``gate.weight`` (n_routed_experts x hidden; ``e_score_correction_bias`` is a buffer)
  and fused experts of ``moe_intermediate_size``, no shared expert; dense layers a SwiGLU of
  ``intermediate_size``.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    header,
    layer_types_mixers,
    read_core,
    read_rope,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("mimo_v2_flash",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "mimo_v2_flash")
    core = read_core(
        view,
        family="mimo_v2_flash",
        tie_default=False,
        head_dim_default=192,
        max_pos_default=131072,
    )
    read_rope(view, core)
    if core.get("partial_rotary_factor") is None:
        core["partial_rotary_factor"] = 0.334  # the rope_parameters default
    n = core["num_layers"]
    mixers = layer_types_mixers(view, n)
    if mixers is None:
        mixers = [
            "attention" if i == 0 or (i + 1) % 6 == 0 else "sliding_attention" for i in range(n)
        ]
    if view.has("sliding_window_size"):
        window = view.int("sliding_window_size", field_name="sliding_window") + 1
    elif "sliding_window" in view.raw or "sliding_window" in view.text:
        window = view.int("sliding_window", default=None, field_name="sliding_window")
    else:
        window = 129  # configuration_mimo_v2_flash.py default
    # a sliding_attention layer without a window still has the sliding layers' K/V heads and
    # sinks (MiMoV2FlashAttention keys them on the layer type): kept as sliding, uncapped
    ffns = ["mlp"] * min(n, 1) + ["moe"] * max(n - 1, 0)
    kinds = view.list("mlp_layer_types", field_name="first_k_dense")
    if (
        kinds is not None
        and len(kinds) >= n
        and all(type(k) is str and k in {"dense", "sparse"} for k in kinds[:n])
    ):
        ffns = ["mlp" if k == "dense" else "moe" for k in kinds[:n]]
    elif kinds is not None:
        view.notes.append("mlp_layer_types does not say dense or sparse for every layer; ignored")
    kv = core["num_kv_heads"]
    sliding = "sliding_attention" in mixers
    if sliding:
        view.notes.append(
            f"sliding-window layers have twice num_key_value_heads ({2 * kv:,} K/V heads) and "
            f"attention sinks; full-attention layers have {kv:,} K/V heads"
        )
    return build(
        {**core, **head, "num_kv_heads": 2 * kv if sliding else kv},
        layers_from(mixers, ffns),
        qkv_bias=view.bool("attention_bias", default=False, field_name="attention_bias"),
        v_head_dim=view.int("v_head_dim", default=128, field_name="v_head_dim"),
        global_num_kv_heads=kv if sliding else None,
        attention_sinks=sliding,
        attention_sinks_sliding_only=True,
        sliding_window=window if sliding else None,
        num_experts=view.int(
            "n_routed_experts", "num_local_experts", default=256, field_name="num_experts"
        ),
        experts_per_token=view.int(
            "num_experts_per_tok", default=8, field_name="experts_per_token"
        ),
        moe_intermediate_size=view.int(
            "moe_intermediate_size", default=2048, field_name="moe_intermediate_size"
        ),
        first_k_dense=ffns.index("moe") if "moe" in ffns else n,
        norm_topk_prob=view.bool("norm_topk_prob", default=True),
        router_scoring="sigmoid",
    )
