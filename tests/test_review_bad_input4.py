"""Review (bad input, fourth pass): an exercise save that names a table this browser cannot
write (garbage, a number past any table, another session's) keeps the rows as a new table; the
API says why a JSON body cannot be used (nested too deeply, a number too large, NaN, a key
named twice, not UTF-8, empty); a card saved as UTF-16 or Latin-1 is read the same way uploaded
as fetched from the Hub; odd characters typed into the pages' forms (lone surrogates, NUL,
emoji, RTL marks, very long text) get an answer, never a 500, and lose nothing."""

from __future__ import annotations

import codecs
import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import shared_hub

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_post_limit(settings):
    settings.API_POSTS_PER_MINUTE = 0  # these tests send more POSTs a minute than the limit


# --- 1. an exercise save naming a table this browser cannot write -----------------------------


def _their_table():
    from catalog.models import Exercise

    Client().post(reverse("catalog:exercise_save"), {"model_name": "acme/a", "backbone": "dense"})
    return Exercise.objects.get()


@pytest.mark.parametrize(
    "exercise_id",
    ["x1", "12abc", "9" * 30, "٣", "-1", "1e3", "new", "new:zz"],
    ids=[
        "garbage",
        "digits-then-garbage",
        "huge",
        "arabic-digit",
        "negative",
        "float",
        "new",
        "new-bad",
    ],
)
@pytest.mark.parametrize("view", ["catalog:exercise_save", "catalog:exercise_check"])
def test_a_save_naming_no_table_of_this_session_keeps_the_rows(view, exercise_id):
    # Before the fix: any exercise_id but digits (garbage, a number past the database's
    # integers) was a 404, which htmx does not swap in: the page kept saying "Saved at ..."
    # and the rows typed were lost.
    from catalog.models import Exercise

    theirs = _their_table()
    mine = Client(raise_request_exception=True)
    posted = {"exercise_id": exercise_id, "backbone": "MoE, 64 experts", "model_name": "acme/b"}
    response = mine.post(f"{reverse(view)}?lang=de", posted, headers={"HX-Request": "true"})
    assert response.status_code == 200
    new = Exercise.objects.exclude(pk=theirs.pk).get()
    assert new.rows["backbone"] == "MoE, 64 experts" and new.model_name == "acme/b"
    assert new.session_key == mine.session.session_key
    assert f'value="{new.pk}"' in response.content.decode()  # the next saves go there
    theirs.refresh_from_db()
    assert theirs.rows["backbone"] == "dense"


