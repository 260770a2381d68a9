"""The four-row exercise: autosaved per browser session, checked against what the app found.

Rows are stored as typed (capped at ``axes.exercise.MAX_ROW_CHARS``) and always rendered
escaped. Scoring is the pure ``axes.exercise.exercise_check``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from axes.exercise import exercise_check, exercise_markdown, rows_clean
from axes.facts import AXES
from catalog import views_support as vs
from catalog.forms import ExerciseForm
from catalog.i18n import (
    exercise_labels,
    exercise_lesson_context,
    exercise_phrase_labels,
    exercise_vaguest_sentence,
)
from catalog.models import REPO_ORDER, CatalogModel, Exercise

PAST_MAX = 20
CANDIDATES_MAX = 8  # catalog models named when a typed name matches several
NEW_EXERCISE = "new"  # exercise_id of a page that must start a new table on its first save
_TOKEN_RE = re.compile(r"[0-9a-f]{32}")  # "new:<token>": the page's name for that table
_PAGE_RE = re.compile(r"[0-9a-f]{16,32}")  # a page render's token (``page``)
SEQ_MAX = 2**62  # edit numbers are microseconds since 1970 on the page's clock, or above


def new_exercise_id() -> str:
    """The exercise_id of a page without a table yet: its first save makes one, and saves sent
    before that answer came back find the same one (never two tables for one page)."""
    return f"{NEW_EXERCISE}:{secrets.token_hex(16)}"


def _posted_seq(request: HttpRequest) -> int | None:
    """The page's number for the newest edit a POST carries (``seq``); None without one (a
    page without JavaScript, an API-like client), which is always written."""
    seq = _posted_int(request, "seq", digits=19)
    return seq if seq is not None and 0 < seq < SEQ_MAX else None


def _exercise_pk(wanted: str) -> int | None:
    """The table number an ``exercise_id`` names: at most 18 ASCII digits (``int()`` also
    reads "٣" and " 3", which no page writes); None for anything else."""
    if not wanted.isascii() or not wanted.isdigit() or len(wanted) > 18:
        return None
    return int(wanted)


def _session_key(request: HttpRequest, *, create: bool) -> str | None:
    if request.session.session_key is None and create:
        request.session.save()
    return request.session.session_key


def exercise_current(request: HttpRequest, *, create: bool) -> Exercise | None:
    """The exercise this browser is working on: ?id=..., else the session's latest. A form
    opened for one model (``exercise_id=new``) starts a new table instead of writing over the
    latest one, which may be another model's."""
    key = _session_key(request, create=create)
    wanted = request.POST.get("exercise_id") or request.GET.get("id")
    if key is None:
        if wanted:
            raise Http404("no such exercise in this browser session")
        return None
    new = bool(wanted) and (wanted == NEW_EXERCISE or wanted.startswith(NEW_EXERCISE + ":"))
    if new and create and request.method == "POST":
        token = wanted.removeprefix(NEW_EXERCISE).removeprefix(":")
        if not _TOKEN_RE.fullmatch(token):
            return Exercise.objects.create(session_key=key, language=get_language() or "")
        # Every save the page sends before the first answer names the same new table.
        exercise, _created = Exercise.objects.get_or_create(
            session_key=key, client_token=token, defaults={"language": get_language() or ""}
        )
        return exercise
    qs = Exercise.objects.filter(session_key=key)
    if wanted:
        pk = _exercise_pk(wanted)
        exercise = qs.filter(pk=pk).first() if pk is not None else None
        if exercise is None and create and request.method == "POST":
            # A table this browser session does not hold: its cookie was cleared or expired,
            # the server's sessions were reset (a new SECRET_KEY), or the page's id is no id
            # at all (garbage, a number past any table's, another session's table). The rows
            # being saved are the reader's: they become a new table here, and the page says
            # so; another session's table is never written. (A 404 was not swapped in by
            # htmx: the page kept saying "Saved at ..." and lost them.)
            exercise = Exercise.objects.create(session_key=key, language=get_language() or "")
            exercise.restarted = True  # type: ignore[attr-defined]
        if exercise is None:
            raise Http404("no such exercise in this browser session")
        return exercise
    exercise = qs.first()
    if exercise is None and create:
        exercise = Exercise.objects.create(session_key=key, language=get_language() or "")
    return exercise


