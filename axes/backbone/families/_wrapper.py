"""Multimodal wrappers (``<Type>ForConditionalGeneration``): a text model nested in
``text_config``, read by that text model's own family, plus a vision tower and projector
counted under ``vision``.

The wrapper's ``text_config`` is read on its own (a ``ConfigView`` of that dict), as
transformers builds it: the wrapper's top-level keys do not reach the text model. Its key paths
are quoted as ``text_config.<key>``. A wrapper without a ``text_config`` gets the config
class's default text model in transformers, not one from its top-level keys: it stays on the
generic reading, marked estimated, with a note.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from axes.backbone.errors import ConfigError
from axes.backbone.families import generic
from axes.backbone.families._common import header
from axes.backbone.spec import ArchSpec, ConfigView


def has_text_config(view: ConfigView) -> bool:
    text = view.raw.get("text_config")
    return isinstance(text, dict) and bool(text)


def read_text_model(view: ConfigView, text_type: str) -> ArchSpec:
    """The text model of ``text_config`` read as ``text_type`` (the wrapper's config class
    fixes it, or ``text_config.model_type`` names it), relabelled as the wrapper."""
    from axes.backbone.families import family_for  # the registry imports this module

    head = header(view, text_type)
    if not has_text_config(view):
        spec = generic.read(view)
        # generic's "not one of the families" note would be wrong: the wrapper is, its
        # text model is not where the generic reading looks
        spec.notes[:] = [n for n in spec.notes if not n.startswith("model_type ")]
        spec.notes.append(
            f"config.json has no text_config: for model_type {head['model_type']!r} "
            "transformers builds the config class's default text model, not one from the "
            "top-level keys; counted from those keys as a Llama-style decoder, so every figure "
            "is an estimate"
        )
        return spec
    inner = ConfigView({**view.raw["text_config"], "model_type": text_type})
    inner.prefix = "text_config."
    module = family_for(text_type, inner.raw)
    with under("text_config"):
        spec = module.read(inner)
    spec.model_type = head["model_type"]
    spec.architectures = head["architectures"]
    view.notes.extend(inner.notes)
    view.sources.update({k: f"text_config.{v}" for k, v in inner.sources.items()})
    return spec


def top_level_tie(view: ConfigView, default: bool) -> bool:
    """``tie_word_embeddings`` of the wrapper itself (Mistral3ForConditionalGeneration and
    Qwen3_5ForConditionalGeneration tie by their own config's flag, not text_config's)."""
    top = ConfigView({k: v for k, v in view.raw.items() if k != "text_config"})
    tied = top.bool("tie_word_embeddings", default=default)
    view.sources["tied_embeddings"] = "tie_word_embeddings"
    return tied


def vision_config(view: ConfigView, defaults: dict[str, Any] | None = None) -> ConfigView:
    """The ``vision_config`` dict (absent or null: the wrapper's default tower, ``defaults``
    or the vision config class's own defaults), as a view."""
    vc = view.raw.get("vision_config")
    view.sources["vision"] = "vision_config"
    if not isinstance(vc, dict):
        return ConfigView(dict(defaults or {}))
    return ConfigView(vc)


@contextmanager
def under(prefix: str) -> Iterator[None]:
    """A ConfigError raised while reading a nested dict names its key under ``prefix``
    (``vision_config.hidden_size``), so the message and the UI point at the right key."""
    try:
        yield
    except ConfigError as exc:
        key = exc.key
        if not key or key.startswith(f"{prefix}."):
            raise
        message = str(exc).replace(key, f"{prefix}.{key}", 1)
        raise ConfigError(message, key=f"{prefix}.{key}") from exc
