"""Phi-4-multimodal (``phi4_multimodal``): a Phi-3 decoder with a SigLIP vision tower and a
Conformer audio encoder, all three built by AutoModelForCausalLM.

``modeling_phi4_multimodal.py``:
- The decoder (Phi4MultimodalModel's layers) is Phi-3's: fused ``qkv_proj`` (hidden ->
  (heads + 2 x kv_heads) x hidden // heads, no bias), ``o_proj``, fused ``gate_up_proj``,
  ``down_proj``, two RMSNorms; partial RoPE (``partial_rotary_factor``), LongRoPE scaling;
  ``sliding_window`` (default none) applies to every layer.
- ``embed_tokens_extend`` holds the towers, from ``vision_config`` and ``audio_config``
  (absent: configuration_phi4_multimodal.py's defaults, which transformers builds):
  Phi4MultimodalImageEmbedding (a SigLIP tower with its pooling head, ``img_projection_up`` /
  ``img_projection_down`` and two feature extensors) and Phi4MultimodalAudioEmbedding (the
  Conformer encoder and the speech / vision-speech projector pairs). They are counted under
  the breakdown's ``vision`` and ``audio``.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import (
    NO_WIDTH,
    build,
    default_note,
    drop_note,
    header,
    read_core,
    read_rope,
    sliding_window,
    uniform_attention,
)
from axes.backbone.families._wrapper import under, vision_config
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, AudioSpec, ConfigView, VisionSpec

MODEL_TYPES = ("phi4_multimodal",)

# Phi4MultimodalConfig's decoder defaults a config.json may leave out (read_core's own are 0
# heads, kv = heads and 4 x hidden); only an explicit null num_key_value_heads means "as many
# as the heads" (its __post_init__)
HEADS_DEFAULT = 32
KV_HEADS_DEFAULT = 8
INTERMEDIATE_DEFAULT = 8192

# configuration_phi4_multimodal.py Phi4MultimodalVisionConfig / Phi4MultimodalAudioConfig
VISION_DEFAULTS: dict[str, Any] = {
    "hidden_size": 1152,
    "intermediate_size": 4304,
    "num_hidden_layers": 27,
    "num_attention_heads": 16,
    "num_channels": 3,
    "image_size": 448,
    "patch_size": 14,
}
AUDIO_DEFAULTS: dict[str, Any] = {
    "hidden_size": 1024,
    "intermediate_size": 1536,
    "num_blocks": 24,
    "num_attention_heads": 16,
    "ext_pw_out_channel": 1024,
    "depthwise_separable_out_channel": 1024,
    "depthwise_multiplier": 1,
    "kernel_size": 3,
    "input_size": 80,
    "time_reduction": 8,
    "bias_max_distance": 1000,
    "nemo_conv_channels": 1024,
    "downsample_rate": 1,
}


def _audio_config(view: ConfigView) -> ConfigView:
    """The ``audio_config`` dict as a view (absent or null: the class's defaults), as
    ``vision_config`` reads the vision tower's."""
    sub = view.raw.get("audio_config")
    view.sources["audio"] = "audio_config"
    return ConfigView(sub if isinstance(sub, dict) else {})


def read_vision(view: ConfigView) -> VisionSpec:
    sub = vision_config(view)
    d = VISION_DEFAULTS
    with under("vision_config"):
        return VisionSpec(
            kind="phi4_multimodal",
            hidden_size=sub.int("hidden_size", default=d["hidden_size"]),
            num_layers=sub.int("num_hidden_layers", default=d["num_hidden_layers"]),
            intermediate_size=sub.int("intermediate_size", default=d["intermediate_size"]),
            num_attention_heads=sub.int("num_attention_heads", default=d["num_attention_heads"]),
            num_channels=sub.int("num_channels", default=d["num_channels"]),
            image_size=sub.int("image_size", default=d["image_size"]),
            patch_size=sub.int("patch_size", default=d["patch_size"]),
            use_head=True,  # Phi4MultimodalVisionModel always builds its pooling head
            projector="phi4_multimodal_projector",
        )


def read_audio(view: ConfigView) -> AudioSpec:
    sub = _audio_config(view)
    d = AUDIO_DEFAULTS
    with under("audio_config"):
        values = {k: sub.int(k, default=v) for k, v in d.items()}
        symmetric = sub.bool("bias_symmetric", default=False)
    return AudioSpec(
        kind="phi4_multimodal",
        hidden_size=values["hidden_size"],
        num_layers=values["num_blocks"],
        intermediate_size=values["intermediate_size"],
        num_attention_heads=values["num_attention_heads"],
        input_size=values["input_size"],
        time_reduction=values["time_reduction"],
        nemo_conv_channels=values["nemo_conv_channels"],
        ext_pw_out_channel=values["ext_pw_out_channel"],
        depthwise_separable_out_channel=values["depthwise_separable_out_channel"],
        depthwise_multiplier=values["depthwise_multiplier"],
        kernel_size=values["kernel_size"],
        # Phi4MultimodalAudioRelativeAttentionBias: bias_max_distance rows, twice that when
        # the bias is not symmetric
        bias_buckets=values["bias_max_distance"] * (1 if symmetric else 2),
        downsample_rate=values["downsample_rate"],
    )


def _given(view: ConfigView, key: str) -> bool:
    """Whether config.json names ``key`` at all, null included (``view.has`` reads a null
    as absent)."""
    return key in view.raw or key in view.text


def _class_defaults(view: ConfigView, core: dict[str, Any]) -> None:
    """Phi4MultimodalConfig's defaults where config.json gives no value (as beam.read does): a
    config without num_key_value_heads was counted with as many KV heads as query heads, and
    one without intermediate_size with 4 x hidden_size, neither what transformers builds."""
    if not view.has("intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"):
        core["intermediate_size"] = INTERMEDIATE_DEFAULT
        drop_note(view, NO_WIDTH)  # read_core's 4 x hidden: the class default instead
        default_note(view, "intermediate_size", INTERMEDIATE_DEFAULT)
    if "num_attention_heads" not in view.sources:
        core["num_attention_heads"] = HEADS_DEFAULT
        default_note(view, "num_attention_heads", HEADS_DEFAULT)
        if "head_dim" not in view.sources:  # hidden // heads, as modeling_phi4_multimodal.py
            core["head_dim"] = core["hidden_size"] // HEADS_DEFAULT
        if "num_kv_heads" not in view.sources:  # read_core's kv = heads was 0 heads
            core["num_kv_heads"] = HEADS_DEFAULT
    if "num_kv_heads" not in view.sources and not _given(view, "num_key_value_heads"):
        core["num_kv_heads"] = KV_HEADS_DEFAULT
        default_note(view, "num_key_value_heads", KV_HEADS_DEFAULT)
    heads, kv = core["num_attention_heads"], core["num_kv_heads"]
    if heads and kv and heads % kv:  # read_core's check, on the defaults
        raise ConfigError(
            f"num_attention_heads ({heads}) is not a multiple of num_key_value_heads ({kv})",
            key="num_key_value_heads",
        )


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "phi4_multimodal")
    core = read_core(view, family="phi4_multimodal", tie_default=False, max_pos_default=131072)
    _class_defaults(view, core)
    read_rope(view, core)
    window = sliding_window(view, None)
    mixers = uniform_attention(
        view, core["num_layers"], module="phi4_multimodal", sliding=window is not None
    )
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        fused_qkv=True,
        sliding_window=window,
        vision=read_vision(view),
        audio=read_audio(view),
    )
