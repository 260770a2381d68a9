"""The four-row exercise: autosaved per browser session, checked against what the app found.

Rows are stored as typed (capped at ``axes.exercise.MAX_ROW_CHARS``) and always rendered
escaped. Scoring is the pure ``axes.exercise.exercise_check``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from axes.exercise import exercise_check, exercise_markdown, rows_clean
from axes.facts import AXES
from catalog import views_support as vs
from catalog.forms import ExerciseForm
from catalog.i18n import exercise_labels, exercise_lesson_context, exercise_vaguest_sentence
from catalog.models import CatalogModel, Exercise

PAST_MAX = 20


def _session_key(request: HttpRequest, *, create: bool) -> str | None:
    if request.session.session_key is None and create:
        request.session.save()
    return request.session.session_key


def exercise_current(request: HttpRequest, *, create: bool) -> Exercise | None:
    """The exercise this browser is working on: ?id=..., else the session's latest."""
    key = _session_key(request, create=create)
    wanted = request.POST.get("exercise_id") or request.GET.get("id")
    if key is None:
        if wanted:
            raise Http404("no such exercise in this browser session")
        return None
    qs = Exercise.objects.filter(session_key=key)
    if wanted:
        try:
            exercise = qs.filter(pk=int(wanted)).first()
        except ValueError:
            exercise = None
        if exercise is None:
            raise Http404("no such exercise in this browser session")
        return exercise
    exercise = qs.first()
    if exercise is None and create:
        exercise = Exercise.objects.create(session_key=key, language=get_language() or "")
    return exercise


def model_resolve(name: str) -> CatalogModel | None:
    name = name.strip()
    if not name:
        return None
    return (
        CatalogModel.objects.select_related("latest_revision").filter(repo_id__iexact=name).first()
    )


def _apply_form(exercise: Exercise, request: HttpRequest) -> list[str]:
    """Store the posted rows; returns the axes whose text was cut to the cap."""
    form = ExerciseForm(request.POST)
    form.is_valid()  # every field is optional; cleaned_data holds whatever was valid
    data = form.cleaned_data
    rows, cut = rows_clean({axis: request.POST.get(axis, "") for axis in AXES})
    exercise.rows = rows
    name = data.get("model_name") or request.POST.get("model_name", "") or ""
    name = name.replace("\x00", "")[:200].strip()  # the raw POST fallback may hold NUL
    if name != exercise.model_name or (name and exercise.model_id is None):
        exercise.model_name = name
        exercise.model = model_resolve(name)
    exercise.language = get_language() or ""
    exercise.save()
    return cut


def _past(request: HttpRequest) -> list[Exercise]:
    """This browser's exercises for the sidebar, newest first."""
    key = request.session.session_key
    if not key:
        return []
    return list(
        Exercise.objects.filter(session_key=key).only(
            "id", "model_name", "updated_at", "rows", "session_key"
        )[:PAST_MAX]
    )


def _page_context(request: HttpRequest, exercise: Exercise | None, **extra: Any) -> dict[str, Any]:
    past = _past(request)
    titles = vs.axis_titles()
    questions = vs.axis_questions()
    rows = (exercise.rows if exercise else {}) or {}
    result = (exercise.result if exercise else {}) or {}
    return {
        "exercise": exercise,
        "rows": [
            {
                "axis": axis,
                "title": titles[axis],
                "question": questions[axis],
                "text": rows.get(axis, ""),
                "check": (result.get("rows") or {}).get(axis),
            }
            for axis in AXES
        ],
        "result": result,
        "axis_titles": titles,
        "past": past,
        "catalog_ids": list(CatalogModel.objects.values_list("repo_id", flat=True)[:500]),
        "max_row_chars": ExerciseForm.max_row_chars,
        "unknown_model": bool(exercise and exercise.model_name and exercise.model_id is None),
        # "lesson": scores, vaguest axis and messages in this request's language.
        "lesson": exercise_lesson_context(result, exercise.model_name if exercise else ""),
        **extra,
    }


@require_safe
def exercise_page(request: HttpRequest) -> HttpResponse:
    # The session is made on the first visit, so that the autosaves that follow all carry the
    # same cookie; the exercise itself only with the first save (a visit alone, a crawler's or
    # a health check's, writes no row). The page's saves are queued one after another
    # (hx-sync), and the first one sends the new exercise's id back into the form.
    _session_key(request, create=True)
    exercise = exercise_current(request, create=False)
    return render(request, "catalog/exercise.html", _page_context(request, exercise))


@require_POST
def exercise_new(request: HttpRequest) -> HttpResponse:
    key = _session_key(request, create=True)
    exercise = Exercise.objects.create(session_key=key, language=get_language() or "")
    return HttpResponseRedirect(reverse("catalog:exercise") + f"?id={exercise.pk}")


@require_POST
def exercise_save(request: HttpRequest) -> HttpResponse:
    exercise = exercise_current(request, create=True)
    assert exercise is not None
    cut = _apply_form(exercise, request)
    if request.htmx:
        return render(
            request,
            "catalog/_exercise_status.html",
            {
                "exercise": exercise,
                "cut": [vs.axis_titles()[a] for a in cut],
                "saved": True,
                "past": _past(request),  # the sidebar, swapped out of band
            },
        )
    return HttpResponseRedirect(reverse("catalog:exercise") + f"?id={exercise.pk}")


@require_POST
def exercise_run_check(request: HttpRequest) -> HttpResponse:
    exercise = exercise_current(request, create=True)
    assert exercise is not None
    cut = _apply_form(exercise, request)
    facts: list[dict[str, Any]] = []
    if exercise.model is not None and exercise.model.latest_revision is not None:
        facts = list((exercise.model.latest_revision.analysis or {}).get("facts") or [])
    result = exercise_check(
        exercise.rows,
        facts,
        model_name=exercise.model_name,
        model_known=exercise.model is not None,
        gettext=_,
    )
    exercise.result = result
    exercise.save(update_fields=["result", "updated_at"])
    if request.htmx:
        context = _page_context(
            request, exercise, cut=[vs.axis_titles()[a] for a in cut], oob_past=True
        )
        return render(request, "catalog/_exercise_result.html", context)
    return HttpResponseRedirect(reverse("catalog:exercise") + f"?id={exercise.pk}#result")


@require_safe
def exercise_export(request: HttpRequest, pk: int) -> HttpResponse:
    key = request.session.session_key
    exercise = Exercise.objects.filter(session_key=key, pk=pk).first() if key else None
    if exercise is None:
        raise Http404("no such exercise in this browser session")
    body = exercise_markdown(
        model_name=exercise.model_name,
        rows=exercise.rows or {},
        result=exercise.result or None,
        titles=vs.axis_titles(),
        headings=(_("Axis"), _("What I believe"), _("Check"), _("Least sourced evidence")),
        lesson_labels=exercise_labels(),
        vaguest_reason=exercise_vaguest_sentence(exercise.result or None, exercise.model_name),
    )
    response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in exercise.model_name)[:80]
    # RFC 6266 filename* for non-ASCII names (a Korean model name): a plain header would be
    # MIME-encoded whole by Django, and browsers then no longer see "attachment".
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"exercise-{stem or exercise.pk}.md"
    )
    return response