@pytest.mark.parametrize("exercise_id", ["x1", "9" * 30])
def test_a_save_naming_garbage_says_the_rows_are_a_new_table(exercise_id):
    from catalog.models import Exercise

    client = Client(raise_request_exception=True)
    posted = {"exercise_id": exercise_id, "backbone": "dense"}
    response = client.post(
        reverse("catalog:exercise_save") + "?lang=ko", posted, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert 'data-testid="exercise-restarted"' in page
    assert "session" not in page.split('data-testid="exercise-restarted"')[1][:300]  # in ko
    # without JavaScript: the redirect, and the notice on the page it leads to
    response = Client().post(reverse("catalog:exercise_save"), posted, follow=True)
    assert response.status_code == 200
    assert "saved as a new table" in response.content.decode()
    assert Exercise.objects.count() == 2


def test_a_save_naming_another_sessions_table_never_writes_it():
    from catalog.models import Exercise

    theirs = _their_table()
    client = Client()
    for view in ("catalog:exercise_save", "catalog:exercise_check"):
        client.post(reverse(view), {"exercise_id": str(theirs.pk), "backbone": "GQA"})
    theirs.refresh_from_db()
    assert theirs.rows["backbone"] == "dense"
    assert Exercise.objects.filter(session_key=client.session.session_key).count() >= 1


@pytest.mark.parametrize("exercise_id", ["x1", "9" * 30, "٣"])
def test_a_page_asking_for_a_table_by_garbage_is_a_404_not_a_500(exercise_id):
    response = Client().get(reverse("catalog:exercise"), {"id": exercise_id})
    assert response.status_code == 404


# --- 2. the API: a JSON body that cannot be used says why ------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "en", "de"),
    [
        (
            '{"text": ' + "[" * 5000 + "]" * 5000 + "}",
            "application/json",
            "nested too deeply: at most 64 levels",
            "zu tief verschachtelt",
        ),
        ("[" * 70 + "]" * 70, "application/json", "nested too deeply", "zu tief verschachtelt"),
        ('{"text": "x", "n": ' + "9" * 5000 + "}", "application/json", "too large", "zu groß"),
        ('{"text": 1e400}', "application/json", "too large to use: 1e400", "1e400"),
        ('{"text": "x", "a": NaN}', "application/json", "NaN, which is not a JSON number", "NaN"),
        ('{"text": "x", "a": -Infinity}', "application/json", "-Infinity", "-Infinity"),
        (
            '{"text": "a", "text": "Trained with DPO."}',
            "application/json",
            'the key "text" twice',
            '"text"',
        ),
        (
            '{"text": "caf\xe9"}'.encode("latin-1"),
            "application/json",
            "not UTF-8 text: byte 0xE9 at position 13",
            "0xE9",
        ),
        ("", "application/json", "The request body is empty", "leer"),
    ],
    ids=[
        "5000-deep",
        "70-deep",
        "5000-digits",
        "1e400",
        "nan",
        "infinity",
        "dup-key",
        "latin-1",
        "empty",
    ],
)
@pytest.mark.parametrize("url", ["/api/classify", "/api/exercises"])
def test_an_api_body_that_cannot_be_used_says_why(url, body, content_type, en, de):
    # Before the fix: 5,000 levels, 5,000 digits and Latin-1 were all "The request body is not
    # JSON", NaN and a key named twice were taken (the first "text" silently dropped), and an
    # empty body was "Invalid request: required.".
    from catalog.models import Exercise

    client = Client()
    for lang, words in (("en", en), ("de", de)):
        response = client.post(f"{url}?lang={lang}", body, content_type=content_type)
        assert response.status_code == 400, response.content
        detail = response.json()["detail"]
        assert words in detail, detail
        assert "is not JSON" not in detail and "nicht JSON" not in detail
    assert not Exercise.objects.exists()


