"""Review (bad input, second pass): what a failed request gives back is what was asked, files
as editors save them are read, and every refusal says what to do, in the page's language."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import IngestJob

pytestmark = pytest.mark.django_db


def _field_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag is not None, f"no {name} field"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


# --- a failed fetch of a revision --------------------------------------------------------------


# committed rows: the job runs in a thread of the web process, on its own connection
@pytest.mark.django_db(transaction=True)
def test_a_failed_fetch_of_a_revision_gives_the_revision_back_to_try_again(hub, settings):
    # Before the fix: the failed job's field held the ID alone (job.repo_id), so "try again"
    # after a 429, a 5xx or a timeout fetched main, not the revision that was pasted.
    from tests.test_ingest import TINY_CONFIG

    repo = hub.add_repo("acme/tiny", {"config.json": json.dumps(TINY_CONFIG)})
    repo.refs["refs/pr/1"] = repo.refs["main"]
    pr_sha = hub.commit(
        "acme/tiny",
        {"config.json": json.dumps({**TINY_CONFIG, "num_hidden_layers": 3})},
        branch="refs/pr/1",
    )
    job = IngestJob.objects.create(
        repo_id="acme/tiny",
        requested_revision="refs/pr/1",
        status=IngestJob.Status.FAILED,
        error="The Hub is unreachable.",
        error_code="server_error",
    )
    client = Client(raise_request_exception=True)
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(reverse("catalog:ingest_progress", args=[job.pk]), headers=headers)
        typed = _field_value(page.content.decode(), "model_id")
        assert typed == "https://huggingface.co/acme/tiny/tree/refs%2Fpr%2F1"
    # sent again as it stands, it fetches that revision (the job's page runs the job: no worker)
    settings.INGEST_INLINE_AFTER_S = 1e-6  # at once (0 is never)
    response = client.post(reverse("catalog:ingest"), {"model_id": typed}, follow=True)
    assert response.redirect_chain[-1] == ("/models/acme/tiny/", 302), response.redirect_chain
    from catalog.models import CatalogModel

    model = CatalogModel.objects.get(repo_id="acme/tiny")
    assert model.latest_revision.sha == pr_sha
    assert model.latest_revision.analysis["backbone"]["layers"]["num_layers"] == 3


def test_a_failed_fetch_of_main_gives_the_id_back():
    job = IngestJob.objects.create(
        repo_id="acme/tiny", status=IngestJob.Status.FAILED, error="No model"
    )
    page = Client().get(reverse("catalog:ingest_progress", args=[job.pk])).content.decode()
    assert _field_value(page, "model_id") == "acme/tiny"


# --- files saved with a UTF-8 byte-order mark ---------------------------------------------------

BOM = b"\xef\xbb\xbf"
BOM_CONFIG = (
    b'{"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, '
    b'"num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100}'
)
BOM_CARD = b"---\nlicense: apache-2.0\n---\n# Tiny\n\nFine-tuned with DPO.\n"


def test_an_upload_saved_with_a_byte_order_mark_is_read():
    # Before the fix: a config.json saved by Notepad (UTF-8 with BOM) was refused as "not valid
    # JSON: Unexpected UTF-8 BOM (decode using utf-8-sig)", English inside a ko/de page, and a
    # card's YAML front matter behind a BOM was shown as body text.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.models import Artifact

    client = Client(raise_request_exception=True)
    response = client.post(
        "/upload/?lang=ko",
        {
            "repo_id": "local/bom",
            "config": SimpleUploadedFile("config.json", BOM + BOM_CONFIG),
            "card": SimpleUploadedFile("README.md", BOM + BOM_CARD),
        },
    )
    assert response.status_code == 303, response.content.decode()[-3000:]
    config = Artifact.objects.get(revision__model__repo_id="local/bom", name="config.json")
    assert config.data["hidden_size"] == 64
    card = Artifact.objects.get(revision__model__repo_id="local/bom", name="README.md")
    assert card.text.startswith("---\nlicense")
    page = client.get(response["Location"]).content.decode()
    assert "card-front-matter" in page  # the metadata block, not a rule and body text


def test_a_hub_config_with_a_byte_order_mark_is_read(hub):
    from catalog.services import model_ingest

    hub.add_repo("acme/bom", {"config.json": BOM + BOM_CONFIG, "README.md": BOM + BOM_CARD})
    revision = model_ingest(repo_id="acme/bom").revision
    assert revision.analysis["params"]["total"] > 0
    assert not [n for n in revision.notes if "JSON" in n]


def test_the_command_line_reads_files_with_a_byte_order_mark(tmp_path):
    # Before the fix: `manage.py analyze FILE.json` / `analyze FOLDER` refused the file
    # ("config.json is not valid JSON: Unexpected UTF-8 BOM"), and so did `manage.py profile
    # FOLDER` (its worker reads the folder's config.json again: folder_inspect).
    from axes.cli import analyze_path
    from profiler.core.folder import folder_inspect

    folder = tmp_path / "local--bom"
    folder.mkdir()
    (folder / "config.json").write_bytes(BOM + BOM_CONFIG)
    (folder / "README.md").write_bytes(BOM + BOM_CARD)
    lone = tmp_path / "bom.json"
    lone.write_bytes(BOM + BOM_CONFIG)
    for path in (folder, lone):
        result = analyze_path(path, context=None, batch=1, kv_dtype="bf16")
        assert result["params"]["total"] > 0, result.get("backbone_error")
    assert folder_inspect(folder).config["hidden_size"] == 64


# --- an export of models the catalog does not have ------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("models", ["nope/a,nope/b", "bad id,nope/b"])
def test_an_export_of_models_not_in_the_catalog_says_so(web_showcase, fmt, models):
    # Before the fix: a 200 download named "compare-.csv" (or .json) holding the headline's
    # row names and no model at all, without a word of why.
    response = Client(raise_request_exception=True).get(
        "/compare/", {"models": models, "format": fmt, "lang": "de"}
    )
    assert response.status_code == 404
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert "nope/b" in page and "Nicht im Katalog" in page


def test_an_export_with_one_model_in_the_catalog_still_downloads(web_showcase):
    response = Client().get(
        "/compare/", {"models": "meta-llama/Meta-Llama-3-8B,nope/b", "format": "csv"}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


# --- the API: a body that is no JSON, rows that do not exist ----------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("text=Trained with DPO.", "application/x-www-form-urlencoded"),
        ('{"text": "Trained with', "application/json"),
    ],
)
def test_an_api_body_that_is_no_json_says_what_to_send(body, content_type):
    # Before the fix: ninja's "Cannot parse request body", in English on every page language,
    # without saying what the API reads.
    client = Client()
    for lang, words in (("en", "Content-Type: application/json"), ("de", "JSON-Objekt")):
        response = client.post(f"/api/classify?lang={lang}", body, content_type=content_type)
        assert response.status_code == 400
        detail = response.json()["detail"]
        assert words in detail, detail
        assert "Cannot parse" not in detail


def test_an_api_exercise_with_an_unknown_row_is_refused_in_the_page_language():
    # Before the fix: "Unknown rows ['foo']; use ['backbone', ...]." on a ko page.
    response = Client().post(
        "/api/exercises?lang=ko", {"rows": {"backbone_": "GQA"}}, content_type="application/json"
    )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "backbone_" in detail and "post_training" in detail
    assert "Unknown rows" not in detail


# --- the progress of an ingest, in the page's language ------------------------------------------


@pytest.mark.parametrize(
    ("stage", "ko", "de"),
    [
        ("model_info", "모델 정보", "Modellinformationen"),
        ("files: config.json", "config.json", "config.json"),
        ("headers: model-00001-of-00002.safetensors", "model-00001-of-00002", "Header"),
        ("base model: meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B", "Basismodell"),
    ],
)
def test_the_stage_of_a_running_ingest_is_said_in_the_page_language(stage, ko, de):
    # Before the fix: the fragment showed the service's stage id as written ("model_info",
    # "headers: model-00001-of-00002.safetensors") on ko and de pages; it is what a reader
    # looks at while the Hub is slow, rate limiting or retrying.
    job = IngestJob.objects.create(
        repo_id="acme/tiny", status=IngestJob.Status.RUNNING, stage=stage, progress_pct=40
    )
    url = reverse("catalog:ingest_progress", args=[job.pk])
    client = Client()
    for lang, words in (("ko", ko), ("de", de)):
        page = client.get(url, {"lang": lang}, headers={"HX-Request": "true"}).content.decode()
        muted = re.search(r'<p class="muted">(.*?)</p>', page, re.S).group(1).strip()
        assert words in muted and muted != stage, (lang, muted)


def test_a_stage_the_page_does_not_know_is_shown_as_written():
    job = IngestJob.objects.create(
        repo_id="acme/tiny", status=IngestJob.Status.RUNNING, stage="newstage: x"
    )
    page = Client().get(reverse("catalog:ingest_progress", args=[job.pk])).content.decode()
    assert "newstage: x" in page


def test_an_ingest_waiting_out_a_rate_limit_says_so(hub, monkeypatch):
    # Before the fix: while the client waited the seconds a 429 asks for (up to
    # HF_RATELIMIT_MAX_WAIT_S, 60 by default, on each of HF_MAX_RETRIES tries), the page said
    # "Reading the model information" and nothing else.
    from django.utils import translation

    from catalog import hub as hub_module
    from catalog.services import ingest_job_create, ingest_job_run
    from catalog.views import ingest_stage_words
    from tests.test_ingest import TINY_CONFIG

    hub.add_repo("acme/limited", {"config.json": json.dumps(TINY_CONFIG)})
    hub.fault("429", path_contains="/api/models/acme/limited", times=1, wait_s=2)
    job = ingest_job_create(repo_id="acme/limited")
    seen = []

    def sleep(seconds: float) -> None:  # what the page shows during the wait
        seen.append((seconds, IngestJob.objects.get(pk=job.pk).stage))

    monkeypatch.setattr(hub_module.time, "sleep", sleep)
    assert ingest_job_run(job_id=job.pk).status == IngestJob.Status.SUCCEEDED
    assert seen == [(2.0, "rate limited: 2")]
    with translation.override("de"):
        assert "Hub" in ingest_stage_words("rate limited: 2")
        assert "2 s" in ingest_stage_words("rate limited: 2")
        assert "rate limited" not in ingest_stage_words("rate limited: 2")
    # outside a job (manage.py ingest, a lineage fetch) nothing is told, nothing breaks
    hub.fault("429", path_contains="/api/models/acme/limited", times=1, wait_s=1)
    hub.commit("acme/limited", {"README.md": "# again\n"})
    from catalog.services import model_ingest

    assert model_ingest(repo_id="acme/limited").created


def test_an_ingest_says_what_it_does_again_once_a_rate_limit_wait_ends(hub, monkeypatch):
    # Before the fix: the stage kept "The Hub is rate limiting us: waiting N s" after the wait
    # ended, through the retried call, until the next progress update; and a 429 that asked for
    # no wait (t=0) read "waiting 0 s".
    from catalog import hub as hub_module
    from catalog.services import ingest_job_create, ingest_job_run
    from tests.test_ingest import TINY_CONFIG

    hub.add_repo("acme/limited0", {"config.json": json.dumps(TINY_CONFIG)})
    hub.fault("429", path_contains="/api/models/acme/limited0", times=1, wait_s=0)
    job = ingest_job_create(repo_id="acme/limited0")
    waits, tries = [], []
    monkeypatch.setattr(
        hub_module.time, "sleep", lambda s: waits.append(IngestJob.objects.get(pk=job.pk).stage)
    )
    real_api = hub_module._api

    class Api:  # the stage each model_info call (the first, then the retry) is made under
        def __getattr__(self, name):
            return getattr(real_api(), name)

        def model_info(self, *args, **kwargs):
            tries.append(IngestJob.objects.get(pk=job.pk).stage)
            return real_api().model_info(*args, **kwargs)

    monkeypatch.setattr(hub_module, "_api", Api)
    assert ingest_job_run(job_id=job.pk).status == IngestJob.Status.SUCCEEDED
    assert waits == ["rate limited: 1"]
    assert tries == ["model_info", "model_info"]


# --- a Hub safetensors header whose __metadata__ is no object ----------------------------------


@pytest.mark.parametrize("metadata", [[["format", "pt"]], "pt", 7])
def test_a_hub_safetensors_header_whose_metadata_is_no_object_is_a_note(hub, metadata):
    # Before the fix: dict() of what the client passed on raised TypeError or ValueError, and the
    # whole ingest failed as "Unexpected error (TypeError); see the logs." with nothing stored.
    import struct

    from catalog.services import ingest_job_create, ingest_job_run
    from tests.test_ingest import tiny_files

    header = json.dumps(
        {"__metadata__": metadata, "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    ).encode()
    broken = struct.pack("<Q", len(header)) + header + b"\0" * 8
    hub.add_repo("acme/meta-list", tiny_files(**{"model.safetensors": broken}))
    job = ingest_job_run(job_id=ingest_job_create(repo_id="acme/meta-list").pk)
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    revision = job.revision
    assert any("__metadata__ is" in n and "not an object" in n for n in revision.notes)
    assert revision.analysis["params"]["total"] > 0


# --- an exercise autosave from a page whose session is gone ----------------------------------------


@pytest.mark.parametrize("view", ["catalog:exercise_save", "catalog:exercise_check"])
def test_a_save_to_a_table_this_session_does_not_hold_keeps_the_rows(view):
    # Before the fix: the page's saves named a table of a session the browser no longer had
    # (cookies cleared or expired, sessions reset by a new SECRET_KEY): a 404 that htmx does
    # not swap in, so the status kept saying "Saved at ..." while every row typed was lost.
    from catalog.models import Exercise

    mine = Client()
    mine.post(reverse("catalog:exercise_save"), {"model_name": "acme/a", "backbone": "dense"})
    table = Exercise.objects.get()
    gone = Client(raise_request_exception=True)  # the same page, its cookie gone
    posted = {"exercise_id": str(table.pk), "model_name": "acme/a", "backbone": "MoE, 64 experts"}
    response = gone.post(f"{reverse(view)}?lang=ko", posted, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="exercise-restarted"' in page
    assert "session" not in page.split('data-testid="exercise-restarted"')[1][:300]  # in ko
    new = Exercise.objects.exclude(pk=table.pk).get()
    assert new.rows["backbone"] == "MoE, 64 experts"
    assert new.session_key == gone.session.session_key != table.session_key
    assert f'value="{new.pk}"' in page  # the page's next saves go to the new table
    table.refresh_from_db()
    assert table.rows["backbone"] == "dense"  # the other session's table is untouched
    # without JavaScript: the redirect, and the notice on the page it leads to
    plain = Client()
    response = plain.post(reverse(view), posted, follow=True)
    assert response.status_code == 200
    assert "saved as a new table" in response.content.decode()


def test_a_page_that_asks_for_another_sessions_table_is_still_a_404():
    from catalog.models import Exercise

    Client().post(reverse("catalog:exercise_save"), {"backbone": "dense"})
    pk = Exercise.objects.get().pk
    assert Client().get(reverse("catalog:exercise"), {"id": pk}).status_code == 404
    # a save naming no id at all keeps its rows as a new table, as a stale id does
    # (test_review_bad_input4): it was a 404, and the rows were lost
    junk = Client().post(reverse("catalog:exercise_save"), {"exercise_id": "x1", "backbone": "a"})
    assert junk.status_code == 303
    assert Exercise.objects.get(pk=pk).rows["backbone"] == "dense"


# --- an exercise autosave that fails, in the browser --------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_autosave_that_fails_says_not_saved_and_sends_again(live_server, page, settings):
    # Before the fix: htmx swaps no error response, so a save that got a 500 or no answer at
    # all left "Saved at ..." on the page, and the reader closed the tab on unsaved rows.
    from catalog.models import Exercise

    page.goto(live_server.url + "/exercise/?lang=de")
    page.fill("#ex-backbone", "dense")
    page.wait_for_function(
        "/\\d\\d:\\d\\d:\\d\\d/.test(document.getElementById('save-status').textContent)"
    )
    status = page.locator("#save-status")
    for fail in (lambda route: route.fulfill(status=500, body="boom"), lambda route: route.abort()):
        page.route("**/exercise/save/", fail)
        page.fill("#ex-backbone", "dense, 32 layers")
        page.wait_for_function("document.getElementById('save-status').classList.contains('warn')")
        assert "Nicht gespeichert" in status.inner_text()
        assert page.input_value("#ex-backbone") == "dense, 32 layers"  # the text stays
        page.unroute("**/exercise/save/")
        page.fill("#ex-backbone", "dense, 32 layers, GQA")
        page.wait_for_function("!document.getElementById('save-status').classList.contains('warn')")
        assert "Nicht gespeichert" not in status.inner_text()
    assert Exercise.objects.get().rows["backbone"] == "dense, 32 layers, GQA"


def _fail_once(failed: list[str]):
    """A Playwright route handler: the first request answers 502 (a web server restarting, a
    proxy's Bad Gateway), its URL appended to ``failed``; every later one goes through."""

    def fail_once(route):
        if failed:
            route.continue_()
        else:
            failed.append(route.request.url)
            route.fulfill(status=502, body="Bad Gateway")

    return fail_once


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_ingest_progress_that_gets_no_answer_polls_on(live_server, hub, page, settings):
    # Before the fix: the progress box polled once per answer ("load delay:800ms" on each
    # swapped-in box); an answer that failed (the web server restarting, a proxy's 502) was
    # not swapped in, so polling stopped and the page said "Reading ... from the Hub" for ever.
    from tests.test_ingest import tiny_files

    settings.INGEST_INLINE_AFTER_S = 1e-6  # no worker here: the poll runs the job
    hub.add_repo("acme/tiny", tiny_files())
    failed: list[str] = []
    page.route(re.compile(r"/ingest/\d+/$"), _fail_once(failed))
    page.goto(live_server.url + "/?lang=de")
    page.fill("input[name=model_id]", "acme/tiny")
    page.locator("input[name=model_id]").press("Enter")
    note = page.wait_for_selector("[data-progress-lost]")
    assert "Keine Antwort" in note.inner_text()
    page.wait_for_url(re.compile(r"/models/acme/tiny/$"), timeout=30_000)
    assert failed


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_paste_that_gets_no_answer_says_so_and_keeps_the_id(live_server, page):
    # Before the fix: htmx swaps no error response, so a 500 or a dropped connection on the
    # paste form brought the button back and nothing else: no word of what happened.
    page.goto(live_server.url + "/?lang=de")
    for fail in (lambda route: route.fulfill(status=500, body="x"), lambda route: route.abort()):
        page.route("**/ingest/", fail)
        page.fill("input[name=model_id]", "acme/tiny")
        page.locator("input[name=model_id]").press("Enter")
        note = page.wait_for_selector("p[data-htmx-failed]")
        assert "Der Server hat nicht geantwortet" in note.inner_text()
        assert page.input_value("input[name=model_id]") == "acme/tiny"
        page.unroute("**/ingest/")
        note.evaluate("el => el.remove()")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_measurement_status_poll_that_gets_no_answer_says_it_asks_again(live_server, page):
    # Before the fix: a failed poll of a run's status (nothing typed there) got the forms'
    # "The server did not answer. What you entered is still here", under the status box.
    from tests.test_profiler_bench import TINY_LLAMA
    from tests.test_profiler_celery import revision_with_config
    from tests.test_profiler_runs import make_run

    run = make_run(revision_with_config(TINY_LLAMA))  # queued: its status polls every second
    failed: list[str] = []
    page.route(re.compile(r"/runs/\d+/status/$"), _fail_once(failed))
    page.goto(live_server.url + f"/runs/{run.pk}/?lang=de")
    note = page.wait_for_selector(f"#run-{run.pk} [data-progress-lost]")
    assert "Keine Antwort" in note.inner_text()
    assert page.locator("[data-htmx-failed]").count() == 0
    # the next answer replaces the box, and the note with it
    page.wait_for_selector("[data-progress-lost]", state="detached")
    assert failed


# --- a config that is JSON but no object, in JSON's words --------------------------------------


@pytest.mark.parametrize(
    ("config", "kind"),
    [(b"[1, 2]", "array"), (b"5", "number"), (b'"x"', "string"), (b"true", "boolean")],
)
def test_a_config_that_is_no_object_is_named_in_json_words(tmp_path, config, kind):
    # Before the fix: "config.json holds a JSON list / int / str / bool, not an object"
    # (Python's type names) on the upload form, and "must hold a JSON object, not list" from
    # manage.py analyze.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from axes.cli import CliError, analyze_path

    response = Client().post(
        "/upload/",
        {"repo_id": "local/odd", "config": SimpleUploadedFile("config.json", config)},
    )
    assert response.status_code == 400
    assert f"holds a JSON {kind}, not an object" in response.content.decode()
    path = tmp_path / "odd.json"
    path.write_bytes(config)
    with pytest.raises(CliError, match=f"not a JSON {kind}$"):
        analyze_path(path, context=None, batch=1, kv_dtype="bf16")


# --- /api/compare with one model named twice ------------------------------------------------------


@pytest.mark.parametrize(
    "models",
    [
        "meta-llama/Meta-Llama-3-8B,meta-llama/Meta-Llama-3-8B",
        "meta-llama/Meta-Llama-3-8B,META-LLAMA/meta-llama-3-8b",
        "meta-llama/Meta-Llama-3-8B,https://huggingface.co/meta-llama/Meta-Llama-3-8B",
    ],
)
def test_an_api_comparison_of_one_model_named_twice_says_so(web_showcase, models):
    # Before the fix: the same ID twice was "a comparison needs at least two models" (two were
    # passed), and two spellings of it (case, a Hub URL) a 200 "comparison" of one model.
    response = Client().get("/api/compare", {"models": models, "lang": "de"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "meta-llama/Meta-Llama-3-8B" in detail and "zwei verschiedene" in detail, detail


def test_an_api_comparison_with_one_unknown_model_still_answers(web_showcase):
    response = Client().get("/api/compare", {"models": "meta-llama/Meta-Llama-3-8B,nope/nope"})
    assert response.status_code == 200
    assert response.json()["unknown"] == ["nope/nope"]


# --- the API's 422s in the page's language ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "body", "de"),
    [
        ("/api/models?limit=0", None, "limit: muss mindestens 1 sein"),
        ("/api/models?limit=abc", None, "limit: muss eine ganze Zahl sein"),
        ("/api/models?limit=9999", None, "limit: darf höchstens 500 sein"),
        ("/api/compare", None, "models: erforderlich"),
        ("/api/classify", {"text": ""}, "text: muss mindestens 1 Zeichen haben"),
        ("/api/classify", {"text": 5}, "text: muss ein String sein"),
        ("/api/exercises", {"rows": []}, "rows: muss ein JSON-Objekt sein"),
        ("/api/exercises", {"model_name": "x", "check": "maybe"}, "check: muss true oder false"),
    ],
)
def test_an_api_validation_error_is_said_in_the_page_language(url, body, de):
    # Before the fix: "Ungültige Anfrage: limit: Input should be greater than or equal to 1."
    # (pydantic's English inside the German sentence).
    client = Client()
    sep = "&" if "?" in url else "?"
    if body is None:
        response = client.get(f"{url}{sep}lang=de")
    else:
        response = client.post(f"{url}{sep}lang=de", body, content_type="application/json")
    assert response.status_code == 422
    data = response.json()
    assert de in data["detail"], data["detail"]
    assert "Input should" not in data["detail"]
    assert all("msg" in e and "type" in e for e in data["errors"])  # pydantic's, for programs


# --- a Hub commit URL --------------------------------------------------------------------------


# committed rows: the job runs in a thread of the web process, on its own connection
@pytest.mark.django_db(transaction=True)
def test_a_pasted_commit_url_fetches_that_commit(hub, settings):
    # Before the fix: https://huggingface.co/org/name/commit/<sha> (a commit of the model's
    # history, what its "History" page links to) was refused as "Link to the model page or to
    # its /tree/<revision> page, not to a file": it is no file, and it names one revision.
    from catalog.ids import InvalidModelId, ModelRef, model_ref_parse
    from catalog.models import CatalogModel
    from tests.test_ingest import TINY_CONFIG

    hub.add_repo("acme/hist", {"config.json": json.dumps(TINY_CONFIG)})
    old_sha = hub.repo("acme/hist").refs["main"]
    hub.commit("acme/hist", {"config.json": json.dumps({**TINY_CONFIG, "num_hidden_layers": 3})})
    url = f"https://huggingface.co/acme/hist/commit/{old_sha}"
    assert model_ref_parse(url) == ModelRef("acme/hist", old_sha)
    settings.INGEST_INLINE_AFTER_S = 1e-6  # no worker here: the job's page runs the job
    response = Client().post(reverse("catalog:ingest"), {"model_id": url}, follow=True)
    assert response.redirect_chain[-1] == ("/models/acme/hist/", 302), response.redirect_chain
    revision = CatalogModel.objects.get(repo_id="acme/hist").latest_revision
    assert revision.sha == old_sha
    assert revision.analysis["backbone"]["layers"]["num_layers"] == 2
    for other in ("discussions/1", "commits/main", "blob/main/config.json"):
        with pytest.raises(InvalidModelId, match="not to one of its files or other pages"):
            model_ref_parse(f"https://huggingface.co/acme/hist/{other}")


@pytest.mark.parametrize(
    ("text", "repo_id", "revision"),
    [
        ("org/name@v1.0", "org/name", "v1.0"),
        ("org/name@refs/pr/1", "org/name", "refs/pr/1"),
        ("gpt2@main", "gpt2", "main"),
        (" org/name@0123456789abcdef0123456789abcdef01234567 ", "org/name", None),
    ],
)
def test_an_id_with_at_revision_names_that_revision(text, repo_id, revision):
    # Before the fix: "'name@v1.0' contains characters a Hub model ID cannot have", though
    # huggingface_hub's own paths (hf://org/name@rev) write a revision this way.
    from catalog.ids import model_ref_parse

    ref = model_ref_parse(text)
    assert ref.repo_id == repo_id
    assert ref.revision == (revision or text.strip().split("@")[1])


@pytest.mark.parametrize("text", ["org/name@", "org/name@../x", "org/name@a@b", "@main"])
def test_an_id_with_a_bad_at_revision_is_refused(text):
    from catalog.ids import InvalidModelId, model_ref_parse

    with pytest.raises(InvalidModelId):
        model_ref_parse(text)
