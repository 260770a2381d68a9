"""Formatting for numbers that carry units. Stored values are integers; format only here."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from django import template
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext

from axes import readable
from axes.l10n import CONFIG_GROUP_SEPARATOR
from catalog import i18n
from catalog.demo_i18n import CLOSED_VALUE_MSGIDS, closed_value_l10n
from catalog.notes_l10n import layer_summary_l10n

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# No real count reaches 10^15 (a quadrillion parameters, tokens or bytes). A malformed config
# that says so (a 30-digit max_position_embeddings) is shown in scientific notation, not as 30
# digits across the page; the exact value stays in the fact's evidence and in a title
# (``exact_title``).
HUGE = 10**15
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _scientific(value: float) -> str:
    """1.23 × 10²⁹, the mantissa in the page's language (de: 1,23 × 10²⁹). Decimal: an int past
    a float's range is written too."""
    mantissa, exponent = f"{Decimal(value):.2e}".split("e")
    power = str(int(exponent)).translate(_SUPERSCRIPT)
    return f"{num_l10n(float(mantissa), 2)} × 10{power}"


def num_l10n(value: float, decimal_pos: int) -> str:
    """A number in the active language's format (de: 7,48 and 1.048.576; ko/en: 7.48, 1,048,576),
    from 10^15 on in scientific notation (1.23 × 10²⁹). Added by "lesson" for the locale-aware
    pages."""
    from django.utils.formats import number_format

    if abs(value) >= HUGE:
        return _scientific(value)
    return number_format(round(value, decimal_pos), decimal_pos, use_l10n=True, force_grouping=True)


def config_count_l10n(value: int) -> str:
    """A count among a config's values, grouped in the page's language, except where that
    language groups with the point: German wrote "q_lora_rank: 1.536" and
    "original_max_position_embeddings: 8.192" beside "factor: 8.0", floats being written as the
    config writes them, so an ML engineer read 1.536 as a fraction. There the groups are set
    apart by a narrow space (1 536, 8 192), which no one reads as a decimal point."""
    from django.utils.formats import get_format

    text = num_l10n(value, 0)
    if get_format("THOUSAND_SEPARATOR") == ".":
        text = text.replace(".", CONFIG_GROUP_SEPARATOR)
    return text


@register.filter
def duration_h(seconds: Any) -> str:
    """Seconds as people say a duration, in the active language (``axes.readable.duration_text``):
    826 -> "13 min 46 s", ko "13분 46초", de "13 Min. 46 s"; empty for a missing value. The
    commands (``manage.py profile``) say durations with it too."""
    if seconds is None or seconds == "" or isinstance(seconds, bool):
        return ""
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(value):
        return ""
    units = (
        pgettext("duration", "%(n)s h"),
        pgettext("duration", "%(n)s min"),
        pgettext("duration", "%(n)s s"),
    )
    return readable.duration_text(value, units)


@register.filter
def exact_title(value: Any) -> str:
    """The exact digits of an integer shown in scientific notation (past 10^15), for a title
    attribute; "" for any other value (a float reads as the config writes it, 1e+22)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= HUGE:
        return str(value)
    return ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        n = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int past 1e308
        return None
    # a figure computed past a float's range (the KV cache at a 308-digit context) is inf:
    # no number to show, in scientific notation or any other
    return n if math.isfinite(n) else None


@register.filter
def decoder_label(value: Any) -> str:
    """The engine's decoder type as the course writes it: 'hybrid_moe' -> 'hybrid MoE'."""
    return readable.decoder_text(value)


@register.filter
def bytes_h(value: Any) -> str:
    """Binary units (GiB) because GPU memory is sold in them: 8_030_261_248 -> '7.48 GiB'."""
    n = _number(value)
    if n is None:
        return "—"
    scaled, unit = readable.bytes_scaled(n)  # the CLI's units too (axes/cli.py)
    return f"{int(n)} B" if unit == "B" else f"{num_l10n(scaled, 2)} {unit}"


@register.filter
def gpu_memory_h(value: Any) -> str:
    """A GPU's memory as its vendor states it, in decimal GB: 80e9 -> '80 GB' (the engine's
    basis, ``axes.backbone.gpus``; ``bytes_h`` would write it as 74.51 GiB)."""
    n = _number(value)
    if n is None:
        return "—"
    gb = n / 1e9
    return f"{num_l10n(gb, 0 if gb == round(gb) else 1)} GB"


