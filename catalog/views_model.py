"""The model page: four axis panels with evidence, headline numbers, layer strip, charts,
lineage, contradictions, the rendered card and the profiler panel.

Renders from stored data only (``Revision.analysis``); the number of queries does not depend on
the number of facts or revisions (pinned in tests/test_views.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from functools import partial
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from axes.card_columns import facts_with_model_column
from catalog import views_support as vs
from catalog.models import Artifact, CatalogModel, Revision

log = logging.getLogger(__name__)

LINEAGE_MAX_HOPS = 4
CARD_CACHE_S = 60 * 60
FRAGMENT_CACHE_S = 60 * 60


def analysis_fragment_key(revision: Revision | None, analysis: dict[str, Any], **extra: Any) -> str:
    """Cache key of the model page's fragments that depend only on the stored analysis (axis
    panels, contradictions, layer strip): revision, analysis version, a digest of the analysis
    itself (an in-place re-analysis or a reused primary key never serves stale HTML), the active
    language, and whatever else the fragment reads (``extra``)."""
    digest = hashlib.blake2b(
        json.dumps(analysis, sort_keys=True, default=str).encode(), digest_size=16
    ).hexdigest()
    parts = [
        str(revision.pk) if revision else "-",
        str(revision.analysis_version) if revision else "-",
        digest,
        get_language() or "",
        *(f"{k}={v}" for k, v in sorted(extra.items())),
    ]
    return ":".join(parts)


def model_load(repo_id: str) -> tuple[CatalogModel, Revision | None]:
    if "\x00" in repo_id:  # in no catalog ID, and PostgreSQL refuses it in a query (a 500)
        raise Http404(repo_id)
    try:
        model = CatalogModel.objects.select_related("latest_revision").get(repo_id=repo_id)
    except CatalogModel.DoesNotExist as exc:
        raise Http404(repo_id) from exc
    return model, model.latest_revision


def card_html(revision: Revision, *, repo_id: str) -> tuple[str, bool]:
    """The sanitized card with L<n> anchors, cached by the card's content hash and the model
    (``repo_id``, whose column a family's table shows)."""
    card = (
        Artifact.objects.filter(revision_id=revision.pk, kind=Artifact.Kind.CARD)
        .only("text", "sha256", "truncated")
        .first()
    )
    if card is None or not card.text:
        return "", False
    # v2: an anchor per line, the front matter folded under a translated summary; v3: the
    # card's own layout HTML rendered through the allow-list; v4: a family's table shows this
    # model's column (so the model and its decoder type are in the key)
    model = repo_id
    decoder_type = vs.dig(revision.analysis or {}, "backbone", "decoder_type")
    key = (
        f"card:v4:{get_language()}:{card.sha256 or revision.pk}:{len(card.text)}:"
        f"{hashlib.sha1(f'{model}:{decoder_type}'.encode(), usedforsecurity=False).hexdigest()}"
    )
    html = cache.get(key)
    if html is None:
        try:
            from catalog.cards import card_render_html
        except ImportError:
            from django.utils.html import escape

            lines = card.text.splitlines()
            html = "".join(
                f'<span id="L{i}" class="card-line">{escape(line)}</span>\n'
                for i, line in enumerate(lines, 1)
            )
            html = f"<pre>{html}</pre>"
        else:
            html = card_render_html(
                card.text, model=model, decoder_type=str(decoder_type) if decoder_type else None
            )
        cache.set(key, html, CARD_CACHE_S)
    return html, card.truncated


def _stored_label(analysis: dict[str, Any]) -> str:
    """How the checkpoint stores its weights, as its weights_format fact reads ("FP8 (block-wise
    128×128), rest bf16"), or its dtype ("fp16")."""
    fmt = vs.dig(analysis, "backbone", "weights_format") or {}
    quant = fmt.get("quantization") if isinstance(fmt, dict) else None
    if isinstance(quant, dict) and quant.get("label"):
        from catalog.templatetags.mechanic import weights_format_h

        value = {
            "stored_dtype": fmt.get("stored_dtype"),
            "quantization": quant["label"],
            "block_size": quant.get("block_size"),
            "assumed_dtype": fmt.get("assumed_dtype"),
        }
        return weights_format_h(value) or str(quant["label"])
    dtype = fmt.get("stored_dtype") if isinstance(fmt, dict) else None
    from axes.backbone.quantization import DTYPE_SHORT_NAMES

    return DTYPE_SHORT_NAMES.get(str(dtype), str(dtype)) if dtype else "bf16"


def _stored_spec(analysis: dict[str, Any] | None) -> dict[str, Any] | None:
    spec = (analysis or {}).get("spec")
    return spec if isinstance(spec, dict) and spec else None


def _base_lookup(named: Any, *, child_id: str, seen: set[str]) -> CatalogModel | None:
    """The catalog model a named base is (one query), or None.

    A repo id matches in any casing, or without a leading word that repeats its organization
    (``meta-llama/Meta-Llama-3.1-8B-Instruct`` was renamed ``meta-llama/Llama-3.1-8B-Instruct``;
    the Hub redirects the old name). A name from prose (``Llama 3.1 8B``) matches a model whose
    repo name or display name it is, preferring the child's organization; an ambiguous name
    matches nothing.
    """
    from django.db.models import Q

    if named.is_repo_id:
        org, _sep, name = named.name.partition("/")
        wanted = [named.name.lower()]
        first, dash, rest = name.partition("-")
        if dash and rest and first.lower() in re.split(r"[-_.]", org.lower()):
            wanted.append(f"{org}/{rest}".lower())
        query = Q()
        for repo_id in wanted:
            query |= Q(repo_id__iexact=repo_id)
    else:
        slug = re.sub(r"\s+", "-", named.name.strip())
        query = Q(repo_id__iendswith=f"/{slug}") | Q(display_name__iexact=named.name)
    found = [
        m
        for m in CatalogModel.objects.filter(query)
        .select_related("latest_revision")
        .only("repo_id", "display_name", "latest_revision__analysis")[:20]
        if m.repo_id.lower() not in seen
    ]
    if named.is_repo_id:
        by_id = {m.repo_id.lower(): m for m in found}
        return next((by_id[w] for w in wanted if w in by_id), None)
    org = child_id.split("/", 1)[0].lower()
    same_org = [m for m in found if m.repo_id.split("/", 1)[0].lower() == org]
    for group in (same_org, found):
        if len(group) == 1:
            return group[0]
        if group:
            return None  # ambiguous
    return None


def _evidence_of(named: Any, *, card_url: str | None) -> dict[str, str] | None:
    """Where a base named in prose is named: the quoted sentence, and a link to its line in the
    card that holds it (``card_url``: that model's page, "" for this page, None when there is
    no card to link to) or to the published source a bundled fact cites."""
    if named.from_metadata:
        return None
    from catalog.templatetags.mechanic import card_anchor

    evidence = named.evidence or {}
    source = str(evidence.get("source") or "")
    locator = str(evidence.get("locator") or "")
    anchor = card_anchor(locator)
    if anchor and card_url is not None:
        href = f"{card_url}#{anchor}"
    elif source.startswith(("https://", "http://")):
        href = source
    else:
        href = ""
    return {
        "source": source,
        "locator": locator,
        "text": str(evidence.get("text") or ""),
        "anchor": anchor if href.endswith(f"#{anchor}") and anchor else "",
        "href": href,
    }


def lineage_chain(
    model: CatalogModel, analysis: dict[str, Any], *, has_card: bool = True
) -> list[dict[str, Any]]:
    """Base model hops: this model, its base, the base's base... (one query per hop).

    The bases are the card's ``base_model`` metadata, else the ones its post-training
    sentences name (``axes.classify.lineage.lineage_named``): a name resolves to a catalog
    model when one matches, and is shown as text with its evidence otherwise. Each hop carries
    its relation and whether it changed the architecture: the stored normalized specs
    (``analysis["spec"]``, ``axes.backbone.normalize(config).to_dict()``) of child and parent
    are compared, so a hop costs no query beyond loading the parent.
    """
    from axes.classify.lineage import lineage_named, spec_hop_verdict

    facts = [f for f in analysis.get("facts") or [] if isinstance(f, dict)]
    chain: list[dict[str, Any]] = []
    seen = {model.repo_id.lower()}
    child_id, child_spec = model.repo_id, _stored_spec(analysis)
    current = lineage_named(facts)
    # where the current child's card is shown: this page, or the base's own page
    card_url: str | None = "" if has_card else None
    for _hop in range(LINEAGE_MAX_HOPS):
        child_name = child_id.split("/", 1)[-1].lower()
        candidates = [
            n
            for n in current
            if (n.is_repo_id and vs.REPO_ID_RE.match(n.name) and n.name.lower() not in seen)
            # a name from prose that is the model's own (the card's subject) is no base
            or (not n.is_repo_id and re.sub(r"\s+", "-", n.name.lower()) != child_name)
        ]
        if not candidates:
            break
        named = candidates[0]
        base = _base_lookup(named, child_id=child_id, seen=seen)
        base_id = base.repo_id if base is not None else named.name
        seen.add(base_id.lower())
        base_analysis = (
            (base.latest_revision.analysis or {})
            if base is not None and base.latest_revision is not None
            else {}
        )
        base_spec = _stored_spec(base_analysis)
        verdict = spec_hop_verdict(
            child=child_id,
            parent=base_id,
            relation=named.relation,
            child_spec=child_spec,
            parent_spec=base_spec,
        )
        chain.append(
            {
                "repo_id": base_id,
                "url": base.get_absolute_url() if base else None,
                # the name the card writes, where the catalog knows the model by another
                "named": named.name if named.name != base_id else "",
                "relation": named.relation,
                "in_catalog": base is not None,
                "evidence": _evidence_of(named, card_url=card_url),
                "architecture_changed": verdict.architecture_changed,
                "changes": [
                    {"key": key, "child": a, "parent": b} for key, a, b in verdict.changes[:6]
                ],
                "more_changes": max(0, len(verdict.changes) - 6),
            }
        )
        if base is None or base.latest_revision is None:
            break
        current = lineage_named(
            [f for f in base_analysis.get("facts") or [] if isinstance(f, dict)]
        )
        child_id, child_spec = base_id, base_spec
        card_url = base.get_absolute_url()
    return chain


def profiler_panel(revision: Revision | None, request: HttpRequest) -> str:
    if revision is None:
        return ""
    try:
        from profiler.services import runs_panel_context
    except ImportError:
        return ""
    try:
        context = runs_panel_context(revision)
        return render_to_string("profiler/_panel.html", context, request=request)
    except TemplateDoesNotExist:
        return ""


def _int_param(request: HttpRequest, name: str, default: int, *, lo: int, hi: int) -> int:
    try:
        value = int(request.GET.get(name, default))
    except (TypeError, ValueError):
        return default
    return max(lo, min(hi, value))


def _context_rows(
    series: list[tuple[str, list[tuple[int, float]]]], contexts: list[int]
) -> list[dict[str, Any]]:
    """A chart's table alternative: one row per context, one value per model (None: none)."""
    return [
        {"context": ctx, "values": [dict(pts).get(ctx) for _n, pts in series]} for ctx in contexts
    ]


def memory_section(
    analyses: list[tuple[str, dict[str, Any]]],
    gpu_name: str,
    chosen: int | None = None,
    *,
    cache: bool = False,
) -> dict[str, Any]:
    """The memory-vs-context chart (one line per model) with its table alternative;
    ``chosen``: the page's context, plotted and marked. ``cache``: also the KV cache and
    recurrent state alone (compare: the weights hide the difference the models' caches make)."""
    gpus = vs.gpu_table()
    gpu_name = gpu_name if gpu_name in gpus else vs.gpu_default(gpus)
    gpu = gpus[gpu_name]
    contexts = vs.curve_contexts([a for _n, a in analyses], chosen)
    series = [(name, vs.memory_curve(a, contexts)) for name, a in analyses]
    series = [(n, pts) for n, pts in series if pts]
    cache_series = [(name, vs.cache_curve(a, contexts)) for name, a in analyses] if cache else []
    cache_series = [(n, pts) for n, pts in cache_series if pts]
    return {
        "cache_names": [n for n, _p in cache_series],
        "cache_rows": _context_rows(cache_series, contexts),
        "cache_chart": vs.chart_cache(cache_series, chosen) if cache_series else "",
        "gpus": [(key, g["label"]) for key, g in gpus.items()],
        "gpu": gpu_name,
        "gpu_label": gpu["label"],
        "gpu_bytes": gpu["memory_bytes"],
        "series_names": [n for n, _p in series],
        "rows": _context_rows(series, contexts),
        "chart": vs.chart_memory(series, gpu["label"], gpu["memory_bytes"], chosen)
        if series
        else "",
    }


@require_safe
def _model_missing(request: HttpRequest, repo_id: str, name: str) -> HttpResponse:
    """A model URL that is not in the catalog: say so, and offer to fetch it (a 404)."""
    from catalog.ids import InvalidModelId, repo_id_validate

    try:
        repo_id_validate(repo_id)
        valid = True
    except InvalidModelId:
        valid = False
    context = {"repo_id": repo_id, "name": name, "valid_id": valid}
    return render(request, "catalog/model_missing.html", context, status=404)


def model_page(request: HttpRequest, org: str, name: str) -> HttpResponse:
    repo_id = f"{org}/{name}"
    try:
        model, revision = model_load(repo_id)
    except Http404:
        # Hub IDs ignore case: another casing of a catalog model goes to its page
        from catalog.ids import InvalidModelId
        from catalog.services import model_lookup

        try:
            _found, other = model_lookup(text=repo_id)
        except InvalidModelId:
            other = None
        if other is not None:
            query = request.META.get("QUERY_STRING", "")
            target = other.get_absolute_url() + (f"?{query}" if query else "")
            return HttpResponsePermanentRedirect(target)
        return _model_missing(request, repo_id, name)
    analysis: dict[str, Any] = (revision.analysis if revision else None) or {}
    # a row of a family's table (a column per model) reads as this model's cell
    facts = facts_with_model_column(
        [f for f in analysis.get("facts") or [] if isinstance(f, dict)],
        model.repo_id,
        decoder_type=vs.dig(analysis, "backbone", "decoder_type"),
    )

    context_choices = vs.context_choices(analysis)
    default_ctx = vs.context_length(analysis) or vs.DEFAULT_CONTEXT
    default_ctx = min(default_ctx, vs.DEFAULT_CONTEXT) if default_ctx else vs.DEFAULT_CONTEXT
    chosen_ctx = _int_param(request, "context", default_ctx, lo=1, hi=10_000_000)
    if chosen_ctx not in context_choices:
        context_choices = sorted({*context_choices, chosen_ctx})
    gpu_name = request.GET.get("gpu", "")[:50]

    breakdown = vs.params_breakdown(analysis)
    roof = vs.roofline_at(analysis, chosen_ctx)  # the context the rest of the page uses
    unfit = vs.roofline_unfit(analysis, roof, chosen_ctx)
    card, card_truncated = card_html(revision, repo_id=model.repo_id) if revision else ("", False)
    revisions = (
        list(model.revisions.only("sha", "source", "fetched_at", "model_id")[:10])
        if revision
        else []
    )
    # a stored model whose config.json the engine refused (the Hub serves what it serves)
    backbone_error = "" if analysis.get("params") else analysis.get("backbone_error") or ""
    memory = analysis.get("memory") or {}
    max_ctx_by_gpu = memory.get("max_context_by_gpu") or {}
    context = {
        "model": model,
        "revision": revision,
        "revisions": revisions,
        "analysis": analysis,
        "has_analysis": bool(analysis),
        "backbone_error": backbone_error,
        # The template caches the fragments that read these under ``fragment_key``; partials
        # so that a cached page does not build them at all.
        "fragment_key": analysis_fragment_key(revision, analysis, card=bool(card)),
        "fragment_cache_s": FRAGMENT_CACHE_S,
        "panels": partial(vs.axis_panels, facts),
        # the heading counts the four axes' facts; context (no axis) has its own panel
        "facts_count": sum(1 for f in facts if f.get("axis") != "context"),
        "params": analysis.get("params") or {},
        "memory": memory,
        "weights": memory.get("weights_bytes") or {},
        "weights_stored_label": _stored_label(analysis),
        # MTP modules ship in the checkpoint but are not in the total (transformers does not
        # build them): said beside the weights, so "as stored" is not read as the download
        "mtp_params": vs.dig(analysis, "params", "mtp", "params") or 0,
        "kv_bytes_per_token": memory.get("kv_bytes_per_token"),
        "sliding_window": vs.dig(analysis, "backbone", "attention", "sliding_window")
        if vs.dig(analysis, "backbone", "attention", "sliding")
        else None,
        "tied_embeddings": vs.dig(analysis, "backbone", "tied_embeddings"),
        "state_bytes": memory.get("state_bytes_per_sequence"),
        "kv_at_context": vs.kv_bytes_at(analysis, chosen_ctx),
        "chosen_context": chosen_ctx,
        "context_choices": context_choices,
        "context_length": vs.context_length(analysis),
        "decoder_type": vs.dig(analysis, "backbone", "decoder_type"),
        "attention_variant": vs.dig(analysis, "backbone", "attention", "variant"),
        "max_context_by_gpu": max_ctx_by_gpu if isinstance(max_ctx_by_gpu, dict) else {},
        "strip": partial(vs.layer_strip, analysis),
        "breakdown": breakdown,
        "breakdown_total": sum(v for _n, v in breakdown),
        "chart_params": vs.chart_params([(model.repo_id, breakdown)]) if breakdown else "",
        "roofline": roof,
        "roofline_unfit": unfit,
        "chart_roofline": vs.chart_roofline([(model.repo_id, roof)], [unfit]) if roof else "",
        "mem": memory_section([(model.repo_id, analysis)], gpu_name, chosen_ctx),
        "lineage": lineage_chain(model, analysis, has_card=bool(card)),
        "contradictions": partial(vs.contradictions, analysis),
        "notes": [
            n for n in (analysis.get("notes") or []) + list(revision.notes if revision else [])
        ],
        "card_html": card,
        "card_truncated": card_truncated,
        # nothing to measure: no weights (closed), or a config.json the engine refuses (the
        # worker would refuse it too, rather than time transformers' defaults)
        "profiler_panel": ""
        if model.kind == CatalogModel.Kind.CLOSED or backbone_error
        else profiler_panel(revision, request),
        "axis_titles": vs.axis_titles(),
        "page_title": model.display_name or model.repo_id,
    }
    return render(request, "catalog/model.html", context)


def not_analyzed_message() -> str:
    return _("This revision has not been analyzed yet. Re-ingest it from the home page.")
