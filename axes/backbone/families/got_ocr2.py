"""GOT-OCR 2.0 (``got_ocr2``): ``modeling_got_ocr2.py`` GotOcr2ForConditionalGeneration, a
Qwen2 decoder fed by a SAM ViT and a conv projector.

- the text model is ``AutoModel.from_config(text_config)``: ``text_config.model_type`` names it
  (``qwen2`` by default), read by that family; a text_config dict gets that config class's own
  defaults for the keys it lacks. Without a text_config transformers builds
  configuration_got_ocr2.py's default text model (TEXT_DEFAULTS, a Qwen2 of 24 layers), counted
  as such with a note;
- the lm_head ties to the embedding by GotOcr2Config's own ``tie_word_embeddings`` (default
  true), not text_config's;
- the vision tower (GotOcr2VisionEncoder, from ``vision_config``: GotOcr2VisionConfig's
  defaults for missing keys) has windowed layers and global ones (``global_attn_indexes``),
  relative position tables sized by each layer's window, and a conv neck; the projector
  (GotOcr2MultiModalProjector) upsamples the neck's channels to the text hidden size with two
  stride-2 convs and a linear. Both are counted under ``vision``.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.families._wrapper import (
    has_text_config,
    read_text_model,
    top_level_tie,
    under,
    vision_config,
)
from axes.backbone.spec import ArchSpec, ConfigView, VisionSpec

MODEL_TYPES = ("got_ocr2",)
# configuration_got_ocr2.py sub_configs_defaults["text_config"].init_kwargs (model_type qwen2)
TEXT_DEFAULTS: dict[str, Any] = {
    "model_type": "qwen2",
    "vocab_size": 151860,
    "hidden_size": 1024,
    "intermediate_size": 2816,
    "num_hidden_layers": 24,
    "num_attention_heads": 16,
    "num_key_value_heads": 16,
    "hidden_act": "silu",
    "max_position_embeddings": 32768,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
    "rope_theta": 1000000.0,
    "use_sliding_window": False,
    "sliding_window": 4096,
    "max_window_layers": 21,
}
GLOBAL_LAYERS_DEFAULT = (2, 5, 8, 11)


def read(view: ConfigView) -> ArchSpec:
    if not has_text_config(view):
        view.raw = {**view.raw, "text_config": dict(TEXT_DEFAULTS)}
        view.notes.append(
            "config.json has no text_config: transformers builds GOT-OCR 2's default text "
            "model (a Qwen2 of 24 layers, hidden size 1,024), counted as such"
        )
    text = view.raw["text_config"]
    spec = read_text_model(view, str(text.get("model_type") or "qwen2"))
    spec.tied_embeddings = top_level_tie(view, default=True)
    sub = vision_config(view)
    with under("vision_config"):
        spec.vision = _read_vision(sub)
    return spec


def _read_vision(sub: ConfigView) -> VisionSpec:
    """GotOcr2VisionConfig defaults (configuration_got_ocr2.py) for missing keys."""
    n = sub.int("num_hidden_layers", default=12)
    window = sub.int("window_size", default=14)
    listed = sub.list("global_attn_indexes")
    listed = GLOBAL_LAYERS_DEFAULT if listed is None else listed
    # GotOcr2VisionEncoder: layer i is global when i is in global_attn_indexes, and a window of
    # 0 is none (the whole grid)
    global_layers = {i for i in listed if type(i) is int and 0 <= i < n}
    return VisionSpec(
        kind="got_ocr2",
        hidden_size=sub.int("hidden_size", default=768),
        num_layers=n,
        intermediate_size=sub.int("mlp_dim", default=3072),
        num_attention_heads=sub.int("num_attention_heads", default=12),
        num_channels=sub.int("num_channels", default=3),
        image_size=sub.int("image_size", default=1024),
        patch_size=sub.int("patch_size", default=16),
        use_head=False,
        projector="got_ocr2_mm_projector",
        output_dim=sub.int("output_channels", default=256),
        window_size=window,
        windowed_layers=(n - len(global_layers)) if window else 0,
        qkv_bias=sub.bool("qkv_bias", default=True),
        abs_pos=sub.bool("use_abs_pos", default=True),
        rel_pos=sub.bool("use_rel_pos", default=True),
    )
