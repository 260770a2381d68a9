"""Fact values as words, framework-free: what ``manage.py analyze`` prints for a fact.

A fact's value is a string, a number or the engine's structured dict (``{"num_layers": 32,
"summary": "...", "counts": {...}}``). Read as JSON it is noise, and cut to a column it
breaks mid-key; here a dict reads as ``key: value · key: value`` (nested lists and dicts
written out, empty entries left out) and the engine's own structured values as a sentence.

The web page (``catalog.templatetags.mechanic.fact_value_h``) writes the same layout in the
page's language: it passes its translated scalar writer as ``plain`` to :func:`pairs_text`
and :func:`nested_text`, and keeps its own translated sentences for the kinds below.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from axes.l10n import Words

# The fixed English words the engine writes inside backbone fact values (axes.backbone.facts)
PARAMS_BASIS = "analytic, mirrors transformers"
ACTIVE_CONVENTION = "embeddings and lm_head included"
NO_POSITIONS = "no position encoding: recurrent (SSM) mixers carry order"
# a model whose order-carrying mixers are linear attention (Kimi Linear's KDA beside NoPE MLA,
# xLSTM's mLSTM), not SSM ones
NO_POSITIONS_LINEAR = "no position encoding: linear-attention mixers carry order"
# CPM-Ant's bucketed position bias and Inkling's learned relative bias bank: a bias on the
# attention scores by the query-key distance, no RoPE and no position embedding
RELATIVE_BIAS = "relative position bias on the attention scores, no RoPE"
# CTRL's and XGLM's fixed sine/cosine table (a buffer, no parameters) added to the embeddings
SINUSOIDAL = "fixed sinusoidal positions added to the embeddings, no parameters"

EMPTY = (None, "", [], {}, False)


# Keys whose integers are not quantities: a year, a date, a version, an ID, a seed. Their
# digits are not grouped ("year: 2024", "bos_token_id: 128000"); every other integer from
# 1,000 on is ("hidden_size: 2,880" beside "intermediate_size: 14,336").
_NOT_A_QUANTITY = re.compile(r"(?:^|_)(?:year|date|version|id|ids|seed|revision|sha)$", re.I)
GROUP_FROM = 1_000


def is_quantity_key(key: Any) -> bool:
    """False for a key that names a year, a version or an ID (see ``_NOT_A_QUANTITY``)."""
    return not (isinstance(key, str) and _NOT_A_QUANTITY.search(key.strip()))


# whole floats from GROUP_FROM up to this are grouped as integers; past it a float's digits are
# not exact (1e23 as an int is 99,999,999,999,999,991,611,392): written as the config does
WHOLE_FLOAT_MAX = 1e15


def is_whole_float(value: Any) -> bool:
    """A float such as rope_theta 500000.0 that reads as the integer it is, grouped: whole,
    from 1,000 (8.0 stays as written) and below 1e15 (1e23's digits are not exact)."""
    return (
        isinstance(value, float)
        and value.is_integer()
        and GROUP_FROM <= abs(value) < WHOLE_FLOAT_MAX
    )


def plain_text(value: Any) -> str:
    """A scalar as a config writes it (1e-06, true as "yes"); integers from 1,000 on grouped
    (2,880; 18,432), and whole floats from 1,000 on too (500000.0 as 500,000; 8.0 as written), as
    the pages write them."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if is_whole_float(value):
        value = int(value)  # rope_theta 500000.0 as 500,000, as the pages write it; 8.0 stays
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= GROUP_FROM else str(value)
    if isinstance(value, float | str):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):
        return str(value)


Plain = Callable[[Any], str]


# Keys under which the engine writes a count it computed, not a config's value: the MTP
# modules' and a vision or audio tower's parameters (axes.backbone.facts: "params",
# "audio_params"). A page groups them as its other counts, a config's values apart (de:
# "params: 13.463.426.048" beside "hidden_size: 7 168").
_COUNT_KEY = re.compile(r"(?:^|_)params$")


def is_count_key(key: Any) -> bool:
    """True for a key naming a count the engine computed (see ``_COUNT_KEY``)."""
    return isinstance(key, str) and bool(_COUNT_KEY.search(key.strip()))


def nested_text(
    value: Any, plain: Plain = plain_text, key: Any = None, *, count: Plain | None = None
) -> str:
    """A value inside a fact's dict: a list comma-separated, a dict as "(key: value, ...)",
    never JSON; a number under a key naming a year, version or ID as written (2024, 1.0); one
    under a key naming a computed count (``is_count_key``) written by ``count`` where given."""
    if isinstance(value, list):
        return ", ".join(nested_text(v, plain, key, count=count) for v in value)
    if isinstance(value, dict):
        inner = (f"{k}: {nested_text(v, plain, k, count=count)}" for k, v in value.items())
        return "(" + ", ".join(inner) + ")"
    if isinstance(value, int | float) and not isinstance(value, bool) and not is_quantity_key(key):
        return str(value)  # "version: 1.0" as written, not grouped nor shortened to 1
    if count is not None and isinstance(value, int | float) and is_count_key(key):
        return count(value)
    return plain(value)


def pairs_text(
    value: dict[str, Any],
    plain: Plain = plain_text,
    *,
    empty: str = "-",
    count: Plain | None = None,
) -> str:
    """A dict as "key: value · key: value", empty entries (None, "", [], {}, False) left out;
    ``count`` writes the computed counts (``nested_text``)."""
    parts = [
        f"{k}: {nested_text(v, plain, k, count=count)}" for k, v in value.items() if v not in EMPTY
    ]
    return " · ".join(parts) if parts else empty


def _count(value: Any, words: Words) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return words.number(value)


def _english() -> Words:
    from axes.l10n import Words

    return Words()


# the torch dtype names a config writes, as the pages write dtypes (bf16, fp16, fp32)
_DTYPE_SHORT = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32"}
FP8_BLOCKWISE = "FP8 block-wise"  # axes.backbone.quantization's label for DeepSeek's FP8


def weights_format_parts(value: dict[str, Any]) -> tuple[str, str | None, str | None] | None:
    """A quantized checkpoint's weights_format fact as (its format's label, the block of a
    block-wise FP8 as "128×128" or None, the dtype of the tensors left unquantized as the
    pages write it, or None: its ``stored_dtype``, else the ``assumed_dtype`` the engine sizes
    them in where config.json names none); None for an unquantized checkpoint.

    A quantized checkpoint's ``torch_dtype`` is the dtype of what it did not quantize
    (embeddings, norms, routers, lm_head): side by side, "stored_dtype: bfloat16 ·
    quantization: FP8 block-wise" read as if the weights were both."""
    label = value.get("quantization")
    if not isinstance(label, str) or not label:
        return None
    block = value.get("block_size")
    sizes = (
        "×".join(str(v) for v in block)
        if label == FP8_BLOCKWISE
        and isinstance(block, list)
        and block
        and all(isinstance(v, int) for v in block)
        else None
    )
    dtype = value.get("stored_dtype") or value.get("assumed_dtype")
    rest = _DTYPE_SHORT.get(dtype, dtype) if isinstance(dtype, str) and dtype else None
    return label, sizes, rest


