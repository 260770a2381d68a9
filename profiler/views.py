"""Views of measurement runs: parse, call a service, render (a full page or an htmx fragment).

The status fragment polls itself every second while the run is queued or running; once it has
ended the fragment is returned without ``hx-trigger``, so polling stops.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from catalog.models import Revision
from profiler.forms import MeasureForm
from profiler.models import MeasurementRun
from profiler.services import (
    RunRequestInvalid,
    run_cancel,
    run_comparison_rows,
    run_request,
    runs_panel_context,
)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _on_run_page(request: HttpRequest, run: MeasurementRun) -> bool:
    """Whether the status fragment is shown on this run's own page: its "Run #N" is no link
    there (it led to the page itself). A full page of the run is; an htmx request (the status
    polling itself, Stop) is when the page it came from (htmx's HX-Current-URL) is."""
    own = reverse("profiler:run", args=[run.pk])
    if not _is_htmx(request):
        return request.path == own
    try:
        return urlsplit(request.headers.get("HX-Current-URL", "")).path == own
    except ValueError:
        # a malformed address ("http://[::1/runs/1/"): not this page. It raised, a 500 after
        # Stop had been applied, so the page said the server did not answer.
        return False


def _run_context(request: HttpRequest, run: MeasurementRun) -> dict:
    return {
        "run": run,
        "rows": run_comparison_rows(run) if run.result else [],
        "on_run_page": _on_run_page(request, run),
    }


@require_POST
def run_create(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = get_object_or_404(Revision.objects.select_related("model"), pk=revision_id)
    form = MeasureForm(request.POST)
    run = None
    asked_at = timezone.now()
    if form.is_valid():
        data = form.cleaned_data
        try:
            run = run_request(
                revision=revision,
                mode=data["mode"],
                dtype=data["dtype"],
                batch=data["batch"],
                prompt_len=data["prompt_len"],
                new_tokens=data["new_tokens"],
                device=data["device"],
            )
        except RunRequestInvalid as exc:
            form.add_error(None, str(exc))
    if run is None:
        context = {"revision": revision, "form": form}
        if _is_htmx(request):
            # htmx does not swap 4xx responses: send 200 and swap the form (with its errors).
            response = render(request, "profiler/_measure_form.html", context)
            response["HX-Retarget"] = f"#profiler-form-{revision.pk}"
            response["HX-Reswap"] = "outerHTML"
            return response
        # without htmx (no JavaScript): the form with its errors on a page of its own
        return render(request, "profiler/measure_form_page.html", context, status=400)
    if _is_htmx(request):
        response = render(request, "profiler/_run_status.html", _run_context(request, run))
        if run.queued_at < asked_at:
            # The same request is already queued or running, so its status is on the page:
            # update it in place instead of inserting a second copy (and a second poller).
            response["HX-Retarget"] = f"#run-{run.pk}"
            response["HX-Reswap"] = "outerHTML"
        return response
    return HttpResponseRedirect(reverse("profiler:run", args=[run.pk]), status=303)


@require_safe
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(MeasurementRun.objects.select_related("revision__model"), pk=run_id)
    if _is_htmx(request):
        return render(request, "profiler/_run_status.html", _run_context(request, run))
    context = _run_context(request, run)
    if not run.is_active:
        # the same request, to change and send again (a failed run says what to change)
        context["again_form"] = MeasureForm(
            initial={
                "mode": run.mode,
                "dtype": run.dtype,
                "device": run.device_kind,
                "batch": run.batch,
                "prompt_len": run.prompt_len,
                "new_tokens": run.new_tokens,
            }
        )
    return render(request, "profiler/run_detail.html", context)


@require_POST
def run_cancel_view(request: HttpRequest, run_id: int) -> HttpResponse:
    """Cancel a queued run, or ask a running one to stop (CSRF-checked POST)."""
    get_object_or_404(MeasurementRun, pk=run_id)
    run = run_cancel(run_id=run_id)
    if _is_htmx(request):
        return _status_response(request, run)
    return HttpResponseRedirect(reverse("profiler:run", args=[run.pk]), status=303)


RUNS_CHANGED = "mechanic-runs-changed"  # htmx event: a run ended, the history reloads
RUN_ENDED = "mechanic-run-ended"  # htmx event: the run's own page reloads (static/js/app.js)


def _status_response(request: HttpRequest, run: MeasurementRun) -> HttpResponse:
    """The status fragment; once the run has ended, an htmx event that makes the page's run
    history (``_panel_history.html``) fetch itself again, with this run in it, and on the
    run's own page one that reloads it."""
    context = _run_context(request, run)
    response = render(request, "profiler/_run_status.html", context)
    if not run.is_active:
        response["HX-Trigger"] = RUNS_CHANGED
        if context["on_run_page"]:
            # The run's own page shows more once a run has ended (how long it ran, the
            # "Measure again" form) than the fragment holds: app.js reloads it, once, after
            # the ended fragment (which polls no more) is in. HX-Refresh reloaded before the
            # swap, so the old fragment went on polling every second and each answer started
            # the reload again: a page slower than that to load never came.
            page = reverse("profiler:run", args=[run.pk])
            response["HX-Trigger-After-Swap"] = json.dumps({RUN_ENDED: {"page": page}})
    return response


@require_safe
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(MeasurementRun.objects.select_related("revision__model"), pk=run_id)
    return _status_response(request, run)


@require_safe
def revision_panel(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = get_object_or_404(Revision.objects.select_related("model"), pk=revision_id)
    template = (
        "profiler/_panel_history.html"
        if request.GET.get("part") == "history"
        else "profiler/_panel_body.html"
    )
    return render(request, template, {"panel": runs_panel_context(revision)})
