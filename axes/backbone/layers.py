"""Per-layer structure: what each block's token mixer and feed-forward are.

One ``LayerSpec`` per block, ``{"mixer": ..., "ffn": ...}``, so a UI can colour a strip:

- mixer: "attention" (full, global), "sliding_attention", "mla", "mamba", "mamba2",
  "linear_attention" (Gated DeltaNet), "attention+mamba2" (Falcon-H1: attention and a Mamba-2
  mixer side by side on the same input, their outputs summed), "short_conv" (LFM2's gated
  short convolution), "shared_attention+mamba" / "shared_attention+mamba2" (Zamba: a shared
  transformer block before the layer's own Mamba mixer), or None (a Nemotron-H block that is
  FFN only);
- ffn: "mlp" (dense), "moe", or None (a Mamba block, or a Nemotron-H mixer-only block).

The readers below mirror how the installed transformers configs expand compact fields
(``hybrid_override_pattern``, ``sliding_window_pattern``, ``full_attention_interval``, ...)
into ``layer_types``; each cites the file it mirrors.
"""

from __future__ import annotations

from typing import Any

try:  # the C loop behind Counter(), without Counter's Python-level __init__/update
    from collections import _count_elements  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other Python implementations

    def _count_elements(mapping: dict[Any, int], iterable: Any) -> None:
        for elem in iterable:
            mapping[elem] = mapping.get(elem, 0) + 1


class LayerSpec:
    """One block: ``LayerSpec(mixer, ffn)``. Immutable and interned: equal blocks are the same
    object, so hashing and equality are identity (C speed). A 94-layer pattern is a list of a
    handful of shared objects, and counting them never calls Python ``__eq__``/``__hash__``
    (a frozen dataclass did, per layer, and that dominated the engine's run time)."""

    __slots__ = ("mixer", "ffn")
    mixer: str | None
    ffn: str | None

    def __new__(cls, mixer: str | None, ffn: str | None) -> LayerSpec:
        key = (mixer, ffn)
        inst = _INTERNED.get(key)
        if inst is None:
            inst = object.__new__(cls)
            object.__setattr__(inst, "mixer", mixer)
            object.__setattr__(inst, "ffn", ffn)
            _INTERNED[key] = inst
        return inst

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"LayerSpec is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"LayerSpec is immutable (cannot delete {name!r})")

    def __repr__(self) -> str:
        return f"LayerSpec(mixer={self.mixer!r}, ffn={self.ffn!r})"

    def __reduce__(self) -> tuple[Any, tuple[str | None, str | None]]:
        return (LayerSpec, (self.mixer, self.ffn))

    def __copy__(self) -> LayerSpec:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> LayerSpec:
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"mixer": self.mixer, "ffn": self.ffn}


_INTERNED: dict[tuple[str | None, str | None], LayerSpec] = {}

# one block's mixer that is attention and Mamba-2 in parallel (modeling_falcon_h1.py
# FalconH1DecoderLayer: self_attn and mamba read the same normed input, their outputs summed)
PARALLEL_HYBRID = "attention+mamba2"
# LFM2's gated short convolution (modeling_lfm2.py Lfm2ShortConv): a depthwise causal conv
# between two gates, whose cache is the last conv_L_cache inputs, like a Mamba conv state
SHORT_CONV = "short_conv"
# Zamba / Zamba2's hybrid layer (modeling_zamba.py ZambaHybridLayer, modeling_zamba2.py
# Zamba2HybridLayer): a transformer block shared across layers (attention over [hidden,
# embeddings] and an MLP), a per-layer linear, then the layer's own Mamba / Mamba-2 mixer
SHARED_MAMBA = "shared_attention+mamba"
SHARED_MAMBA2 = "shared_attention+mamba2"
SHARED_HYBRIDS = (SHARED_MAMBA, SHARED_MAMBA2)