@register.filter
def params_h(value: Any) -> str:
    """Parameter counts the way model names write them: 8_030_261_248 -> '8.03 B'."""
    n = _number(value)
    if n is None:
        return "—"
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= size:
            return f"{num_l10n(n / size, 2)} {unit}"
    return num_l10n(int(n), 0)


@register.filter
def tokens_h(value: Any) -> str:
    """Context lengths: 131072 -> '128K' (binary K, as configs write them), 8000 -> '8,000',
    128000 -> '128,000' (a decimal count, as LFM2 / LFM3 write it: not '125K')."""
    n = _number(value)
    if n is None:
        return "—"
    if abs(n) >= HUGE:
        return num_l10n(n, 0)
    n_int = int(n)
    if n_int >= 1024 and n_int % 1024 == 0 and n_int % 1000:
        k = n_int // 1024
        return f"{k // 1024}M" if k >= 1024 and k % 1024 == 0 else f"{k}K"
    return num_l10n(n_int, 0)


@register.filter
def rate_h(value: Any) -> str:
    n = _number(value)
    if n is None:
        return "—"
    return num_l10n(n, 0) if n >= 100 else num_l10n(n, 1)


def _plain(value: Any, *, prose: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int | float):
        # counts and sizes from 1,000 on grouped in the page's language (2,880 beside 14,336;
        # de: 2.880), as the CLI (axes.readable.plain_text); floats as configs write them
        # (1e-06); a year, version or ID under its key is not grouped (readable.nested_text).
        # A whole float from 1,000 on reads grouped as that integer: rope_theta 500000.0 as
        # 500,000 (de: 500.000) beside the grouped integers, not raw (factor 8.0 stays as
        # written); its evidence keeps the config's text
        if readable.is_whole_float(value):
            value = int(value)
        if isinstance(value, int) and abs(value) >= readable.GROUP_FROM:
            # in a translated sentence (a note) a count reads as the page's prose writes it
            return num_l10n(value, 0) if prose else config_count_l10n(value)
        return str(value)
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):
        return str(value)


def _count_plain(value: Any) -> str:
    """A count the engine computed (MTP "params: 13463426048", a vision tower's params) as the
    page's prose and headline write counts (de: 13.463.426.048, beside "Parameter gesamt
    671.026.404.352"), not with the narrow spaces of a config key's value (de: 7 168)."""
    return _plain(value, prose=True)


@register.filter
def json_value(value: Any) -> str:
    """A fact value for reading: strings as-is, a dict as 'key: value · key: value' (empty
    entries left out), a list comma-separated; nested lists and dicts written out, never as
    JSON. A list of dicts (one side of a verdict with several facts of a kind: Llama 3.1's three
    sampling settings) reads as one 'key: value · key: value'. Autoescaped by the template
    like any string. A config key's numbers read as configs are read (de: "hidden_size:
    7 168"), the counts the engine computed as the page's counts (de: "params:
    13.463.426.048"; ``axes.readable.is_count_key``)."""
    if isinstance(value, dict):
        parts = [
            f"{k}: {readable.nested_text(v, _plain, k, count=_count_plain)}"
            for k, v in value.items()
            if v not in (None, "", [], {}, False)
        ]
        return " · ".join(parts) if parts else "—"
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):
            return " · ".join(json_value(v) for v in value)
        return ", ".join(readable.nested_text(v, _plain, count=_count_plain) for v in value)
    return _plain(value)


# The fixed English words the engine writes inside backbone fact values (axes.backbone.facts),
# in the page's language; the fact's evidence keeps the config's own words.
_PARAMS_BASIS = readable.PARAMS_BASIS
_ACTIVE_CONVENTION = readable.ACTIVE_CONVENTION
_NO_POSITIONS = readable.NO_POSITIONS
_NO_POSITIONS_LINEAR = readable.NO_POSITIONS_LINEAR
_RELATIVE_BIAS = readable.RELATIVE_BIAS
_SINUSOIDAL = readable.SINUSOIDAL


def _count(value: Any) -> str | None:
    return num_l10n(value, 0) if isinstance(value, int) and not isinstance(value, bool) else None


