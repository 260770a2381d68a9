"""The JSON API (django-ninja), mounted at /api/. Schema at /api/openapi.json, docs at /api/docs.

Reads come from the same stored analyses as the pages. The one state change (saving an
exercise) is tied to the browser session and needs the CSRF token, as ninja does for cookie
authentication: send the ``csrftoken`` cookie's value in ``X-CSRFToken``.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_noop, ngettext
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema, Status, Swagger
from ninja.errors import HttpError, Throttled, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.schema import DjangoGetter
from ninja.security import APIKeyCookie
from ninja.throttling import SimpleRateThrottle
from ninja.utils import check_csrf
from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from axes.exercise import MAX_ROW_CHARS, exercise_check, rows_clean
from axes.facts import AXES
from axes.jsonfile import (
    JSON_MAX_DEPTH,
    SURROGATE_ESCAPE,
    JsonDuplicateKey,
    JsonNotANumber,
    JsonNumberTooLarge,
    JsonTooDeep,
    json_type_name,
    model_json_loads,
)
from axes.textfile import lone_surrogate_find, text_decode
from catalog.models import REPO_ORDER, CatalogModel, Exercise
from catalog.views_exercise import model_match, model_title

log = logging.getLogger(__name__)


class _SwaggerWithCsrf(Swagger):
    """The docs page with the CSRF token, so "Try it out" on POST /api/exercises works: ninja
    adds it only when the whole API has a CSRF-checked auth, and here only that one operation
    has (the reads are open). Rendering the token also sets the ``csrftoken`` cookie."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> Any:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": True,
        }
        return render(request, self.template, context)


class PostRateThrottle(SimpleRateThrottle):
    """``API_POSTS_PER_MINUTE`` POSTs per client address and minute (read on every request, so
    a settings change applies at once; 0 lets everything through). Classifying runs the card
    classifier and saving writes a row: a loop of either must not take the server."""

    scope = "api_post"

    def __init__(self) -> None:  # the rate comes from the settings, per request
        self.rate = None

    def get_cache_key(self, request: HttpRequest) -> str | None:
        # per client address, session or not (the browser session is no account)
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    @property
    def cache(self) -> Any:  # shared by the web processes (Redis, see settings.CACHES)
        return caches["api_posts"]

    def allow_request(self, request: HttpRequest) -> bool:
        per_minute = settings.API_POSTS_PER_MINUTE
        if not per_minute:
            return True
        self.num_requests, self.duration = per_minute, 60
        try:
            return super().allow_request(request)
        except Exception:  # Redis unreachable: the limit is a guard, not a gate (logged)
            log.warning("API POST limit not checked: its cache is unreachable", exc_info=True)
            return True


class _Utf8JSONRenderer(JSONRenderer):
    """JSON as UTF-8 text (charset=utf-8, Ninja's default), not \\uXXXX escapes: the Korean and
    German messages and card text read as they are in a browser or with curl."""

    json_dumps_params = {"ensure_ascii": False}

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        text = super().render(request, data, response_status=response_status)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800" in a stored card): escaped
            return json.dumps(data, cls=self.encoder_class)
        return text


class BodyRefused(ValueError):
    """A request body that cannot be used, with what to send instead (in the page's language)."""


class BodyLoneSurrogate(BodyRefused):
    """A string of the body holds a lone surrogate escape (``"\\ud800"``, no character): ``path``
    the keys and indexes down to it, ``in_key`` when the string is the path's last key. Answered
    as the 422 a plain string field gets from pydantic (``string_unicode``), naming where: a
    ``rows`` value holding one was stored, and the exercise pages showing it were a 500."""

    def __init__(self, path: list[str | int], *, in_key: bool) -> None:
        self.path = path
        self.in_key = in_key
        super().__init__(f"a lone surrogate at {path!r}")

    @property
    def where(self) -> str:
        # a key holding the surrogate is shown with it escaped (UTF-8 cannot hold it)
        return ".".join(
            str(p).encode("utf-8", "backslashreplace").decode("utf-8") for p in self.path
        )


