"""The JSON API answers in JSON, also when no endpoint matched or the server failed.

Django's 404 and 500 pages and the 405 of a wrong method are HTML; a client of /api/ parses
JSON and should be told where the endpoints are (a trailing slash, the way the site's page
URLs are written, is the common slip: /api/models/org/name/ is not /api/models/org/name).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class ApiJsonErrors:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code not in (404, 405, 500) or not request.path.startswith(API_PREFIX):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response  # an endpoint's own JSON error (an unknown model): kept
        if response.status_code == 500:  # the 500 page of an exception (logged already)
            body = {
                "detail": _(
                    "Server error: something went wrong on our side, and it has been logged. "
                    "Try again in a moment."
                )
            }
        elif response.status_code == 405:
            allowed = response.get("Allow", "")
            body = {
                "detail": _("%(method)s is not allowed here; use %(allowed)s.")
                % {"method": request.method, "allowed": allowed or "GET"}
            }
        else:
            hint = ""
            if request.path.endswith("/") and request.path != API_PREFIX:
                hint = " " + _("API paths have no trailing slash: %(path)s.") % {
                    "path": request.path.rstrip("/")
                }
            body = {
                "detail": _(
                    "No API endpoint at %(path)s. The endpoints are listed at /api/docs "
                    "(schema: /api/openapi.json)."
                )
                % {"path": request.path}
                + hint
            }
        # UTF-8 as it is: a Korean or German message stays readable in a browser, not \uXXXX
        json_response = JsonResponse(
            body,
            status=response.status_code,
            content_type="application/json; charset=utf-8",
            json_dumps_params={"ensure_ascii": False},
        )
        if "Allow" in response:
            json_response["Allow"] = response["Allow"]
        return json_response


class LanguageFromQuery:
    """``?lang=ko`` (or de, en) on any page: that language for this request, and remembered
    in the language cookie as the header's switcher does. So a shared link carries its
    language. Placed after LocaleMiddleware; an unknown code is ignored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        # "KO", "de-DE", "de_AT": Django's own matching, on the code as a person would type it
        typed = request.GET.get("lang", "").strip().lower().replace("_", "-")
        try:
            code = translation.get_supported_language_variant(typed) if typed else ""
        except LookupError:
            code = ""
        if not code:
            return self.get_response(request)
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        response.headers["Content-Language"] = code
        return response