def weights_format_h(value: dict[str, Any]) -> str | None:
    """A quantized checkpoint's format in the page's language: "FP8 (block-wise 128×128),
    rest bf16"; None for an unquantized one. The CLI's English is
    ``axes.readable.weights_format_text``."""
    parts = readable.weights_format_parts(value)
    if parts is None:
        return None
    label, sizes, rest = parts
    text = gettext("FP8 (block-wise %(block)s)") % {"block": sizes} if sizes else label
    if rest:
        # the dtype of the tensors a quantized checkpoint leaves unquantized (its torch_dtype)
        return gettext("%(format)s, rest %(dtype)s") % {"format": text, "dtype": rest}
    return text


def _backbone_value_h(kind: str, value: dict[str, Any]) -> str | None:
    """The engine's structured values that read as a sentence, translated; None for the rest
    (they read as "key: value", the keys being config names). The English the CLI prints is
    ``axes.readable.backbone_sentence``: a sentence changed here is changed there too."""
    if kind == "backbone.weights_format":
        return weights_format_h(value)
    if kind == "backbone.params_total" and value.get("basis") == _PARAMS_BASIS:
        total = _count(value.get("total"))
        if total:
            return gettext("%(total)s, counted analytically as transformers builds the model") % {
                "total": total
            }
    if kind == "backbone.params_active" and value.get("convention") == _ACTIVE_CONVENTION:
        active = _count(value.get("active"))
        excluding = _count(value.get("active_excluding_input_embedding"))
        if active and excluding:
            return gettext(
                "%(active)s (embeddings and lm_head included) · %(excluding)s without the "
                "input embedding"
            ) % {"active": active, "excluding": excluding}
    if kind == "backbone.layers":
        counts = value.get("counts") if isinstance(value.get("counts"), dict) else {}
        blocks = counts.get("blocks") or value.get("num_layers")
        summary = value.get("summary")
        if isinstance(blocks, int) and isinstance(summary, str) and summary:
            # "52 blocks: 24 Mamba-2 + 4 GQA + 24 MLP" (the strip's summary: technical terms,
            # kept in English); the config's count only where the pattern disagrees with it
            text = (
                ngettext("%(n)s layer run: %(summary)s", "%(n)s layer runs: %(summary)s", blocks)
                if value.get("layer_runs")  # looped layers: the pattern lists every run
                else ngettext("%(n)s block: %(summary)s", "%(n)s blocks: %(summary)s", blocks)
            ) % {
                "n": num_l10n(blocks, 0),
                "summary": layer_summary_l10n(summary),
            }
            layers = value.get("num_layers")
            if isinstance(layers, int) and layers != blocks:
                text += f" · num_layers: {config_count_l10n(layers)}"
            listed = value.get("num_layers_listed")
            if isinstance(listed, int):  # Dory: attention and MLP listed as layers of their own
                text += " " + gettext(
                    "(%(n)s in config.json, which lists attention and MLP apart)"
                ) % {"n": num_l10n(listed, 0)}
            return text
    if kind == "backbone.positional" and value.get("why") == _NO_POSITIONS:
        return gettext("none: no position encoding; the recurrent (SSM) mixers carry the order")
    if kind == "backbone.positional" and value.get("why") == _NO_POSITIONS_LINEAR:
        return gettext("none: no position encoding; the linear-attention mixers carry the order")
    if kind == "backbone.positional" and value.get("why") == _RELATIVE_BIAS:
        return gettext(
            "relative position bias: a learned bias on each attention score by the distance "
            "between query and key; no RoPE, no position embedding"
        )
    if kind == "backbone.positional" and value.get("why") == _SINUSOIDAL:
        return gettext(
            "sinusoidal: a fixed sine/cosine table added to the token embeddings, as in the "
            "original Transformer; no parameters"
        )
    return None


# Fact values the classifiers write as fixed English words (axes.classify.metadata): shown in
# the page's language.
FIXED_VALUE_MSGIDS: dict[str, str] = {
    # axes.classify.metadata.UNREADABLE_FRONT_MATTER
    "README.md front matter is not valid YAML; fix the block between the --- lines": (
        gettext_noop(
            "README.md front matter is not valid YAML; fix the block between the --- lines"
        )
    ),
    "gated: access requires accepting conditions": gettext_noop(
        "gated: access requires accepting conditions"
    ),
}


