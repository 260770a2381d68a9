"""Does each hop of a lineage chain change the architecture?

A hop (repo_id, relation, config) links a model to its base. If the two configs normalize to
the same architecture the hop is pure post-training (fine-tune, RL, merge, quantization keeps
the shape); if they differ the hop changed the backbone (pruning, distillation into another
shape, vision tower removed, ...). Pure: the web/ingest side follows ``base_model`` through the
catalog and hands the configs here, or the stored normalized specs (``spec_hop_verdict``: the
model page compares ``Revision.analysis["spec"]`` so a hop costs no extra query).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# keys that describe the files, the runtime or the tokenizer ids, not the wiring of the network
_NON_ARCH_KEYS = frozenset(
    {
        "_name_or_path",
        "transformers_version",
        "torch_dtype",
        "dtype",
        "use_cache",
        "quantization_config",
        "compression_config",
        "bos_token_id",
        "eos_token_id",
        "pad_token_id",
        "architectures",
        "auto_map",
        "_attn_implementation",
        "attn_implementation",
        "output_attentions",
        "output_hidden_states",
        "return_dict",
        "initializer_range",
        "tokenizer_class",
        "pretraining_tp",
        "task_specific_params",
        "id2label",
        "label2id",
        "problem_type",
        "unsloth_version",
        "use_return_dict",
        "max_length",
        "keys_to_ignore_at_inference",
    }
)


@dataclass(frozen=True, slots=True)
class Hop:
    repo_id: str
    relation: str  # finetune / adapter / merge / quantized / unknown
    config: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class HopVerdict:
    child: str
    parent: str
    relation: str
    architecture_changed: bool | None  # None when a config is missing
    differences: tuple[str, ...]  # key paths that differ
    # (key, child's value, parent's value) as a reader wants them; from spec_hop_verdict
    changes: tuple[tuple[str, str, str], ...] = ()

    @property
    def label(self) -> str:
        if self.architecture_changed is None:
            return "unknown (a config is missing)"
        return "architecture changed" if self.architecture_changed else "pure post-training"


def normalize_config(config: dict[str, Any]) -> dict[str, Any]:
    """The architectural part of a config, flattened to dotted keys."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k in _NON_ARCH_KEYS:
                    continue
                walk(f"{prefix}.{k}" if prefix else k, v)
        elif isinstance(value, float) and value.is_integer():
            flat[prefix] = int(value)
        else:
            flat[prefix] = value

    walk("", config)
    return flat


def config_differences(a: dict[str, Any], b: dict[str, Any]) -> tuple[str, ...]:
    na, nb = normalize_config(a), normalize_config(b)
    return tuple(sorted(k for k in set(na) | set(nb) if na.get(k) != nb.get(k)))


def lineage_verdicts(chain: list[Hop]) -> list[HopVerdict]:
    """For a chain [model, its base, the base's base, ...]: one verdict per link."""
    verdicts = []
    for child, parent in zip(chain, chain[1:], strict=False):
        if child.config is None or parent.config is None:
            verdicts.append(HopVerdict(child.repo_id, parent.repo_id, child.relation, None, ()))
            continue
        diff = config_differences(child.config, parent.config)
        verdicts.append(HopVerdict(child.repo_id, parent.repo_id, child.relation, bool(diff), diff))
    return verdicts


# Spec keys that say how the files are stored, not how the network is wired: a quantized or
# re-exported checkpoint of the same network is still pure post-training.
_SPEC_NON_ARCH_KEYS = frozenset(
    {"stored_dtype", "quantization", "architectures", "estimated", "notes", "name", "repo_id"}
)


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def spec_hop_verdict(
    *,
    child: str,
    parent: str,
    relation: str,
    child_spec: dict[str, Any] | None,
    parent_spec: dict[str, Any] | None,
) -> HopVerdict:
    """One hop from two normalized specs (``axes.backbone.normalize(config).to_dict()``)."""
    if not child_spec or not parent_spec:
        return HopVerdict(child, parent, relation, None, ())
    from axes.verdict import spec_differences

    changes = tuple(
        (
            d["kind"].removeprefix("spec."),
            _shown(d["a"]["value"]),
            _shown(d["b"]["value"]),
        )
        for d in spec_differences(child_spec, parent_spec)
        if d["kind"].removeprefix("spec.") not in _SPEC_NON_ARCH_KEYS
    )
    return HopVerdict(child, parent, relation, bool(changes), tuple(c[0] for c in changes), changes)