@dataclass
class ModelMatch:
    model: CatalogModel | None
    candidates: list[CatalogModel] = field(default_factory=list)  # when several match


def model_match(name: str) -> ModelMatch:
    """The catalog model a typed name means: its repo ID, its display name or the name after
    the slash, exactly (case aside); else the one model whose ID or display name contains it
    ("Claude"). Several matches resolve to none, and are returned to be named."""
    name = name.strip()
    if not name:
        return ModelMatch(None)
    qs = CatalogModel.objects.select_related("latest_revision").order_by(*REPO_ORDER)
    for exact in (
        Q(repo_id__iexact=name),
        Q(display_name__iexact=name),
        Q(repo_id__iendswith="/" + name),
    ):
        found = list(qs.filter(exact)[: CANDIDATES_MAX + 1])
        if len(found) == 1:
            return ModelMatch(found[0])
        if found:
            return ModelMatch(None, found[:CANDIDATES_MAX])
    found = list(
        qs.filter(Q(repo_id__icontains=name) | Q(display_name__icontains=name))[
            : CANDIDATES_MAX + 1
        ]
    )
    if len(found) == 1:
        return ModelMatch(found[0])
    return ModelMatch(None, found[:CANDIDATES_MAX])


def model_title(exercise: Exercise | None) -> str:
    """The name the lesson's sentences give the model: the catalog's name of the model the
    typed name matched ("Claude Opus 5" for "claude opus"), else the name as typed."""
    if exercise is None:
        return ""
    model = exercise.model
    if model is not None:
        return model.display_name or model.repo_id
    return exercise.model_name


@dataclass
class SaveOutcome:
    cut: list[str] = field(default_factory=list)  # axes whose text was cut to the cap
    # Another page (tab, window) wrote the table since this page's rows were based on it: the
    # posted rows were not written, and the page shows them with a notice and the choice.
    conflict: bool = False
    # This save wrote another model name or model: the note under the Model field is sent
    # again (else it stays as it is, and a screen reader does not read it out at each save).
    model_changed: bool = False
    match: ModelMatch | None = None  # the name's matches, when this save looked them up


