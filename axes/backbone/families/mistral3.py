"""Mistral 3 (``mistral3``: Mistral Small 3.1 / 3.2, Magistral, Devstral, Ministral 3):
``modeling_mistral3.py`` Mistral3ForConditionalGeneration.

- the text model is ``AutoModel.from_config(text_config)``: ``text_config.model_type`` names it
  (``mistral`` by default, configuration_mistral3.py), read by that family; a text type the
  engine does not mirror gets the generic estimate;
- the lm_head ties by the wrapper's own ``tie_word_embeddings``, not text_config's. Mistral3Config
  defaults it to true, but the released checkpoints (saved by transformers 4, which tied by the
  text config) omit the key and store ``lm_head.weight`` apart, and transformers loads them
  untied. So an absent key reads text_config's flag (MistralConfig: false), with a note; an
  explicit one is the flag transformers builds with;
- the vision tower is Pixtral (``modeling_pixtral.py`` PixtralVisionModel); the projector
  (Mistral3MultiModalProjector) is an RMSNorm, the patch merger's ``merging_layer``
  (spatial_merge_size^2 x vision hidden -> vision hidden), ``linear_1`` (vision hidden x the
  number of ``vision_feature_layer``s -> text hidden) and ``linear_2`` (text hidden square),
  biased with ``multimodal_projector_bias``. Without ``vision_config`` transformers builds
  Mistral3Config's default tower (VISION_DEFAULTS), not PixtralVisionConfig's.
"""

from __future__ import annotations

from axes.backbone.families._wrapper import (
    has_text_config,
    read_text_model,
    top_level_tie,
    under,
    vision_config,
)
from axes.backbone.spec import ArchSpec, ConfigView, VisionSpec

MODEL_TYPES = ("mistral3",)
# configuration_mistral3.py sub_configs_defaults["vision_config"].init_kwargs
VISION_DEFAULTS = {
    "intermediate_size": 4096,
    "hidden_size": 1024,
    "patch_size": 14,
    "image_size": 1540,
    "num_hidden_layers": 24,
    "num_attention_heads": 16,
}


def read(view: ConfigView) -> ArchSpec:
    text = view.raw.get("text_config")
    text_type = (text.get("model_type") if isinstance(text, dict) else None) or "mistral"
    spec = read_text_model(view, str(text_type))
    if not has_text_config(view):
        return spec
    if view.raw.get("tie_word_embeddings") is not None:
        spec.tied_embeddings = top_level_tie(view, default=True)
    elif not spec.tied_embeddings:
        view.notes.append(
            "no tie_word_embeddings at the top of config.json: the lm_head is counted apart "
            "from the embedding, as Mistral 3 checkpoints store it and transformers loads them "
            "(a model built from this config alone would tie the two)"
        )
    sub = vision_config(view, VISION_DEFAULTS)
    top = ConfigView({k: v for k, v in view.raw.items() if k != "text_config"})
    layers = view.raw.get("vision_feature_layer", -1)
    with under("vision_config"):  # PixtralVisionConfig defaults (configuration_pixtral.py)
        spec.vision = VisionSpec(
            kind="pixtral",
            hidden_size=sub.int("hidden_size", default=1024),
            num_layers=sub.int("num_hidden_layers", default=24),
            intermediate_size=sub.int("intermediate_size", default=4096),
            num_attention_heads=sub.int("num_attention_heads", default=16),
            num_channels=sub.int("num_channels", default=3),
            image_size=sub.int("image_size", default=1024),
            patch_size=sub.int("patch_size", default=16),
            use_head=False,
            projector="mistral3_mm_projector",
            spatial_merge_size=top.int("spatial_merge_size", default=2),
            projector_bias=top.bool("multimodal_projector_bias", default=False),
            feature_layers=len(layers) if isinstance(layers, list) else 1,
        )
    return spec