def layers_from(mixers: list[str | None], ffns: str | None | list[str | None]) -> list[LayerSpec]:
    """One LayerSpec per layer from a mixer list and one FFN kind (or an FFN list), building
    each distinct block once and mapping the rest (no per-layer constructor call)."""
    if ffns is not None and not isinstance(ffns, str) and ffns and ffns.count(ffns[0]) == len(ffns):
        if len(ffns) != len(mixers):
            raise ValueError("mixers and ffns must have one entry per layer")
        ffns = ffns[0]  # one FFN kind throughout: the fast path below
    if ffns is None or isinstance(ffns, str):
        distinct = set(mixers)
        if len(distinct) == 1:  # a uniform stack: one block, n references
            return [_INTERNED.get((mixers[0], ffns)) or LayerSpec(mixers[0], ffns)] * len(mixers)
        table = {m: _INTERNED.get((m, ffns)) or LayerSpec(m, ffns) for m in distinct}
        return list(map(table.__getitem__, mixers))
    pairs = list(zip(mixers, ffns, strict=True))
    ptable = {p: LayerSpec(*p) for p in set(pairs)}
    return list(map(ptable.__getitem__, pairs))


def pattern_dicts(layers: list[LayerSpec]) -> list[dict[str, Any]]:
    """``[{"mixer": ..., "ffn": ...}, ...]``: a fresh dict per layer (callers may mutate them)."""
    return [{"mixer": layer.mixer, "ffn": layer.ffn} for layer in layers]


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

# linear-attention kinds whose blocks and recurrent state the engine knows -> their names
LINEAR_ATTENTION_LABELS: dict[str, str] = {
    "gated_deltanet": "Gated DeltaNet",
    "lightning": "Lightning Attention",
    "rg_lru": "RG-LRU",
    "kda": "Kimi Delta Attention",
    "mlstm": "mLSTM",
    "rwkv": "RWKV",
}


def linear_attention_label(kind: str | None) -> str:
    """ "Gated DeltaNet", "Lightning Attention", or "linear attention" for an unknown kind."""
    return LINEAR_ATTENTION_LABELS.get(kind or "", "linear attention")


MIXER_LABELS: dict[str, str] = {
    "sliding_attention": "sliding",
    "mla": "MLA",
    "mamba": "Mamba",
    "mamba2": "Mamba-2",
    "linear_attention": "linear attention",
    SHORT_CONV: "short conv",
    SHARED_MAMBA: "Mamba with the shared transformer block",
    SHARED_MAMBA2: "Mamba-2 with the shared transformer block",
}
FFN_LABELS: dict[str, str] = {"mlp": "MLP", "moe": "MoE"}
# DeepSeek-V4's per-layer compressors (ArchSpec.compressed_attention): a layer's sliding-window
# attention adds compressed long-range KV, sparse (CSA, with an indexer) or heavy (HCA)
COMPRESSED_LABELS: dict[str, str] = {
    "compressed_sparse_attention": "CSA",
    "heavily_compressed_attention": "HCA",
}


def mixers_from_layer_types(layer_types: list[Any], num_layers: int) -> list[str] | None:
    """``layer_types`` -> mixer names; None when the list does not describe every layer."""
    if len(layer_types) < num_layers:
        return None
    get = LAYER_TYPE_TO_MIXER.get
    head = layer_types[:num_layers]
    try:  # the common case, every entry a known string: one C-level map
        out = list(map(get, head))
    except TypeError:  # an unhashable entry (a list or dict): the per-entry reading below
        out = [None]
    if None in out:  # an unknown or non-string entry: read each one as its string
        out = [get(t) if type(t) is str else get(str(t)) for t in head]
    return None if None in out else out


def block_counts(layers: list[LayerSpec] | dict[LayerSpec, int]) -> dict[LayerSpec, int]:
    """Distinct blocks -> how many layers use them, in first-occurrence order."""
    if isinstance(layers, dict):
        return layers
    out: dict[LayerSpec, int] = {}
    _count_elements(out, layers)
    return out


def _split_counts(
    blocks: dict[LayerSpec, int],
) -> tuple[dict[str, int], dict[str, int], bool]:
    """(mixer counts, ffn counts, any block without a mixer or without an FFN), each kind in
    the order it first occurs in the layer pattern."""
    mixers: dict[str, int] = {}
    ffns: dict[str, int] = {}
    separate = False
    for layer, n in blocks.items():
        m, f = layer.mixer, layer.ffn
        if m:
            mixers[m] = mixers.get(m, 0) + n
        else:
            separate = True
        if f:
            ffns[f] = ffns.get(f, 0) + n
        else:
            separate = True
    return mixers, ffns, separate


def layer_counts(layers: list[LayerSpec] | dict[LayerSpec, int]) -> dict[str, Any]:
    """``{"blocks", "mixer", "ffn"}`` from the per-layer list or its ``block_counts``."""
    blocks = block_counts(layers)
    mixers, ffns, _ = _split_counts(blocks)
    return {"blocks": sum(blocks.values()), "mixer": mixers, "ffn": ffns}


