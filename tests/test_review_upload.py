"""Review: malformed config.json uploads and folders get a clear message, never a 500."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

pytestmark = pytest.mark.django_db

LLAMA_CORE = (
    b'"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32, '
    b'"vocab_size": 32000, "intermediate_size": 11008'
)


def _upload(config: bytes, *, card: bytes | None = None, repo_id: str = "local/probe"):
    client = Client(raise_request_exception=True)
    data = {"repo_id": repo_id, "config": SimpleUploadedFile("config.json", config)}
    if card is not None:
        data["card"] = SimpleUploadedFile("README.md", card)
    return client.post("/upload/", data)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (b'{"model_type": "llama", "rope_theta": 1e400}', "too large for a number"),
        # an integer past a float's range as well: the pages' arithmetic is in floats (a
        # 400-digit max_position_embeddings was stored, and its model page was a 500)
        (
            b'{"num_hidden_layers": 2, "max_position_embeddings": 1'
            + b"0" * 400
            + b", "
            + LLAMA_CORE
            + b"}",
            "(401 digits) is too large for a number",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a": ' * 50_000 + b"1" + b"}" * 50_000, "nested too deeply"),
        (b'{"hidden_size": ' + b"9" * 5000 + b"}", "digits"),
    ],
    ids=["float-overflow", "int-overflow", "deep-array", "deep-object", "5000-digit-int"],
)
def test_upload_unusable_json_is_a_400_with_a_message(config, message):
    # Before the fix: 1e400 reached the JSON column (IntegrityError, a 500) and deep nesting
    # raised RecursionError (a 500).
    response = _upload(config)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_upload_nan_and_infinity_are_stored_as_null_and_said():
    # Python's json writes NaN/Infinity and real configs carry them (Nemotron-H's
    # time_step_limit); a JSON column cannot hold them, so they are read as null, with a note.
    config = (
        b'{"rms_norm_eps": NaN, "time_step_limit": [0.0, Infinity], "num_hidden_layers": 2, '
        + LLAMA_CORE
        + b"}"
    )
    response = _upload(config, repo_id="local/nan-model")
    assert response.status_code == 303
    from catalog.models import CatalogModel

    revision = CatalogModel.objects.get(repo_id="local/nan-model").latest_revision
    data = revision.artifacts.get(name="config.json").data
    assert data["rms_norm_eps"] is None and data["time_step_limit"] == [0.0, None]
    assert any("holds Infinity, NaN" in note and "(2 values)" in note for note in revision.notes)
    assert revision.analysis["params"]["total"] > 0  # the rest of the config is analyzed
    assert revision.analysis["backbone"]["norm"]["eps"] is None
    assert "holds Infinity, NaN" in Client().get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (b'"num_attention_heads": 0', "num_attention_heads must be positive"),
        (b'"hidden_size": null', "hidden_size: null"),
        (b'"max_position_embeddings": -1', "max_position_embeddings must not be negative"),
    ],
    ids=["zero-heads", "null-size", "negative-window"],
)
def test_upload_of_a_config_the_engine_refuses_is_a_400_naming_the_key(change, message):
    """Stored, it made a catalog model with dashes for figures, a false "no fixed limit"
    context card and the reason at the bottom of the page."""
    from catalog.models import CatalogModel

    config = json.loads(b'{"num_hidden_layers": 2, ' + LLAMA_CORE + b"}")
    config.update(json.loads(b"{" + change + b"}"))
    response = _upload(json.dumps(config).encode(), repo_id="local/refused")
    assert response.status_code == 400
    assert "config.json cannot be analyzed" in response.content.decode()
    assert message in response.content.decode()
    assert not CatalogModel.objects.filter(repo_id="local/refused").exists()


def test_upload_absurd_layer_count_is_refused_without_allocating():
    # Before the fix: a per-layer list of 10**13 entries (MemoryError, or minutes of CPU for
    # 10**8). Now the engine's bound refuses it at once, and the upload says so (a 400).
    config = b'{"num_hidden_layers": 10000000000000, ' + LLAMA_CORE + b"}"
    response = _upload(config, repo_id="local/deep-model")
    assert response.status_code == 400
    assert "over the 10,000 layers" in response.content.decode()
    from catalog.models import CatalogModel

    assert not CatalogModel.objects.filter(repo_id="local/deep-model").exists()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"hidden_size": ' + b"9" * 5000 + b"}", "digits"),
        (b'{"num_hidden_layers": 99999999999999999999999, ' + LLAMA_CORE + b"}", "10,000 layers"),
    ],
    ids=["deep", "5000-digit-int", "huge-layers"],
)
def test_analyze_dir_malformed_config_is_a_command_error(tmp_path, config, message):
    folder = tmp_path / "local--probe"
    folder.mkdir()
    (folder / "config.json").write_bytes(config)
    with pytest.raises(CommandError, match=message):
        call_command("analyze", str(folder))


def test_ingest_dir_overflowing_float_is_refused(tmp_path):
    folder = tmp_path / "local" / "inf-model"
    folder.mkdir(parents=True)
    (folder / "config.json").write_bytes(b'{"model_type": "llama", "rope_theta": 1e400}')
    with pytest.raises(CommandError, match="too large for a number"):
        call_command("ingest", "--dir", str(folder))


def test_safetensors_header_with_nan_is_refused():
    import struct

    from catalog.artifact_text import ArtifactInvalid, safetensors_header_from_bytes

    body = b'{"w": {"dtype": "F32", "shape": [NaN], "data_offsets": [0, 4]}}'
    with pytest.raises(ArtifactInvalid, match="NaN"):
        safetensors_header_from_bytes(struct.pack("<Q", len(body)) + body, "model.safetensors")


SMALL_CONFIG = (
    b'{"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, '
    b'"num_attention_heads": 4, "vocab_size": 100%s}'
)


def test_upload_config_with_escaped_nul_is_a_400():
    # Before the fix: a 500 on PostgreSQL (jsonb refuses \u0000); SQLite stored it.
    response = _upload(SMALL_CONFIG % b', "name": "a\\u0000b"')
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_upload_card_with_nul_byte_is_stored_without_it():
    # Before the fix: a 500 on PostgreSQL ("text fields cannot contain NUL (0x00) bytes").
    response = _upload(SMALL_CONFIG % b"", card=b"# Title\x00 here\n", repo_id="local/nul-card")
    assert response.status_code == 303
    from catalog.models import Artifact

    card = Artifact.objects.get(revision__model__repo_id="local/nul-card", kind="card")
    assert "\x00" not in card.text
    assert "Title\ufffd here" in card.text


def test_upload_json_null_message_says_null():
    response = _upload(b"null")
    assert response.status_code == 400
    assert "holds a JSON null, not an object" in response.content.decode()


def test_safetensors_header_with_nul_is_refused():
    import struct

    from catalog.artifact_text import ArtifactInvalid, safetensors_header_from_bytes

    body = b'{"__metadata__": {"format": "pt\\u0000"}}'
    with pytest.raises(ArtifactInvalid, match="NUL"):
        safetensors_header_from_bytes(struct.pack("<Q", len(body)) + body, "model.safetensors")


def test_upload_cannot_replace_a_hub_or_bundled_model(web_showcase):
    # Before the fix: an anonymous upload named meta-llama/Meta-Llama-3-8B became that model's
    # latest revision, rewriting its page (and the showcase diff) for every visitor.
    from catalog.models import CatalogModel

    before = CatalogModel.objects.get(repo_id="meta-llama/Meta-Llama-3-8B").latest_revision_id
    response = _upload(SMALL_CONFIG % b"", repo_id="meta-llama/meta-llama-3-8b")
    assert response.status_code == 400
    # the showcase is bundled: said as such (it said "from the Hub" for every origin)
    assert "already in the catalog, from the bundled demo catalog" in response.content.decode()
    assert "local/meta-llama-3-8b" in response.content.decode()
    after = CatalogModel.objects.get(repo_id="meta-llama/Meta-Llama-3-8B").latest_revision_id
    assert after == before
    from catalog.models import Revision

    hub_model = CatalogModel.objects.create(repo_id="acme/from-hub")
    Revision.objects.create(model=hub_model, sha="c" * 40, source=Revision.Source.HUB)
    response = _upload(SMALL_CONFIG % b"", repo_id="acme/from-hub")
    assert "already in the catalog from the Hub" in response.content.decode()


def test_upload_can_update_its_own_earlier_upload():
    assert _upload(SMALL_CONFIG % b"", repo_id="local/mine").status_code == 303
    assert (
        _upload(SMALL_CONFIG % b', "rope_theta": 10000.0', repo_id="local/mine").status_code == 303
    )


# committed rows: the job runs in a thread of the web process, on its own connection
@pytest.mark.django_db(transaction=True)
def test_pasting_an_id_that_only_an_upload_holds_asks_the_hub(hub, settings):
    """An upload may take a Hub name not yet in the catalog; a later paste of that ID still
    fetches the real model from the Hub instead of opening the upload."""
    from catalog.models import CatalogModel, Revision

    assert _upload(SMALL_CONFIG % b"", repo_id="meta-llama/Llama-3.2-1B").status_code == 303
    model = CatalogModel.objects.get(repo_id="meta-llama/Llama-3.2-1B")
    assert model.latest_revision.source == Revision.Source.UPLOAD

    settings.INGEST_INLINE_AFTER_S = 1e-6  # no worker here: the job's page runs the job
    response = Client().post("/ingest/", {"model_id": "meta-llama/Llama-3.2-1B"}, follow=True)
    assert response.redirect_chain[0][1] == 303  # to the job's page, not the upload's page
    assert response.redirect_chain[-1] == ("/models/meta-llama/Llama-3.2-1B/", 302)
    model.refresh_from_db()
    assert model.latest_revision.source == Revision.Source.HUB
    assert model.latest_revision.artifacts.get(name="config.json").data["num_hidden_layers"] == 16
    assert hub.requests, "the Hub was asked"


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "1.23 × 10²⁹"), ("ko", "1.23 × 10²⁹"), ("de", "1,23 × 10²⁹")]
)
def test_a_huge_config_number_reads_in_scientific_notation_keeping_its_digits(
    language, shown, web_showcase
):
    # Before the fix: a malformed-but-accepted 30-digit max_position_embeddings was printed
    # with all its digits (grouped, 39 characters) on the model page and in compare, and as
    # "117737568867059400441856M" in the context window, the memory table and the selector.
    import re

    huge = 123456789012345678901234567890
    config = b'{"num_hidden_layers": 2, "max_position_embeddings": %d, ' % huge + LLAMA_CORE + b"}"
    assert _upload(config, repo_id="local/huge").status_code == 303
    client = Client(raise_request_exception=True)
    for url in (
        f"/models/local/huge/?lang={language}",
        f"/compare/?models=local/huge,meta-llama/Meta-Llama-3-8B&lang={language}",
    ):
        page = client.get(url).content.decode()
        assert shown in page, url
        # the exact value stays: in the evidence, and (the config diff) in a title
        assert f"max_position_embeddings = {huge}" in page
        text = re.sub(r"(?s)<script.*?</script>|<blockquote>.*?</blockquote>|<[^>]*>", "", page)
        digits = re.findall(r"\d(?:[\d,.\u00a0]*\d)?", text)
        longest = max(digits, key=lambda d: len(re.sub(r"\D", "", d)))
        assert len(re.sub(r"\D", "", longest)) < 16, (url, longest)
    assert f'title="{huge}"' in page  # compare's config diff


def test_a_number_whose_figures_overflow_a_float_reads_as_unknown_not_a_500(web_showcase):
    """A 308-digit max_position_embeddings is a float still, but its KV cache at that
    context is past a float's range (inf): the scientific notation added for huge numbers
    raised on it and the model page was a 500."""
    huge = int("1" + "2" * 307)
    config = b'{"num_hidden_layers": 2, "max_position_embeddings": %d, ' % huge + LLAMA_CORE + b"}"
    assert _upload(config, repo_id="local/overflow").status_code == 303
    client = Client(raise_request_exception=True)
    for language in ("en", "ko", "de"):
        page = client.get(f"/models/local/overflow/?lang={language}").content.decode()
        assert "× 10³⁰⁷" in page  # the context window, in scientific notation
    from catalog.templatetags.mechanic import bytes_h, rate_h, tokens_h

    for value in (float("inf"), float("-inf"), float("nan")):
        assert tokens_h(value) == bytes_h(value) == rate_h(value) == "—"