def test_an_api_body_as_deep_as_the_limit_is_read():
    row = "[" * 62 + '"GQA"' + "]" * 62  # the object, the rows, then 62 levels: 64
    response = Client().post(
        "/api/exercises",
        {"rows": {"backbone": "GQA"}, "x": json.loads(row)},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def test_an_api_body_with_a_byte_order_mark_is_read():
    body = codecs.BOM_UTF8 + json.dumps({"text": "Trained with DPO."}).encode()
    response = Client().post("/api/classify", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["axis"] == "post_training"


# --- 3. a card saved in another encoding: uploaded as fetched from the Hub --------------------

CARD = "---\nlicense: apache-2.0\n---\n# Café\n\nFine-tuned with DPO. Überall.\n"
CARDS = {
    "utf-16-le-bom": codecs.BOM_UTF16_LE + CARD.encode("utf-16-le"),
    "utf-16-be-bom": codecs.BOM_UTF16_BE + CARD.encode("utf-16-be"),
    "utf-8-bom": codecs.BOM_UTF8 + CARD.encode(),
    "latin-1": CARD.encode("latin-1"),
}


def _config_bytes() -> bytes:
    return (shared_hub() / "meta-llama--Llama-3.2-1B" / "config.json").read_bytes()


def _card_uploaded(card: bytes, repo_id: str, language: str = "en"):
    from catalog.models import Artifact

    client = Client(raise_request_exception=True, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(
        "/upload/",
        {
            "repo_id": repo_id,
            "config": SimpleUploadedFile("config.json", _config_bytes()),
            "card": SimpleUploadedFile("README.md", card),
        },
    )
    assert response.status_code == 303, html.unescape(response.content.decode())[-2000:]
    artifact = Artifact.objects.get(revision__model__repo_id=repo_id, name="README.md")
    return client, response, artifact


def _card_fetched(hub, card: bytes, repo_id: str):
    from catalog.models import Artifact
    from catalog.services import model_ingest

    hub.add_repo(repo_id, {"config.json": _config_bytes(), "README.md": card})
    model_ingest(repo_id=repo_id)
    return Artifact.objects.get(revision__model__repo_id=repo_id, name="README.md")


@pytest.mark.parametrize("encoding", ["utf-16-le-bom", "utf-16-be-bom", "utf-8-bom"])
def test_a_card_with_a_byte_order_mark_is_read_uploaded_and_fetched_alike(hub, encoding):
    # Before the fix: a card saved as UTF-16 (Notepad's "Unicode") was refused on upload ("not
    # UTF-8 text") and fetched from the Hub as mojibake of U+FFFD and NULs, without a word.
    _client, _response, uploaded = _card_uploaded(CARDS[encoding], "local/card-bom")
    fetched = _card_fetched(hub, CARDS[encoding], "acme/card-bom")
    for artifact in (uploaded, fetched):
        assert artifact.text == CARD
        assert not artifact.note
    assert uploaded.revision.notes == fetched.revision.notes


def test_a_latin_1_card_is_read_with_a_note_naming_the_byte_uploaded_and_fetched_alike(hub):
    # Before the fix: the upload was refused ("README.md is not UTF-8 text") while the same card
    # from the Hub was stored with its "é" and "Ü" replaced and nothing said.
    client, response, uploaded = _card_uploaded(CARDS["latin-1"], "local/card-latin", "de")
    fetched = _card_fetched(hub, CARDS["latin-1"], "acme/card-latin")
    assert uploaded.text == fetched.text == CARD.replace("é", "\ufffd").replace("Ü", "\ufffd")
    position = CARD.encode("latin-1").index(b"\xe9")
    note = (
        f"README.md is not all UTF-8 text: byte 0xE9 at position {position} and any other "
        "unreadable bytes are shown as \ufffd; save the file as UTF-8 to read them"
    )
    assert uploaded.note == fetched.note == note
    assert note in uploaded.revision.notes and note in fetched.revision.notes
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert f"README.md ist nicht durchgehend UTF-8-Text: Das Byte 0xE9 an Position {position}" in (
        page
    )
    assert "apache-2.0" in page  # the front matter is still read


def test_a_config_that_is_utf_16_with_its_mark_is_read_on_both_paths(hub):
    from catalog.models import Revision

    config = codecs.BOM_UTF16_LE + _config_bytes().decode().encode("utf-16-le")
    client = Client(raise_request_exception=True)
    response = client.post(
        "/upload/",
        {"repo_id": "local/cfg16", "config": SimpleUploadedFile("config.json", config)},
    )
    assert response.status_code == 303, html.unescape(response.content.decode())[-2000:]
    hub.add_repo("acme/cfg16", {"config.json": config})
    from catalog.services import model_ingest

    model_ingest(repo_id="acme/cfg16")
    for repo_id in ("local/cfg16", "acme/cfg16"):
        revision = Revision.objects.get(model__repo_id=repo_id)
        assert revision.analysis["params"]["total"] > 1_000_000_000


def test_the_command_line_reads_a_folder_s_files_as_uploads_and_the_hub_are_read(tmp_path):
    # Before the fix: `manage.py analyze FOLDER` refused a UTF-16 config.json ("not UTF-8
    # text" and Python's codec message) and noted a Latin-1 card without naming the byte.
    from io import StringIO

    from django.core.management import call_command

    folder = tmp_path / "local--encodings"
    folder.mkdir()
    config = codecs.BOM_UTF16_LE + _config_bytes().decode().encode("utf-16-le")
    (folder / "config.json").write_bytes(config)
    (folder / "README.md").write_bytes(CARDS["latin-1"])
    out = StringIO()
    call_command("analyze", str(folder), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["params"]["total"] > 1_000_000_000
    position = CARD.encode("latin-1").index(b"\xe9")
    assert any(
        n.startswith(f"README.md is not all UTF-8 text: byte 0xE9 at position {position} ")
        for n in result["notes"]
    ), result["notes"]


def test_a_config_that_cannot_be_read_as_text_is_refused_naming_the_byte():
    # A UTF-16 config whose last character is cut in half: the refusal names the byte, in the
    # page's language, and not the JSON parser's complaint about the characters it made.
    bad = codecs.BOM_UTF16_LE + '{"a": 1}'.encode("utf-16-le") + b"\x00\xd8"
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    response = client.post(
        "/upload/", {"repo_id": "local/bad16", "config": SimpleUploadedFile("config.json", bad)}
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "config.json이(가) 모두 UTF-16 텍스트는 아닙니다" in page


# --- 4. odd characters typed or stored: an answer, never a 500 --------------------------------

# As a browser or curl sends them: a lone surrogate cannot be UTF-8, so its bytes arrive
# percent-encoded (%ED%A0%80) and Django reads them as U+FFFD; NUL, emoji, RTL marks and text
# far past any field's length arrive as they are.
ODD = {
    "lone-surrogate": "%ED%A0%80",
    "invalid-utf-8": "%FF%FE",
    "nul": "a%00b",
    "emoji": "%F0%9F%98%80",
    "rtl-override": "%E2%80%AEorg/x",
    "very-long": "x" * 20_000,
}
GET_PAGES = [
    "/?q={}",
    "/compare/?models={}",
    "/compare/?models=meta-llama/Llama-3.2-1B,{}",
    "/exercise/?model={}",
    "/exercise/?id={}",
    "/models/meta-llama/{}/",
    "/compare/export.csv?models=meta-llama/Llama-3.2-1B,{}",
]


@pytest.mark.parametrize("odd", list(ODD.values()), ids=list(ODD))
@pytest.mark.parametrize("url", GET_PAGES)
def test_a_page_asked_for_odd_text_answers_without_a_500(web_showcase, url, odd):
    response = Client().get(url.format(odd))
    assert response.status_code in (200, 400, 404), response.status_code


@pytest.mark.parametrize("odd", list(ODD.values()), ids=list(ODD))
def test_a_pasted_id_with_odd_text_is_refused_or_read_and_given_back(web_showcase, odd):
    from urllib.parse import unquote

    for headers in ({}, {"HX-Request": "true"}):
        response = Client().post(
            "/ingest/",
            f"model_id={odd}",
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
        assert response.status_code in (200, 303, 400), response.status_code
        if response.status_code != 303 and len(odd) < 500:  # the form's field holds 500
            typed = unquote(odd, errors="replace").replace("\x00", "")
            assert html.escape(typed[-3:]) in response.content.decode()


ROW_TEXTS = {
    "emoji": "MoE 🚀 with 64 experts",
    "rtl": "\u202bGQA \u05e2\u05d1\u05e8\u05d9\u05ea\u202c",
    "replacement": "dense \ufffd decoder",
    "korean": "밀집 디코더, GQA",
}


@pytest.mark.parametrize("text", list(ROW_TEXTS.values()), ids=list(ROW_TEXTS))
@pytest.mark.parametrize("view", ["catalog:exercise_save", "catalog:exercise_check"])
def test_exercise_rows_with_odd_characters_are_kept_as_typed(view, text):
    from catalog.models import Exercise

    client = Client(raise_request_exception=True)
    response = client.post(
        reverse(view), {"backbone": text, "model_name": text[:20]}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    exercise = Exercise.objects.get()
    assert exercise.rows["backbone"] == text
    page = client.get(reverse("catalog:exercise"), {"id": exercise.pk}).content.decode()
    assert html.escape(text) in page


def test_a_measure_form_with_odd_numbers_is_refused_with_the_form_not_a_500(web_showcase):
    from catalog.models import Revision

    revision = Revision.objects.first()
    ok = {
        "mode": "inference",
        "dtype": "bf16",
        "device": "cpu",
        "batch": "1",
        "prompt_len": "16",
        "new_tokens": "4",
    }
    for field in ("batch", "prompt_len", "new_tokens", "mode", "dtype", "device"):
        for odd in ("9" * 5000, "\ufffd", "a\x00b", "🚀", "\u202e1"):
            posted = {**ok, field: odd}
            response = Client().post(f"/runs/revision/{revision.pk}/measure/", posted)
            assert response.status_code == 400, (field, odd, response.status_code)


def _escaped_surrogates(text: str) -> str:
    return text.replace("SURR", "\\ud800").replace("LOW", "\\udc00")


def test_a_hub_repo_whose_config_and_card_escape_lone_surrogates_is_shown_not_a_500(hub):
    # Before the fix: "\ud800" in config.json's JSON or a card's YAML parses to a lone
    # surrogate, which UTF-8 cannot hold: the model page and every comparison with the model
    # were a 500 ("surrogates not allowed").
    from catalog.models import Artifact
    from catalog.services import model_ingest

    config = json.loads(_config_bytes())
    config["_name_or_path"] = "acme/SURRx"
    card = '---\nlicense: "apache-2.0LOW"\nbase_model: "acme/SURRbase"\n---\n# T\n\nDPO.\n'
    hub.add_repo(
        "acme/surrogates",
        {
            "config.json": _escaped_surrogates(json.dumps(config)),
            "README.md": _escaped_surrogates(card),
        },
    )
    model_ingest(repo_id="acme/surrogates")
    stored = Artifact.objects.get(revision__model__repo_id="acme/surrogates", name="config.json")
    assert stored.data["_name_or_path"] == "acme/\ufffdx"
    client = Client(raise_request_exception=True)
    page = client.get("/models/acme/surrogates/")
    assert page.status_code == 200
    assert "apache-2.0\ufffd" in page.content.decode()
    both = client.get("/compare/", {"models": "acme/surrogates,meta-llama/Llama-3.2-1B"})
    assert both.status_code == 200


def test_an_upload_whose_config_escapes_a_lone_surrogate_is_shown_not_a_500():
    config = json.loads(_config_bytes())
    config["_name_or_path"] = "local/SURR"
    client = Client(raise_request_exception=True)
    response = client.post(
        "/upload/",
        {
            "repo_id": "local/surrogate",
            "config": SimpleUploadedFile(
                "config.json", _escaped_surrogates(json.dumps(config)).encode()
            ),
            "card": SimpleUploadedFile(
                "README.md", _escaped_surrogates('---\nlicense: "mitLOW"\n---\n').encode()
            ),
        },
    )
    assert response.status_code == 303
    assert client.get(response["Location"]).status_code == 200


def test_the_api_still_refuses_a_lone_surrogate_naming_the_field():
    response = Client().post(
        "/api/classify", '{"text": "a\\ud800"}', content_type="application/json"
    )
    assert response.status_code == 422
    assert "text: must be valid Unicode text" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"model_name": "x", "rows": {"backbone": "GQA \\ud800"}}', "rows.backbone: must"),
        (
            '{"model_name": "x", "rows": {"backbone": "GQA", "\\udc00x": "y"}}',
            "rows.\\udc00x: the key",
        ),
        ('{"rows": {"backbone": "GQA"}, "extra": [1, {"a": "\\ud83d"}]}', "extra.1.a: must"),
    ],
    ids=["row-value", "row-key", "unknown-field"],
)
def test_an_api_body_with_a_lone_surrogate_anywhere_is_refused_naming_where(body, where):
    # Before the fix: pydantic refuses a lone surrogate in a str field but not in a
    # dict[str, str] value, so {"rows": {"backbone": "GQA \ud800"}} was saved (201) and
    # /exercise/ and /exercise/?id=N were a 500 (UnicodeEncodeError) from then on.
    from catalog.models import Exercise

    client = Client()
    response = client.post("/api/exercises", body, content_type="application/json")
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert detail.startswith("Invalid request: ") and where in detail, detail
    assert response.json()["errors"][0]["type"] == "string_unicode"
    german = client.post("/api/exercises?lang=de", body, content_type="application/json")
    assert german.status_code == 422
    assert "Ungültige Anfrage" in german.json()["detail"], german.json()
    assert where.split(":")[0] in german.json()["detail"]
    assert not Exercise.objects.exists()
    assert client.get(reverse("catalog:exercise")).status_code == 200


def test_an_api_body_with_a_paired_surrogate_escape_is_read():
    response = Client().post(
        "/api/exercises",
        '{"model_name": "x", "rows": {"backbone": "GQA \\ud83d\\ude00"}}',
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["rows"]["backbone"] == "GQA \U0001f600"


def test_an_api_body_not_utf8_after_a_byte_order_mark_names_the_byte_from_the_start():
    # Before the fix: the position counted from after the mark (13, not 16).
    body = codecs.BOM_UTF8 + '{"text": "caf\xe9"}'.encode("latin-1")
    response = Client().post("/api/classify", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "not UTF-8 text: byte 0xE9 at position 16 " in response.json()["detail"]
    assert body[16] == 0xE9


def test_an_api_body_in_utf16_without_a_byte_order_mark_is_not_read():
    # JSON between systems is UTF-8 (RFC 8259 §8.1): a UTF-16 body says which it is with a
    # mark, as a model file does. Before the fix, json.detect_encoding guessed it (a 200).
    body = json.dumps({"text": "Trained with DPO."}).encode("utf-16-le")
    response = Client().post("/api/classify", body, content_type="application/json")
    assert response.status_code == 400, response.content
    marked = Client().post(
        "/api/classify", codecs.BOM_UTF16_LE + body, content_type="application/json"
    )
    assert marked.status_code == 200, marked.content


@pytest.mark.parametrize(
    ("lang", "said", "english"),
    [
        ("de", "(5000 Ziffern)", "digits"),
        ("ko", "(5000자리)", "digits"),
        ("en", "(5000 digits)", "Ziffern"),
    ],
)
def test_an_api_number_too_long_is_said_in_the_pages_language(lang, said, english):
    # Before the fix: "(5000 digits)" stayed English inside the German and Korean refusals.
    response = Client().post(
        f"/api/classify?lang={lang}",
        '{"text": "x", "n": ' + "9" * 5000 + "}",
        content_type="application/json",
    )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert said in detail and english not in detail, detail
    assert "999999999999…" in detail


# --- 5. a per-layer list in config.json holding a list or an object ---------------------------

_TINY = {
    "hidden_size": 64,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "intermediate_size": 128,
    "vocab_size": 256,
    "num_experts": 4,
    "n_routed_experts": 4,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
}
_KINDS = ["sparse", "dense", "sparse", "sparse"]
KIND_FAMILIES = (
    "beam",
    "exaone_moe",
    "laguna",
    "kimi_linear",
    "bailing_hybrid",
    "axk1",
    "axk2",
    "hy_v3",
    "cohere2_moe",
    "dots3_note",
    "glm4_moe_lite",
    "deepseek_v32",
)
BAD_KINDS = [
    *(
        (model_type, "mlp_layer_types", index, entry)
        for model_type in KIND_FAMILIES
        for index, entry in ((0, ["dense"]), (2, {"kind": "sparse"}))
    ),
    ("zaya", "layer_types", 1, ["hybrid"]),
]
BAD_INDICES = [
    ("bamba", "attn_layer_indices", "not a layer index", 0, [1]),
    ("llama4_text", "moe_layers", "not a layer index", 0, {"layer": 1}),
    ("qwen3_moe", "mlp_only_layers", "not a layer index", 0, [1]),
    ("hunyuan_v1_moe", "moe_topk", "not a number of experts", 1, [2]),
]


def _bad_list_config(model_type, key, index, entry):
    given = {
        "mlp_layer_types": list(_KINDS),
        "layer_types": ["hybrid"] * 4,
        "attn_layer_indices": [1, 3],
        "moe_layers": [1, 3],
        "mlp_only_layers": [0],
        "moe_topk": [2, 2, 2, 2],
    }[key]
    given[index] = entry
    return {**_TINY, "model_type": model_type, key: given}


@pytest.mark.parametrize(
    ("model_type", "key", "index", "entry"),
    BAD_KINDS,
    ids=[f"{m}-{k}-{i}" for m, k, i, _e in BAD_KINDS],
)
def test_a_per_layer_kind_list_holding_a_list_or_an_object_is_ignored_naming_the_entry(
    model_type, key, index, entry
):
    # Before the fix: set(kinds[:n]) of such a list was a TypeError ("unhashable type"), a 500
    # on /upload/, in beam, exaone_moe, laguna, kimi_linear, axk and zaya. Now every family
    # reading mlp_layer_types ignores it as layer_types is ignored (the default placement
    # counts), and the note names the entry and its layer.
    from axes.backbone import analyze_config
    from catalog.notes_l10n import note_match

    config = _bad_list_config(model_type, key, index, entry)
    report = analyze_config(config)
    default = analyze_config({k: v for k, v in config.items() if k != key})
    assert report["params"]["total"] == default["params"]["total"]
    said = f"{key} has an unknown entry, {json.dumps(entry)} (layer {index}); ignored"
    assert said in report["notes"], report["notes"]
    assert note_match(said) is not None


@pytest.mark.parametrize(
    ("model_type", "key", "words", "index", "entry"),
    BAD_INDICES,
    ids=[f"{m}-{k}" for m, k, _w, _i, _e in BAD_INDICES],
)
def test_a_per_layer_number_list_holding_a_list_or_an_object_is_refused_naming_it(
    model_type, key, words, index, entry
):
    # Before the fix: set() of such a list was a TypeError, a 500 on /upload/. A list of
    # numbers holding another type is refused as any number field holding one is.
    from axes.backbone import analyze_config
    from axes.backbone.errors import ConfigError
    from catalog.notes_l10n import note_match

    with pytest.raises(ConfigError) as refused:
        analyze_config(_bad_list_config(model_type, key, index, entry))
    said = str(refused.value)
    assert said.startswith(f"{key}[{index}] is {json.dumps(entry)}, {words}"), said
    assert refused.value.key == key
    assert note_match(said) is not None


def _upload(config, language):
    client = Client(raise_request_exception=True, HTTP_ACCEPT_LANGUAGE=language)
    return client, client.post(
        "/upload/",
        {
            "repo_id": "local/bad-list",
            "config": SimpleUploadedFile("config.json", json.dumps(config).encode()),
        },
    )


def test_an_upload_whose_mlp_layer_types_holds_a_list_is_shown_with_the_note():
    client, response = _upload(_bad_list_config("beam", "mlp_layer_types", 0, ["dense"]), "de")
    assert response.status_code == 303, response.status_code
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert 'mlp_layer_types hat einen unbekannten Eintrag, ["dense"] (Layer 0)' in page


def test_an_upload_whose_layer_index_list_holds_a_list_is_refused_not_a_500():
    _client, response = _upload(_bad_list_config("qwen3_moe", "mlp_only_layers", 0, [0]), "de")
    assert response.status_code == 400, response.status_code
    page = html.unescape(response.content.decode())
    assert "mlp_only_layers[0] ist [0], keine Layer-Nummer" in page


# --- 6. `manage.py profile FOLDER` reads config.json as `manage.py analyze` does --------------


def _profile_folder(tmp_path, config: bytes):
    folder = tmp_path / "local--profiled"
    folder.mkdir()
    (folder / "config.json").write_bytes(config)
    return folder


@pytest.mark.parametrize("mark", ["utf-16-le-bom", "utf-16-be-bom"])
def test_the_profilers_folder_reader_reads_a_utf16_config(tmp_path, mark):
    # Before the fix: the profiler read config.json as UTF-8 only and refused a UTF-16 one
    # that `manage.py analyze` reads, with the codec's words ("'utf-8' codec can't decode").
    from profiler.core.folder import folder_inspect

    codec = mark.removesuffix("-bom")
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    folder = _profile_folder(tmp_path, bom + _config_bytes().decode().encode(codec))
    read = folder_inspect(folder)
    assert read.config == json.loads(_config_bytes())
    assert read.notes == ()


def test_the_profilers_folder_reader_names_an_unreadable_byte(tmp_path):
    from profiler.core.errors import InvalidRequest
    from profiler.core.folder import folder_inspect

    config = json.loads(_config_bytes())
    config["_name_or_path"] = "caf\xe9"
    raw = json.dumps(config, ensure_ascii=False).encode("latin-1")
    read = folder_inspect(_profile_folder(tmp_path, raw))
    assert read.config["hidden_size"] == config["hidden_size"]
    position = raw.index(b"\xe9")
    assert read.notes == (
        f"config.json is not all UTF-8 text: byte 0xE9 at position {position} and any other "
        "unreadable bytes are shown as \ufffd; save the file as UTF-8 to read them",
    )
    # not JSON once read: the unreadable byte is the likelier reason, and is named
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_bytes(b'{"a": \xe9}')
    with pytest.raises(InvalidRequest) as refused:
        folder_inspect(bad)
    assert str(refused.value).startswith("config.json is not all UTF-8 text: byte 0xE9 at ")
    assert "codec" not in str(refused.value)


# --- 7. a file with two things to say keeps both notes ----------------------------------------


def test_a_card_cut_at_its_limit_keeps_the_note_naming_its_unreadable_byte():
    # Before the fix: the truncation note replaced the decoding one, so a Latin-1 card over
    # the limit lost the note naming its byte (the CLI, axes.analysis, said both).
    from catalog.artifact_text import file_text_build

    raw = CARD.encode("latin-1") + b"x" * 200
    built = file_text_build(name="README.md", raw=raw, limit_bytes=100)
    position = raw.index(b"\xe9")
    assert built.note == f"README.md is {len(raw):,} bytes; only the first 100 bytes are kept."
    assert built.notes == [
        built.note,
        f"README.md is not all UTF-8 text: byte 0xE9 at position {position} and any other "
        "unreadable bytes are shown as \ufffd; save the file as UTF-8 to read them",
    ]


def test_an_uploaded_config_with_nan_and_an_unreadable_byte_keeps_both_notes():
    # Before the fix: `constants_note(...) or note` dropped the decoding note.
    from catalog.services import model_upload

    config = json.loads(_config_bytes())
    config["_name_or_path"] = "caf\xe9"
    config["time_step_limit"] = [0.0, float("inf")]
    raw = json.dumps(config, ensure_ascii=False).encode("latin-1")
    revision = model_upload(repo_id="local/two-notes", config_text=raw).revision
    position = raw.index(b"\xe9")
    assert any(n.startswith("config.json holds Infinity") for n in revision.notes), revision.notes
    assert any(
        n.startswith(f"config.json is not all UTF-8 text: byte 0xE9 at position {position} ")
        for n in revision.notes
    ), revision.notes
