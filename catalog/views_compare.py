"""Compare two or more models: the four axes side by side, the normalized config diff, stacked
layer strips, overlaid charts, and CSV/JSON export of the same table.

``/compare/?models=A,B[,C...]`` is shareable. Unknown IDs are reported and the rest compared.
Two queries whatever the number of models or facts: the models with their latest revision,
and their config artifacts (pinned in tests/test_views_compare.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from axes.card_columns import facts_with_model_column
from axes.facts import LABELS
from axes.verdict import SPEC_NOT_COMPARED, facts_agree, layer_pattern_summary, spec_key_applies
from catalog import views_support as vs
from catalog.i18n import component_label
from catalog.models import REPO_ORDER, Artifact, CatalogModel
from catalog.notes_l10n import layer_summary_l10n
from catalog.templatetags.mechanic import tokens_h
from catalog.views_model import memory_section

MAX_COMPARE = 6
NORMALIZED_CACHE_S = 60 * 60


def compare_ids_parse(
    raw: str, *, limit: int | None = MAX_COMPARE, unique: bool = True
) -> list[str]:
    """'A,B, C' -> ['A', 'B', 'C']: stripped, de-duplicated (unless not ``unique``), order
    kept, at most ``limit`` (None: all of them, for callers that refuse too many rather than
    cut)."""
    out: list[str] = []
    # NUL is dropped: PostgreSQL refuses it in a query parameter (a 500 otherwise).
    for part in raw.replace("\x00", "").replace("\n", ",").split(","):
        part = part.strip()
        if part and (not unique or part not in out):
            out.append(part)
    return out if limit is None else out[:limit]


def _normalized(revision_id: int, version: int, config: dict[str, Any] | None) -> dict[str, Any]:
    """Family-independent config (axes.backbone.normalize), cached per revision."""
    if not isinstance(config, dict):
        return {}
    key = f"normalized:{revision_id}:{version}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    try:
        from axes.backbone import normalize  # type: ignore[attr-defined]

        result = normalize(config).to_dict()
    except ImportError:
        result = {k: v for k, v in config.items() if not isinstance(v, dict | list)}
    except Exception:  # a config the normalizer cannot read still compares on its raw keys
        result = {k: v for k, v in config.items() if not isinstance(v, dict | list)}
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            flat[prefix] = value

    walk("", result)
    cache.set(key, flat, NORMALIZED_CACHE_S)
    return flat


# backbone fact kinds the engine writes whenever a config.json has the part (axes/backbone/
# facts.py): their absence from an analyzed config means the model has none
BACKBONE_PARTS: frozenset[str] = frozenset({"backbone.moe", "backbone.ssm", "backbone.mtp"})


def _all_active(analysis: dict[str, Any] | None) -> int | None:
    """A dense model's active parameter count: its total (no experts, every parameter is used
    per token); None for a MoE or a model without the engine's count."""
    params = (analysis or {}).get("params") or {}
    total, active = params.get("total"), params.get("active")
    dense = vs.dig(analysis or {}, "backbone", "decoder_type") == "dense"
    if dense and isinstance(total, int) and total == active:
        return total
    return None


