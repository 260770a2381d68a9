"""Review (bad input, third pass): files that parse but nest, repeat or run on past any real
model file are refused or cut with a message in the page's language, never a 500 or minutes of
CPU; an index or header that names what cannot be read says so; a model ID pasted as people
copy it (quotes, invisible characters, a Hub path without its host, the SSH address) is read,
and one that cannot be names the character; the Hub's Retry-After date is honoured; a config
value transformers refuses fails a measurement with its name."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import shared_hub

pytestmark = pytest.mark.django_db


def _config() -> dict:
    return json.loads((shared_hub() / "meta-llama--Llama-3.2-1B" / "config.json").read_text())


def _upload(config: bytes, *, card: bytes | None = None, repo_id: str, language: str = "en"):
    client = Client(raise_request_exception=True, HTTP_ACCEPT_LANGUAGE=language)
    data = {"repo_id": repo_id, "config": SimpleUploadedFile("config.json", config)}
    if card is not None:
        data["card"] = SimpleUploadedFile("README.md", card)
    return client, client.post("/upload/", data)


# --- JSON nested past any model file ------------------------------------------------------------


def test_a_config_nested_hundreds_deep_is_refused_not_a_500():
    """900 levels parse (Python's parser stops near 1,000), but storing them in the JSON column,
    deeper in the stack, raised RecursionError: the upload was a 500."""
    from catalog.models import CatalogModel

    config = _config()
    config["extra"] = json.loads("[" * 900 + "]" * 900)
    _client, response = _upload(json.dumps(config).encode(), repo_id="local/deep-extra")
    assert response.status_code == 400
    assert "config.json is nested too deeply to be a model file." in response.content.decode()
    assert not CatalogModel.objects.filter(repo_id="local/deep-extra").exists()


def test_a_config_as_deep_as_real_ones_is_read():
    config = _config()
    config["extra"] = json.loads('{"a": ' * 60 + "1" + "}" * 60)
    _client, response = _upload(json.dumps(config).encode(), repo_id="local/deep-ok")
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("config", "german"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "ist zu tief verschachtelt, um eine Modelldatei zu sein"),
        (b'{"model_type": "llama", "rope_theta": 1e400}', "1e400 ist zu groß für eine Zahl"),
        (b'{"hidden_size": ' + b"9" * 5000 + b"}", "(5000 digits) ist zu groß für eine Zahl"),
    ],
    ids=["deep", "1e400", "5000-digits"],
)
def test_unusable_json_is_refused_in_the_page_language(config, german):
    """These refusals were English on ko/de pages, and the 5,000-digit one was Python's own
    message, which told the user to call sys.set_int_max_str_digits()."""
    _client, response = _upload(config, repo_id="local/unusable", language="de")
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert f"config.json {german}" in page or german in page
    assert "set_int_max_str_digits" not in page


def test_a_safetensors_header_over_the_digit_limit_names_no_python_call():
    from catalog.artifact_text import ArtifactInvalid, json_parse

    with pytest.raises(ArtifactInvalid) as caught:
        json_parse(
            '{"w": {"shape": [' + "9" * 5000 + "]}}", "model.safetensors header", huge_ints=True
        )
    assert "set_int_max_str_digits" not in str(caught.value)
    assert "is too large for a number" in str(caught.value)


# --- card front matter nested or repeated past any real card ------------------------------------

BILLION_LAUGHS = (
    "---\n"
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "tags: *i\ndatasets: *i\n---\n# Card\n\nTrained with DPO.\n"
)


def test_a_card_whose_aliases_expand_to_millions_of_tags_is_ignored_with_a_note():
    """Nine levels of aliases (9**9 tags from 300 bytes): safe_load gave them, and the tag
    facts took minutes of CPU on upload; now the metadata is refused as not valid YAML."""
    from axes.classify.metadata import CardMetadataError, split_front_matter
    from catalog.cards import card_split

    parts = card_split(BILLION_LAUGHS)
    metadata_read = bool(parts.metadata)  # not in the assert: its repr would be the 9**9 tags
    assert not metadata_read
    assert parts.notes and parts.notes[0].startswith("The card metadata is not valid YAML")
    refused = False
    try:
        split_front_matter(BILLION_LAUGHS)
    except CardMetadataError:
        refused = True
    assert refused


def test_a_card_that_repeats_a_short_anchor_keeps_its_metadata():
    from catalog.cards import card_split

    card = "---\nbase: &b meta-llama/Llama-3.2-1B\nbase_model: *b\ntags: [a, b]\n---\n# Card\n"
    assert card_split(card).metadata["base_model"] == "meta-llama/Llama-3.2-1B"


def test_a_card_whose_front_matter_nests_thousands_deep_is_uploaded_with_a_note():
    """Before: RecursionError inside PyYAML, a 500 on upload (and a failed ingest). The fact
    that says so is in the page's language, without PyYAML's class name ("ComposerError")."""
    card = b"---\nlicense: mit\nextra: " + b"[" * 5000 + b"]" * 5000 + b"\n---\n# Card\n"
    client, response = _upload(
        json.dumps(_config()).encode(), card=card, repo_id="local/deep-card", language="ko"
    )
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert "README.md의 front matter가 올바른 YAML이 아닙니다" in page
    assert "Error" not in page.split("front matter가", 1)[1][:200]  # no PyYAML class name


# --- a card of thousands of statements -----------------------------------------------------------


def test_a_card_of_thousands_of_statements_is_read_up_to_a_bound_with_a_note():
    """A 1 MiB card of 30,000 sentences took ~25 s of rules on upload (past a web server's
    timeout: the request and what was typed were lost) and gave a 22 MB page. The longest real
    cards have ~200 statements; past CARD_MAX_STATEMENTS the rest is not read, and the page
    says so in its language."""
    from catalog.models import CatalogModel

    max_statements = 2_000  # axes.classify.artifacts.CARD_MAX_STATEMENTS

    card = b"# Card\n\n" + b"Trained with DPO on our preference data. " * (max_statements + 500)
    client, response = _upload(
        json.dumps(_config()).encode(), card=card, repo_id="local/long-card", language="de"
    )
    assert response.status_code == 303
    analysis = CatalogModel.objects.get(repo_id="local/long-card").latest_revision.analysis
    card_facts = [f for f in analysis["facts"] if f["evidence"]["source"] == "README.md"]
    assert len(card_facts) == max_statements
    page = client.get(response["Location"]).content.decode()
    assert "README.md hat mehr als 2.000 Aussagen: Nur die ersten 2.000 werden gelesen." in page


# --- the same files fetched from the Hub ---------------------------------------------------------


def test_a_hub_repo_with_a_config_and_card_nested_hundreds_deep_is_stored_with_notes(hub):
    """From the Hub the same files stored a model whose analysis had failed ("The analysis
    failed (RecursionError: ...)", no figures at all): now the config is refused with a note,
    the card's front matter is a fact that says it was not read, and the rest is analyzed.
    (The loopback Hub gives such a card no cardData, as the Hub does for YAML it cannot read.)"""
    from catalog.services import model_ingest
    from tests.test_ingest import TINY_CONFIG, tiny_files

    config = dict(TINY_CONFIG, extra=json.loads("[" * 900 + "]" * 900))
    card = "---\nlicense: mit\nextra: " + "[" * 5000 + "]" * 5000 + "\n---\n# Card\n"
    hub.add_repo(
        "test-org/deep", tiny_files(**{"config.json": json.dumps(config), "README.md": card})
    )
    revision = model_ingest(repo_id="test-org/deep", follow_lineage=False).revision
    assert "config.json is nested too deeply to be a model file." in revision.notes
    assert "error" not in revision.analysis
    flags = [f.get("extra", {}).get("flag") for f in revision.analysis["facts"]]
    assert "unreadable_metadata" in flags


# --- model IDs pasted with characters that are not there to see ----------------------------------


def _paste_field(page: str) -> str:
    tag = re.search(r'<input[^>]*name="model_id"[^>]*>', page)
    assert tag is not None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


@pytest.mark.parametrize(
    "pasted",
    [
        "\u200bmeta-llama/Meta-Llama-3-8B\u200b",  # copied from a web page or a chat
        "\ufeffhttps://huggingface.co/meta-llama/Meta-Llama-3-8B\u200e",
    ],
    ids=["zero-width-spaces", "bom-and-direction-mark"],
)
def test_an_id_pasted_with_invisible_characters_at_its_ends_is_read(web_showcase, pasted):
    """Before: "The model ID contains non-ASCII characters." for an ID that shows as plain
    ASCII; as spaces at the ends are, such characters are now dropped."""
    response = Client().post("/ingest/", {"model_id": pasted})
    assert response.status_code == 303
    assert response["Location"] == "/models/meta-llama/Meta-Llama-3-8B/"


@pytest.mark.parametrize(
    ("pasted", "korean"),
    [
        (
            "meta\u2011llama/Llama-3.1-8B",
            "ASCII가 아닌 문자 '\u2011'(U+2011 NON-BREAKING HYPHEN)가 있습니다",
        ),
        ("meta-llama/\u200bLlama-3.1-8B", "보이지 않는 문자(U+200B ZERO WIDTH SPACE)가 있습니다"),
    ],
    ids=["non-breaking-hyphen", "zero-width-space-inside"],
)
def test_a_character_a_hub_id_cannot_have_is_named_and_the_text_kept(pasted, korean):
    """Before: "contains non-ASCII characters", which did not say which one: a hyphen that
    looks like '-', or a character that cannot be seen at all."""
    response = Client(HTTP_ACCEPT_LANGUAGE="ko").post("/ingest/", {"model_id": pasted})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert korean in page
    assert _paste_field(page) == pasted


# --- a measurement of a config the engine reads and transformers refuses -------------------------


def test_a_value_transformers_refuses_fails_the_run_with_its_name_in_the_page_language(tmp_path):
    """The engine reads "2" for num_hidden_layers, so the model page offered "Measure it"; the
    run then failed with huggingface_hub's "StrictDataclassFieldValidationError: Validation
    error for field ..." in English on every page, and profiler.bench printed a traceback."""
    import subprocess
    import sys
    from pathlib import Path

    from django.urls import reverse

    from profiler import services
    from profiler.core.errors import InvalidRequest
    from profiler.core.measure import BenchOptions, bench_run
    from profiler.models import MeasurementRun
    from tests.test_error_detail import detail_line, pages, revision_with_config
    from tests.test_profiler_bench import FAST, TINY_LLAMA, config_folder

    config = {**TINY_LLAMA, "num_hidden_layers": "2"}
    folder = config_folder(tmp_path / "str-layers", config)
    with pytest.raises(InvalidRequest) as caught:
        bench_run(folder, BenchOptions(**FAST))
    error = caught.value
    assert error.detail["key"] == "config_refused"
    assert "num_hidden_layers" in str(error) and "Validation error" not in str(error)

    run = MeasurementRun.objects.create(revision=revision_with_config(config))
    attempt = services.run_claim(run_id=run.pk, worker_host="w")
    services.run_fail(
        run_id=run.pk, attempt=attempt, message=str(error), code=error.code, detail=error.detail
    )
    page = pages(reverse("profiler:run_status", args=[run.pk]))
    assert detail_line(page["de"]).startswith("transformers lehnt config.json ab: Field ")
    assert detail_line(page["ko"]).startswith("transformers가 config.json을 거부합니다: Field ")

    out = subprocess.run(
        [sys.executable, "-m", "profiler.bench", str(folder), "--device", "cpu", "--json"],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert json.loads(out.stdout)["error"]["detail"]["key"] == "config_refused"


# --- a safetensors index that names what cannot be read ------------------------------------------


def test_an_index_naming_shards_that_cannot_be_read_says_so_in_the_page_language(hub):
    """A shard the repo does not have, a name that is no .safetensors file, a path out of the
    repo: each was skipped in silence, and the page had no checkpoint figures and no word why."""
    from catalog.services import model_ingest
    from tests.test_ingest import tiny_files

    index = {
        "weight_map": {
            "a": "model-00001-of-00002.safetensors",
            "b": 5,
            "c": "../../secret.safetensors",
        }
    }
    files = tiny_files(**{"model.safetensors.index.json": json.dumps(index)})
    hub.add_repo("test-org/odd-index", files)
    revision = model_ingest(repo_id="test-org/odd-index", follow_lineage=False).revision
    assert (
        "model.safetensors.index.json: 2 of its weight_map entries name no .safetensors file "
        "(such as '5'): they are not read." in revision.notes
    )
    assert (
        "model.safetensors.index.json names shards the repo does not have "
        "(model-00001-of-00002.safetensors): their headers are not read." in revision.notes
    )
    assert not hub.paths("model-00001-of-00002")  # not asked for: the repo's listing lacks it
    page = html.unescape(
        Client(HTTP_ACCEPT_LANGUAGE="de").get(revision.model.get_absolute_url()).content.decode()
    )
    assert "nennt Shards, die das Repo nicht hat (model-00001-of-00002.safetensors)" in page
    assert "2 seiner weight_map-Einträge nennen keine .safetensors-Datei (etwa '5')" in page


def test_an_index_without_a_weight_map_object_says_so(hub):
    from catalog.services import model_ingest
    from tests.test_ingest import tiny_files

    files = tiny_files(**{"model.safetensors.index.json": '{"weight_map": ["a"]}'})
    hub.add_repo("test-org/list-index", files)
    revision = model_ingest(repo_id="test-org/list-index", follow_lineage=False).revision
    assert (
        "model.safetensors.index.json has no weight_map object: its shards are not read."
        in revision.notes
    )


@pytest.mark.parametrize(
    "pasted", ["meta-llama/Meta-Llama-3-8B/tree/main", "meta-llama/Meta-Llama-3-8B/commit/main"]
)
def test_the_path_of_a_hub_page_without_its_host_is_read_as_that_page(web_showcase, pasted):
    """Before: "'meta-llama/Meta-Llama-3-8B/tree/main' has more than one '/'"."""
    response = Client().post("/ingest/", {"model_id": pasted})
    assert response.status_code == 303
    assert response["Location"] == "/models/meta-llama/Meta-Llama-3-8B/"


def test_the_path_of_a_file_without_its_host_says_to_link_to_the_model():
    pasted = "meta-llama/Meta-Llama-3-8B/blob/main/config.json"
    response = Client().post("/ingest/", {"model_id": pasted})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Link to the model page or to its /tree/<revision> page" in page
    assert _paste_field(page) == pasted


@pytest.mark.parametrize(
    "pasted",
    [
        '"meta-llama/Meta-Llama-3-8B"',  # from code: from_pretrained("...")
        "`meta-llama/Meta-Llama-3-8B`",  # from Markdown
        "\u201cmeta-llama/Meta-Llama-3-8B\u201d",  # a chat's autocorrected quotes
        "<https://huggingface.co/meta-llama/Meta-Llama-3-8B>",  # an e-mail's link
    ],
    ids=["double-quotes", "backticks", "typographic-quotes", "angle-brackets"],
)
def test_an_id_pasted_in_quotes_is_read(web_showcase, pasted):
    """Before: "'"meta-llama' contains characters a Hub model ID cannot have"."""
    response = Client().post("/ingest/", {"model_id": pasted})
    assert response.status_code == 303
    assert response["Location"] == "/models/meta-llama/Meta-Llama-3-8B/"


def test_quotes_that_hold_quotes_of_their_own_stay_and_the_text_is_named_as_typed():
    from catalog.ids import InvalidModelId, model_ref_parse

    with pytest.raises(InvalidModelId, match=r"^'<script>alert\(1\)<' contains characters"):
        model_ref_parse("<script>alert(1)</script>")


def test_the_hub_s_ssh_clone_address_is_read_and_another_host_s_named():
    """Before: git@hf.co:org/name read as org "git" with the revision "hf.co:org/name", and was
    refused as "The revision 'hf.co:org/name' contains characters it cannot have"."""
    from catalog.ids import InvalidModelId, ModelRef, model_ref_parse

    expected = ModelRef(repo_id="meta-llama/Llama-3.1-8B")
    assert model_ref_parse("git@hf.co:meta-llama/Llama-3.1-8B") == expected
    assert model_ref_parse("git@huggingface.co:meta-llama/Llama-3.1-8B.git") == expected
    with pytest.raises(InvalidModelId, match="^'github.com' is not the Hugging Face Hub."):
        model_ref_parse("git@github.com:meta-llama/Llama-3.1-8B")


# --- the Hub's 429 with a Retry-After date -------------------------------------------------------


def test_a_429_whose_retry_after_is_a_date_waits_until_then_or_says_when(hub):
    """Retry-After may be an HTTP date (RFC 9110); it was read as no wait at all: the ingest
    asked again at once, twice, then said "try again in a minute" for a wait of ten."""
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    from catalog.hub import RateLimited
    from catalog.services import model_ingest
    from tests.test_ingest import tiny_files

    hub.add_repo("test-org/tiny", tiny_files())
    later = format_datetime(datetime.now(UTC) + timedelta(minutes=10), usegmt=True)
    hub.fault("429-retry-after", path_contains="/api/models/", times=None, retry_after=later)
    with pytest.raises(RateLimited) as info:
        model_ingest(repo_id="test-org/tiny", follow_lineage=False)
    assert len(hub.paths("/api/models/")) == 1  # past HF_RATELIMIT_MAX_WAIT_S: not retried
    assert re.search(r"Try again in about (9 min 5\d s|10 min)\b", info.value.message), (
        info.value.message
    )


def test_a_hub_safetensors_header_whose_length_runs_past_the_file_says_it_lists_no_tensors(hub):
    """The header's length says 1 MB, the file holds 2 bytes after it: the client reads "{}"
    and the checkpoint's figures were missing from the page without a word."""
    from catalog.services import model_ingest
    from tests.test_ingest import tiny_files

    short = (10**6).to_bytes(8, "little") + b"{}"
    hub.add_repo("test-org/short-header", tiny_files(**{"model.safetensors": short}))
    revision = model_ingest(repo_id="test-org/short-header", follow_lineage=False).revision
    assert (
        "The safetensors header of model.safetensors lists no tensors (a file cut short, or no "
        "checkpoint): the checkpoint's figures are not read from it." in revision.notes
    )
    page = html.unescape(
        Client(HTTP_ACCEPT_LANGUAGE="ko").get(revision.model.get_absolute_url()).content.decode()
    )
    assert "model.safetensors의 safetensors 헤더에 텐서가 하나도 없습니다" in page


# --- review mends: odd pastes, an overflowing Retry-After date, a lone surrogate in JSON ---------


def test_a_path_with_an_empty_part_or_another_host_before_tree_is_not_read_as_a_hub_page():
    """``x//tree/main`` was read as the repository "x" at "main", and
    ``gitlab.com/org/tree/main`` as the Hub repository "gitlab.com/org"."""
    from catalog.ids import InvalidModelId, model_ref_parse

    with pytest.raises(InvalidModelId, match="^'x//tree/main' has more than one '/'"):
        model_ref_parse("x//tree/main")
    for pasted in ("gitlab.com/org/tree/main", "gitlab.com/org/name"):
        with pytest.raises(InvalidModelId, match="^'gitlab.com' is not the Hugging Face Hub."):
            model_ref_parse(pasted)
    assert model_ref_parse("org/name.v1/tree/main").repo_id == "org/name.v1"


def test_a_retry_after_date_past_any_calendar_is_no_wait_not_a_crash():
    """parsedate_to_datetime raises OverflowError (not ValueError) for a year of ten digits."""
    import httpx2

    from catalog.hub import _retry_wait_s

    response = httpx2.Response(429, headers={"Retry-After": "Fri, 31 Dec 9999999999 23:59:59 GMT"})
    assert _retry_wait_s(response) is None


def test_api_json_with_a_lone_surrogate_is_escaped_not_a_500():
    """UTF-8 JSON cannot hold "\\ud800" (json.loads and YAML both make one from an escape in a
    card or a request): such a document is answered \\u-escaped, as before, not a 500."""
    from catalog.api import api

    renderer = api.renderer
    assert (
        renderer.render(None, {"detail": "레이어"}, response_status=200) == '{"detail": "레이어"}'
    )
    text = renderer.render(None, {"license": "x\ud800"}, response_status=200)
    assert text == '{"license": "x\\ud800"}' and text.encode("utf-8")
