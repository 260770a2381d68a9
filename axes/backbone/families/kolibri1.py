"""Kolibri-1 (``modeling_kolibri1.py``): EXAONE 4 attention, GLM-4 sandwich norms and a
DeepSeek-V3-style MoE with a shared expert in every layer.

- Kolibri1Attention (Exaone4Attention): q/k/v/o without bias, per-head ``q_norm`` / ``k_norm``;
  a sliding layer gets ``sliding_window`` (configuration_kolibri1.py default 513, required
  positive when a layer slides); the full layers apply no RoPE while the config has a window
  (Exaone4Attention: "global NoPE").
- Layers: ``layer_types`` (default: full when ``(i + 1) % 5 == 0``, else sliding).
- Kolibri1DecoderLayer (Glm4DecoderLayer): input, post_self_attn, post_attention and
  post_mlp RMSNorms (4 a layer).
- Kolibri1SparseMoeBlock in every layer: router ``gate`` (num_experts x hidden, no bias; the
  ``e_score_correction_bias`` is a buffer), fused experts of ``moe_intermediate_size``, one
  shared SwiGLU of ``shared_expert_intermediate_size``; sigmoid scoring.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    NO_WIDTH,
    attention_mixers,
    build,
    drop_note,
    header,
    read_core,
    read_rope,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("kolibri1",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "kolibri1")
    core = read_core(
        view, family="kolibri1", tie_default=False, head_dim_default=128, max_pos_default=262144
    )
    read_rope(view, core)
    n = core["num_layers"]
    moe_width = view.int("moe_intermediate_size", default=512, field_name="moe_intermediate_size")
    if not view.has("intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"):
        # Kolibri1Config has no intermediate_size (no dense MLP): read_core's 4 x hidden
        # assumption is not one, and its note does not apply
        drop_note(view, NO_WIDTH)
        core["intermediate_size"] = moe_width
    if view.has("sliding_window"):
        window = view.int("sliding_window", field_name="sliding_window")
    elif "sliding_window" in view.raw or "sliding_window" in view.text:
        window = None  # an explicit null: no window
    else:
        window = 513
    mixers = (
        attention_mixers(view, n)
        if view.has("layer_types")
        else ["attention" if (i + 1) % 5 == 0 else "sliding_attention" for i in range(n)]
    )
    mixers = unwindowed(view, mixers, window=window or None)
    extra: dict = {}
    full = mixers.count("attention")
    if window and full:
        extra.update(nope_layers=full, positional="rope+nope")
    if "sliding_attention" not in mixers:
        window = None
    shared = view.int(
        "shared_expert_intermediate_size", default=512, field_name="shared_expert_intermediate_size"
    )
    return build(
        {**core, **head},
        layers_from(mixers, "moe"),
        qk_norm="per_head",
        norms_per_layer=4,
        norm_placement="sandwich",
        sliding_window=window or None,
        num_experts=view.int(
            "num_experts", "num_local_experts", default=384, field_name="num_experts"
        ),
        experts_per_token=view.int(
            "num_experts_per_tok", default=6, field_name="experts_per_token"
        ),
        moe_intermediate_size=moe_width,
        num_shared_experts=1 if shared else 0,
        shared_expert_intermediate_size=shared,
        norm_topk_prob=view.bool("norm_topk_prob", default=False),
        router_scoring="sigmoid",
        **extra,
    )
