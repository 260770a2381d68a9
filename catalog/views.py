"""Home (paste, upload, the bundled catalog) and ingestion progress.

One view renders the full page or, for htmx requests, the fragment it targets; every link and
form also works without JavaScript.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from catalog.forms import PasteForm, UploadForm
from catalog.models import REPO_ORDER, CatalogModel, Revision
from catalog.templatetags.mechanic import duration_h

SHOWCASE = ("meta-llama/Meta-Llama-3-8B", "nvidia/Nemotron-H-8B-Base-8K")
CATALOG_PAGE_SIZE = 60


def catalog_queryset(q: str) -> QuerySet[CatalogModel]:
    models = CatalogModel.objects.select_related("latest_revision").only(
        "repo_id", "kind", "display_name", "summary", "latest_revision__analysis"
    )
    q = q.replace("\x00", "").strip()[:100]  # PostgreSQL refuses NUL in a query
    if q:
        # also the badges: "moe" finds the MoE and hybrid-MoE models, "mla" or "gqa" the
        # attention variant, whatever their IDs and summaries say
        key = q.lower().replace("-", "_").replace(" ", "_")
        models = models.filter(
            Q(repo_id__icontains=q)
            | Q(display_name__icontains=q)
            | Q(summary__icontains=q)
            | Q(latest_revision__analysis__backbone__decoder_type__icontains=key)
            | Q(latest_revision__analysis__backbone__attention__variant__iexact=q)
            | Q(kind__iexact=q)  # "closed", the badge of vendor-only models
        )
    return models.order_by(*REPO_ORDER)  # as people read a list: any case


def catalog_rows(models: QuerySet[CatalogModel]) -> list[dict[str, Any]]:
    rows = []
    for m in models[:CATALOG_PAGE_SIZE]:
        analysis = (m.latest_revision.analysis if m.latest_revision else None) or {}
        rows.append(
            {
                "repo_id": m.repo_id,
                "url": m.get_absolute_url(),
                "kind": m.kind,
                "summary": m.summary,
                "decoder_type": (analysis.get("backbone") or {}).get("decoder_type"),
                "params_total": (analysis.get("params") or {}).get("total"),
                "params_active": (analysis.get("params") or {}).get("active"),
            }
        )
    return rows


def _home_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    q = request.GET.get("q", "")
    models = catalog_queryset(q)
    return {
        "paste_form": extra.pop("paste_form", None) or PasteForm(),
        "upload_form": extra.pop("upload_form", None) or UploadForm(),
        "q": q,
        "catalog": catalog_rows(models),
        "showcase_url": reverse("catalog:compare")
        + "?"
        + urlencode({"models": ",".join(SHOWCASE)}),
        "showcase": SHOWCASE,
        **extra,
    }


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = _home_context(request)
    if request.htmx and request.htmx.target == "catalog-list":
        return render(request, "catalog/_catalog_list.html", context)
    return render(request, "catalog/home.html", context)


# ---------------------------------------------------------------------------------------------
# Ingestion


def hub_error_message(exc: Exception) -> str:
    """A user-facing sentence for a typed Hub/ingest error, saying what to do next."""
    code = getattr(exc, "code", "") or type(exc).__name__.lower()
    if "gated" in code:
        return _(
            "This model is gated on the Hub: its files need an accepted licence and a token. "
            "Browse the bundled catalog or upload its config.json."
        )
    if code == "revision_not_found":
        return _("The Hub has this model but not this revision. Paste the ID without /tree/....")
    if "not_found" in code or "notfound" in code:
        return _(
            "The Hub has no model with this ID. Check the spelling (org/name) or pick one from "
            "the catalog below."
        )
    if "rate" in code:
        return _(
            "The Hub is rate limiting us. Wait a minute and try again, or upload a config.json."
        )
    if any(word in code for word in ("unreachable", "timeout", "connection", "server_error")):
        return _("The Hub is unreachable; browse the bundled catalog or upload a config.json.")
    message = getattr(exc, "message", None) or str(exc)
    return _("The model could not be ingested: %(reason)s") % {"reason": message}


def _ingest_errors() -> tuple[type[BaseException], ...]:
    """Typed errors of the ingestion service (any that exist), plus the ID validator's."""
    errors: list[type[BaseException]] = []
    for module_name in ("catalog.hub", "catalog.services"):
        try:
            module = __import__(module_name, fromlist=["*"])
        except ImportError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Exception)
                and value.__module__ == module_name
            ):
                errors.append(value)
    from catalog.ids import InvalidModelId

    errors.append(InvalidModelId)
    return tuple(errors)


def _model_of(result: Any) -> CatalogModel:
    if isinstance(result, CatalogModel):
        return result
    model = getattr(result, "model", None)
    if isinstance(model, CatalogModel):
        return model
    raise TypeError(f"ingestion returned {type(result).__name__}, not a revision or model")