def _number_words(exc: JsonNumberTooLarge) -> str:
    if exc.digits is None:
        return exc.token
    if not exc.token:  # past Python's digit limit: no digits to show ("… (4300 digits)" read odd)
        return ngettext(
            "an integer of over %(digits)s digit",
            "an integer of over %(digits)s digits",
            exc.digits,
        ) % {"digits": number_format(exc.digits, use_l10n=True, force_grouping=True)}
    return ngettext(
        "%(start)s… (%(digits)d digit)", "%(start)s… (%(digits)d digits)", exc.digits
    ) % {"start": exc.token, "digits": exc.digits}


def api_body_parse(body: bytes) -> Any:
    """A request body as JSON: UTF-8 (a byte-order mark names another encoding and is no part
    of the text, as for a model file: axes.textfile), nested at most ``JSON_MAX_DEPTH`` levels,
    numbers a float holds, no NaN or Infinity (no JSON has them), each key once in an object
    (``json.loads`` kept the last silently), no lone surrogate escape in a string.
    ``BodyRefused`` says which of these failed; a body that is no JSON at all raises the
    parser's ``ValueError``. (5,000 nested brackets were answered "not JSON".)"""
    text, problem = text_decode(body)
    if problem is not None:  # its position counts from the body's first byte, a mark included
        raise BodyRefused(
            _(
                "The request body is not %(encoding)s text: byte %(byte)s at position %(pos)d "
                "cannot be read. Send the JSON encoded as UTF-8."
            )
            % {
                "encoding": problem.encoding,
                "byte": f"0x{problem.byte:02X}",
                "pos": problem.position,
            }
        )
    try:
        data = model_json_loads(text, unique_keys=True, keep_lone_surrogates=True)
    except JsonTooDeep as exc:
        raise BodyRefused(
            _(
                "The request body is nested too deeply: at most %(n)d levels of arrays and "
                "objects. Send a JSON object; /api/docs shows each endpoint's fields."
            )
            % {"n": JSON_MAX_DEPTH}
        ) from exc
    except JsonDuplicateKey as exc:
        raise BodyRefused(
            _("The request body names the key %(key)s twice in one object: send it once.")
            % {"key": json.dumps(exc.key, ensure_ascii=False)}
        ) from exc
    except JsonNotANumber as exc:
        raise BodyRefused(
            _(
                "The request body holds %(value)s, which is not a JSON number (JSON has no "
                "NaN or Infinity): send a number or null."
            )
            % {"value": exc.token}
        ) from exc
    except JsonNumberTooLarge as exc:
        raise BodyRefused(
            _("The request body holds a number too large to use: %(value)s.")
            % {"value": _number_words(exc)}
        ) from exc
    if SURROGATE_ESCAPE.search(text):  # pydantic refuses one in a str field, not in a dict's
        found = lone_surrogate_find(data)
        if found is not None:
            raise BodyLoneSurrogate(found[0], in_key=found[1])
    return data


class _StrictJSONParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        return api_body_parse(request.body)


api = NinjaAPI(
    title="Mechanic API",
    parser=_StrictJSONParser(),
    renderer=_Utf8JSONRenderer(),
    version="1",
    description=(
        "Four-axis breakdowns of LLMs: backbone, post-training, inference, product. Reads need "
        "nothing. POST /api/exercises is tied to the browser session and CSRF-checked: send the "
        "`csrftoken` cookie's value (set by any page of the site, and by this page) in the "
        "`X-CSRFToken` header."
    ),
    urls_namespace="api",
    docs=_SwaggerWithCsrf(),
)


class ValidationErrorOut(Schema):
    detail: str = Field(..., description="what is wrong, one line per field")
    errors: list[dict[str, Any]] = Field(
        default_factory=list, description="pydantic's errors: type, loc, msg"
    )