def layer_summary(
    layers: list[LayerSpec] | dict[LayerSpec, int],
    *,
    attention_variant: str,
    linear_label: str = "linear attention",
) -> str:
    """ "6 GQA + 23 Mamba-2 + 23 MoE", "36 sliding + 12 full · 48 MLP",
    "24 GQA with Mamba-2 in parallel · 24 MLP" (Falcon-H1)."""
    mixers, ffns, separate_blocks = _split_counts(block_counts(layers))
    return _summary(mixers, ffns, separate_blocks, attention_variant, linear_label)


def layer_section(
    blocks: dict[LayerSpec, int],
    *,
    attention_variant: str,
    linear_label: str,
    kv_shared: int = 0,
    moe_beside_mlp: bool = False,
    compressed: list[str] | None = None,
    cross: int = 0,
) -> tuple[dict[str, Any], str]:
    """``(layer_counts(blocks), layer_summary(blocks, ...))`` from one pass over the blocks.

    Gemma 4: ``kv_shared`` trailing layers reuse an earlier layer's K/V ("28 sliding + 7 full,
    the last 20 reusing earlier layers' K/V · 35 MLP"); ``moe_beside_mlp``: its MoE layers
    run a dense MLP beside the experts ("30 MoE with an MLP in parallel"); ``compressed``:
    DeepSeek-V4's per-layer compressor kinds ("43 sliding MQA, 20 adding CSA, 23 adding HCA ·
    43 MoE"); ``cross``: how many of the attention layers are Mllama's cross-attention to the
    image ("32 GQA + 8 cross-attention · 40 MLP")."""
    mixers, ffns, separate_blocks = _split_counts(blocks)
    counts = {"blocks": sum(blocks.values()), "mixer": mixers, "ffn": ffns}
    summary = _summary(
        mixers,
        ffns,
        separate_blocks,
        attention_variant,
        linear_label,
        kv_shared=kv_shared,
        moe_beside_mlp=moe_beside_mlp,
        compressed=compressed,
        cross=cross,
    )
    return counts, summary


def _summary(
    mixers: dict[str, int],
    ffns: dict[str, int],
    separate_blocks: bool,
    attention_variant: str,
    linear_label: str,
    *,
    kv_shared: int = 0,
    moe_beside_mlp: bool = False,
    compressed: list[str] | None = None,
    cross: int = 0,
) -> str:
    parts: list[str] = []
    has_sliding = "sliding_attention" in mixers
    for mixer, n in mixers.items():
        if mixer == "attention":
            label = "full" if has_sliding else attention_variant
        elif mixer == "sliding_attention" and not mixers.get("attention"):
            label = f"sliding {attention_variant}"
        elif mixer == "linear_attention":
            label = linear_label
        elif mixer == PARALLEL_HYBRID:
            label = f"{attention_variant} with Mamba-2 in parallel"
        else:
            label = MIXER_LABELS.get(mixer, mixer)
        if cross and mixer == "attention":  # Mllama: self-attention, then cross-attention
            if n > cross:
                parts.append(f"{n - cross} {label}")
            parts.append(f"{cross} cross-attention")
            continue
        parts.append(f"{n} {label}")
    mixer_text = " + ".join(parts)
    if compressed and mixer_text:
        for kind, label in COMPRESSED_LABELS.items():
            n = compressed.count(kind)
            if n:
                mixer_text += f", {n} adding {label}"
    if kv_shared and mixer_text:
        mixer_text += (
            ", the last one reusing an earlier layer's K/V"
            if kv_shared == 1
            else f", the last {kv_shared} reusing earlier layers' K/V"
        )
    labels = {**FFN_LABELS, "moe": "MoE with an MLP in parallel"} if moe_beside_mlp else FFN_LABELS
    ffn_text = " + ".join([f"{n} {labels.get(f, f)}" for f, n in ffns.items()])
    if not (mixer_text and ffn_text):
        return mixer_text or ffn_text
    # Nemotron-H style (mixers and FFNs are separate blocks) adds up; otherwise "mixers · FFNs"
    return f"{mixer_text} + {ffn_text}" if separate_blocks else f"{mixer_text} · {ffn_text}"