def _posted_int(request: HttpRequest, name: str, *, digits: int = 10) -> int | None:
    """A posted whole number of at most ``digits`` ASCII digits; None for anything else."""
    raw = request.POST.get(name, "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > digits:
        return None
    return int(raw)


def _posted_page(request: HttpRequest) -> str:
    """The posting page's token (``page``): each render of the form gets its own."""
    raw = request.POST.get("page", "")
    return raw if _PAGE_RE.fullmatch(raw) else ""


def _apply_form(exercise: Exercise, request: HttpRequest) -> SaveOutcome:
    """Store the posted rows, unless they would silently write over another page's.

    Two guards, both in one conditional UPDATE (so two requests at the same moment cannot both
    pass):

    - Within one page, saves can reach the server out of order (an autosave still on its way
      when Check is pressed). Each carries the number of the newest edit it holds (``seq``):
      one that is not newer than the stored table's arrived late and is not written, so the
      newer rows stay.
    - Between pages (the table open in two tabs or two windows of one session), the page's
      ``seq`` says nothing: each page numbers its own edits, on its own clock. Every write
      bumps ``rows_rev`` and records the page that made it (``rows_page``); a page posts the
      revision its rows are based on (``base``). A save from a page other than the last writer
      is written only when ``base`` is the stored revision, i.e. that page has seen the last
      write. Otherwise nothing is written and the outcome is a conflict: the page shows the
      reader's rows with a notice and two choices, load the newer rows or keep theirs, which
      posts ``overwrite_rev`` (the stored revision the reader chose to write over; should a
      third write come in between, that is another conflict).

    A POST without ``page`` and ``base`` (an API-like client) is written as before, ordered by
    ``seq`` when it carries one. Picking one of several catalog models (``pick``) sets the
    model name to that model's repo ID."""
    form = ExerciseForm(request.POST)
    form.is_valid()  # every field is optional; cleaned_data holds whatever was valid
    data = form.cleaned_data
    rows, cut = rows_clean({axis: request.POST.get(axis, "") for axis in AXES})
    name = data.get("model_name") or request.POST.get("model_name", "") or ""
    name = name.replace("\x00", "")[:200].strip()  # the raw POST fallback may hold NUL
    picked = _picked_model(request)
    if picked is not None:
        name = picked.repo_id
    changes: dict[str, Any] = {"rows": rows, "language": get_language() or ""}
    match: ModelMatch | None = None
    if picked is not None:
        changes["model_name"], changes["model"] = name, picked
    elif name != exercise.model_name or (name and exercise.model_id is None):
        match = model_match(name)
        changes["model_name"], changes["model"] = name, match.model
    seq = _posted_seq(request)
    page, base = _posted_page(request), _posted_int(request, "base")
    target = Exercise.objects.filter(pk=exercise.pk)
    guarded = bool(page) and base is not None and not getattr(exercise, "restarted", False)
    if guarded:
        overwrite = _posted_int(request, "overwrite_rev")
        mine = Q(rows_page=page)
        if seq is not None:
            mine &= Q(rows_seq__lt=seq)
        seen = Q(rows_rev=base if overwrite is None else overwrite)
        target = target.filter(mine | (~Q(rows_page=page) & seen))
        changes["rows_page"] = page
    else:
        if seq is not None:
            target = target.filter(rows_seq__lt=seq)
        # a write no page can claim (an API-like client, a page rendered before pages were
        # named): every page's next save must have seen it, its own earlier writes included
        changes["rows_page"] = page
    if seq is not None:
        changes["rows_seq"] = seq
    changes["updated_at"] = timezone.now()
    before = (exercise.model_name, exercise.model_id)
    if target.update(rows_rev=F("rows_rev") + 1, **changes):
        exercise.refresh_from_db()
        changed = (exercise.model_name, exercise.model_id) != before
        return SaveOutcome(cut=cut, model_changed=changed, match=match)
    exercise.refresh_from_db()  # a newer edit is stored: show and check that one
    # Not written: this page's own late save (the stored rows are its newer ones), or another
    # page's write that this page has not seen.
    conflict = guarded and exercise.rows_page != page
    if picked is not None and not conflict and exercise.model_id != picked.pk:
        # The pick is this page's newest act even when its rows were already saved (the
        # form's seq is the last autosave's): the model is set all the same, unless another
        # page wrote in the meantime (then it is that page's write this one has not seen).
        seen = Exercise.objects.filter(pk=exercise.pk, rows_rev=exercise.rows_rev)
        picked_now = seen.update(
            model_name=name, model=picked, rows_rev=F("rows_rev") + 1, updated_at=timezone.now()
        )
        exercise.refresh_from_db()
        conflict = not picked_now and guarded and exercise.rows_page != page
        return SaveOutcome(conflict=conflict, model_changed=bool(picked_now))
    return SaveOutcome(conflict=conflict)


def _picked_model(request: HttpRequest) -> CatalogModel | None:
    """The catalog model a "pick" button names (one of several a typed name matched)."""
    repo_id = request.POST.get("pick", "").replace("\x00", "").strip()[:200]
    if not repo_id:
        return None
    return CatalogModel.objects.filter(repo_id=repo_id).first()


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


def _page_context(
    request: HttpRequest,
    exercise: Exercise | None,
    *,
    conflict: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """The page's context. ``conflict``: the posted rows lost to another page's newer write;
    the form shows the posted rows (not the stored ones) based on the revision they were
    based on, with the notice and its two choices."""
    past = _past(request)
    titles = vs.axis_titles()
    questions = vs.axis_questions()
    rows = (exercise.rows if exercise else {}) or {}
    result = (exercise.result if exercise else {}) or {}
    model_name = exercise.model_name if exercise else extra.pop("prefill_model", "")
    base_rev = exercise.rows_rev if exercise else 0
    page_token = secrets.token_hex(16)
    if conflict:
        rows, _cut = rows_clean({axis: request.POST.get(axis, "") for axis in AXES})
        model_name = request.POST.get("model_name", "").replace("\x00", "")[:200]
        base_rev = _posted_int(request, "base") or 0
        page_token = _posted_page(request) or page_token
    lesson = exercise_lesson_context(result, model_title(exercise))
    if exercise is not None and exercise.model_id is not None:
        # A check made before a model was picked said the name matched none or several:
        # no longer so (the rest of that check stands until the next one).
        lesson["model_message"] = ""
    return {
        "exercise": exercise,
        "new_exercise_id": "" if exercise else new_exercise_id(),
        "base_rev": base_rev,
        "page_token": page_token,
        "conflict": conflict,
        "model_name": model_name,
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
        "catalog_models": list(
            CatalogModel.objects.order_by(*REPO_ORDER).values_list("repo_id", "display_name")[:500]
        ),
        "max_row_chars": ExerciseForm.max_row_chars,
        **_model_note(exercise),
        # "lesson": scores, vaguest axis and messages in this request's language.
        "lesson": lesson,
        **extra,
    }


def _model_note(exercise: Exercise | None, match: ModelMatch | None = None) -> dict[str, Any]:
    """What the note under the Model field says of the stored name (_exercise_model_note);
    ``match``: that name's matches when the caller has looked them up already."""
    unknown = bool(exercise and exercise.model_name and exercise.model_id is None)
    candidates = []
    if unknown and exercise:
        candidates = (match or model_match(exercise.model_name)).candidates
    return {
        "unknown_model": unknown and not candidates,
        "model_candidates": [c.repo_id for c in candidates],  # each a "pick" button
        # A name typed short ("Claude") says which catalog model it was taken for.
        "resolved_repo_id": (
            exercise.model.repo_id
            if exercise
            and exercise.model is not None
            and exercise.model.repo_id.lower() != exercise.model_name.lower()
            else ""
        ),
    }


@require_safe
def exercise_page(request: HttpRequest) -> HttpResponse:
    # The session is made on the first visit, so that the autosaves that follow all carry the
    # same cookie; the exercise itself only with the first save (a visit alone, a crawler's or
    # a health check's, writes no row). The page's saves are queued one after another
    # (hx-sync), and the first one sends the new exercise's id back into the form.
    key = _session_key(request, create=True)
    linked = request.GET.get("model", "").replace("\x00", "").strip()[:200]
    if linked and not request.GET.get("id"):
        # "Try the exercise" on a model page: that model's latest table in this browser, else
        # a new one with the model filled in (never the table of the model used last).
        match = model_match(linked)
        name = match.model.repo_id if match.model else linked
        mine = Exercise.objects.filter(session_key=key)
        exercise = (
            mine.filter(model=match.model).first()
            if match.model
            else mine.filter(model_name__iexact=name).first()
        )
        if exercise is None:
            context = _page_context(request, None, prefill_model=name)
            return render(request, "catalog/exercise.html", context)
        return render(request, "catalog/exercise.html", _page_context(request, exercise))
    exercise = exercise_current(request, create=False)
    return render(request, "catalog/exercise.html", _page_context(request, exercise))


@require_POST
def exercise_new(request: HttpRequest) -> HttpResponse:
    key = _session_key(request, create=True)
    exercise = Exercise.objects.create(session_key=key, language=get_language() or "")
    return HttpResponseRedirect(reverse("catalog:exercise") + f"?id={exercise.pk}", status=303)


@require_POST
def exercise_save(request: HttpRequest) -> HttpResponse:
    exercise = exercise_current(request, create=True)
    assert exercise is not None
    outcome = _apply_form(exercise, request)
    if request.htmx:
        note = outcome.model_changed and not outcome.conflict
        response = render(
            request,
            "catalog/_exercise_status.html",
            {
                "exercise": exercise,
                "cut": [vs.axis_titles()[a] for a in outcome.cut],
                "saved": True,
                "conflict": outcome.conflict,
                "restarted": getattr(exercise, "restarted", False),
                "past": _past(request),  # the sidebar, swapped out of band
                # and the note under the Model field, when this save changed the name or the
                # model (not while the stored name is another tab's: the field holds this
                # page's; the name's matches are looked up once a save)
                "model_note": note,
                **(_model_note(exercise, outcome.match) if note else {}),
            },
        )
        return _mark_conflict(response, outcome)
    if outcome.conflict:
        return _conflict_page(request, exercise)
    _say_restarted(request, exercise)
    return HttpResponseRedirect(reverse("catalog:exercise") + f"?id={exercise.pk}", status=303)


def _mark_conflict(response: HttpResponse, outcome: SaveOutcome) -> HttpResponse:
    # htmx swaps only a 2xx answer in, so the notice comes back as 200; the header tells the
    # page's script that these rows are not saved (leaving the page must not drop them).
    if outcome.conflict:
        response["X-Exercise-Conflict"] = "1"
    return response


def _conflict_page(request: HttpRequest, exercise: Exercise) -> HttpResponse:
    """Without JavaScript: the page again, with the posted rows in the form and the notice
    (409: nothing was written)."""
    context = _page_context(request, exercise, conflict=True)
    return render(request, "catalog/exercise.html", context, status=409)


def _say_restarted(request: HttpRequest, exercise: Exercise) -> None:
    """Without htmx the page comes back by a redirect: the notice rides along as a message."""
    if getattr(exercise, "restarted", False):
        messages.warning(
            request,
            _(
                "This table was no longer in this browser's session (cookies cleared or "
                "expired?): your rows are saved as a new table."
            ),
        )


@require_POST
def exercise_run_check(request: HttpRequest) -> HttpResponse:
    exercise = exercise_current(request, create=True)
    assert exercise is not None
    outcome = _apply_form(exercise, request)
    cut = outcome.cut
    if outcome.conflict:
        # The rows to check are not the stored ones: nothing is checked until the reader
        # chooses (the notice under the rows says what happened and offers the choice).
        if request.htmx:
            context = _page_context(request, exercise, conflict_oob=True)
            context["result"] = {}
            response = render(request, "catalog/_exercise_result.html", context)
            return _mark_conflict(response, outcome)
        return _conflict_page(request, exercise)
    facts: list[dict[str, Any]] = []
    if exercise.model is not None and exercise.model.latest_revision is not None:
        facts = list((exercise.model.latest_revision.analysis or {}).get("facts") or [])
    result = exercise_check(
        exercise.rows,
        facts,
        model_name=exercise.model_name,
        model_known=exercise.model is not None,
        model_candidates=(
            [c.repo_id for c in model_match(exercise.model_name).candidates]
            if exercise.model is None
            else []
        ),
        gettext=_,
        ngettext=ngettext,
        model_title=model_title(exercise),
    )
    exercise.result = result
    exercise.save(update_fields=["result", "updated_at"])
    if request.htmx:
        context = _page_context(
            request,
            exercise,
            cut=[vs.axis_titles()[a] for a in cut],
            oob_past=True,
            restarted=getattr(exercise, "restarted", False),
        )
        return render(request, "catalog/_exercise_result.html", context)
    _say_restarted(request, exercise)
    return HttpResponseRedirect(
        reverse("catalog:exercise") + f"?id={exercise.pk}#result", status=303
    )


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
        headings=(
            _("Axis"),
            _("What I believe"),
            # a result, not the button's verb (German: "Prüfung", not "Prüfen")
            pgettext("the exercise's result, a heading", "Check"),
            _("Least sourced evidence"),
        ),
        lesson_labels=exercise_labels(),
        vaguest_reason=exercise_vaguest_sentence(exercise.result or None, model_title(exercise)),
        phrase_labels=exercise_phrase_labels(),
    )
    response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in exercise.model_name)[:80]
    # RFC 6266 filename* for non-ASCII names (a Korean model name): a plain header would be
    # MIME-encoded whole by Django, and browsers then no longer see "attachment".
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"exercise-{stem or exercise.pk}.md"
    )
    return response
