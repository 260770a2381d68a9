"""Which column of a model card's table is this model's.

A family's card often carries one spec table for the whole family, a column per model: IBM
Granite 3.1's "| Model | 2B Dense | 8B Dense | 1B MoE | 3B MoE |". On the page of
granite-3.1-1b-a400m-instruct only "1B MoE" is this model; the other columns are its siblings.

A column is a model's when its header names sizes ("1B", "30B-A3B", "8x7B") that the model's
own name carries, and no other column does so as well. A table is one column per model of a
family only when every column but the first (which names the rows) names a size and no other
family: a benchmark table that sets the model beside other families' models ("GPT-4o",
"Llama-3.1-70B") is a comparison, kept whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# a parameter count as names write it: "1B", "0.6B", "400M", the "3B" of "A3B", the "7B" of
# "8x7B"; not a version ("3.1") or a context ("128K")
_SIZE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s?([bm])(?![a-z])", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+")
# words a column header may carry beside the size without naming another family
_GENERIC = frozenset(
    {"a", "x", "dense", "moe", "instruct", "base", "chat", "it", "model", "preview", "hf"}
)
# the engine's decoder types, as a header says them
_KIND = {"moe": "moe", "hybrid_moe": "moe", "dense": "dense"}


def _sizes(text: str) -> set[str]:
    return {f"{float(n):g}{unit.lower()}" for n, unit in _SIZE.findall(text)}


def _words(text: str) -> set[str]:
    return set(_WORD.findall(_SIZE.sub(" ", text)))


def model_column(
    headers: Sequence[str], model: str, *, decoder_type: str | None = None
) -> int | None:
    """The index of ``model``'s column in a table whose ``headers`` (plain text) are given, or
    None: the table is not a column per model of the family, or no column, or more than one
    equally, names this model. ``model``: its ID or name; ``decoder_type``: the engine's
    ("moe", "dense"), which tells "1B MoE" from "1B Dense" where the name does not."""
    name = model.rsplit("/", 1)[-1].lower()
    own_sizes = _sizes(name)
    if not own_sizes or len(headers) < 3:
        return None
    own_words = _words(name)
    kind = _KIND.get(decoder_type or "")
    other_kind = {"moe": "dense", "dense": "moe"}.get(kind or "")
    if kind:
        own_words.add(kind)
    scores: dict[int, int] = {}
    for i, header in enumerate(headers[1:], 1):
        text = header.lower()
        sizes, words = _sizes(text), _words(text)
        if not sizes or words - _GENERIC - own_words:
            return None  # a column that names no size, or another family: not this kind
        if sizes <= own_sizes and other_kind not in words:
            scores[i] = 10 * len(sizes) + len(words & own_words)
    if not scores:
        return None
    best = max(scores.values())
    found = [i for i, score in scores.items() if score == best]
    return found[0] if len(found) == 1 else None


def facts_with_model_column(
    facts: Sequence[dict[str, Any]], model: str, *, decoder_type: str | None = None
) -> list[dict[str, Any]]:
    """The facts, those quoting a row of a family's table (a column per model) as copies whose
    ``extra["model_column"]`` is this model's column: the row then reads as its name and this
    model's cell ("Model: Number of layers · 1B MoE: 24"), not every sibling's."""
    from axes.classify.segment import inline_plain, table_cells

    out: list[dict[str, Any]] = []
    for fact in facts:
        extra = fact.get("extra") or {}
        header = extra.get("table_header") if isinstance(extra, dict) else None
        if isinstance(header, str) and header:
            headers = [inline_plain(cell) for cell in table_cells(header)]
            column = model_column(headers, model, decoder_type=decoder_type)
            if column is not None:
                fact = {**fact, "extra": {**extra, "model_column": column}}
        out.append(fact)
    return out
