"""Mllama (``mllama``: Llama 3.2 Vision; ``mllama_text_model``, the config a saved
MllamaForCausalLM carries): ``modeling_mllama.py`` MllamaForCausalLM, what
AutoModelForCausalLM builds for both.

- MllamaForCausalLM builds the text model of ``config.get_text_config()`` (the wrapper's
  ``text_config``; without one, MllamaTextConfig's defaults, whatever the top-level keys say)
  and an lm_head. The vision tower (MllamaVisionModel) and the multi-modal projector are
  MllamaForConditionalGeneration's: not built here, so out of the total and reported under
  ``vision_not_built`` (VisionSpec kind "mllama", ``params.py`` _mllama_vision_params);
- MllamaTextModel: ``embed_tokens`` of vocab_size + 8 rows (the image and padding tokens);
  the layers listed in ``cross_attention_layers`` (default [3, 8, ..., 38]) are
  MllamaCrossAttentionDecoderLayer: cross-attention q/k/v/o as the self-attention's, plus
  ``q_norm`` / ``k_norm`` (RMSNorm(head_dim)) and the tanh gates ``cross_attn_attn_gate`` /
  ``cross_attn_mlp_gate`` (one scalar each), the MLP and two RMSNorms; every other layer is a
  Llama block (q/k/v/o without biases, SwiGLU, two RMSNorms). head_dim is hidden // heads (a
  ``head_dim`` key is not read). The lm_head (vocab_size rows) is never tied: the two
  tables differ in size and MllamaForCausalLM declares no tied weights;
- KV cache: the cross-attention layers' K/V come from the image (the vision tower's output,
  projected to the text hidden size), computed once per image and cached per image, not per
  text token: the KV per token counts the self-attention layers only, and a note gives the
  cross-attention cache of one image.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import build, header, read_core, read_rope
from axes.backbone.families._wrapper import has_text_config, under
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView, VisionSpec

MODEL_TYPES = ("mllama", "mllama_text_model")
CROSS_DEFAULT = [3, 8, 13, 18, 23, 28, 33, 38]  # configuration_mllama.py MllamaTextConfig
EXTRA_ROWS = 8  # MllamaTextModel.embed_tokens: vocab_size + 8


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "mllama")
    if head["model_type"] == "mllama_text_model":
        spec = _read_text(view)
    else:
        if has_text_config(view):
            text = view.raw["text_config"]
        else:
            text = {}
            view.notes.append(
                "config.json has no text_config: transformers builds MllamaTextConfig's "
                "default text model, whatever the top-level keys say; counted so"
            )
        inner = ConfigView({**text, "model_type": "mllama_text_model"})
        with under("text_config"):
            spec = _read_text(inner)
        view.notes.extend(inner.notes)
        view.sources.update({k: f"text_config.{v}" for k, v in inner.sources.items()})
        spec.vision = _vision(view)
        spec.vision_built = False  # MllamaForConditionalGeneration's, not MllamaForCausalLM's
    _cross_cache_note(view, spec)
    spec.model_type = head["model_type"]
    spec.architectures = head["architectures"]
    return spec


def _read_text(view: ConfigView) -> ArchSpec:
    core = read_core(view, family="mllama", tie_default=False, max_pos_default=131072)
    read_rope(view, core)
    heads = core["num_attention_heads"]
    core["head_dim"] = core["hidden_size"] // heads if heads else 0
    view.sources.pop("head_dim", None)
    if core["tied_embeddings"]:
        view.notes.append(
            "tie_word_embeddings is true, but modeling_mllama.py ties no weights: the lm_head is "
            "counted apart from the input embedding"
        )
    core["tied_embeddings"] = False
    n, h, hd = core["num_layers"], core["hidden_size"], core["head_dim"]
    cross = _cross_layers(view, n)
    extras: list[tuple[int | None, str, int, int]] = [(None, "embeddings", EXTRA_ROWS * h, 0)]
    for i in cross:
        extras.append((i, "attention", 2 * hd, 0))  # q_norm, k_norm
        extras.append((i, "other", 2, 0))  # cross_attn_attn_gate, cross_attn_mlp_gate
    return build(
        core,
        layers_from(["attention"] * n, "mlp"),
        model_type="mllama_text_model",
        layer_extras=extras,
        lookup_params=EXTRA_ROWS * h,
        cross_attention_layers=cross or None,
        kv_uncached=cross or None,  # their K/V are the image's, cached per image
    )


def _cross_layers(view: ConfigView, n: int) -> list[int]:
    """The indices of ``cross_attention_layers`` below num_hidden_layers (MllamaTextModel
    checks ``layer_idx in cross_attention_layers``: others are never reached), sorted."""
    raw = view.list("cross_attention_layers", field_name="cross_attention_layers")
    if raw is None:
        raw = CROSS_DEFAULT
    path = view.sources.get("cross_attention_layers", "cross_attention_layers")
    out: set[int] = set()
    for i, entry in enumerate(raw):
        if type(entry) is not int:
            raise ConfigError(
                f"{path}[{i}] must be an integer, not {entry!r}. Fix the value in config.json "
                "and retry.",
                key=path,
            )
        if 0 <= entry < n:
            out.add(entry)
    return sorted(out)


def _cross_cache_note(view: ConfigView, spec: ArchSpec) -> None:
    """The cross-attention layers' K/V of one image (MllamaVisionModel: max_num_tiles tiles
    of (image_size // patch_size)^2 + 1 tokens each), in bf16."""
    cross = spec.cross_attention_layers
    if not cross:
        return
    vc = view.raw.get("vision_config")
    vision = ConfigView(vc if isinstance(vc, dict) else {})
    with under("vision_config"):
        image = vision.raw_get("image_size", default=448)
        patch = vision.raw_get("patch_size", default=14)
        tiles = vision.int("max_num_tiles", default=4)
    image, patch = _side(image), _side(patch)
    if not image or not patch:
        return
    tokens = tiles * ((image // patch) ** 2 + 1)
    per_image = tokens * len(cross) * 2 * spec.num_kv_heads * spec.head_dim * 2
    view.notes.append(
        f"the {len(cross)} cross-attention layers attend to the image, not to the text: their "
        f"K/V are cached once per image ({tokens:,} image tokens, {per_image:,} bytes in bf16) "
        "and are not in the KV cache per token, nor their attention over them in the FLOPs; a "
        "prompt without an image skips these layers"
    )


ASPECT_RATIOS = 8  # MllamaVisionConfig's default supported_aspect_ratios


def _vision(view: ConfigView) -> VisionSpec | None:
    """MllamaVisionConfig (configuration_mllama.py defaults), for vision_not_built."""
    vc = view.raw.get("vision_config")
    sub = ConfigView(vc if isinstance(vc, dict) else {})
    with under("vision_config"):
        image = _side(sub.raw_get("image_size", default=448))
        patch = _side(sub.raw_get("patch_size", default=14))
        ratios = sub.list("supported_aspect_ratios")
        if not image or not patch:
            return None
        return VisionSpec(
            kind="mllama",
            hidden_size=sub.int("hidden_size", default=1280),
            num_layers=sub.int("num_hidden_layers", default=32),
            intermediate_size=sub.int("intermediate_size", default=5120),
            num_attention_heads=sub.int("attention_heads", default=16),
            num_channels=sub.int("num_channels", default=3),
            image_size=image,
            patch_size=patch,
            use_head=False,
            projector="mllama_mm_projector",
            output_dim=sub.int("vision_output_dim", default=7680),
            global_layers=sub.int("num_global_layers", default=8),
            max_num_tiles=sub.int("max_num_tiles", default=4),
            aspect_ratios=ASPECT_RATIOS if ratios is None else len(ratios),
        )


def _side(value: Any) -> int:
    """An image or patch size: an integer, or the first of a [height, width] pair."""
    if isinstance(value, list | tuple) and value:
        value = value[0]
    return value if type(value) is int and value > 0 else 0
