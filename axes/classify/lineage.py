"""Does each hop of a lineage chain change the architecture?

A hop (repo_id, relation, config) links a model to its base. If the two configs normalize to
the same architecture the hop is pure post-training (fine-tune, RL, merge, quantization keeps
the shape); if they differ the hop changed the backbone (pruning, distillation into another
shape, vision tower removed, ...). Pure: the web/ingest side follows ``base_model`` through the
catalog and hands the configs here.
"""

from __future__ import annotations

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
