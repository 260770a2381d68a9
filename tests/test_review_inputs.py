"""Review: junk in query strings and forms is a 4xx or a page, never a 500, on SQLite and on
PostgreSQL (which refuses NUL characters in text parameters: ``make pg-test`` runs these)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_strict():
    return Client(raise_request_exception=True)


@pytest.mark.parametrize(
    "url",
    [
        "/?q=%00",
        "/api/models?q=%00",
        "/compare/?models=a/b,%00,<script>",
        "/compare/?models=a/b&gpu=zzz&context=-5&batch=abc",
        "/compare/?models=a/b&context=99999999999999999999999",
        "/exercise/?model=%3Cscript%3E&lesson=zzz",
    ],
)
def test_junk_query_strings_never_500(client_strict, url):
    response = client_strict.get(url)
    assert response.status_code == 200
    # the page's own scripts aside (the head's one-line "js" class, app.js, JSON data), no
    # <script> of the query string's is echoed
    own = b'<script>document.documentElement.classList.add("js")</script>'
    if response["Content-Type"].startswith("text/html"):
        assert response.content.count(own) == 1
    assert b"<script>" not in response.content.replace(own, b"").replace(
        b'<script src="', b""
    ).replace(b'<script type="application/json"', b"")


def test_unknown_model_in_api_is_a_404_with_next_step(client_strict):
    response = client_strict.get("/api/models/nope/nope")
    assert response.status_code == 404
    assert "not in the catalog" in response.json()["detail"]


def test_exercise_form_model_name_with_nul_is_saved_without_it(client_strict):
    # Before the fix: the raw-POST fallback kept the NUL (the form field refuses it), and
    # PostgreSQL refused the save: a 500.
    response = client_strict.post("/exercise/save/", {"model_name": "a\x00b", "backbone": "x"})
    assert response.status_code == 303
    from catalog.models import Exercise

    assert Exercise.objects.get().model_name == "ab"


def test_api_exercise_model_name_with_nul_is_saved_without_it(client_strict):
    response = client_strict.post(
        "/api/exercises",
        json.dumps({"model_name": "a\u0000b", "rows": {"backbone": "x\u0000y"}}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["model_name"] == "ab"
    assert response.json()["rows"]["backbone"] == "xy"


def test_language_switch_to_unsupported_code_and_offsite_next_stays_home(client_strict):
    response = client_strict.post(
        "/i18n/setlang/", {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    response = client_strict.post("/i18n/setlang/", {"language": "ko", "next": "//evil.example/"})
    assert response["Location"] == "/"


def test_exercise_export_of_a_korean_model_name_stays_an_attachment(client_strict):
    # Before the fix: the whole header was MIME-encoded (=?utf-8?b?...?=), which browsers do
    # not read as "attachment".
    response = client_strict.post("/exercise/save/", {"model_name": "라마 모델", "backbone": "x"})
    pk = response["Location"].split("id=")[1]
    disposition = client_strict.get(f"/exercise/{pk}/export.md")["Content-Disposition"]
    assert disposition.startswith("attachment; filename")
    assert "filename*=utf-8''exercise-" in disposition


@pytest.mark.parametrize("url", ["/models/a%00b/c/", "/models/org/na%00me/"])
def test_model_url_with_nul_is_the_missing_page_not_a_500(client_strict, url):
    # Before the fix: a 500 on PostgreSQL ("text fields cannot contain NUL (0x00) bytes"): the
    # path went straight into the catalog lookup; SQLite answered the 404.
    response = client_strict.get(url)
    assert response.status_code == 404
