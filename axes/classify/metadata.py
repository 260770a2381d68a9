"""Facts from the card's YAML front matter: lineage, licence, datasets, languages, tags.

Datasets rule: a card that names a ``base_model`` was trained on top of another checkpoint, so
its ``datasets`` are the post-training data (``post_training.sft``); a card without one trained
from scratch, so its ``datasets`` are pretraining data (``context.pretraining``).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from axes.classify.rules import classify_rules
from axes.facts import Evidence, Fact
from axes.textfile import lone_surrogates_replace

SOURCE = "README.md"
EXTRACTOR = "metadata"
RELATIONS = ("finetune", "adapter", "merge", "quantized")


UNREADABLE_FRONT_MATTER = (
    "README.md front matter is not valid YAML; fix the block between the --- lines"
)


class CardMetadataError(ValueError):
    """The card's YAML front matter cannot be parsed."""


# Front matter is a flat mapping of short lists (tags, datasets, base_model); real cards stay
# far below both bounds. Past them, ``yaml.safe_load`` was a denial of service: nesting a few
# thousand deep raised RecursionError (a 500 on upload), and aliases of aliases (the "billion
# laughs") expanded a 500-byte card into millions of tags (a minute of CPU per upload).
CARD_YAML_MAX_DEPTH = 32
CARD_YAML_MAX_NODES = 100_000


class _BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses nesting past ``CARD_YAML_MAX_DEPTH`` and a document whose
    nodes, each alias counted as the whole node it repeats, pass ``CARD_YAML_MAX_NODES``."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}

    def _refuse(self, problem: str) -> yaml.YAMLError:
        event = self.peek_event()
        return yaml.composer.ComposerError(None, None, problem, event and event.start_mark)

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > CARD_YAML_MAX_DEPTH:
                raise self._refuse(f"nested deeper than {CARD_YAML_MAX_DEPTH} levels")
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if id(node) not in self._sizes:  # an alias returns its anchor's node, already sized
            children: list[Any] = []
            if isinstance(node, yaml.SequenceNode):
                children = node.value
            elif isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            size = 1 + sum(self._sizes.get(id(child), 1) for child in children)
            if size > CARD_YAML_MAX_NODES:
                raise self._refuse(f"over {CARD_YAML_MAX_NODES:,} values once aliases expand")
            self._sizes[id(node)] = size
        return node


def card_yaml_load(text: str) -> Any:
    """``yaml.safe_load`` for a card's front matter, bounded in depth and expanded size: too
    deep or too big raises ``yaml.YAMLError`` as malformed YAML does."""
    try:
        data = yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader subclass
        # "\ud800" in a double-quoted value parses to a lone surrogate, which no page can show
        return lone_surrogates_replace(data) if "\\" in text else data
    except RecursionError as exc:  # belt and braces: the depth bound comes first
        raise yaml.YAMLError("nested too deeply") from exc


def split_front_matter(card: str) -> tuple[dict[str, Any], int]:
    """(metadata dict, number of front-matter lines). Invalid YAML raises CardMetadataError."""
    lines = card.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            try:
                data = card_yaml_load("\n".join(lines[1:i])) or {}
            except yaml.YAMLError as exc:
                # one fixed sentence: the page shows it as a fact's value, in its language
                # (catalog.templatetags.mechanic.FIXED_VALUE_MSGIDS); PyYAML's class name
                # ("ComposerError") told a reader nothing
                raise CardMetadataError(UNREADABLE_FRONT_MATTER) from exc
            return (data if isinstance(data, dict) else {}), i + 1
    return {}, 0


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def _key_lines(card: str, key: str, n_lines: int) -> tuple[str, str] | None:
    """(locator "L3" / "L3-L5", exact text) of a top-level key in the front matter."""
    lines = card.splitlines()[:n_lines]
    for i, line in enumerate(lines):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            j = i + 1
            while j < len(lines) - 1 and (
                lines[j].startswith((" ", "-", "\t")) and lines[j].strip()
            ):
                j += 1
            locator = f"L{i + 1}" if j == i + 1 else f"L{i + 1}-L{j}"
            return locator, "\n".join(lines[i:j])
    return None


def infer_relation(meta: dict[str, Any]) -> str:
    """base_model_relation when stated; otherwise read from tags (merge / adapter / quantized)."""
    stated = str(meta.get("base_model_relation") or "").lower()
    if stated in RELATIONS:
        return stated
    tags = {t.lower() for t in _as_list(meta.get("tags"))}
    if tags & {"merge", "mergekit"}:
        return "merge"
    if tags & {"lora", "peft", "adapter", "qlora"} or meta.get("library_name") == "peft":
        return "adapter"
    if tags & {"gguf", "awq", "gptq", "quantized", "fp8", "exl2", "4-bit", "8-bit", "bitsandbytes"}:
        return "quantized"
    return "finetune"


def metadata_facts(card: str) -> list[Fact]:
    meta, n_lines = split_front_matter(card)
    if not meta:
        return []
    facts: list[Fact] = []

    def add(axis: str, kind: str, key: str, value: Any, conf: float = 1.0, **extra: Any) -> None:
        found = _key_lines(card, key, n_lines)
        shown = value if isinstance(value, str) else ", ".join(_as_list(value))
        locator, quoted = found if found else (key, f"{key}: {shown}")
        facts.append(
            Fact(
                axis,
                kind,
                value,
                Evidence(SOURCE, locator, quoted),
                confidence=conf,
                extractor=EXTRACTOR,
                extra=dict(extra),
            )
        )

    bases = _as_list(meta.get("base_model"))
    if bases:
        relation = infer_relation(meta)
        add(
            "post_training",
            "post_training.lineage",
            "base_model",
            {"base_models": bases, "relation": relation},
            1.0 if meta.get("base_model_relation") else 0.8,
            relation_stated=bool(meta.get("base_model_relation")),
        )
    for key in ("license", "license_name", "license_link"):
        if meta.get(key):
            add("context", "context.license", key, str(meta[key]))
    if meta.get("extra_gated_prompt") or meta.get("extra_gated_fields"):
        add(
            "context",
            "context.license",
            "extra_gated_prompt",
            "gated: access requires accepting conditions",
        )
    datasets = _as_list(meta.get("datasets"))
    if datasets:
        if bases:
            add(
                "post_training",
                "post_training.sft",
                "datasets",
                datasets,
                0.8,
                rule="base_model present: post-training data",
            )
        else:
            add(
                "context",
                "context.pretraining",
                "datasets",
                datasets,
                0.8,
                rule="no base_model: pretraining data",
            )
    languages = _as_list(meta.get("language"))
    if languages:
        add("context", "context.pretraining", "language", languages, 0.9)
    if meta.get("pipeline_tag"):
        add("product", "product.intended_use", "pipeline_tag", str(meta["pipeline_tag"]), 0.7)
    if meta.get("library_name"):
        add("inference", "inference.serving", "library_name", str(meta["library_name"]), 0.7)
    plain_tags = []
    for tag in _as_list(meta.get("tags")):
        hit = classify_rules(tag.replace("-", " "))
        if hit and hit.kind != "none" and hit.confidence >= 0.75:
            axis = hit.kind.split(".", 1)[0]
            add(axis, hit.kind, "tags", tag, round(hit.confidence * 0.9, 3))
        else:
            plain_tags.append(tag)
    if plain_tags:
        add("context", "context.provenance", "tags", plain_tags, 0.6)
    return facts
