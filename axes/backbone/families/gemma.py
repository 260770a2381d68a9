"""Gemma 1 / 2 / 3 (text and the Gemma 3 vision-language model).

- gemma (``modeling_gemma.py``): Llama block, GeGLU, tied embeddings, head_dim default 256;
  full attention in every layer (layer_types is not read).
- gemma2 (``modeling_gemma2.py``): sandwich norms (input, post_attention, pre_feedforward,
  post_feedforward: 4 per layer); alternating sliding/full (configuration_gemma2.py:
  sliding when ``(i + 1) % 2``).
- gemma3 / gemma3_text (``modeling_gemma3.py``): gemma2 block plus per-head q_norm/k_norm;
  local/global from ``layer_types`` or ``sliding_window_pattern`` (default 6: sliding when
  ``(i + 1) % 6``). Sliding layers get ``sliding_window`` (default 4096; null: no window,
  full attention). With ``vision_config`` (Gemma3ForConditionalGeneration) the SigLIP vision
  tower (``modeling_siglip.py``) and ``Gemma3MultiModalProjector`` (``mm_input_projection_weight``
  vision_hidden x text_hidden, ``mm_soft_emb_norm`` vision_hidden) are in the model too;
  a gemma3 config without ``vision_config`` gets SiglipVisionConfig's defaults (Gemma3Config).
- vaultgemma (``modeling_vaultgemma.py``): the gemma2 block with two norms a layer only
  (input_layernorm, pre_feedforward_layernorm: no post norms); sliding/full from
  ``layer_types`` (configuration_vaultgemma.py default: gemma2's alternation).
"""

from __future__ import annotations

from typing import Any

from axes.backbone.families._common import (
    CLASS_DEFAULT,
    build,
    default_note,
    header,
    layer_types_mixers,
    read_core,
    read_rope,
    sliding_window,
    uniform_attention,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView, VisionSpec

MODEL_TYPES = ("gemma", "gemma2", "gemma3", "gemma3_text", "vaultgemma")
GEMMA3_LOCAL_ROPE_BASE = 10_000  # Gemma3TextConfig.default_theta["local"]
GEMMA3_GLOBAL_ROPE_BASE = 1_000_000  # Gemma3TextConfig.default_theta["global"]
# max_position_embeddings defaults of configuration_gemma.py / gemma2 / gemma3 (Gemma3TextConfig)
MAX_POSITIONS = {
    "gemma": 8192,
    "gemma2": 8192,
    "gemma3": 131_072,
    "gemma3_text": 131_072,
    "vaultgemma": 8192,
}


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "gemma")
    mt = head["model_type"]
    core = read_core(
        view,
        family="gemma",
        tie_default=True,
        head_dim_default=256,
        max_pos_default=MAX_POSITIONS.get(mt),
    )
    read_rope(view, core)
    n = core["num_layers"]
    extra: dict[str, Any] = {}
    if mt == "gemma":
        mixers = uniform_attention(view, n, module="gemma")
        window = None
    else:
        window = sliding_window(view, 4096)
        mixers = layer_types_mixers(view, n)
        if mixers is None:
            period = (
                2
                if mt in ("gemma2", "vaultgemma")
                else view.int("sliding_window_pattern", default=6, field_name="layer_types")
            )
            mixers = [
                "sliding_attention" if period and (i + 1) % period else "attention"
                for i in range(n)
            ]
        mixers = unwindowed(view, mixers, window=window)
        if mt != "vaultgemma":  # VaultGemmaDecoderLayer: input and pre_feedforward norms only
            extra.update(norms_per_layer=4, norm_placement="sandwich")
        if mt in ("gemma3", "gemma3_text"):
            extra["qk_norm"] = "per_head"
            if core["rope_theta"] is None:
                # configuration_gemma3.py convert_rope_params_to_dict: the full layers'
                # rope_theta is rope_theta, else default_theta["global"]
                core["rope_theta"] = float(GEMMA3_GLOBAL_ROPE_BASE)
                view.sources["rope_theta"] = "rope_theta" + CLASS_DEFAULT
                default_note(view, "rope_theta", GEMMA3_GLOBAL_ROPE_BASE)
            if "sliding_rope_theta" not in core and "sliding_attention" in mixers:
                # configuration_gemma3.py Gemma3TextConfig.convert_rope_params_to_dict: the
                # sliding layers' rope_theta is rope_local_base_freq, else default_theta["local"]
                core["sliding_rope_theta"] = float(GEMMA3_LOCAL_ROPE_BASE)
                view.sources["sliding_rope_theta"] = "rope_local_base_freq" + CLASS_DEFAULT
                default_note(view, "rope_local_base_freq", GEMMA3_LOCAL_ROPE_BASE)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    if mt == "gemma3":
        vc = view.raw.get("vision_config")
        if vc is None:  # Gemma3Config.__post_init__: SiglipVisionConfig(), built all the same
            vc = {}
            view.notes.append(
                "config.json has no vision_config: transformers builds Gemma 3's default "
                "vision tower (a SigLIP of 12 layers, hidden size 768), counted as such"
            )
        if isinstance(vc, dict):
            extra["vision"] = read_siglip(vc)
            view.sources["vision"] = "vision_config" + ("" if vc else CLASS_DEFAULT)
    if "sliding_attention" not in mixers:
        window = None
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        sliding_window=window,
        **extra,
    )


def read_siglip(vc: dict[str, Any]) -> VisionSpec:
    """SiglipVisionConfig defaults (configuration_siglip.py) for missing keys."""
    sub = ConfigView(vc)
    return VisionSpec(
        kind="siglip",
        hidden_size=sub.int("hidden_size", default=768),
        num_layers=sub.int("num_hidden_layers", default=12),
        intermediate_size=sub.int("intermediate_size", default=3072),
        num_attention_heads=sub.int("num_attention_heads", default=12),
        num_channels=sub.int("num_channels", default=3),
        image_size=sub.int("image_size", default=224),
        patch_size=sub.int("patch_size", default=16),
        use_head=sub.bool("vision_use_head", default=True),
        projector="gemma3_mm_projector",
    )