@register.filter
def fact_value_h(fact: Any) -> str:
    """A fact's value for reading: the engine's structured values as translated sentences
    ("52 blocks: 24 Mamba-2 + 4 GQA + 24 MLP"), other dicts as "key: value · key: value" with
    nested lists and dicts written out, never as JSON; a card-vs-config contradiction's two
    figures in the page's units ("card: 37.00 B · config: 37.55 B", "card: 128K · config:
    160K"), so the card's "37B" and the config's exact count read alike."""
    if not isinstance(fact, dict):
        return json_value(None)
    value, kind = fact.get("value"), str(fact.get("kind") or "")
    if value == "undisclosed":
        # a closed model's stated state (axes.exercise reads the value alone the same way, as
        # the exercise's fact briefs carry no extra): the model page's words, in every place
        return gettext("undisclosed by the vendor")
    if fact.get("extractor") == "vendor_docs" or (
        isinstance(value, str) and value in CLOSED_VALUE_MSGIDS
    ):
        # a closed model's value: Mechanic's words about the vendor's page, not a quote
        # (catalog.demo_i18n); a dict's words only on the closed model's own facts
        value = closed_value_l10n(value)
    contradiction = (fact.get("extra") or {}).get("flag") == "contradiction"
    if contradiction and isinstance(value, dict):
        if kind.startswith("backbone.params_"):
            return " · ".join(f"{k}: {params_h(v)}" for k, v in value.items() if v is not None)
        if kind == "backbone.context_length":
            return " · ".join(f"{k}: {tokens_h(v)}" for k, v in value.items() if v is not None)
        if kind == "backbone.decoder_type":  # "card: dense · config: MoE", as the headline
            return readable.contradiction_decoder_text(value, decoder_label)
    if isinstance(value, dict):
        sentence = _backbone_value_h(kind, value) if kind.startswith("backbone.") else None
        if sentence is not None:
            return sentence
        return readable.pairs_text(value, _plain, empty="—", count=_count_plain)
    if isinstance(value, str) and value in FIXED_VALUE_MSGIDS:
        return gettext(FIXED_VALUE_MSGIDS[value])
    if readable.is_card_quote(fact):
        return readable.card_quote_text(fact)
    key = readable.metadata_key(fact)
    if key:
        if isinstance(value, int) and not readable.is_quantity_key(key):
            return f"{key}: {value}"  # "year: 2024", not "2,024"
        return f"{key}: {json_value(value)}"
    if kind == "backbone.decoder_type" and isinstance(value, str):
        return decoder_label(value)  # "hybrid_moe" -> "hybrid MoE", as the headline writes it
    return json_value(value)


@register.filter
def quote_h(fact: Any) -> str:
    """A fact's quoted evidence as its words read: a card statement without the Markdown that
    only renders it (links as their text, no emphasis markers or list bullets), a table row
    against its header ("#Activated Params: 37B"); other evidence (a config key, a metadata
    line) as written."""
    if not isinstance(fact, dict):
        return ""
    text = (fact.get("evidence") or {}).get("text")
    if isinstance(text, str) and text in EVIDENCE_TEXTS:
        return gettext(EVIDENCE_TEXTS[text])
    return readable.card_quote_text(fact)


@register.filter
def table_row_cells(fact: Any) -> list[tuple[str, str]]:
    """A quoted card table row as (column name, cell) pairs, empty cells left out; [] for a
    fact that is no table row."""
    if not isinstance(fact, dict):
        return []
    extra = fact.get("extra") or {}
    header = str(extra.get("table_header") or "")
    evidence = fact.get("evidence") or {}
    if not header or not isinstance(evidence, dict):
        return []
    from axes.classify.segment import table_row_pairs

    column = extra.get("model_column")  # a family's table: this model's cell alone
    return table_row_pairs(
        str(evidence.get("text") or ""), header, column if isinstance(column, int) else None
    )


@register.filter
def side_value_h(side: Any) -> str:
    """One side of a verdict difference (``{"value", "evidence"}``, one fact or a list): a
    card quote as its words (no links' URLs, no emphasis markers, a table row's cells), other
    values as ``json_value`` writes them; several quotes joined by " · ", not ", " (which
    read "mechanisms., We're")."""
    if not isinstance(side, dict):
        return json_value(side)
    values, evidence = side.get("value"), side.get("evidence")
    if not isinstance(values, list):
        values, evidence = [values], [evidence]
    elif not isinstance(evidence, list):
        evidence = [evidence] * len(values)
    if len(evidence) != len(values):
        return json_value(side.get("value"))
    from axes.classify.segment import inline_plain, statement_plain, table_cells

    shown = []
    for value, ev in zip(values, evidence, strict=True):
        quote = isinstance(ev, dict) and ev.get("source") == "README.md" and ev.get("text") == value
        if not quote or not isinstance(value, str):
            shown.append(json_value(value))
        elif value.lstrip().startswith("|"):
            cells = [inline_plain(c) for c in table_cells(value)]
            shown.append(" · ".join(c for c in cells if c and c != "-"))
        else:
            shown.append(statement_plain(value))
    return " · ".join(shown)