def weights_format_text(value: dict[str, Any], words: Words | None = None) -> str | None:
    """A quantized checkpoint's format ("FP8 (block-wise 128×128), rest bf16", "AWQ int4 g128,
    rest fp16"), in English or ``words``' language with the page's msgids; None for an
    unquantized checkpoint. The page writes the same in its language
    (``catalog.templatetags.mechanic.weights_format_h``)."""
    parts = weights_format_parts(value)
    if parts is None:
        return None
    _ = (words or _english()).gettext
    label, sizes, rest = parts
    text = _("FP8 (block-wise %(block)s)") % {"block": sizes} if sizes else label
    return _("%(format)s, rest %(dtype)s") % {"format": text, "dtype": rest} if rest else text


def backbone_sentence(kind: str, value: dict[str, Any], words: Words | None = None) -> str | None:
    """The engine's structured values that read as a sentence, in English or in ``words``'
    language (``manage.py analyze``), with the msgids the page translates them by
    (``catalog.templatetags.mechanic._backbone_value_h``); None for the rest."""
    words = words or _english()
    _ = words.gettext
    if kind == "backbone.weights_format":
        return weights_format_text(value, words)
    if kind == "backbone.decoder_type" and value and set(value) <= {"card", "config"}:
        # a card-vs-config contradiction: both sides as the headline writes them ("config: MoE")
        return contradiction_decoder_text(value, decoder_text)
    if kind == "backbone.params_total" and value.get("basis") == PARAMS_BASIS:
        total = _count(value.get("total"), words)
        if total:
            return _("%(total)s, counted analytically as transformers builds the model") % {
                "total": total
            }
    if kind == "backbone.params_active" and value.get("convention") == ACTIVE_CONVENTION:
        active = _count(value.get("active"), words)
        excluding = _count(value.get("active_excluding_input_embedding"), words)
        if active and excluding:
            return _(
                "%(active)s (embeddings and lm_head included) · %(excluding)s without the "
                "input embedding"
            ) % {"active": active, "excluding": excluding}
    if kind == "backbone.layers":
        counts = value.get("counts") if isinstance(value.get("counts"), dict) else {}
        blocks = counts.get("blocks") or value.get("num_layers")
        summary = value.get("summary")
        if isinstance(blocks, int) and isinstance(summary, str) and summary:
            text = (
                words.ngettext(
                    "%(n)s layer run: %(summary)s", "%(n)s layer runs: %(summary)s", blocks
                )
                if value.get("layer_runs")  # looped layers: the pattern lists every run
                else words.ngettext("%(n)s block: %(summary)s", "%(n)s blocks: %(summary)s", blocks)
            ) % {"n": words.number(blocks), "summary": words.layer_summary(summary)}
            layers = value.get("num_layers")
            if isinstance(layers, int) and layers != blocks:
                text += f" · num_layers: {words.config_count(layers)}"
            listed = value.get("num_layers_listed")
            if isinstance(listed, int):
                text += " " + _("(%(n)s in config.json, which lists attention and MLP apart)") % {
                    "n": words.number(listed)
                }
            return text
    if kind == "backbone.positional" and value.get("why") == NO_POSITIONS:
        return _("none: no position encoding; the recurrent (SSM) mixers carry the order")
    if kind == "backbone.positional" and value.get("why") == NO_POSITIONS_LINEAR:
        return _("none: no position encoding; the linear-attention mixers carry the order")
    if kind == "backbone.positional" and value.get("why") == RELATIVE_BIAS:
        return _(
            "relative position bias: a learned bias on each attention score by the distance "
            "between query and key; no RoPE, no position embedding"
        )
    if kind == "backbone.positional" and value.get("why") == SINUSOIDAL:
        return _(
            "sinusoidal: a fixed sine/cosine table added to the token embeddings, as in the "
            "original Transformer; no parameters"
        )
    return None


