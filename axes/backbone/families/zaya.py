"""ZAYA1 (``modeling_zaya.py``): CCA attention and a top-1 MoE with a recurrent router.

- ZayaAttention: ZayaCCAProjection in place of q/k/v: ``q_proj`` (heads x head_dim), ``k_proj``
  (kv_heads x head_dim), ``v_proj_current`` and ``v_proj_delayed`` (half of kv_heads x head_dim
  each), all with ``attention_bias``; two Conv1d with bias over the q and k channels
  C = (heads + kv_heads) x head_dim: ``conv_qk_depthwise`` (kernel ``cca_time0``, groups C)
  and ``conv_qk_grouped`` (kernel ``cca_time1``, one group per head: head_dim inputs each);
  ZayaQKNorm's ``temp`` (kv_heads); ``o_proj`` with ``attention_bias``. Layer types "hybrid"
  (full) or "hybrid_sliding" (``sliding_window``, required then; default none).
- ZayaDecoderLayer: input and post-attention RMSNorms plus two ZayaResidualScaling blocks
  (four hidden-size vectors each: counted with the norms).
- ZayaSparseMoeBlock: fused experts of ``moe_intermediate_size`` (``num_experts``, top
  ``num_experts_per_tok`` = 1; the router's extra "skip" class has no expert), and ZayaRouter:
  ``down_proj`` (hidden -> router_hidden_size, bias), ``router_states_scale`` (router width;
  not in layer 0, which has no previous router state), and ZayaRouterMLP (RMSNorm, fc1 / fc2
  square with bias, ``out_proj`` -> num_experts + 1, no bias).
- ZayaModel: ``input_hidden_states_scale`` / ``_bias`` (hidden each, counted with the norms
  as two more outer vectors); ZayaForCausalLM: ``lm_head`` (bias with ``lm_head_bias``), tied
  by default.
The CCA cache also keeps a conv state and the delayed value per layer (constant in context):
not counted in the state per sequence (noted).
"""

from __future__ import annotations

from axes.backbone.families._common import (
    NO_WIDTH,
    build,
    drop_note,
    header,
    per_layer_kinds,
    read_core,
    read_rope,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("zaya",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "zaya")
    core = read_core(
        view, family="zaya", tie_default=True, head_dim_default=128, max_pos_default=131072
    )
    read_rope(view, core)
    params = view.raw_get("rope_parameters")
    full = params.get("hybrid") if isinstance(params, dict) else None
    if isinstance(full, dict):  # per layer type: the full ("hybrid") layers' RoPE
        if isinstance(full.get("rope_theta"), (int, float)):
            core["rope_theta"] = float(full["rope_theta"])
        if isinstance(full.get("partial_rotary_factor"), (int, float)):
            core["partial_rotary_factor"] = float(full["partial_rotary_factor"])
    n, h = core["num_layers"], core["hidden_size"]
    nh, kv, hd = core["num_attention_heads"], core["num_kv_heads"], core["head_dim"]
    moe_width = view.int("moe_intermediate_size", default=2048, field_name="moe_intermediate_size")
    if not view.has("intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"):
        drop_note(view, NO_WIDTH)  # none is built
        core["intermediate_size"] = moe_width
    kinds = per_layer_kinds(
        view,
        n,
        ("hybrid", "hybrid_sliding"),
        key="layer_types",
        field_name="layer_types",
        note="layer_types does not describe every layer; ignored",
    )
    if kinds is not None:
        mixers = ["sliding_attention" if k == "hybrid_sliding" else "attention" for k in kinds]
    else:
        mixers = ["attention"] * n
    window = view.int("sliding_window", default=None, field_name="sliding_window")
    if window is None:
        mixers = ["attention"] * n  # transformers refuses hybrid_sliding without a window
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    channels = (nh + kv) * hd
    t0, t1 = view.int("cca_time0", default=2), view.int("cca_time1", default=2)
    # conv_qk_depthwise, conv_qk_grouped (weights and biases), ZayaQKNorm.temp
    cca = channels * t0 + channels + channels * hd * t1 + channels + kv
    experts = view.int("num_experts", "num_local_experts", default=16, field_name="num_experts")
    r = view.int("router_hidden_size", default=256)
    # down_proj (weight, bias), router_states_scale, router_mlp: norm, fc1, fc2, out_proj
    # (num_experts + 1 classes)
    router = h * r + r + r + r + 2 * (r * r + r) + r * (experts + 1)
    view.notes.append(
        "the CCA attention's conv state and delayed value (per layer, constant in context) "
        "are not counted in the state per sequence"
    )
    return build(
        {**core, **head},
        layers_from(mixers, "moe"),
        qkv_bias=bias,
        o_bias=bias,
        attention_extra=cca,
        layer_extra_norms=8 * h,  # post_attention / post_mlp residual scaling: 4 x hidden each
        outer_norms=3,  # the final norm, input_hidden_states_scale and _bias
        lm_head_bias=view.bool("lm_head_bias", default=False),
        sliding_window=window if "sliding_attention" in mixers else None,
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=1, field_name="experts_per_token"
        ),
        moe_intermediate_size=moe_width,
        router_params=router,
        one_layer_extra=(0, "router", -r) if n else None,  # layer 0: no router_states_scale
        router_scoring="softmax",
    )