_REPO_ID_RE = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96}$")


def base_models_named(facts: list[dict[str, Any]]) -> list[str]:
    """The base_model repo ids a model's post_training.lineage facts name, in order.

    The card's YAML (the metadata extractor's ``{"base_models": [...], "relation": ...}``) is
    authoritative; prose matches (a rule that fired on a sentence) count only without it, and
    only values shaped like a repo id are kept.
    """
    lineage = [f for f in facts if isinstance(f, dict) and f.get("kind") == "post_training.lineage"]
    structured = [f for f in lineage if isinstance(f.get("value"), dict)]
    out: list[str] = []
    for fact in structured or lineage:
        value = fact.get("value")
        candidates: list[Any]
        if isinstance(value, dict):
            base = next(
                (value[k] for k in ("base_models", "base_model", "base", "parent") if value.get(k)),
                None,
            )
            candidates = base if isinstance(base, list) else [base]
        elif isinstance(value, list):
            candidates = value
        else:
            candidates = [value]
        for c in candidates:
            if not isinstance(c, str):
                continue
            c = c.strip()
            if _REPO_ID_RE.match(c) and ".." not in c and c not in out:
                out.append(c)
    return out


# ---------------------------------------------------------------------------------------------
# Base models named in prose. A card without ``base_model`` metadata often says it in a sentence
# ("an instruct fine-tuned version of the Mistral-7B-v0.3", "trained based on DeepSeek-V3-Base",
# "Quantized from meta-llama/Meta-Llama-3.1-8B-Instruct"). The classifier files such sentences
# under post_training.lineage (or, when the sentence is mostly about the method, under another
# post-training kind); here the name after the phrase is read out.

# Phrases that introduce the base in any post-training sentence ("... RL on top of X").
_STRONG_CUES = (
    r"fine-?tuned\s+(?:version\s+)?(?:of|from|on\s+top\s+of)"
    r"|(?:instruct(?:ion)?|chat)[- ](?:fine-?)?tuned(?:\s+version\s+of)?"
    r"|quantized\s+(?:version\s+)?(?:of|from)|quantization\s+of"
    r"|on\s+top\s+of|trained\s+based\s+on|built\s+upon"
    r"|initiali[sz]ed\s+(?:from|with)|derived\s+from"
    r"|continu(?:ed|al(?:ly)?)\s+pre-?train(?:ed|ing)\s+(?:of|from|on)"
    r"|base\s+models?\s*(?:is|was|:|=)"
)
# Looser phrases, read only in a sentence the classifier already placed under lineage.
_WEAK_CUES = r"based\s+on|trained\s+from|built\s+on|(?:version|variant|checkpoint)\s+of"
_STRONG_RE = re.compile(rf"\b(?:{_STRONG_CUES})", re.IGNORECASE)
_ANY_RE = re.compile(rf"\b(?:{_STRONG_CUES}|{_WEAK_CUES})", re.IGNORECASE)
# between the phrase and the name: "the", "model [optional]:", emphasis, a colon
_FILLER_RE = re.compile(r"(?:\s|[:*_>]|\bthe\b|\bmodel\b|\[optional\])*", re.IGNORECASE)
_LINK_RE = re.compile(r"\[([^\]\n]{1,200})\]\(([^)\s]{1,500})\)")
_HF_URL_RE = re.compile(r"^https?://(?:www\.)?huggingface\.co/([\w.-]+/[\w.-]+)/?$")
_REPO_IN_TEXT_RE = re.compile(r"`?([A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96})`?")
# a model name in prose: a capitalized word, then words that start with a capital or a digit
# ("Llama 3.1 8B Instruct", "DeepSeek-V3-Base", "Phi-3-mini"); lower-case words end it
_NAME_RE = re.compile(r"[A-Z][\w.+-]*(?: (?:[A-Z0-9][\w.+-]*|v\d[\w.]*))*")
_NAME_MAX_WORDS = 6
# sentences of these kinds name other models than this one's base: a distillation's teacher or
# students ("DeepSeek-R1-Distill-Llama-8B is derived from Llama3.1-8B-Base"), a merge's sources
_OTHER_MODELS_KINDS = frozenset({"post_training.distillation", "post_training.merge"})