@register.filter
def row_cells(row: Any) -> list[str]:
    """A card table row ("| **MMLU** | 5-shot | 42.3 |") as its cells' words, empty ones
    kept so the columns line up under the header."""
    from axes.classify.segment import inline_plain, table_cells

    return [inline_plain(c) for c in table_cells(str(row or ""))]


@register.filter
def rows_span(rows: Any) -> str:
    """The card lines a run of table-row facts spans: "L133-L153"."""
    starts = [card_anchor((r.get("evidence") or {}).get("locator")) for r in rows or []]
    lines = [int(a[1:]) for a in starts if a]
    if not lines:
        return ""
    return f"L{min(lines)}" if min(lines) == max(lines) else f"L{min(lines)}-L{max(lines)}"


@register.filter
def cut_words(value: Any, length: int) -> str:
    """Text cut to ``length`` characters at a word boundary, with "…"; never mid-word or
    mid-key as ``truncatechars`` cuts ("full_attention_inte…")."""
    text = str(value or "")
    if len(text) <= int(length):
        return text
    head = text[: int(length) - 1]
    cut = max(head.rfind(" "), head.rfind(","))
    if cut > int(length) // 3:
        head = head[:cut]
    return head.rstrip(" ,·;:") + "…"


@register.filter
def locator_h(value: Any, length: int = 70) -> str:
    """An evidence locator for a summary line: config keys spaced ("hidden_size,
    intermediate_size") and cut between two keys, never inside one."""
    text = str(value or "")
    if "," in text and " " not in text:
        text = text.replace(",", ", ")
    return cut_words(text, length)


@register.filter
def note_l10n(note: Any) -> str:
    """A note written by the engine, the ingestion or the worker, in the page's language."""
    if not isinstance(note, str):
        return json_value(note)
    from catalog.notes_l10n import note_l10n as translate

    return translate(note)


# Fixed evidence words of the bundled catalog (axes.analysis writes them in English)
EVIDENCE_WORDS = {
    "published source": gettext_noop("published source"),
    "bundled catalog": gettext_noop("bundled catalog"),
    # a closed model's evidence for what its vendor does not publish (catalog/demo/closed)
    "whole page": gettext_noop("whole page"),
}

# The bundled closed models' evidence texts that are Mechanic's words about an absence, not a
# quote of the vendor's page (catalog/demo/closed): in the page's language
EVIDENCE_TEXTS = {
    "(no parameter count published)": gettext_noop("(no parameter count published)"),
    "(no parameter count on the model page)": gettext_noop(
        "(no parameter count on the model page)"
    ),
    "(the model pages do not describe how this checkpoint was post-trained)": gettext_noop(
        "(the model pages do not describe how this checkpoint was post-trained)"
    ),
}


@register.filter
def evidence_l10n(text: Any) -> str:
    """An evidence source or locator: the bundled catalog's fixed words translated, a file
    name, config key or URL as written."""
    value = str(text or "")
    return gettext(EVIDENCE_WORDS[value]) if value in EVIDENCE_WORDS else value


@register.filter
def layers_l10n(summary: Any) -> str:
    """An engine layer summary ("28 sliding + 7 full, the last 15 reusing earlier layers' K/V
    · 35 MLP") with its prose in the page's language (catalog.notes_l10n)."""
    return layer_summary_l10n(summary)


@register.filter
def summary_l10n(summary: Any) -> str:
    """A bundled model's summary in the page's language (catalog.demo_i18n)."""
    from catalog.demo_i18n import summary_l10n as translate

    return translate(summary)


@register.filter
def kind_h(kind: Any) -> str:
    """A fact kind for reading: 'backbone.params_total' -> 'Total parameters', translated
    (catalog.i18n.KIND_LABELS); the id itself stays in the evidence and in ``kind_hint``."""
    return i18n.kind_label(str(kind or ""))


@register.filter
def kind_hint(kind: Any) -> str:
    """Hover text of a kind's label: what the kind covers, then its id."""
    return i18n.kind_hint(str(kind or ""))


@register.filter
def component_h(name: Any) -> str:
    """A parameter-breakdown component for reading: 'lm_head' -> 'LM head', translated."""
    return i18n.component_label(str(name or ""))