def _job_start(repo_id: str, revision: str | None) -> Any:
    """Create the IngestJob row; the Celery task is sent once the row is committed."""
    from catalog.services import ingest_job_start

    return ingest_job_start(repo_id=repo_id, revision=revision, language=get_language())


def _job_get(job_id: int) -> Any:
    from catalog.models import IngestJob

    try:
        return IngestJob.objects.select_related("revision__model").get(pk=job_id)
    except IngestJob.DoesNotExist as exc:
        raise Http404 from exc


# The stages the ingestion writes (catalog.services._report): ids, or an id and a name after
# ": ". Shown as they were, the page said "model_info" or "headers: model-00001-of-00004.
# safetensors" in English on a ko/de page.
INGEST_STAGES = {
    "starting": gettext_noop("Starting"),
    "model_info": gettext_noop("Reading the model information"),
    "analysis": gettext_noop("Analyzing the files"),
    "storing": gettext_noop("Storing the analysis"),
    "done": gettext_noop("Done"),
}
INGEST_NAMED_STAGES = {
    "files": gettext_noop("Reading %(name)s"),
    "headers": gettext_noop("Reading the safetensors header of %(name)s"),
    "base model": gettext_noop("Reading the base model %(name)s"),
}


def ingest_stage_words(stage: str) -> str:
    """A stage of an ingest job in the page's language; one it does not know as written."""
    if stage in INGEST_STAGES:
        return _(INGEST_STAGES[stage])
    key, sep, name = stage.partition(": ")
    if key == "rate limited" and name.isdigit():  # catalog.services.ingest_job_run
        return _(
            "The Hub is rate limiting us: waiting %(duration)s, as it asks, before trying again."
        ) % {"duration": duration_h(int(name))}
    if sep and key in INGEST_NAMED_STAGES:
        return _(INGEST_NAMED_STAGES[key]) % {"name": name}
    return stage


def _asked_text(job: Any) -> str:
    """What to put back in the paste field for a job: its ID, or, when a revision was asked
    for, the Hub URL of that revision (the field reads it back as the same ID and revision; the
    ID alone would fetch main on a second try)."""
    revision = job.requested_revision
    if not revision:
        return job.repo_id
    return f"https://huggingface.co/{job.repo_id}/tree/{quote(revision, safe='')}"


# A queued job older than this says that no worker has taken it (the fallback off: nothing
# else will run it)
INGEST_QUEUED_HINT_AFTER_S = 30


def _queued_for_s(job: Any) -> int | None:
    """Seconds a job has waited for a worker, once past INGEST_QUEUED_HINT_AFTER_S; else None."""
    if str(job.status) != "queued":
        return None
    waited = int((timezone.now() - job.created_at).total_seconds())
    return waited if waited >= INGEST_QUEUED_HINT_AFTER_S else None


def _job_state(job: Any) -> dict[str, Any]:
    status = str(job.status)
    return {
        "queued_for_s": _queued_for_s(job),
        "job": job,
        "status": status,
        "status_display": job.get_status_display(),
        "done": status == "succeeded",
        "failed": status == "failed",
        "progress": job.progress_pct,
        "stage": ingest_stage_words(job.stage),
        "error": job.error_text,
        "repo_id": job.repo_id,
        "in_web_process": job.in_web_process,
        # a failed fetch gives the field back with what was asked in it (the revision too), to
        # correct or try again
        "retry_form": PasteForm(initial={"model_id": _asked_text(job)})
        if status == "failed"
        else None,
        # and the stored copy, when the catalog has one (a revision the Hub did not give)
        "stored": CatalogModel.objects.filter(
            repo_id__iexact=job.repo_id, latest_revision__isnull=False
        ).first()
        if status == "failed"
        else None,
        "alike": _catalog_alike(job.repo_id) if status == "failed" else [],
    }


def _catalog_alike(repo_id: str) -> list[CatalogModel]:
    """The catalog's models with the name asked for under another organisation, or none: a
    learner writes the name as the course does ("Nemotron-H-8B-Base-8K"), which the Hub does
    not have (and an offline Hub answers nothing), while the catalog does."""
    name = repo_id.rsplit("/", 1)[-1]
    return list(
        CatalogModel.objects.filter(repo_id__iendswith=f"/{name}", latest_revision__isnull=False)
        .exclude(repo_id__iexact=repo_id)
        .order_by(*REPO_ORDER)[:5]
    )


# The longest a page waits for a job it started in the web process: one that ends sooner opens
# the model page at once, a slower one leaves the page polling the row. Far below a web
# server's worker timeout (gunicorn's default is 30 s), past which the user got a 502.
INLINE_WAIT_S = 5.0