# pydantic's messages are English only ("Input should be greater than or equal to 1"): the
# ones this API's fields can give, in the page's language; any other stays as pydantic says it.
# ``errors`` keeps pydantic's own text for programs.
VALIDATION_WORDS = {
    "missing": gettext_noop("required"),
    "greater_than_equal": gettext_noop("must be at least %(ge)s"),
    "less_than_equal": gettext_noop("must be at most %(le)s"),
    "int_parsing": gettext_noop("must be a whole number"),
    "int_type": gettext_noop("must be a whole number"),
    "string_type": gettext_noop("must be a string"),
    "string_too_short": gettext_noop("must have at least %(min_length)s characters"),
    "string_too_long": gettext_noop("must have at most %(max_length)s characters"),
    "string_unicode": gettext_noop("must be valid Unicode text"),
    "bool_parsing": gettext_noop("must be true or false"),
    "bool_type": gettext_noop("must be true or false"),
    "dict_type": gettext_noop("must be a JSON object"),
}


def _validation_words(error: dict[str, Any]) -> str:
    words = VALIDATION_WORDS.get(str(error.get("type")))
    if words is not None:
        try:
            return _(words) % (error.get("ctx") or {})
        except (KeyError, TypeError, ValueError):  # a limit pydantic did not pass
            pass
    return str(error.get("msg", "invalid"))


def _body_missing(errors: list[dict[str, Any]]) -> bool:
    return bool(errors) and all(
        e.get("type") == "missing" and tuple(e.get("loc", ()))[:1] == ("body",) for e in errors
    )


@api.exception_handler(ValidationError)
def _invalid_input(request: HttpRequest, exc: ValidationError) -> Any:
    """422 with ``detail`` a string, as every other error of this API (ninja's own has a list
    there); the field-by-field errors stay under ``errors``. A POST with no body at all is a
    400 that says so ("Invalid request: required." named nothing)."""
    if request.method == "POST" and not request.body and _body_missing(exc.errors):
        return api.create_response(
            request,
            {
                "detail": _(
                    "The request body is empty. Send a JSON object with the header "
                    "Content-Type: application/json; /api/docs shows each endpoint's fields."
                )
            },
            status=400,
        )
    parts = []
    for error in exc.errors:
        where = ".".join(
            str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "payload")
        )
        msg = _validation_words(error)
        parts.append(f"{where}: {msg}" if where else msg)
    detail = _("Invalid request: %(errors)s.") % {"errors": "; ".join(parts)}
    errors = [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in exc.errors]
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(Throttled)
def _too_many(request: HttpRequest, exc: Throttled) -> Any:
    """ninja's 429 in the page's language, saying the limit (ninja adds Retry-After)."""
    return api.create_response(
        request,
        {
            "detail": _(
                "Too many requests: at most %(n)d POSTs a minute from one address. Try again "
                "in a minute."
            )
            % {"n": settings.API_POSTS_PER_MINUTE}
        },
        status=429,
    )


