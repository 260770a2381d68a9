"""Fuyu (``fuyu``: adept/fuyu-8b): ``modeling_fuyu.py`` FuyuForCausalLM.

- the text model is ``AutoModel.from_config(text_config)``: ``persimmon`` by default
  (configuration_fuyu.py), read by that family (``phi.py``); a text type the engine does not
  mirror gets the generic estimate;
- Hub configs are flat (no ``text_config``): FuyuConfig.__post_init__ moves only the keys of
  its default text config's ``init_kwargs`` (plus rope_scaling and rope_theta) into the text
  config, so only those reach the Persimmon model; the rest keep PersimmonConfig's defaults
  (the text config's own tie_word_embeddings, num_key_value_heads, ... are never read);
- the image enters through ``vision_embed_tokens``, one biased Linear from a patch's pixels
  (patch_size^2 x num_channels) to the text hidden size: no vision tower. It is built by
  AutoModelForCausalLM and counted under ``vision``;
- the lm_head ties to the embedding by FuyuConfig's own ``tie_word_embeddings`` (default
  false), not the text config's.
"""

from __future__ import annotations

from axes.backbone.families import phi
from axes.backbone.families._common import header
from axes.backbone.families._wrapper import has_text_config, read_text_model, top_level_tie
from axes.backbone.spec import ArchSpec, ConfigView, VisionSpec

MODEL_TYPES = ("fuyu",)
# configuration_fuyu.py sub_configs_defaults["text_config"].init_kwargs, + rope_scaling and
# rope_theta: the flat keys __post_init__ hands to the text config
TEXT_KEYS = (
    "vocab_size",
    "max_position_embeddings",
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "hidden_act",
    "initializer_range",
    "layer_norm_eps",
    "use_cache",
    "qk_layernorm",
    "hidden_dropout",
    "attention_dropout",
    "eos_token_id",
    "rope_scaling",
    "rope_theta",
)


def read(view: ConfigView) -> ArchSpec:
    if has_text_config(view):
        text_type = view.raw["text_config"].get("model_type") or "persimmon"
        spec = read_text_model(view, str(text_type))
    else:
        spec = _read_flat(view)
    spec.tied_embeddings = top_level_tie(view, default=False)
    top = ConfigView({k: v for k, v in view.raw.items() if k != "text_config"})
    spec.vision = VisionSpec(
        kind="fuyu",
        hidden_size=0,
        num_layers=0,
        intermediate_size=0,
        num_attention_heads=0,
        num_channels=top.int("num_channels", default=3),
        image_size=top.int("image_size", default=300),
        patch_size=top.int("patch_size", default=30),
        use_head=False,
        projector="",
    )
    return spec


def _read_flat(view: ConfigView) -> ArchSpec:
    """A flat Fuyu config: the text keys FuyuConfig passes on, read as Persimmon."""
    head = header(view, "fuyu")
    inner = ConfigView(
        {"model_type": "persimmon", **{k: view.raw[k] for k in TEXT_KEYS if k in view.raw}}
    )
    spec = phi.read(inner)
    spec.model_type = head["model_type"]
    spec.architectures = head["architectures"]
    view.notes.extend(inner.notes)
    view.sources.update(inner.sources)
    return spec