def _job_run_inline_if_stale(job: Any) -> Any:
    """Run a job in a thread of this web process when no worker has claimed it within
    INGEST_INLINE_AFTER_S (0 or ``None``: never); fail one whose worker died (no progress for
    INGEST_STALE_AFTER_S), or whose web process died (no heartbeat for
    INGEST_WEB_STALE_AFTER_S), with the reason.

    A deployment without a running Celery worker still ingests: this request waits for the
    thread at most INLINE_WAIT_S, then the page polls the row as it does a worker's. A worker
    that picks the message up later finds the row claimed and does nothing (``ingest_job_run``
    claims with a conditional UPDATE).
    """
    from catalog.services import ingest_job_fail_if_abandoned

    # a thread of a web process beats (ingest_job_run_in_thread): its silence is told sooner,
    # though never between two beats of a process that lives
    stale_after_s = (
        max(settings.INGEST_WEB_STALE_AFTER_S, 3 * settings.INGEST_WEB_HEARTBEAT_S)
        if job.in_web_process
        else settings.INGEST_STALE_AFTER_S
    )
    if ingest_job_fail_if_abandoned(job=job, stale_after_s=stale_after_s):
        return _job_get(job.pk)
    after_s = settings.INGEST_INLINE_AFTER_S
    if not after_s or job.status != "queued":
        return job
    if (timezone.now() - job.created_at).total_seconds() < after_s:
        return job
    from catalog.services import ingest_job_run_in_thread

    ingest_job_run_in_thread(job_id=job.pk, language=get_language()).join(INLINE_WAIT_S)
    return _job_get(job.pk)


def _render_home_error(
    request: HttpRequest, form: PasteForm, message: str, status: int
) -> HttpResponse:
    if message and not form.errors:
        form.add_error("model_id", message)
    if request.htmx:
        # htmx swaps only 2xx responses; the fragment itself carries the error.
        return render(request, "catalog/_paste_result.html", {"paste_form": form})
    return render(
        request, "catalog/home.html", _home_context(request, paste_form=form), status=status
    )


@require_POST
def ingest(request: HttpRequest) -> HttpResponse:
    form = PasteForm(request.POST)
    if not form.is_valid():
        return _render_home_error(request, form, "", 400)
    repo_id: str = form.cleaned_data["model_id"]
    revision: str | None = form.cleaned_data.get("revision")
    # An ID already in the catalog opens its page, unless all we have is someone's upload
    # under that name: then the Hub is asked, so an upload cannot stand in for a Hub model.
    existing = (
        CatalogModel.objects.filter(repo_id__iexact=repo_id, latest_revision__isnull=False)
        .exclude(latest_revision__source=Revision.Source.UPLOAD)
        .first()
    )
    # /tree/main is the model's default page on the Hub: the catalog copy answers it too
    if existing is not None and revision in (None, "main") and not request.POST.get("refresh"):
        return _redirect(request, existing.get_absolute_url(), status=303)  # an answer to a POST

    # With or without JavaScript the fetch runs as a job (a worker's, or a thread of the web
    # process when no worker takes it): run in this request, the Hub's timeouts and rate-limit
    # waits outlasted the web server's timeout, and a page without JavaScript got a 502 and
    # lost what was typed.
    try:
        job = _job_start(repo_id, revision)
    except _ingest_errors() as exc:
        return _render_home_error(request, form, hub_error_message(exc), 400)
    if request.htmx:
        return render(request, "catalog/_ingest_progress.html", _job_state(job))
    # POST/redirect/GET: the job's page refreshes itself (<meta refresh>) until the model page
    # or the failure with the field filled in; reloading it asks for no second fetch.
    return HttpResponseRedirect(reverse("catalog:ingest_progress", args=[job.pk]), status=303)


def _redirect(request: HttpRequest, url: str, *, status: int = 302) -> HttpResponse:
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url, status=status)


@require_safe
def ingest_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    state = _job_state(_job_run_inline_if_stale(_job_get(job_id)))
    if state["done"]:
        revision = state["job"].revision
        target = revision.model if revision is not None else None
        if target is None:
            target = CatalogModel.objects.filter(repo_id=state["repo_id"]).first()
        if target is not None:
            return _redirect(request, target.get_absolute_url())
    template = "catalog/_ingest_progress.html" if request.htmx else "catalog/ingest_progress.html"
    return render(request, template, state)


@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request, "catalog/home.html", _home_context(request, upload_form=form), status=400
        )
    from catalog.services import model_upload

    try:
        result = model_upload(
            repo_id=form.cleaned_data["repo_id"],
            config_text=form.cleaned_data["config"],
            card_text=form.cleaned_data.get("card"),
            generation_config_text=form.cleaned_data.get("generation_config"),
        )
    except (ValueError, *_ingest_errors()) as exc:
        from catalog.notes_l10n import note_l10n

        form.add_error(None, note_l10n(getattr(exc, "user_message", None) or str(exc)))
        return render(
            request, "catalog/home.html", _home_context(request, upload_form=form), status=400
        )
    model = _model_of(result)
    messages.success(request, _("Uploaded %(repo)s.") % {"repo": model.repo_id})
    return HttpResponseRedirect(model.get_absolute_url(), status=303)
