"""Qwen3-Next: Gated DeltaNet linear attention + gated full attention, high-sparsity MoE.

``modeling_qwen3_next.py``:
- layer types: ``layer_types`` or, from ``full_attention_interval`` (configuration_qwen3_next.py),
  full attention when ``(i + 1) % interval == 0`` else linear attention;
- full attention (Qwen3NextAttention): ``q_proj`` is hidden -> 2 * heads * head_dim (the second
  half gates the output), k/v/o as usual, per-head q_norm/k_norm; head_dim default 256;
- Gated DeltaNet (Qwen3NextGatedDeltaNet): key_dim = linear_num_key_heads * linear_key_head_dim,
  value_dim = linear_num_value_heads * linear_value_head_dim; ``in_proj_qkvz`` hidden ->
  2*key_dim + 2*value_dim, ``in_proj_ba`` hidden -> 2*num_v_heads, depthwise ``conv1d`` over
  2*key_dim + value_dim channels (no bias), ``dt_bias`` and ``A_log`` (num_v_heads each), gated
  RMSNorm over linear_value_head_dim, ``out_proj`` value_dim -> hidden;
- MoE (Qwen3NextSparseMoeBlock): router, routed experts of ``moe_intermediate_size``, one shared
  expert of ``shared_expert_intermediate_size`` and a 1-unit ``shared_expert_gate``; sparse
  layers follow the qwen3_moe rule (``mlp_only_layers``, ``decoder_sparse_step``).

Qwen3.5's text models (``modeling_qwen3_5.py``, ``modeling_qwen3_5_moe.py``) are the same
blocks with the same parameter counts (the DeltaNet's ``in_proj_qkvz``/``in_proj_ba`` are split
into ``in_proj_qkv``, ``in_proj_z``, ``in_proj_b``, ``in_proj_a``): ``qwen3_5_text`` has a
dense SwiGLU of ``intermediate_size`` in every layer, ``qwen3_5_moe_text`` the sparse block
(with shared expert and gate) in every layer (no ``mlp_only_layers`` / ``decoder_sparse_step``),
256 experts and top-8 by default.

Lara-mini (``modeling_lara_mini.py``): the Qwen3.5 Gated DeltaNet, the sparse block with an
ungated shared expert in every layer (128 experts, top-4, shared width 512 by default), and
Qwen3 attention without the output gate (per-head QK-norm); ``layer_types`` (default: the
period-5 pattern linear, sliding, linear, full, sliding) places it; sliding layers get
``sliding_window`` (default 512) and RoPE, full layers no RoPE (LaraMiniModel passes them no
position embeddings). head_dim 128, tied embeddings by default.

``qwen3_5`` / ``qwen3_5_moe`` (Qwen3_5ForConditionalGeneration, Qwen3_5MoeForConditionalGeneration)
nest that text model in ``text_config`` (the config class fixes its type). AutoModelForCausalLM
builds the text model alone from it (Qwen3_5ForCausalLM, tied by text_config's own
``tie_word_embeddings``): that is the total. The checkpoint, and the ConditionalGeneration
model (tied by its top-level flag), also hold, reported under ``params.vision_not_built``,
Qwen3_5VisionModel (``vision_config``, Qwen3_5VisionConfig defaults when
absent): a Conv3d patch embedding with bias, a learned position table
(``num_position_embeddings``), ``depth`` blocks, and the patch merger into ``out_hidden_size``,
which is the projector (no deepstack mergers are built).
"""

from __future__ import annotations

from axes.backbone.families._common import (
    NO_WIDTH,
    build,
    drop_note,
    header,
    layer_types_mixers,
    read_core,
    read_rope,
    sliding_window,
    unwindowed,
)
from axes.backbone.families._wrapper import (
    has_text_config,
    read_text_model,
    under,
    vision_config,
)
from axes.backbone.families.qwen3_moe import sparse_layers
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView, VisionSpec

MODEL_TYPES = (
    "qwen3_next",
    "qwen3_5_text",
    "qwen3_5_moe_text",
    "qwen3_5",
    "qwen3_5_moe",
    "lara_mini",
)
WRAPPERS = {"qwen3_5": "qwen3_5_text", "qwen3_5_moe": "qwen3_5_moe_text"}


