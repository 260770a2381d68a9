"""Per-layer structure: what each block's token mixer and feed-forward are.

One ``LayerSpec`` per block, ``{"mixer": ..., "ffn": ...}``, so a UI can colour a strip:

- mixer: "attention" (full, global), "sliding_attention", "mla", "mamba", "mamba2",
  "linear_attention" (Gated DeltaNet), or None (a Nemotron-H block that is FFN only);
- ffn: "mlp" (dense), "moe", or None (a Mamba block, or a Nemotron-H mixer-only block).

The readers below mirror how the installed transformers configs expand compact fields
(``hybrid_override_pattern``, ``sliding_window_pattern``, ``full_attention_interval``, ...)
into ``layer_types``; each cites the file it mirrors.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class LayerSpec:
    mixer: str | None
    ffn: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"mixer": self.mixer, "ffn": self.ffn}


# layer_types vocabulary of transformers 5 -> our mixer names
LAYER_TYPE_TO_MIXER: dict[str, str] = {
    "full_attention": "attention",
    "attention": "attention",
    "global_attention": "attention",
    "sliding_attention": "sliding_attention",
    "chunked_attention": "sliding_attention",
    "local_attention": "sliding_attention",
    "linear_attention": "linear_attention",
    "mamba": "mamba2",
    "mamba2": "mamba2",
}

# configuration_nemotron_h.py `_pattern_to_list`: M mamba, * attention, - MLP, E MoE
NEMOTRON_PATTERN: dict[str, LayerSpec] = {
    "M": LayerSpec("mamba2", None),
    "*": LayerSpec("attention", None),
    "-": LayerSpec(None, "mlp"),
    "E": LayerSpec(None, "moe"),
}
NEMOTRON_BLOCK_TYPES: dict[str, LayerSpec] = {
    "linear_attention": LayerSpec("mamba2", None),
    "mamba": LayerSpec("mamba2", None),
    "full_attention": LayerSpec("attention", None),
    "attention": LayerSpec("attention", None),
    "mlp": LayerSpec(None, "mlp"),
    "moe": LayerSpec(None, "moe"),
}

MIXER_LABELS: dict[str, str] = {
    "sliding_attention": "sliding",
    "mla": "MLA",
    "mamba": "Mamba",
    "mamba2": "Mamba-2",
    "linear_attention": "linear attention",
}
FFN_LABELS: dict[str, str] = {"mlp": "MLP", "moe": "MoE"}


def mixers_from_layer_types(layer_types: list[Any], num_layers: int) -> list[str] | None:
    """``layer_types`` -> mixer names; None when the list does not describe every layer."""
    if len(layer_types) < num_layers:
        return None
    out = []
    for t in layer_types[:num_layers]:
        mixer = LAYER_TYPE_TO_MIXER.get(str(t))
        if mixer is None:
            return None
        out.append(mixer)
    return out


def layer_counts(layers: list[LayerSpec]) -> dict[str, Any]:
    mixers = Counter(layer.mixer for layer in layers if layer.mixer)
    ffns = Counter(layer.ffn for layer in layers if layer.ffn)
    return {"blocks": len(layers), "mixer": dict(mixers), "ffn": dict(ffns)}


def layer_summary(
    layers: list[LayerSpec], *, attention_variant: str, linear_label: str = "linear attention"
) -> str:
    """ "6 GQA + 23 Mamba-2 + 23 MoE", "36 sliding + 12 full · 48 MLP"."""
    mixers = Counter(layer.mixer for layer in layers if layer.mixer)
    ffns = Counter(layer.ffn for layer in layers if layer.ffn)
    parts: list[str] = []
    has_sliding = "sliding_attention" in mixers
    for mixer, n in mixers.items():
        if mixer == "attention":
            label = "full" if has_sliding else attention_variant
        elif mixer == "sliding_attention" and not mixers.get("attention"):
            label = f"sliding {attention_variant}"
        elif mixer == "linear_attention":
            label = linear_label
        else:
            label = MIXER_LABELS.get(mixer, mixer)
        parts.append(f"{n} {label}")
    mixer_text = " + ".join(parts)
    ffn_text = " + ".join(f"{n} {FFN_LABELS.get(f, f)}" for f, n in ffns.items())
    separate_blocks = any(layer.mixer is None or layer.ffn is None for layer in layers)
    if separate_blocks and ffn_text:  # Nemotron-H style: mixers and FFNs are separate blocks
        return " + ".join(p for p in (mixer_text, ffn_text) if p)
    return " · ".join(p for p in (mixer_text, ffn_text) if p)