def _canon(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():  # byte counts: 16060522496, not ...0
        return str(int(value))
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _fact_values(facts: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for fact in facts:
        if isinstance(fact, dict) and fact.get("kind"):
            by_kind.setdefault(str(fact["kind"]), []).append(fact)
    return by_kind


def compare_ids_resolve(given: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """What a user typed -> (the repo IDs it names: IDs or Hub URLs, de-duplicated ignoring
    case; (text, why) for each text that is no model ID at all). No query:
    ``comparison_build`` matches the catalog ignoring case (Hub IDs do) and names each model
    in the catalog's spelling."""
    from catalog.ids import InvalidModelId, model_ref_parse

    ids: dict[str, str] = {}  # lower-cased -> as first typed
    malformed: list[tuple[str, str]] = []
    for text in given:
        try:
            repo_id = model_ref_parse(text).repo_id
        except InvalidModelId as exc:
            malformed.append((text[:200], str(exc)))
            continue
        ids.setdefault(repo_id.lower(), repo_id)
    return list(ids.values()), malformed


def compare_revisions_ignored(
    given: list[str], models: list[CatalogModel] | None = None
) -> list[str]:
    """``org/name@rev`` for each text that names a revision (``@rev``, a /tree/<rev> URL):
    compare shows each model's latest analysis, so the page says the revision was not used.
    Not for a revision that is the latest one's sha (or its first 7 or more characters)."""
    from catalog.ids import InvalidModelId, model_ref_parse

    latest = {m.repo_id.lower(): m.latest_revision.sha for m in models or [] if m.latest_revision}
    out: list[str] = []
    for text in given:
        try:
            ref = model_ref_parse(text)
        except InvalidModelId:
            continue
        rev = ref.revision
        sha = latest.get(ref.repo_id.lower(), "")
        if not rev or (sha and (rev == sha or (len(rev) >= 7 and sha.startswith(rev)))):
            continue
        named = f"{ref.repo_id}@{rev}"
        if named not in out:
            out.append(named)
    return out


def compare_context_default(analyses: list[dict[str, Any]]) -> int:
    """The context the compare page's memory and speed figures use unless the reader picks one:
    the model page's default (32K) capped at the shortest native context of the models, so no
    model is figured past its own window."""
    natives = [n for n in (vs.context_length(a) for a in analyses) if n]
    return min([vs.DEFAULT_CONTEXT, *natives])


def compare_context_choices(analyses: list[dict[str, Any]], chosen: int) -> list[int]:
    """The model page's context choices up to the longest native context, each model's native
    context, and ``chosen``."""
    natives = [n for n in (vs.context_length(a) for a in analyses) if n]
    longest = max(natives, default=0)
    choices = {c for c in vs.CONTEXT_CHOICES if not longest or c <= longest}
    return sorted(choices | set(natives) | {chosen})


def comparison_build(repo_ids: list[str], *, context_tokens: int | None = None) -> dict[str, Any]:
    """Everything the compare page, its exports and the API show, as plain data.

    ``context_tokens``: the context of the figures that depend on one (KV cache and recurrent
    state of one sequence); ``compare_context_default`` when None."""
    # Hub IDs ignore case: match the catalog so, and name each model in its spelling
    found = {
        m.repo_id.lower(): m
        for m in CatalogModel.objects.select_related("latest_revision")
        .annotate(repo_id_lower=Lower("repo_id"))
        .filter(repo_id_lower__in=[r.lower() for r in repo_ids])
    }
    models = [found[r.lower()] for r in repo_ids if r.lower() in found]
    unknown = [r for r in repo_ids if r.lower() not in found]
    revisions = [m.latest_revision for m in models]
    analyses = [(r.analysis if r else None) or {} for r in revisions]
    configs: dict[int, Any] = {}
    rev_ids = [r.pk for r in revisions if r is not None]
    if rev_ids:
        configs = dict(
            Artifact.objects.filter(revision_id__in=rev_ids, kind=Artifact.Kind.CONFIG).values_list(
                "revision_id", "data"
            )
        )
    names = [m.repo_id for m in models]
    context = context_tokens or compare_context_default(analyses)

    headline_specs: list[tuple[str, str, Any]] = [
        ("decoder_type", _("Decoder type"), lambda a: vs.dig(a, "backbone", "decoder_type")),
        ("attention", _("Attention"), lambda a: vs.dig(a, "backbone", "attention", "variant")),
        ("layers", _("Layers"), lambda a: vs.dig(a, "backbone", "layers", "summary")),
        ("params_total", _("Total parameters"), lambda a: vs.dig(a, "params", "total")),
        ("params_active", _("Active parameters"), lambda a: vs.dig(a, "params", "active")),
        # shown in binary units on the page; the CSV and JSON exports keep bytes
        ("weights_stored", _("Weights as stored"), lambda a: vs.weights_bytes(a, "stored")),
        ("weights_bf16", _("Weights at bf16"), lambda a: vs.weights_bytes(a, "bf16")),
        (
            "weights_fp8",
            _("Weights at fp8 (as a block-wise FP8 checkpoint)"),
            lambda a: vs.weights_bytes(a, "fp8"),
        ),
        (
            "weights_int4",
            _("Weights at int4 (as an AWQ g128 checkpoint)"),
            lambda a: vs.weights_bytes(a, "int4"),
        ),
        (
            "kv_bytes_per_token",
            _("KV cache per token"),
            lambda a: vs.dig(a, "memory", "kv_bytes_per_token"),
        ),
        # Mamba / linear-attention layers keep a constant state per sequence instead of a KV
        # cache per token: without it a hybrid reads many times lighter than it is
        (
            "state_bytes_per_sequence",
            _("Recurrent state per sequence"),
            lambda a: vs.dig(a, "memory", "state_bytes_per_sequence"),
        ),
        (
            "cache_bytes_at_context",
            _("KV cache + recurrent state at %(context)s tokens, one sequence")
            % {"context": tokens_h(context)},
            lambda a: vs.kv_bytes_at(a, context) if a.get("memory") else None,
        ),
        ("context_length", _("Context window (tokens)"), vs.context_length),
    ]
    # without a Mamba / linear-attention layer in any of the models, the recurrent state is 0 B
    # for all: the page does not show its row (the exports and the API keep it, so their
    # columns do not depend on the models), and the cache row is the KV cache alone
    has_state = any(vs.dig(a, "memory", "state_bytes_per_sequence") for a in analyses)
    headline = []
    for key, title, getter in headline_specs:
        values = [getter(a) for a in analyses]
        if key == "cache_bytes_at_context" and not has_state:
            title = _("KV cache at %(context)s tokens, one sequence") % {
                "context": tokens_h(context)
            }
        headline.append(
            {
                "key": key,
                "title": title,
                "values": values,
                # differs: two known values that are not the same; a model without the
                # figure (a closed one: "—") is unknown, not different
                "differs": len({_canon(v) for v in values if v is not None}) > 1,
                "hidden": key == "state_bytes_per_sequence" and not has_state,
            }
        )

    axes_rows: dict[str, list[dict[str, Any]]] = {label: [] for label in LABELS}
    # a row of a family's table (a column per model) reads as each model's own cell
    per_model = [
        _fact_values(
            facts_with_model_column(
                [f for f in a.get("facts") or [] if isinstance(f, dict)],
                name,
                decoder_type=vs.dig(a, "backbone", "decoder_type"),
            )
        )
        for name, a in zip(names, analyses, strict=True)
    ]
    kinds: list[str] = []
    for by_kind in per_model:
        for kind in by_kind:
            if kind not in kinds:
                kinds.append(kind)
    for kind in kinds:
        axis = kind.split(".", 1)[0]
        if axis not in axes_rows:
            continue
        cells = [by_kind.get(kind, []) for by_kind in per_model]
        # a part the engine states whenever a config has it: a model whose config.json was
        # analyzed and that has no such fact has none of it (Llama's SSM), which differs from
        # one that has it; elsewhere a model without the fact is unknown ("—")
        absent = [
            not cell and kind in BACKBONE_PARTS and bool((a or {}).get("params"))
            for cell, a in zip(cells, analyses, strict=False)
        ]
        # the verdict's own equality (axes.verdict.facts_agree): each model's config.json where
        # that says it (a card's restatement is no difference), a stage by the stage it states,
        # so the row and the verdict never disagree; a model with none is unknown, not different,
        # and so is a closed model whose vendor does not disclose it (the verdict: undisclosed)
        stated = [cell for cell in cells if cell and not _undisclosed(cell)]
        # the engine states the active count for a MoE only: a dense model's cell read "—"
        # (unknown) beside the headline's figure, while every one of its parameters is active
        all_active = [
            _all_active(a) if not cell and kind == "backbone.params_active" else None
            for cell, a in zip(cells, analyses, strict=False)
        ]
        axes_rows[axis].append(
            {
                "kind": kind,
                "cells": cells,
                "columns": list(zip(cells, absent, strict=False)),
                "all_active": all_active,
                "differs": any(
                    not facts_agree(kind, x, y)
                    for i, x in enumerate(stated)
                    for y in stated[i + 1 :]
                )
                or (bool(stated) and any(absent))
                or (bool(stated) and any(n is not None for n in all_active)),
            }
        )

    normalized = [
        _normalized(r.pk, r.analysis_version, configs.get(r.pk)) if r else {} for r in revisions
    ]
    config_diff = _config_rows(normalized)

    return {
        "names": names,
        "models": models,
        "revisions": revisions,
        "analyses": analyses,
        "unknown": unknown,
        "headline": headline,
        "axes": axes_rows,
        "config_diff": config_diff,
        "context_tokens": context,
        # Filled by the "lesson" engineer (axes.verdict); None leaves the slot empty.
        "axes_verdict": compare_verdict(names, analyses),
    }


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _config_rows(normalized: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The normalized config diff: one row per concept. A model's value is None (shown "—")
    where the key describes a part it lacks (expert flags of a dense model, SSM sizes of one
    without SSM layers: axes.verdict.spec_key_applies); the engine's bookkeeping and aliases
    (axes.verdict.SPEC_NOT_COMPARED) and rows empty for every model are left out."""
    keys: list[str] = []
    for flat in normalized:
        for k in flat:
            if k not in keys and k.split(".", 1)[0] not in SPEC_NOT_COMPARED:
                keys.append(k)
    rows = []
    for k in keys:
        values = [
            flat.get(k) if spec_key_applies(k, flat) is not False else None for flat in normalized
        ]
        if all(_empty(v) for v in values):
            continue
        row = {"key": k, "values": values, "differs": len({_canon(v) for v in values}) > 1}
        if k == "layer_pattern":
            # the page shows the report's summary ("32 GQA · 32 MLP"), not 160 characters of
            # the per-layer list; the exports and the API keep the list
            row["shown"] = [
                (layer_summary_l10n(layer_pattern_summary(flat)) or v) if v is not None else None
                for flat, v in zip(normalized, values, strict=True)
            ]
        rows.append(row)
    return rows


def compare_verdict(names: list[str], analyses: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Per-axis verdict and one sentence for exactly two models, when axes.verdict exists."""
    if len(analyses) != 2:
        return None
    try:
        from axes.verdict import axes_verdict, verdict_sentence
    except ImportError:
        return None
    try:
        verdicts = axes_verdict(analyses[0], analyses[1])
        sentence = verdict_sentence(verdicts, names, gettext=_, ngettext=ngettext)
    except Exception:  # a verdict is a bonus; never break the comparison for it
        return None
    from catalog.i18n import verdict_rows  # "lesson": translated rows for _verdict.html

    result = {"axes": verdicts, "sentence": sentence}
    return {**result, "rows": verdict_rows(result, names)}


def _cell(value: Any) -> Any:
    """An export cell: numbers stay numbers (whole floats as integers), text stays text,
    anything else is its canonical JSON."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    return _canon(value)


# the verdict's own columns: its state per axis, and the sentence or reason ("Why" on the page)
VERDICT_COLUMNS = ("verdict", "why")


def _verdict_records(data: dict[str, Any], *, cell_of: Any = None) -> list[dict[str, Any]]:
    """The page's main result as export rows (section "verdict"): the sentence, then per axis
    its state and reason, then each difference with the two sides' values. ``differs`` is
    True/False for differs/same and empty where an axis or a side is not known."""
    verdict = data.get("axes_verdict")
    if not verdict:
        return []
    cell = cell_of or _cell
    names = data["names"]
    records: list[dict[str, Any]] = [
        {"section": "verdict", "axis": "", "item": "sentence", "why": verdict["sentence"]}
    ]
    by_axis = {row["axis"]: row for row in verdict.get("rows") or []}
    for axis, result in verdict["axes"].items():
        state = result.get("verdict", "unknown")
        why = by_axis[axis]["reason"] if axis in by_axis else result.get("reason", "")
        missing = by_axis[axis]["missing"] if axis in by_axis else []
        if missing:
            who = {"who": ", ".join(missing)}
            note = (
                _("(not published for %(who)s)")
                if state == "undisclosed"
                else _("(no evidence for %(who)s)")
            )
            why = f"{why} {note % who}".strip()
        records.append(
            {
                "section": "verdict",
                "axis": axis,
                "item": "verdict",
                "differs": {"differs": True, "same": False}.get(state),
                "verdict": state,
                "why": why,
            }
        )
        for difference in result.get("differences") or []:
            sides = [difference.get("a") or {}, difference.get("b") or {}]
            records.append(
                {
                    "section": "verdict",
                    "axis": axis,
                    "item": difference.get("kind"),
                    # one side silent, or a guess: not known to differ
                    "differs": True
                    if difference.get("stated_by") == "both" and not difference.get("not_counted")
                    else None,
                    "why": _difference_why(difference),
                }
                | {n: cell(side.get("value")) for n, side in zip(names, sides, strict=False)}
            )
    return records


def _difference_why(difference: dict[str, Any]) -> str:
    """Why a listed difference does or does not count, as the page's verdict rows say it."""
    not_counted = difference.get("not_counted")
    if difference.get("attributed_to") == "post_training":
        return _("follows from post-training")
    if not_counted == "guess":
        if difference.get("confidence") is None:
            return _("guess: does not decide the verdict")
        return _("guess %(n)s%%: does not decide the verdict") % {
            "n": round(100 * float(difference["confidence"]))
        }
    if not_counted:
        return _("mentioned for one model only: not counted as a difference")
    return ""


def _native_cell(value: Any) -> Any:
    """A JSON export cell: the value itself (lists and objects as JSON, not as text holding
    JSON), whole floats as integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def row_fact_values(row: dict[str, Any]) -> list[list[Any]]:
    """Each model's values in a facts row of ``comparison_build``; a dense model's active
    parameters (no fact: the engine states the count for a MoE only) are its total, as the
    page shows them, so an export or the API never pairs "differs" with an empty cell."""
    fills = row.get("all_active") or [None] * len(row["cells"])
    return [
        [f.get("value") for f in cell] if cell else ([n] if n is not None else [])
        for cell, n in zip(row["cells"], fills, strict=False)
    ]


def _fact_cell(values: list[Any], *, native: bool) -> Any:
    """The values of one kind for one model: CSV joins their canonical text with "; "; JSON
    keeps the value (several facts: the list of values; none: null)."""
    if not native:
        return "; ".join(_canon(v) for v in values)
    out = [_native_cell(v) for v in values]
    return out[0] if len(out) == 1 else (out or None)


def comparison_frame(data: dict[str, Any], *, native: bool = False) -> Any:
    """One long table (section, axis, item, one column per model, then the verdict's state and
    why) for CSV/JSON export: the verdict first, as on the page. ``native``: cells keep their
    JSON values (the JSON export); else every structured value is its canonical text (CSV)."""
    import pandas as pd

    cell_of = _native_cell if native else _cell
    names = data["names"]
    records: list[dict[str, Any]] = _verdict_records(data, cell_of=cell_of)
    for row in data["headline"]:
        records.append(
            {"section": "headline", "axis": "", "item": row["key"], "differs": row["differs"]}
            | {n: cell_of(v) for n, v in zip(names, row["values"], strict=False)}
        )
    if names:  # the context cache_bytes_at_context is figured at (the page's title says it)
        records.append(
            {"section": "headline", "axis": "", "item": "context_tokens", "differs": False}
            | dict.fromkeys(names, data["context_tokens"])
        )
    for axis, rows in data["axes"].items():
        for row in rows:
            records.append(
                {"section": "facts", "axis": axis, "item": row["kind"], "differs": row["differs"]}
                | {
                    n: _fact_cell(values, native=native)
                    for n, values in zip(names, row_fact_values(row), strict=False)
                }
            )
    for row in data["config_diff"]:
        records.append(
            {"section": "config", "axis": "backbone", "item": row["key"], "differs": row["differs"]}
            | {n: cell_of(v) for n, v in zip(names, row["values"], strict=False)}
        )
    return pd.DataFrame.from_records(
        records, columns=["section", "axis", "item", "differs", *names, *VERDICT_COLUMNS]
    )


def _export(data: dict[str, Any], fmt: str) -> HttpResponse:
    stem = "compare-" + "-vs-".join(n.replace("/", "_") for n in data["names"])[:150]
    if fmt == "csv":
        # with a byte-order mark, as spreadsheet programs want it: Excel reads a UTF-8 file
        # without one in the locale's code page, so Korean or German text turned to mojibake
        response = HttpResponse(
            "\ufeff" + comparison_frame(data).to_csv(index=False),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    else:
        body = comparison_frame(data, native=True).to_json(orient="records", force_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    return response


def _undisclosed(cell: list[dict[str, Any]]) -> bool:
    """A cell of only a vendor's "undisclosed" (a closed model's stated state, no value)."""
    return all(f.get("value") == "undisclosed" for f in cell)


def compare_column_labels(names: list[str]) -> list[str]:
    """What names each model's value where a phone stacks a table's row (no header over the
    columns there): the name without its organisation, as short as reads, unless two models
    share that name (an original and its re-upload), which keep their whole ID."""
    short = [n.rsplit("/", 1)[-1] for n in names]
    return [s if short.count(s) == 1 else n for n, s in zip(names, short, strict=True)]


@require_safe
def compare_page(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("models", "")
    given = compare_ids_parse(raw)
    repo_ids, malformed = compare_ids_resolve(given)
    chosen_context = _context_param(request)
    data = comparison_build(repo_ids, context_tokens=chosen_context) if repo_ids else None
    fmt = request.GET.get("format", "")
    exporting = fmt in ("csv", "json")
    if exporting and data and data["names"]:
        return _export(data, fmt)

    context: dict[str, Any] = {
        "raw": raw,
        "data": data,
        "catalog_ids": list(
            CatalogModel.objects.order_by(*REPO_ORDER).values_list("repo_id", flat=True)[:500]
        ),
        "too_many": len({p.strip() for p in raw.split(",") if p.strip()}) > MAX_COMPARE,
        "max_compare": MAX_COMPARE,
        "malformed": [text for text, _why in malformed],
        "revisions_ignored": compare_revisions_ignored(given, data["models"] if data else None),
    }
    if data and data["models"]:
        names = data["names"]
        analyses = data["analyses"]
        context_tokens = data["context_tokens"]
        breakdowns = [(n, vs.params_breakdown(a)) for n, a in zip(names, analyses, strict=True)]
        # the roofline, the memory chart's marker and the headline's cache row all at one
        # context (the model page moves its roofline to its chosen context the same way)
        roofs = [
            (n, vs.roofline_at(a, context_tokens)) for n, a in zip(names, analyses, strict=True)
        ]
        gpu_name = request.GET.get("gpu", "")[:50]
        # kept by the export links and the GPU form when the reader picked it
        context_query = f"&context={chosen_context}" if chosen_context else ""
        # the GPUs each model does not fit on at this context: hatched in the chart, said in
        # its table and under it (a bar alone reads as a speed the GPU reaches)
        closed = [m.kind == CatalogModel.Kind.CLOSED for m in data["models"]]
        unfits = [
            vs.roofline_unfit(a, r, context_tokens)
            for a, (_n, r) in zip(analyses, roofs, strict=True)
        ]
        context.update(
            {
                # a closed model's layer line and headline cells say the vendor does not
                # publish them, rather than a nameless "no pattern stored" and a column of dashes
                "closed_columns": closed,
                "strips": [
                    (n, vs.layer_strip(a), c)
                    for n, a, c in zip(names, analyses, closed, strict=True)
                ],
                "chart_params": vs.chart_params(breakdowns)
                if any(b for _n, b in breakdowns)
                else "",
                "breakdown_table": _union_table(breakdowns, component_label),
                "chart_roofline": vs.chart_roofline(roofs, unfits)
                if any(r for _n, r in roofs)
                else "",
                "roofline_table": _union_table(roofs, unfit=unfits),
                "roofline_unfit": [
                    (n, len(u)) for (n, _r), u in zip(roofs, unfits, strict=True) if u
                ],
                "mem": memory_section(
                    list(zip(names, analyses, strict=True)), gpu_name, context_tokens, cache=True
                ),
                "context_tokens": context_tokens,
                "context_choices": compare_context_choices(analyses, context_tokens),
                # models the chosen context is past the native window of: arithmetic only
                "past_window": [
                    (n, native)
                    for n, native in (
                        (n, vs.context_length(a)) for n, a in zip(names, analyses, strict=True)
                    )
                    if native and context_tokens > native
                ],
                "axis_titles": vs.axis_titles(),
                "column_labels": compare_column_labels(names),
                "diff_rows": [r for r in data["config_diff"] if r["differs"]],
                "same_rows": [r for r in data["config_diff"] if not r["differs"]],
                "verdict": data["axes_verdict"],
                "export_csv": f"?models={','.join(names)}&format=csv{context_query}",
                "export_json": f"?models={','.join(names)}&format=json{context_query}",
                "share_query": ",".join(names),
                # the verdict compares two models: with more, one link per pair with the first
                "verdict_pairs": [(names[0], n, f"{names[0]},{n}") for n in names[1:]]
                if len(names) > 2
                else [],
            }
        )
        if len(names) == 1:
            context["pair_suggestions"] = _pair_suggestions(names[0])
    # an export of models none of which is in the catalog was a 200 download of empty columns
    # ("compare-.csv"): the page says which IDs are unknown or malformed, as a 404
    status = 404 if exporting and not (data and data["names"]) else 200
    return render(request, "catalog/compare.html", context, status=status)


def _pair_suggestions(name: str, limit: int = 6) -> list[tuple[str, str]]:
    """With one model on the page, one-click partners from the catalog: (id, "name,id"), the
    same organisation first (a sibling is the usual lesson: base vs instruct, 8B vs 405B), in
    REPO_ORDER; then the models nearest in kind (open or closed, MoE or not) and size.
    Asked of the whole catalog, not of the field's first 500 IDs, so a sibling past them is
    still offered. The field's suggestions cannot help after a comma (a datalist matches the
    whole value)."""
    prefix = name.split("/", 1)[0] + "/"
    others = CatalogModel.objects.exclude(repo_id__iexact=name).order_by(*REPO_ORDER)
    picked = list(
        others.filter(repo_id__istartswith=prefix).values_list("repo_id", flat=True)[:limit]
    )
    if len(picked) < limit:
        rest = list(
            others.exclude(repo_id__istartswith=prefix).values_list(
                "repo_id",
                "kind",
                "latest_revision__analysis__params__total",
                "latest_revision__analysis__backbone__decoder_type",
            )
        )
        mine = (
            CatalogModel.objects.filter(repo_id__iexact=name)
            .values_list(
                "kind",
                "latest_revision__analysis__params__total",
                "latest_revision__analysis__backbone__decoder_type",
            )
            .first()
        ) or (None, None, None)
        rest.sort(key=lambda row: _partner_distance(row[1:], mine))  # stable: REPO_ORDER ties
        picked += [row[0] for row in rest[: limit - len(picked)]]
    return [(i, f"{name},{i}") for i in picked]


def _partner_distance(other: tuple[Any, Any, Any], mine: tuple[Any, Any, Any]) -> tuple[Any, ...]:
    """How far a partner is from the model on the page: an open model's partners are open
    models and a closed model's closed ones (Claude next to GPT-5), the others after them;
    then another kind (MoE or not) after the same kind, then the size ratio (log scale: 8B
    is as far from 70B as 70B from 600B)."""
    import math

    kind, total, decoder = other
    my_kind, my_total, my_decoder = mine
    closed = CatalogModel.Kind.CLOSED

    def is_moe(decoder_type: Any) -> bool:
        return "moe" in str(decoder_type or "")

    sized = isinstance(total, int | float) and isinstance(my_total, int | float)
    sized = sized and total > 0 and my_total > 0
    return (
        (kind == closed) != (my_kind == closed),
        not sized,
        is_moe(decoder) != is_moe(my_decoder),
        abs(math.log(total / my_total)) if sized else 0.0,
    )


def _context_param(request: HttpRequest) -> int | None:
    """``?context=N`` (tokens), as the model page reads it; None when absent or not a number."""
    try:
        value = int(request.GET.get("context", ""))
    except ValueError:
        return None
    return max(1, min(10_000_000, value))


def _union_table(
    series: list[tuple[str, list[tuple[str, float]]]],
    title: Callable[[str], str] | None = None,
    unfit: list[set[str]] | None = None,
) -> list[dict[str, Any]]:
    """One row per label any model has; ``title`` turns an id into its words for the reader
    (a breakdown component), none keeps the label as written (a GPU). ``unfit[i]``: the
    labels (GPUs) model i does not fit on, each such cell marked."""
    unfit = unfit or [set() for _ in series]
    labels: list[str] = []
    for _n, rows in series:
        for label, _v in rows:
            if label not in labels:
                labels.append(label)
    return [
        {
            "label": label,
            "title": title(label) if title else "",
            "cells": [
                {"value": dict(rows).get(label), "unfit": label in unfit[i]}
                for i, (_n, rows) in enumerate(series)
            ],
        }
        for label in labels
    ]
