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