# Byte figures (weights, KV cache, state) in binary units, on the pages and in the CLI alike:
# GPU memory is addressed in them (nvidia-smi's "MiB"). A GPU's capacity alone is written in
# the vendor's decimal GB ("80 GB"), as the vendor states it.
BINARY_UNITS = (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))


def bytes_scaled(n: float) -> tuple[float, str]:
    """``n`` bytes in the largest binary unit it reaches: 8_030_261_248 -> (7.478..., 'GiB');
    under a KiB, (n, 'B')."""
    for unit, size in BINARY_UNITS:
        if abs(n) >= size:
            return n / size, unit
    return n, "B"


# the engine's decoder types as the course writes them (the model page's headline, the fact)
DECODER_LABELS = {"moe": "MoE", "hybrid_moe": "hybrid MoE", "ssm": "SSM"}


def decoder_text(value: Any) -> str:
    """'hybrid_moe' -> 'hybrid MoE', 'dense' -> 'dense'."""
    text = str(value or "")
    return DECODER_LABELS.get(text, text.replace("_", " "))


def contradiction_decoder_text(value: dict[str, Any], label: Callable[[Any], str]) -> str:
    """A decoder-type contradiction ({"card": "dense", "config": "moe"}) as "card: dense ·
    config: MoE": the engine's ids read as the model page's headline writes them."""
    return " · ".join(f"{k}: {label(v)}" for k, v in value.items() if v is not None)


_FOLDABLE_SPACE = re.compile(r"[^\S\u202f]+")