@dataclass(frozen=True, slots=True)
class NamedBase:
    """A base model a card names: a repo id (``org/name``) or a model's name as prose writes
    it (``Llama 3.1 8B``), with the fact that names it."""

    name: str
    is_repo_id: bool
    relation: str  # finetune / adapter / merge / quantized, or "" when not said
    from_metadata: bool
    evidence: dict[str, Any]  # the naming fact's {"source", "locator", "text"}


def _name_after(text: str, pos: int) -> tuple[str, bool] | None:
    """The model named at ``text[pos:]`` (after a lineage phrase), and whether it is a repo id."""
    filler = _FILLER_RE.match(text, pos)
    pos = filler.end() if filler else pos
    rest = text[pos : pos + 300]
    link = _LINK_RE.match(rest)
    if link:
        hub = _HF_URL_RE.match(link.group(2))
        if hub:
            return hub.group(1), True
        rest = link.group(1).strip("`*_ ")
    repo = _REPO_IN_TEXT_RE.match(rest)
    if repo:
        candidate = repo.group(1).rstrip(".")
        if _REPO_ID_RE.match(candidate) and ".." not in candidate and "://" not in rest[:12]:
            return candidate, True
    name = _NAME_RE.match(rest)
    if not name:
        return None
    words = name.group(0).split(" ")[:_NAME_MAX_WORDS]
    plain = " ".join(words).rstrip(".,;:")
    # a model's name carries a version or a size ("Gemma" alone is a family)
    if not any(c.isdigit() for c in plain):
        return None
    return plain, False


def _relation_of_phrase(phrase: str) -> str:
    p = phrase.lower()
    if "quantiz" in p:
        return "quantized"
    if "tuned" in p:
        return "finetune"
    return ""


def base_models_in_text(text: str, *, strong_only: bool = False) -> list[tuple[str, bool, str]]:
    """(name, is_repo_id, relation) for each base model a sentence names after a lineage
    phrase, in order. ``strong_only``: only the phrases that say lineage in any sentence."""
    out: list[tuple[str, bool, str]] = []
    cues = _STRONG_RE if strong_only else _ANY_RE
    pos = 0
    while (cue := cues.search(text, pos)) is not None:
        found = _name_after(text, cue.end())
        if found is None:  # "built on| top of X": a longer phrase may start inside this one
            pos = cue.start() + 1
            continue
        if all(found[0] != o[0] for o in out):
            out.append((*found, _relation_of_phrase(cue.group(0))))
        pos = cue.end()
    return out


def lineage_named(facts: list[dict[str, Any]]) -> list[NamedBase]:
    """The base models a model's facts name, in order: the card's YAML (``base_model``) when it
    has any; else each post-training sentence that names one after a lineage phrase (any such
    phrase in a post_training.lineage fact, the unambiguous ones in another post-training fact,
    lineage facts first).
    """
    named: list[NamedBase] = []
    structured = [
        f
        for f in facts
        if isinstance(f, dict)
        and f.get("kind") == "post_training.lineage"
        and isinstance(f.get("value"), dict)
    ]
    if structured:
        for fact in structured:
            relation = fact["value"].get("relation")
            for repo_id in base_models_named([fact]):
                if all(n.name != repo_id for n in named):
                    named.append(
                        NamedBase(
                            repo_id,
                            True,
                            relation if isinstance(relation, str) else "",
                            True,
                            dict(fact.get("evidence") or {}),
                        )
                    )
        return named
    # the lineage sentences first: their names come before one a method's sentence names
    ordered = sorted(
        (f for f in facts if isinstance(f, dict)),
        key=lambda f: f.get("kind") != "post_training.lineage",
    )
    for fact in ordered:
        kind = fact.get("kind")
        if (
            not isinstance(kind, str)
            or not kind.startswith("post_training.")
            or kind in _OTHER_MODELS_KINDS
        ):
            continue
        value = fact.get("value")
        evidence = dict(fact.get("evidence") or {})
        text = value if isinstance(value, str) else str(evidence.get("text") or "")
        lineage = kind == "post_training.lineage"
        if lineage and _REPO_ID_RE.match(text.strip()):  # a "- org/name" line
            found = [(text.strip(), True, "")]
        else:
            found = base_models_in_text(text, strong_only=not lineage)
        for name, is_repo_id, relation in found:
            if all(n.name.lower() != name.lower() for n in named):
                named.append(NamedBase(name, is_repo_id, relation, False, evidence))
    return named