@register.filter
def card_anchor(locator: Any) -> str:
    """'L12-L14' -> 'L12' (the first line anchor of the rendered card); '' when no line."""
    text = str(locator or "")
    head = text.split("-", 1)[0].strip()
    if len(head) > 1 and head[0] == "L" and head[1:].isdigit():
        return head
    return ""


@register.filter
def path_without_lang(request: Any) -> str:
    """The request's path and query without ``lang``: the language switch's ``next``. With
    ``?lang=en`` kept there, the page came back in the language it was left in, whatever the
    reader had picked (LanguageFromQuery sets the language from it on every request)."""
    query = request.GET.copy()
    query.pop("lang", None)
    encoded = query.urlencode()
    return request.path + (f"?{encoded}" if encoded else "")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` for a dict, or a list's item at an index (a compare column's model
    name: ``data.names|get_item:forloop.counter0``); None when absent."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    if isinstance(mapping, (list, tuple)) and isinstance(key, int) and 0 <= key < len(mapping):
        return mapping[key]
    return None


@register.simple_tag
def chart_json(spec: str) -> SafeString:
    """A plotly figure's JSON, safe inside <script type="application/json">."""
    return mark_safe(spec.translate(_JSON_ESCAPES))  # noqa: S308 - escaped above


@register.simple_tag
def percent(part: Any, whole: Any) -> str:
    """``part`` as a share of ``whole`` in percent, one decimal, in the page's number format
    (de: 6,6), like every other figure on the page."""
    p, w = _number(part), _number(whole)
    if p is None or not w:
        return "0"
    return num_l10n(max(0.0, min(100.0, 100.0 * p / w)), 1)


@register.simple_tag
def confidence_badge(value: Any) -> SafeString:
    n = _number(value)
    if n is None:
        return format_html("")
    level = "high" if n >= 0.9 else "mid" if n >= 0.6 else "low"
    return format_html('<span class="conf conf-{}">{}%</span>', level, round(100 * n))


# The chart toolbar's tooltips and messages, as plotly.js writes them (its own dictionary keys):
# app.js hands plotly this dictionary for the page's language.
PLOTLY_MSGIDS: tuple[str, ...] = (
    gettext_noop("Download plot as a PNG"),
    gettext_noop("Zoom"),
    gettext_noop("Pan"),
    gettext_noop("Zoom in"),
    gettext_noop("Zoom out"),
    gettext_noop("Autoscale"),
    gettext_noop("Reset axes"),
    gettext_noop("Show closest data on hover"),
    gettext_noop("Compare data on hover"),
    gettext_noop("Toggle Spike Lines"),
    gettext_noop("Double-click to zoom back out"),
    gettext_noop("Double-click on legend to isolate one trace"),
    gettext_noop("Preparing image - this may take a few seconds"),
    gettext_noop("Image download succeeded"),
    gettext_noop("Sorry, there was a problem downloading your image!"),
)


@register.simple_tag
def plotly_locale() -> SafeString:
    """``<script type="application/json" id="plotly-locale">`` with the chart toolbar's words in
    the page's language (nothing on an English page: plotly's own words are English)."""
    from django.utils.translation import get_language

    language = (get_language() or "en").split("-")[0]
    if language == "en":
        return mark_safe("")  # noqa: S308 - a constant
    data = {"locale": language, "dictionary": {m: gettext(m) for m in PLOTLY_MSGIDS}}
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(  # noqa: S308 - JSON escaped for a script element above
        f'<script type="application/json" id="plotly-locale">{text}</script>'
    )


# the formats a <time> can be shown in, in the reader's own clock (static/js/app.js)
_LOCAL_TIME = {"Y-m-d H:i": "datetime", "H:i": "time", "H:i:s": "seconds"}


@register.filter
def local_time(value: Any, fmt: str = "Y-m-d H:i") -> str:
    """A moment as a ``<time>``: written in UTC and said so ("2026-11-30 14:05 UTC"), which the
    page's script rewrites in the reader's time zone; a reader in Seoul saw "Saved at 05:05"
    for a save at 14:05 of their own day."""
    if value is None or not hasattr(value, "isoformat"):
        return ""
    return format_html(
        '<time datetime="{}" data-local="{}">{} UTC</time>',
        value.isoformat(),
        _LOCAL_TIME.get(fmt, "datetime"),
        dateformat.format(value, fmt),
    )
