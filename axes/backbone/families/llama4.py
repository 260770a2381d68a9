"""Llama 4's text model (llama4_text): interleaved MoE, chunked attention, NoPE layers.

``configuration_llama4.py`` Llama4TextConfig: ``no_rope_layers`` (1 = RoPE, default: every
``no_rope_layer_interval``-th layer is NoPE); ``layer_types``: RoPE layers use chunked
attention of ``attention_chunk_size`` tokens (NoPE layers attend globally); MoE layers are
``moe_layers`` or every ``interleave_moe_layer_step``-th layer. ``modeling_llama4.py``:
- Llama4TextAttention: q/k/v/o with ``attention_bias``, head_dim default 128; its QK-norm is a
  parameter-free L2 norm;
- Llama4TextMoe: router (num_local_experts x hidden, no bias, sigmoid), fused experts of
  ``intermediate_size``, one SwiGLU ``shared_expert`` of ``intermediate_size``; other layers
  are a dense SwiGLU of ``intermediate_size_mlp``.
Chunked layers are counted like sliding ones: their KV cache holds at most one chunk.

``llama4`` (Llama4ForConditionalGeneration, Llama 4 Scout / Maverick) nests that text model in
``text_config`` (tied by text_config's own ``tie_word_embeddings``). AutoModelForCausalLM
builds that text model alone (Llama4ForCausalLM): that is the total. The checkpoint and the
ConditionalGeneration model also hold, reported under ``params.vision_not_built``:
Llama4VisionModel (``vision_config``, Llama4VisionConfig defaults when absent) and
Llama4MultiModalProjector (``vision_output_dim`` -> text hidden, no bias).
"""

from __future__ import annotations

from axes.backbone.families._common import (
    attention_mixers,
    build,
    header,
    layer_indices,
    read_core,
    read_rope,
)
from axes.backbone.families._wrapper import has_text_config, read_text_model, under, vision_config
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView, VisionSpec

MODEL_TYPES = ("llama4_text", "llama4")


def read(view: ConfigView) -> ArchSpec:
    if view.raw.get("model_type") == "llama4":
        return read_wrapper(view)
    head = header(view, "llama4_text")
    core = read_core(
        view, family="llama4", tie_default=False, head_dim_default=128, max_pos_default=131072
    )
    read_rope(view, core)
    n = core["num_layers"]
    experts_width = core["intermediate_size"]
    core["intermediate_size"] = view.int(
        "intermediate_size_mlp", default=16384, field_name="intermediate_size"
    )
    rope_flags = view.list("no_rope_layers", field_name="no_rope_layers")
    if not rope_flags:
        interval = view.int("no_rope_layer_interval", default=4)
        rope_flags = [int(interval == 0 or (i + 1) % interval != 0) for i in range(n)]
    chunk = view.int("attention_chunk_size", default=None, field_name="sliding_window")
    if chunk is None and "attention_chunk_size" not in view._values:
        chunk = 8192  # absent: the default; null: no chunking (every layer global)
    if view.has("layer_types"):
        mixers = attention_mixers(view, n)
    else:
        mixers = [
            "sliding_attention" if flag and chunk is not None else "attention"
            for flag in rope_flags[:n]
        ]
    if "sliding_attention" not in mixers:
        chunk = None
    if view.list("moe_layers") is None:
        step = view.int("interleave_moe_layer_step", default=1)
        sparse = set(range(step - 1, n, step)) if step > 0 else set()
    else:
        sparse = layer_indices(view, "moe_layers", field_name="moe_layers")
    nope = sum(1 for flag in rope_flags[:n] if not flag)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(mixers, ["moe" if i in sparse else "mlp" for i in range(n)]),
        qkv_bias=bias,
        o_bias=bias,
        sliding_window=chunk,
        positional="rope+nope" if nope else "rope",
        nope_layers=nope,
        num_experts=view.int("num_local_experts", default=16, field_name="num_experts"),
        experts_per_token=view.int(
            "num_experts_per_tok", default=1, field_name="experts_per_token"
        ),
        moe_intermediate_size=experts_width,
        num_shared_experts=1,
        shared_expert_intermediate_size=experts_width,
        router_scoring="sigmoid",
    )


def read_wrapper(view: ConfigView) -> ArchSpec:
    spec = read_text_model(view, "llama4_text")
    if not has_text_config(view):
        return spec
    sub = vision_config(view)
    with under("vision_config"):  # Llama4VisionConfig defaults (configuration_llama4.py)
        spec.vision = VisionSpec(
            kind="llama4",
            hidden_size=sub.int("hidden_size", default=768),
            num_layers=sub.int("num_hidden_layers", default=34),
            intermediate_size=sub.int("intermediate_size", default=5632),
            num_attention_heads=sub.int("num_attention_heads", default=16),
            num_channels=sub.int("num_channels", default=3),
            image_size=sub.int("image_size", default=448),
            patch_size=sub.int("patch_size", default=14),
            use_head=False,
            projector="llama4_mm_projector",
            output_dim=sub.int("vision_output_dim", default=7680),
            projector_input_dim=sub.int("projector_input_dim", default=4096),
            projector_output_dim=sub.int("projector_output_dim", default=4096),
        )
    spec.vision_built = False  # AutoModelForCausalLM builds Llama4ForCausalLM, text only
    return spec
