"""The JSON API: schema, models, compare, classify, exercises (CSRF on the session POST)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_paths(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/models",
        "/api/models/{org}/{name}",
        "/api/compare",
        "/api/classify",
        "/api/exercises",
    ):
        assert path in paths, path
    assert "post" in paths["/api/exercises"] and "get" in paths["/api/exercises"]


def test_models_list_and_detail(client, web_showcase):
    listing = client.get("/api/models").json()
    assert listing["count"] == len(listing["items"]) and listing["next"] is None
    by_id = {m["repo_id"]: m for m in listing["items"]}
    assert by_id["nvidia/Nemotron-H-8B-Base-8K"]["decoder_type"] == "hybrid"
    assert by_id["meta-llama/Meta-Llama-3-8B"]["params_total"] == 8_030_261_248
    assert by_id["meta-llama/Meta-Llama-3-8B"]["url"] == "/models/meta-llama/Meta-Llama-3-8B/"

    detail = client.get("/api/models/meta-llama/Meta-Llama-3-8B-Instruct").json()
    assert detail["analysis"]["params"]["total"] == 8_030_261_248
    assert {f["axis"] for f in detail["analysis"]["facts"]} >= {"backbone", "post_training"}
    other_case = client.get("/api/models/META-LLAMA/meta-llama-3-8b-instruct").json()
    assert other_case["repo_id"] == "meta-llama/Meta-Llama-3-8B-Instruct"
    missing = client.get("/api/models/nobody/nothing")
    assert missing.status_code == 404
    assert "not in the catalog" in missing.json()["detail"]


def test_models_list_pages(client, web_showcase):
    everything = client.get("/api/models", {"limit": 500}).json()
    ids = [m["repo_id"] for m in everything["items"]]
    assert everything["count"] == len(ids) >= 3 and ids == sorted(ids)
    first = client.get("/api/models", {"limit": 2}).json()
    assert [m["repo_id"] for m in first["items"]] == ids[:2]
    assert first["count"] == len(ids) and first["limit"] == 2 and first["offset"] == 0
    seen = [m["repo_id"] for m in first["items"]]
    page = first
    while page["next"]:  # follow the links to the end
        assert page["next"].startswith("http://testserver/api/models?")
        page = client.get(page["next"]).json()
        seen += [m["repo_id"] for m in page["items"]]
    assert seen == ids
    # the filter is kept across pages
    meta = client.get("/api/models", {"q": "META-llama", "limit": 1}).json()
    assert meta["count"] >= 2 and "q=META-llama" in meta["next"]
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "x"}):
        assert client.get("/api/models", bad).status_code == 422, bad


def test_invalid_input_is_a_422_with_a_string_detail_as_documented(client, db):
    """Every error of this API has ``detail`` as a string (ninja's own 422 put a list there);
    the field errors stay under ``errors``, and the schema documents the 422."""
    body = client.get("/api/models", {"limit": "x"}).json()
    assert body["detail"].startswith("Invalid request: limit: ")
    assert body["errors"][0]["loc"][-1] == "limit"
    missing = client.get("/api/compare").json()
    assert missing["detail"].startswith("Invalid request: models: ") and missing["errors"]
    # an empty value breaks the schema (minLength 1) and is answered as such, not as a 400 the
    # schema would have called valid input
    empty = client.get("/api/compare", {"models": ""})
    assert empty.status_code == 422 and empty.json()["errors"][0]["loc"][-1] == "models"
    posted = client.post("/api/classify", "{}", content_type="application/json")
    assert posted.status_code == 422 and isinstance(posted.json()["detail"], str)
    schema = client.get("/api/openapi.json").json()
    for path, method in (
        ("/api/models", "get"),
        ("/api/compare", "get"),
        ("/api/classify", "post"),
        ("/api/exercises", "post"),
    ):
        assert "422" in schema["paths"][path][method]["responses"], path
    (models,) = schema["paths"]["/api/compare"]["get"]["parameters"]
    assert models["required"] and models["schema"]["minLength"] == 1
    assert "403" in schema["paths"]["/api/exercises"]["post"]["responses"]


def test_a_body_that_is_no_json_object_is_a_422_on_every_post(client):
    """ninja's Schema read a list, a string or a number as an object with no keys: a 400
    "Nothing to save" on /api/exercises (its fields all have defaults) and a misleading
    "text: Field required" on /api/classify. It is a wrong type, the 422 of any other."""
    from catalog.models import Exercise

    for path in ("/api/exercises", "/api/classify"):
        for body, kind in (("[]", "array"), ('"x"', "string"), ("3", "number"), ("null", "null")):
            response = client.post(path, body, content_type="application/json")
            assert response.status_code == 422, (path, body, response.content)
            message = f"The request body must be a JSON object, not a JSON {kind}"
            assert response.json() == {
                "detail": f"Invalid request: {message}.",
                "errors": [{"type": "model_type", "loc": ["body", "payload"], "msg": message}],
            }
        korean = client.post(path, "[]", content_type="application/json", HTTP_ACCEPT_LANGUAGE="ko")
        assert korean.status_code == 422 and korean.json()["detail"].startswith("잘못된 요청: ")
    assert not Exercise.objects.exists()
    # an object still goes through: the validator refuses the body's type, not its content
    saved = client.post("/api/exercises", '{"model_name": "x/y"}', content_type="application/json")
    assert saved.status_code == 201
    # a body that is no JSON at all is ninja's 400, which both POSTs document
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/exercises", "/api/classify"):
        broken = client.post(path, "{nope", content_type="application/json")
        assert broken.status_code == 400 and isinstance(broken.json()["detail"], str)
        assert "400" in schema["paths"][path]["post"]["responses"], path


def test_compare_endpoint(client, web_showcase):
    data = client.get(
        "/api/compare", {"models": "meta-llama/Meta-Llama-3-8B,nvidia/Nemotron-H-8B-Base-8K,x/y"}
    ).json()
    assert data["models"] == ["meta-llama/Meta-Llama-3-8B", "nvidia/Nemotron-H-8B-Base-8K"]
    assert data["unknown"] == ["x/y"]
    decoder = next(r for r in data["headline"] if r["key"] == "decoder_type")
    assert decoder == {
        "key": "decoder_type",
        "title": "Decoder type",
        "values": ["dense", "hybrid"],
        "differs": True,
    }
    assert "axes_verdict" in data
    assert set(data["axes"]) >= {"backbone", "post_training", "inference", "product"}
    assert client.get("/api/compare", {"models": " , "}).status_code == 400


def test_compare_says_unknown_not_same_when_a_model_lacks_a_value(client, web_showcase, web_model):
    """A closed model has no parameter count: the row is neither "differs" nor "same"."""
    web_model("vendor/closed-one", analysis={"facts": []})
    data = client.get(
        "/api/compare", {"models": "vendor/closed-one,meta-llama/Meta-Llama-3-8B"}
    ).json()
    params = next(r for r in data["headline"] if r["key"] == "params_total")
    assert params["values"][0] is None and params["differs"] is None
    both = client.get(
        "/api/compare", {"models": "meta-llama/Meta-Llama-3-8B,meta-llama/Meta-Llama-3-8B-Instruct"}
    ).json()
    params = next(r for r in both["headline"] if r["key"] == "params_total")
    assert params["differs"] is False
    decoder = next(r for r in both["headline"] if r["key"] == "decoder_type")
    assert decoder["differs"] is False
    rows = [r for rows in both["axes"].values() for r in rows]
    assert any(r["differs"] is None for r in rows)  # a card fact only the Instruct card states
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["HeadlineRow"]
    assert "null" in schema["properties"]["differs"]["description"]


def test_classify_endpoint(client):
    pytest.importorskip("axes.classify")
    from axes import classify

    if not hasattr(classify, "classify_statement") or not hasattr(classify, "split_phrases"):
        pytest.skip("the classifier's entry points are not there yet")
    response = client.post(
        "/api/classify",
        json.dumps({"text": "Recommended temperature is 0.6. It has 32 layers."}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["label"] in {"backbone", "post_training", "inference", "product", "context"}
    assert body["axis"] == body["label"]  # the name its phrases and manage.py classify use
    assert body["phrases"] and all("start" in p and "end" in p for p in body["phrases"])
    # a statement or a row, not a document: the open endpoint refuses long texts
    for text in ("", "x" * 4001):
        refused = client.post(
            "/api/classify", json.dumps({"text": text}), content_type="application/json"
        )
        assert refused.status_code == 422
    limit = client.get("/api/openapi.json").json()["components"]["schemas"]["ClassifyIn"]
    assert limit["properties"]["text"]["maxLength"] == 4000


def test_exercise_post_requires_csrf_and_saves_per_session():
    client = Client(enforce_csrf_checks=True)
    payload = json.dumps({"model_name": "x/y", "rows": {"backbone": "32 layers"}})
    refused = client.post("/api/exercises", payload, content_type="application/json")
    assert refused.status_code == 403

    client.get("/exercise/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    created = client.post(
        "/api/exercises",
        payload,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["rows"]["backbone"] == "32 layers"
    assert body["model_repo_id"] is None

    listed = client.get("/api/exercises").json()
    # newest first; the visit to /exercise/ above started an (empty) table of its own
    assert listed[0]["id"] == body["id"]
    assert all(e["model_name"] in ("", "x/y") for e in listed)
    assert Client().get("/api/exercises").json() == []
    # nothing to save is refused, not stored as a blank exercise
    before = len(client.get("/api/exercises").json())
    for empty in ({}, {"model_name": "  ", "rows": {"backbone": " "}}):
        blank = client.post(
            "/api/exercises",
            json.dumps(empty),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert blank.status_code == 400
        assert blank.json()["detail"].startswith("Nothing to save")
    assert len(client.get("/api/exercises").json()) == before


def test_posts_are_rate_limited_per_client(settings):
    """API_POSTS_PER_MINUTE POSTs per client address and minute: the next one gets a 429 with
    Retry-After; another address is not affected, and reads are never limited."""
    from django.core.cache import cache

    cache.clear()
    settings.API_POSTS_PER_MINUTE = 3
    body = json.dumps({"text": "It has 32 layers."})
    codes = [
        Client(REMOTE_ADDR="10.0.0.1")
        .post("/api/classify", body, content_type="application/json")
        .status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    limited = Client(REMOTE_ADDR="10.0.0.1").post(
        "/api/classify", body, content_type="application/json"
    )
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["detail"].startswith("Too many requests: at most 3 POSTs a minute")
    korean = Client(REMOTE_ADDR="10.0.0.1", headers={"accept-language": "ko"}).post(
        "/api/classify", body, content_type="application/json"
    )
    assert korean.status_code == 429 and "Too many" not in korean.json()["detail"]
    # exercises share the budget: same address, refused before anything is written
    client = Client(REMOTE_ADDR="10.0.0.1")
    client.get("/exercise/")
    saved = client.post(
        "/api/exercises",
        json.dumps({"model_name": "x/y"}),
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert saved.status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.2").post(
        "/api/classify", body, content_type="application/json"
    )
    assert other.status_code == 200
    assert Client(REMOTE_ADDR="10.0.0.1").get("/api/models").status_code == 200
    settings.API_POSTS_PER_MINUTE = 0  # no limit
    assert (
        Client(REMOTE_ADDR="10.0.0.1")
        .post("/api/classify", body, content_type="application/json")
        .status_code
        == 200
    )
    cache.clear()


def test_exercise_post_rejects_unknown_rows(client):
    response = client.post(
        "/api/exercises",
        json.dumps({"rows": {"weights": "x"}}),
        content_type="application/json",
    )
    assert response.status_code == 400


def test_api_docs_load_their_files_from_this_server_not_a_cdn(client):
    """/api/docs works offline: the Swagger UI comes from our static files."""
    html = client.get("/api/docs").content.decode()
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    from django.contrib.staticfiles import finders

    assert finders.find("ninja/swagger-ui-bundle.js")


@pytest.mark.parametrize(
    "lang, back",
    [("en", "Back to Mechanic"), ("de", "Zurück zu Mechanic"), ("ko", "Mechanic으로 돌아가기")],
)
def test_api_docs_lead_back_to_the_app_in_the_pages_language(client, lang, back):
    """The Swagger page was a dead end: no way back to the app and no language switch."""
    html = client.get("/api/docs", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f'<html lang="{lang}">' in html
    assert f'<a href="/" data-testid="api-back">← {back}</a>' in html
    assert 'id="lang-select"' in html and 'name="next" type="hidden" value="/api/docs"' in html
    assert "/static/ninja/swagger-ui-bundle.js" in html


def test_compare_refuses_what_it_cannot_compare_instead_of_a_silent_200(client, web_showcase):
    too_many = client.get("/api/compare", {"models": ",".join(f"o/m{i}" for i in range(8))})
    assert too_many.status_code == 400
    assert too_many.json()["detail"] == ("At most 6 models can be compared at once; you passed 8.")
    bad = client.get("/api/compare", {"models": "a b/c,meta-llama/Meta-Llama-3-8B"})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("a b/c: ")
    one = client.get("/api/compare", {"models": "meta-llama/Meta-Llama-3-8B"})
    assert one.status_code == 400 and one.json()["detail"].startswith(
        "A comparison needs at least two models"
    )
    nothing = client.get("/api/compare", {"models": "nobody/a,nobody/b"})
    assert nothing.status_code == 404
    assert "None of these models is in the catalog: nobody/a, nobody/b" in nothing.json()["detail"]
    # a Hub URL and another casing name the same catalog models
    same = client.get(
        "/api/compare",
        {
            "models": "https://huggingface.co/meta-llama/Meta-Llama-3-8B,"
            "NVIDIA/nemotron-h-8b-base-8k"
        },
    )
    assert same.status_code == 200
    assert same.json()["models"] == ["meta-llama/Meta-Llama-3-8B", "nvidia/Nemotron-H-8B-Base-8K"]


def test_api_errors_are_json_even_where_no_endpoint_matched(client):
    slash = client.get("/api/models/meta-llama/Meta-Llama-3-8B/")
    assert slash.status_code == 404
    assert slash["Content-Type"] == "application/json; charset=utf-8"
    assert "no trailing slash: /api/models/meta-llama/Meta-Llama-3-8B." in slash.json()["detail"]
    root = client.get("/api/")
    assert root.status_code == 404 and "/api/docs" in root.json()["detail"]
    wrong = client.post("/api/models/meta-llama/Meta-Llama-3-8B")
    assert wrong.status_code == 405 and wrong["Allow"] == "GET"
    assert wrong.json()["detail"] == "POST is not allowed here; use GET."
    # the site's own pages keep their HTML 404
    assert client.get("/no/such/page/")["Content-Type"].startswith("text/html")


def test_an_oversized_body_is_a_json_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps({"text": "x" * (2 * 1024 * 1024)})
    response = client.post("/api/classify", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request body is over 1 MB.")


def test_api_errors_speak_the_request_language(client):
    too_many = client.get(
        "/api/compare",
        {"models": ",".join(f"o/m{i}" for i in range(7))},
        headers={"Accept-Language": "ko"},
    )
    assert (
        too_many.json()["detail"] == "한 번에 최대 6개 모델을 비교할 수 있습니다. 7개를 넘겼습니다."
    )
    german = client.get("/api/nothing", headers={"Accept-Language": "de"})
    assert german.json()["detail"].startswith("Unter /api/nothing gibt es keinen API-Endpunkt.")


def test_api_docs_try_it_out_can_post_an_exercise():
    """The docs page carries the CSRF token (and sets its cookie), as its "Try it out" sends
    it in X-CSRFToken; a POST without it is told what to send."""
    client = Client(enforce_csrf_checks=True)
    payload = json.dumps({"model_name": "x/y", "rows": {"backbone": "GQA"}})
    refused = client.post("/api/exercises", payload, content_type="application/json")
    assert refused.status_code == 403
    assert "send the csrftoken cookie's value in the X-CSRFToken header" in refused.json()["detail"]
    html = client.get("/api/docs").content.decode()
    token = re.search(r'data-csrf-token="([^"]+)"', html).group(1)
    assert 'data-api-csrf="true"' in html and client.cookies["csrftoken"].value
    created = client.post(
        "/api/exercises", payload, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert created.status_code == 201, created.content


def test_a_forged_forwarded_for_does_not_escape_the_post_limit(settings, monkeypatch):
    """The client address is the socket's (TRUSTED_PROXIES=0): a client that sends a new
    X-Forwarded-For with every POST is still one client. Behind N trusted proxies the N-th
    address from the right is the client."""
    from django.core.cache import cache
    from ninja.conf import settings as ninja_settings

    cache.clear()
    settings.API_POSTS_PER_MINUTE = 2
    body = json.dumps({"text": "It has 32 layers."})
    codes = [
        Client(REMOTE_ADDR="10.0.0.9", headers={"x-forwarded-for": f"192.0.2.{i}"})
        .post("/api/classify", body, content_type="application/json")
        .status_code
        for i in range(4)
    ]
    assert ninja_settings.NUM_PROXIES == 0
    assert codes == [200, 200, 429, 429]
    cache.clear()
    monkeypatch.setattr(ninja_settings, "NUM_PROXIES", 1)
    proxied = [
        Client(REMOTE_ADDR="10.0.0.1", headers={"x-forwarded-for": f"spoofed, 198.51.100.{i % 2}"})
        .post("/api/classify", body, content_type="application/json")
        .status_code
        for i in range(6)
    ]
    assert proxied == [200, 200, 200, 200, 429, 429]  # two clients behind one proxy, 2 each


def test_api_errors_are_utf8_json_not_unicode_escapes(client):
    """A Korean 404 from /api/ read as \\uc5d0\\ub294 in a browser: every error path (the
    middleware's 404/405, Ninja's own errors) answers UTF-8 text with charset=utf-8."""
    missing = client.get("/api/nothing", headers={"Accept-Language": "ko"})
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json; charset=utf-8"
    raw = missing.content.decode("utf-8")
    assert "/api/nothing에는 API 엔드포인트가 없습니다." in raw and "\\u" not in raw
    wrong = client.post("/api/models/meta-llama/Meta-Llama-3-8B", headers={"Accept-Language": "ko"})
    assert wrong.status_code == 405 and "\\u" not in wrong.content.decode("utf-8")
    too_many = client.get(
        "/api/compare",
        {"models": ",".join(f"o/m{i}" for i in range(7))},
        headers={"Accept-Language": "ko"},
    )
    assert too_many["Content-Type"] == "application/json; charset=utf-8"
    raw = too_many.content.decode("utf-8")
    assert "한 번에 최대 6개 모델을 비교할 수 있습니다." in raw and "\\u" not in raw


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "111111111111… (5001 digits)"),
        ("de", "111111111111… (5001 Ziffern)"),
        ("ko", "111111111111… (5001자리)"),
    ],
)
def test_a_huge_decimal_in_a_body_is_shown_cut_as_an_integer_is(lang, said):
    # 5,000 ones and ".5" overflow a float: the refusal echoed all 5,002 characters (a 5,053-
    # character detail), where a 5,000-digit integer was cut to its first 12 and its length.
    for number in ("1" * 5000 + ".5", "-" + "1" * 5000 + ".5e10"):
        response = Client().post(
            f"/api/classify?lang={lang}",
            '{"text": ' + number + "}",
            content_type="application/json",
        )
        assert response.status_code == 400, response.content
        detail = response.json()["detail"]
        assert len(detail) < 200, detail
        assert said.lstrip("1") in detail and "1" * 13 not in detail, detail
    # a short one is shown as written
    response = Client().post(
        f"/api/classify?lang={lang}", '{"text": 1e400}', content_type="application/json"
    )
    assert response.status_code == 400 and "1e400" in response.json()["detail"]


def test_an_integer_past_pythons_digit_limit_is_said_without_an_empty_start():
    # JsonNumberTooLarge("", limit) (an integer past sys.get_int_max_str_digits(), read with
    # huge_ints) said "… (4300 digits)": a cut with nothing before it.
    from django.utils import translation

    from axes.jsonfile import JsonNumberTooLarge
    from catalog.api import _number_words

    said = {"en": "an integer of over 4,300 digits", "de": "eine ganze Zahl mit über 4.300 Ziffern"}
    for lang in ("en", "de", "ko"):
        with translation.override(lang):
            words = _number_words(JsonNumberTooLarge("", 4300))
        assert not words.startswith("…") and "4" in words, words
        if lang in said:
            assert said[lang] in words, words
    assert _number_words(JsonNumberTooLarge("1e400")) == "1e400"