def read(view: ConfigView) -> ArchSpec:
    mt = view.raw.get("model_type")
    text_type = WRAPPERS.get(mt) if isinstance(mt, str) else None
    if text_type:
        return read_wrapper(view, text_type)
    head = header(view, "qwen3_next")
    if head["model_type"] == "lara_mini":
        return _lara_mini(view, head)
    core = read_core(
        view, family="qwen3_next", tie_default=False, head_dim_default=256, max_pos_default=32768
    )
    read_rope(view, core)
    n = core["num_layers"]
    mixers = layer_types_mixers(view, n)
    if mixers is None:
        interval = view.int("full_attention_interval", default=4, field_name="layer_types")
        mixers = [
            "attention" if interval > 0 and (i + 1) % interval == 0 else "linear_attention"
            for i in range(n)
        ]
    mt = head["model_type"]
    if mt == "qwen3_5_text":
        return build(
            {**core, **head},
            layers_from(mixers, "mlp"),
            **_attention_fields(view),
            **_deltanet_fields(view),
        )
    qwen3_5 = mt == "qwen3_5_moe_text"
    experts = view.int(
        "num_experts",
        "num_local_experts",
        default=256 if qwen3_5 else 512,
        field_name="num_experts",
    )
    sparse = [experts > 0] * n if qwen3_5 else sparse_layers(view, n, experts)
    shared = view.int(
        "shared_expert_intermediate_size", default=512, field_name="shared_expert_intermediate_size"
    )
    return build(
        {**core, **head},
        layers_from(mixers, ["moe" if s else "mlp" for s in sparse]),
        **_attention_fields(view),
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=8 if qwen3_5 else 10, field_name="experts_per_token"
        ),
        moe_intermediate_size=view.int(
            "moe_intermediate_size", default=512, field_name="moe_intermediate_size"
        ),
        num_shared_experts=1 if shared else 0,
        shared_expert_intermediate_size=shared,
        shared_expert_gate=True,  # built even at width 0
        norm_topk_prob=view.bool("norm_topk_prob", default=True),
        router_scoring="softmax",
        **_deltanet_fields(view),
    )


# configuration_lara_mini.py: the released layer pattern, repeated
_LARA_PATTERN = (
    "linear_attention",
    "sliding_attention",
    "linear_attention",
    "attention",
    "sliding_attention",
)


def _lara_mini(view: ConfigView, head: dict) -> ArchSpec:
    core = read_core(
        view, family="qwen3_next", tie_default=True, head_dim_default=128, max_pos_default=131072
    )
    read_rope(view, core)
    n = core["num_layers"]
    if not view.has("intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"):
        drop_note(view, NO_WIDTH)  # none is built
    mixers = layer_types_mixers(view, n) or [_LARA_PATTERN[i % 5] for i in range(n)]
    window = sliding_window(view, 512)
    mixers = unwindowed(view, mixers, window=window)
    extra: dict = {}
    full = mixers.count("attention")
    if full:  # LaraMiniModel: position_embeddings only for the sliding layers
        extra.update(nope_layers=full, positional="rope+nope")
    experts = view.int("num_experts", "num_local_experts", default=128, field_name="num_experts")
    shared = view.int(
        "shared_expert_intermediate_size", default=512, field_name="shared_expert_intermediate_size"
    )
    bias = view.bool("attention_bias", default=False)
    return build(
        {**core, **head},
        layers_from(mixers, "moe" if experts > 0 else "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="per_head",
        sliding_window=window if "sliding_attention" in mixers else None,
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=4, field_name="experts_per_token"
        ),
        moe_intermediate_size=view.int(
            "moe_intermediate_size", default=512, field_name="moe_intermediate_size"
        ),
        num_shared_experts=1 if shared else 0,
        shared_expert_intermediate_size=shared,
        norm_topk_prob=view.bool("norm_topk_prob", default=True),
        router_scoring="softmax",
        **_deltanet_fields(view, key_heads=8, value_heads=16),
        **extra,
    )


def _attention_fields(view: ConfigView) -> dict:
    """The gated full-attention block (q_proj doubled for the output gate, per-head QK-norm)."""
    bias = view.bool("attention_bias", default=False)
    return {"qkv_bias": bias, "o_bias": bias, "qk_norm": "per_head", "attention_output_gate": True}


def _deltanet_fields(view: ConfigView, *, key_heads: int = 16, value_heads: int = 32) -> dict:
    return {
        "linear_num_key_heads": view.int("linear_num_key_heads", default=key_heads),
        "linear_num_value_heads": view.int("linear_num_value_heads", default=value_heads),
        "linear_key_head_dim": view.int("linear_key_head_dim", default=128),
        "linear_value_head_dim": view.int("linear_value_head_dim", default=128),
        "linear_attention_kind": "gated_deltanet",
        "linear_conv_kernel": view.int("linear_conv_kernel_dim", default=4),
    }


def read_wrapper(view: ConfigView, text_type: str) -> ArchSpec:
    spec = read_text_model(view, text_type)
    if not has_text_config(view):
        return spec
    # tied by text_config's own flag, as AutoModelForCausalLM (Qwen3_5ForCausalLM, the
    # text model) builds it; Qwen3_5ForConditionalGeneration would follow the top-level one
    sub = vision_config(view)
    with under("vision_config"):  # Qwen3_5VisionConfig defaults (configuration_qwen3_5.py)
        spec.vision = VisionSpec(
            kind="qwen3_5",
            hidden_size=sub.int("hidden_size", default=1152),
            num_layers=sub.int("depth", default=27),
            intermediate_size=sub.int("intermediate_size", default=4304),
            num_attention_heads=sub.int("num_heads", default=16),
            num_channels=sub.int("in_channels", default=3),
            image_size=0,  # any size: positions are interpolated from the learned table
            patch_size=sub.int("patch_size", default=16),
            use_head=False,
            projector="",
            temporal_patch_size=sub.int("temporal_patch_size", default=2),
            num_position_embeddings=sub.int("num_position_embeddings", default=2304),
            spatial_merge_size=sub.int("spatial_merge_size", default=2),
            output_dim=sub.int("out_hidden_size", default=3584),
        )
    spec.vision_built = False  # AutoModelForCausalLM builds Qwen3_5ForCausalLM, text only
    return spec