def fact_value_text(kind: str, value: Any, words: Words | None = None) -> str:
    """A fact's value for reading, on one line: "32 blocks: 16 sliding + 16 full · 32 MLP",
    "type: rope · rope_theta: 500,000 · rope_scaling: (factor: 8.0, ...)", a card quote as
    written (its line breaks folded). In English, or in ``words``' language as the page says
    it (``manage.py analyze``): its sentences and yes/no translated, its numbers grouped."""
    plain: Plain = words.plain if words is not None else plain_text
    # a count the engine computed (MTP "params") as the page's prose writes counts (de
    # 13.463.426.048), a config's values apart (de 7\u202f168): ``is_count_key``, as the page's
    # ``catalog.templatetags.mechanic._count_plain``
    count: Plain | None = words.prose_count if words is not None else None
    if isinstance(value, dict):
        sentence = backbone_sentence(kind, value, words) if kind.startswith("backbone.") else None
        text = sentence if sentence is not None else pairs_text(value, plain, count=count)
    elif isinstance(value, list):
        text = nested_text(value, plain, count=count)
    elif kind == "backbone.decoder_type" and isinstance(value, str):
        text = decoder_text(value)
    else:
        text = plain(value)
    # line breaks and runs of spaces folded; a narrow no-break space (German digit groups) kept
    return _FOLDABLE_SPACE.sub(" ", text).strip()


_METADATA_KEY = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*:")


def metadata_key(fact: dict[str, Any]) -> str | None:
    """The front-matter key a card-metadata fact was read from ("library_name", "language",
    "pipeline_tag"): alone, "transformers" under "Serving" or "en" under "Pretraining data"
    does not say what it is."""
    if fact.get("extractor") != "metadata" or isinstance(fact.get("value"), dict):
        return None
    evidence = fact.get("evidence") or {}
    text = str(evidence.get("text") or "") if isinstance(evidence, dict) else ""
    match = _METADATA_KEY.match(text)
    return match.group(1) if match else None


def is_card_quote(fact: dict[str, Any]) -> bool:
    """A fact whose value is a statement quoted from the card's prose or tables."""
    evidence = fact.get("evidence") or {}
    value = fact.get("value")
    return (
        isinstance(value, str)
        and isinstance(evidence, dict)
        and evidence.get("source") == "README.md"
        and value == evidence.get("text")
    )


def card_quote_text(fact: dict[str, Any]) -> str:
    """A card fact's quote as its words read: without the Markdown that only renders it
    (links as their text, no emphasis markers or list bullets), a table row against its
    header ("#Activated Params: 37B"). Other evidence (a config key) as written."""
    evidence = fact.get("evidence") or {}
    text = str(evidence.get("text") or "") if isinstance(evidence, dict) else ""
    if isinstance(evidence, dict) and evidence.get("source") == "README.md":
        from axes.classify.segment import statement_plain

        extra = fact.get("extra") or {}
        header = str(extra.get("table_header") or "")
        column = extra.get("model_column")  # axes.card_columns.facts_with_model_column
        return statement_plain(text, header, column if isinstance(column, int) else None) or text
    return text


# How a duration is said to people (a wait, a run's length, a time limit): "46 s", "13 min
# 46 s", "2 h 5 min", not "826 s" or a clock reading "13:46" that may be a time of day. Each
# unit is a template of its count; the pages and the commands pass them in their language
# (``catalog.templatetags.mechanic.duration_h``: ko "13분 46초", de "13 Min. 46 s").
DURATION_UNITS = ("%(n)s h", "%(n)s min", "%(n)s s")


def duration_text(seconds: float, units: tuple[str, str, str] = DURATION_UNITS) -> str:
    """Whole seconds in the two largest units that apply (a zero second or minute left out):
    7 -> "7 s", 826 -> "13 min 46 s", 780 -> "13 min", 3725 -> "1 h 2 min". A fraction is
    rounded as people round, half up (0.5 -> "1 s", 2.5 -> "3 s", not Python's half to even);
    past an hour the seconds no longer matter, so it is rounded to the minute (3659 -> "1 h
    1 min", not cut to "1 h"). Negative is 0 s."""
    total = max(0, math.floor(seconds + 0.5))
    if total >= 3600:
        total = math.floor(total / 60 + 0.5) * 60
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    hour, minute, second = units
    if hours:
        (big, n), (small, m) = (hour, hours), (minute, minutes)
    elif minutes:
        (big, n), (small, m) = (minute, minutes), (second, secs)
    else:
        return second % {"n": secs}
    return big % {"n": n} + (" " + small % {"n": m} if m else "")