def _lone_surrogate(request: HttpRequest, exc: BodyLoneSurrogate) -> Any:
    words = (
        _("the key must be valid Unicode text")
        if exc.in_key
        else _(VALIDATION_WORDS["string_unicode"])
    )
    where = exc.where
    detail = _("Invalid request: %(errors)s.") % {"errors": f"{where}: {words}" if where else words}
    error = {
        "type": "string_unicode",
        "loc": ["body", *exc.path],
        "msg": "Input should be a valid string, unable to parse raw data as a unicode string",
    }
    return api.create_response(request, {"detail": detail, "errors": [error]}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> Any:
    """ninja's own refusals, the one a client meets most said in the page's language with
    what to send: a body that is no JSON was "Cannot parse request body" (with
    ``Content-Type: application/x-www-form-urlencoded``, or text cut short)."""
    detail = str(exc)
    if isinstance(exc.__cause__, BodyLoneSurrogate):  # as pydantic's own for a str field
        return _lone_surrogate(request, exc.__cause__)
    if isinstance(exc.__cause__, BodyRefused):  # JSON, but not usable: say which way
        detail = str(exc.__cause__)
    elif exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _(
            "The request body is not JSON. Send a JSON object with the header Content-Type: "
            "application/json; /api/docs shows each endpoint's fields."
        )
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> Any:
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return api.create_response(
        request,
        {
            "detail": _(
                "The request body is over %(mb)g MB. Send less: a statement to classify has at "
                "most 4,000 characters."
            )
            % {"mb": round(limit_mb, 1)}
        },
        status=413,
    )


class BrowserSession(APIKeyCookie):
    """Anonymous, session-cookie 'authentication' whose only job is ninja's CSRF check."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> bool:
        return True  # the session is created on first save when the cookie is absent

    def _get_key(self, request: HttpRequest) -> str | None:
        # ninja's own check, with a message that says what to send ("CSRF check Failed" did not)
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                _(
                    "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken "
                    "header (any page of the site, or /api/docs, sets the cookie)."
                ),
            )
        return request.COOKIES.get(self.param_name)


# ---------------------------------------------------------------------------------------------
# Schemas


class ModelSummary(Schema):
    repo_id: str
    kind: str
    url: str
    decoder_type: str | None = None
    params_total: int | None = None
    params_active: int | None = None
    context_length: int | None = None


class ModelPage(Schema):
    count: int = Field(..., description="models that match, on every page")
    limit: int
    offset: int
    next: str | None = Field(None, description="the next page's URL; null on the last page")
    items: list[ModelSummary]


class ModelDetail(Schema):
    repo_id: str
    kind: str
    url: str
    revision_sha: str | None = None
    revision_source: str | None = None
    analysis_version: int | None = None
    analysis: dict[str, Any] = Field(
        default_factory=dict,
        description="params, memory, compute, backbone, checkpoint, facts[], notes",
    )


class HeadlineRow(Schema):
    key: str
    title: str
    values: list[Any]
    differs: bool | None = Field(
        description="true: two known values differ; false: all models have it and agree; "
        "null: a model lacks it, so sameness is unknown"
    )


class FactRow(Schema):
    kind: str
    values: list[list[Any]]
    differs: bool | None = Field(
        description="true: two known values differ; false: all models have it and agree; "
        "null: a model lacks it, so sameness is unknown"
    )


class ConfigRow(Schema):
    key: str
    values: list[Any]
    differs: bool


class Comparison(Schema):
    models: list[str]
    unknown: list[str]
    headline: list[HeadlineRow]
    axes: dict[str, list[FactRow]]
    config_diff: list[ConfigRow]
    context_tokens: int = Field(
        description="The context (tokens, one sequence) of the headline's "
        "cache_bytes_at_context row: the shortest native context of the models, at most 32K"
    )
    axes_verdict: dict[str, Any] | None = Field(
        default=None, description="Per-axis verdict and sentence (two models), when available"
    )


class BodyIn(Schema):
    """A request body: a JSON object. ninja's Schema reads any value's attributes (it also
    takes ORM objects), so ``[]``, ``"x"`` or ``3`` was read as an object with no keys: a 400
    "Nothing to save" on /api/exercises, a missing ``text`` on /api/classify. Refused here as
    the 422 every other invalid input gets."""

    @model_validator(mode="before")
    @classmethod
    def _a_json_object(cls, value: Any) -> Any:
        # Schema's own validator runs first and wraps the input in a DjangoGetter
        given = value._obj if isinstance(value, DjangoGetter) else value
        if isinstance(given, dict | BaseModel):
            return value
        raise PydanticCustomError(
            "model_type",
            _("The request body must be a JSON object, not a JSON %(type)s")
            % {"type": json_type_name(given)},
        )


class ClassifyIn(BodyIn):
    # a statement or an exercise row, not a document: classifying costs time in proportion
    # to the length (~0.1 ms a character for Korean text), and the endpoint is open
    text: str = Field(..., min_length=1, max_length=4000)


class Phrase(Schema):
    text: str
    start: int
    end: int
    axis: str | None = None
    kind: str | None = None
    confidence: float = 0.0


class ClassifyOut(Schema):
    axis: str | None = Field(
        description="the statement's axis (backbone, post_training, inference, product, "
        "context or none), as its phrases and manage.py classify name it"
    )
    label: str | None = Field(description="the same as axis (the field's first name, kept)")
    kind: str | None = None
    confidence: float = 0.0
    phrases: list[Phrase]


class ExerciseIn(BodyIn):
    model_name: str = Field("", max_length=200)
    rows: dict[str, str] = Field(default_factory=dict)
    check: bool = False


class ExerciseOut(Schema):
    id: int
    model_name: str
    model_repo_id: str | None = None
    language: str
    rows: dict[str, str]
    truncated_axes: list[str] = Field(default_factory=list)
    result: dict[str, Any] = Field(default_factory=dict)
    updated_at: datetime


class ErrorOut(Schema):
    detail: str


# ---------------------------------------------------------------------------------------------
# Models and comparisons


def _summary(m: CatalogModel) -> dict[str, Any]:
    analysis = (m.latest_revision.analysis if m.latest_revision else None) or {}
    params = analysis.get("params") or {}
    backbone = analysis.get("backbone") or {}

    def as_int(value: Any) -> int | None:
        return (
            int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )

    return {
        "repo_id": m.repo_id,
        "kind": m.kind,
        "url": m.get_absolute_url(),
        "decoder_type": backbone.get("decoder_type"),
        "params_total": as_int(params.get("total")),
        "params_active": as_int(params.get("active")),
        "context_length": as_int(backbone.get("context_length")),
    }


MODELS_PAGE_MAX = 500


@api.get(
    "/models",
    response={200: ModelPage, 422: ValidationErrorOut},
    summary=f"List the catalog, a page at a time (limit at most {MODELS_PAGE_MAX})",
)
def models_list(
    request: HttpRequest,
    q: str = Query("", description="only models whose ID contains this (any case)"),
    limit: int = Query(100, ge=1, le=MODELS_PAGE_MAX),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    qs = CatalogModel.objects.select_related("latest_revision").order_by(*REPO_ORDER)
    q = q.replace("\x00", "").strip()  # PostgreSQL refuses NUL in a query parameter
    if q:
        qs = qs.filter(repo_id__icontains=q[:100])
    count = qs.count()
    # past the end is an empty page, answered without a query (an offset past the database's
    # integers, 10**20, would be its error)
    items = [_summary(m) for m in qs[offset : offset + limit]] if offset < count else []
    following = None
    if offset + limit < count:
        query = request.GET.copy()
        query["offset"] = str(offset + limit)
        query["limit"] = str(limit)
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"count": count, "limit": limit, "offset": offset, "next": following, "items": items}


@api.get(
    "/models/{org}/{name}",
    response={200: ModelDetail, 404: ErrorOut},
    summary="One model's stored four-axis analysis",
)
def model_detail(request: HttpRequest, org: str, name: str) -> Any:
    from catalog.ids import InvalidModelId
    from catalog.services import model_lookup

    repo_id = f"{org}/{name}"
    try:  # Hub IDs ignore case, as on the pages and in /api/compare: the catalog's spelling
        _found, m = model_lookup(text=repo_id)
    except InvalidModelId:
        m = None
    if m is None:
        return Status(
            404,
            {
                "detail": _(
                    "%(id)s is not in the catalog. Paste it on the home page to fetch it from "
                    "the Hub (GET /api/models lists the catalog)."
                )
                % {"id": repo_id}
            },
        )
    rev = m.latest_revision
    return {
        "repo_id": m.repo_id,
        "kind": m.kind,
        "url": m.get_absolute_url(),
        "revision_sha": rev.sha if rev else None,
        "revision_source": rev.source if rev else None,
        "analysis_version": rev.analysis_version if rev else None,
        "analysis": (rev.analysis if rev else None) or {},
    }


@api.get(
    "/compare",
    response={200: Comparison, 400: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Compare models on the four axes (models=A,B[,C...])",
)
def compare(
    request: HttpRequest,
    models: str = Query(
        ...,
        min_length=1,
        description="two or more model IDs, comma-separated (org/a,org/b); an empty value is a 422",
    ),
) -> Any:
    from catalog.views_compare import (
        MAX_COMPARE,
        compare_ids_parse,
        compare_ids_resolve,
        comparison_build,
        row_fact_values,
    )

    typed = compare_ids_parse(models, limit=None, unique=False)
    given = list(dict.fromkeys(typed))  # de-duplicated, as compare_ids_parse does by default
    if not given:
        return Status(400, {"detail": _("Pass models=org/a,org/b (comma-separated model IDs).")})
    if len(given) < 2 and len(typed) > 1:
        return _same_model(given[0])
    if len(given) < 2:
        return Status(
            400,
            {
                "detail": _(
                    "A comparison needs at least two models: pass models=org/a,org/b "
                    "(GET /api/models/{repo_id} describes one model)."
                )
            },
        )
    if len(given) > MAX_COMPARE:
        return Status(
            400,
            {
                "detail": _("At most %(max)d models can be compared at once; you passed %(n)d.")
                % {"max": MAX_COMPARE, "n": len(given)}
            },
        )
    ids, malformed = compare_ids_resolve(given)
    if malformed:  # IDs and Hub URLs, as on the home page; say what is wrong with the first
        text, why = malformed[0]
        return Status(400, {"detail": f"{text}: {why}"})
    data = comparison_build(ids)
    if len(data["names"]) == 1 and not data["unknown"]:
        # two spellings of one model (case, a Hub URL): a "comparison" of one model was a 200
        return _same_model(data["names"][0])
    if not data["names"]:
        return Status(
            404,
            {
                "detail": _(
                    "None of these models is in the catalog: %(ids)s. Fetch them on the home page "
                    "first (GET /api/models lists the catalog)."
                )
                % {"ids": ", ".join(ids)}
            },
        )
    return {
        "models": data["names"],
        "unknown": data["unknown"],
        "headline": [
            {
                **row,
                "differs": _differs(row["differs"], known=[v is not None for v in row["values"]]),
            }
            for row in data["headline"]
        ],
        "axes": {
            axis: [
                {
                    "kind": row["kind"],
                    "values": values,
                    "differs": _differs(row["differs"], known=[bool(v) for v in values]),
                }
                for row in rows
                for values in [row_fact_values(row)]
            ]
            for axis, rows in data["axes"].items()
        },
        "config_diff": data["config_diff"],
        "context_tokens": data["context_tokens"],
        "axes_verdict": data["axes_verdict"],
    }


def _same_model(repo_id: str) -> Any:
    return Status(
        400,
        {
            "detail": _(
                "Every ID passed names %(id)s: a comparison needs two different models "
                "(models=org/a,org/b)."
            )
            % {"id": repo_id}
        },
    )


def _differs(differs: bool, *, known: list[bool]) -> bool | None:
    """true: two known values differ; false: every model has the value and they agree; null:
    no two known values differ but a model lacks it (a closed model's parameter count), so
    "the same" cannot be said."""
    if differs:
        return True
    return False if all(known) else None


# ---------------------------------------------------------------------------------------------
# Classification


def _as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "__dataclass_fields__"):
        return {k: getattr(obj, k) for k in obj.__dataclass_fields__}
    return {"axis": getattr(obj, "axis", None)}


@api.post(
    "/classify",
    throttle=PostRateThrottle(),
    response={
        200: ClassifyOut,
        400: ErrorOut,  # a body that is no JSON at all (ninja's "Cannot parse request body")
        422: ValidationErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    summary="Which axis a statement is on, and its phrases",
)
def classify(request: HttpRequest, payload: ClassifyIn) -> Any:
    try:
        from axes.classify import classify_statement, split_phrases  # type: ignore[attr-defined]
    except ImportError:
        return Status(503, {"detail": "The statement classifier is not installed on this server."})
    text = payload.text
    label = _as_dict(classify_statement(text))
    phrases = []
    for p in split_phrases(text):
        d = _as_dict(p)
        start, end = int(d.get("start", 0)), int(d.get("end", len(text)))
        phrases.append(
            {
                "text": d.get("text") or text[start:end],
                "start": start,
                "end": end,
                "axis": d.get("axis") or d.get("label"),
                "kind": d.get("kind"),
                "confidence": float(d.get("confidence") or 0.0),
            }
        )
    axis = label.get("axis") or label.get("label")
    return {
        "axis": axis,
        "label": axis,
        "kind": label.get("kind"),
        "confidence": float(label.get("confidence") or 0.0),
        "phrases": phrases,
    }


# ---------------------------------------------------------------------------------------------
# Exercises (per browser session)


def _exercise_out(e: Exercise, truncated: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": e.pk,
        "model_name": e.model_name,
        "model_repo_id": e.model.repo_id if e.model_id and e.model else None,
        "language": e.language,
        "rows": e.rows or {},
        "truncated_axes": truncated or [],
        "result": e.result or {},
        "updated_at": e.updated_at,
    }


@api.get("/exercises", response=list[ExerciseOut], summary="This browser session's exercises")
def exercises_list(request: HttpRequest) -> list[dict[str, Any]]:
    key = request.session.session_key
    if not key:
        return []
    return [
        _exercise_out(e)
        for e in Exercise.objects.filter(session_key=key).select_related("model")[:50]
    ]


@api.post(
    "/exercises",
    throttle=PostRateThrottle(),
    response={
        201: ExerciseOut,
        400: ErrorOut,
        403: ErrorOut,
        422: ValidationErrorOut,
        429: ErrorOut,
    },
    auth=BrowserSession(),
    summary=f"Save (and optionally check) an exercise; rows are cut at {MAX_ROW_CHARS} chars",
)
def exercises_create(request: HttpRequest, payload: ExerciseIn) -> Any:
    unknown_axes = set(payload.rows) - set(AXES)
    if unknown_axes:
        raise HttpError(
            400,
            _("Unknown rows: %(rows)s. The rows are %(axes)s.")
            % {"rows": ", ".join(sorted(unknown_axes)), "axes": ", ".join(AXES)},
        )
    if request.session.session_key is None:
        request.session.save()
    rows, cut = rows_clean(payload.rows)
    model_name = payload.model_name.replace("\x00", "").strip()  # PostgreSQL refuses NUL
    if not model_name and not any(rows.values()):
        raise HttpError(400, _("Nothing to save: give model_name or at least one row."))
    # The page's resolution: repo ID, display name, or a partial name naming one model.
    match = model_match(model_name)
    model = match.model
    exercise = Exercise(
        session_key=request.session.session_key,
        model_name=model_name,
        model=model,
        language=get_language() or "",
        rows=rows,
    )
    if payload.check:
        facts = (
            list((model.latest_revision.analysis or {}).get("facts") or [])
            if model and model.latest_revision
            else []
        )
        exercise.result = exercise_check(
            rows,
            facts,
            model_name=exercise.model_name,
            model_known=model is not None,
            gettext=_,
            ngettext=ngettext,
            model_candidates=[c.repo_id for c in match.candidates],
            model_title=model_title(exercise),
        )
    exercise.save()
    return Status(201, _exercise_out(exercise, cut))
