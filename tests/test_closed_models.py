"""Closed model families from vendor documentation, and the exercise for any model.

Every closed fact quotes a stored vendor page, names its URL and the date it was read; the
backbone is *undisclosed* (a first-class state). The exercise for a closed model shows the
undisclosed backbone and names the vaguest axis in a sentence a learner understands.
"""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command

from axes.exercise import exercise_check, exercise_markdown, phrase_support
from axes.facts import AXES, Fact
from axes.taxonomy import KINDS
from catalog.demo.closed import (
    ClosedEntryInvalid,
    closed_analysis,
    closed_catalog_files,
    closed_entry_read,
    closed_models_load,
)

READ_ON = "2026-11-29"


def entries() -> dict[str, dict]:
    return {e["repo_id"]: e for e in (closed_entry_read(p) for p in closed_catalog_files())}


# ---------------------------------------------------------------------------------------------
# The files


def test_claude_gpt_and_gemini_are_there():
    ids = set(entries())
    assert any(i.startswith("anthropic/claude") for i in ids)
    assert any(i.startswith("openai/gpt") for i in ids)
    assert any(i.startswith("google/gemini") for i in ids)


@pytest.mark.parametrize("path", closed_catalog_files(), ids=lambda p: p.name)
def test_every_fact_is_sourced_dated_and_on_a_known_kind(path):
    entry = closed_entry_read(path)
    assert entry["read_on"] == READ_ON
    for source in entry["sources"]:
        assert source["url"].startswith("https://")
        assert source["read_on"] == READ_ON
    for raw in entry["facts"]:
        fact = Fact.from_dict(raw)
        assert fact.kind in KINDS, fact.kind
        assert fact.evidence.source.startswith("https://")
        assert len(fact.evidence.text) >= 10
        assert fact.extra["read_on"] == READ_ON
    # The backbone of a closed model is undisclosed, stated as such, never left empty.
    backbone = [f for f in entry["facts"] if f["axis"] == "backbone"]
    assert backbone and all(f["extra"]["state"] == "undisclosed" for f in backbone)
    # Run-time reasoning controls are documented for every one of them.
    assert any(f["kind"] == "inference.reasoning_mode" for f in entry["facts"])


def test_a_fact_without_its_source_listed_is_refused(tmp_path):
    entry = json.loads(closed_catalog_files()[0].read_text())
    entry["facts"][0]["evidence"]["source"] = "https://example.invalid/made-up"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(entry))
    with pytest.raises(ClosedEntryInvalid, match="not listed in 'sources'"):
        closed_entry_read(bad)


def test_closed_analysis_marks_the_backbone_undisclosed():
    analysis = closed_analysis(entries()["openai/gpt-5"])
    assert analysis["kind"] == "closed"
    assert analysis["backbone"] == {"state": "undisclosed"}
    assert {f["axis"] for f in analysis["facts"]} >= {
        "backbone",
        "post_training",
        "inference",
        "product",
    }


# ---------------------------------------------------------------------------------------------
# The exercise, pure

CLAUDE_ROWS = {
    "backbone": "A dense transformer with GQA and about 2T parameters.",
    "post_training": "Trained with RLHF and Constitutional AI.",
    "inference": "Extended thinking with effort levels; a 1M token context window.",
    "product": "Tool use and computer use through the API.",
}


def test_exercise_for_claude_shows_undisclosed_backbone_and_names_vaguest_axis():
    facts = entries()["anthropic/claude-opus-5"]["facts"]
    result = exercise_check(CLAUDE_ROWS, facts, model_name="Claude Opus 5")
    backbone = result["scores"]["backbone"]
    assert backbone["axis_undisclosed"] is True
    assert backbone["sourced"] == 0 and backbone["undisclosed"] >= 1
    supports = [p["support"] for p in result["rows"]["backbone"]["phrases"]]
    assert supports and set(supports) == {"undisclosed"}
    # The 1M context and the effort levels are documented: backed by a source.
    assert result["scores"]["inference"]["sourced"] >= 1
    assert result["vaguest_axis"] in ("backbone", "post_training")
    assert result["vaguest"]["code"] == "undisclosed"
    assert "does not publish it" in result["vaguest_reason"]
    assert "Claude Opus 5" in result["vaguest_reason"]
    assert result["model_known"] is True and result["model_message"] == ""


def test_a_wrong_number_on_the_right_subject_conflicts():
    facts = entries()["anthropic/claude-opus-5"]["facts"]
    inference = [f for f in facts if f["axis"] == "inference"]
    assert phrase_support("a 200K context window", inference)["support"] == "conflicts"
    assert phrase_support("a 1M context window", inference)["support"] == "sourced"
    # Korean particles glued to English terms still match: "effort를".
    assert phrase_support("effort를 조절하는 thinking", inference)["support"] == "sourced"


def test_announcement_only_support_is_the_vendors_word():
    facts = entries()["openai/gpt-5"]["facts"]
    product = [f for f in facts if f["axis"] == "product"]
    # Only the launch post says "dozens of tool calls in parallel".
    got = phrase_support("chains dozens of calls in parallel", product)
    assert got["support"] == "vendor_claim"
    assert got["fact"]["source"].startswith("https://openai.com/index/introducing-gpt-5")


def test_unknown_model_is_still_scored_for_placement_with_a_clear_message():
    result = exercise_check(CLAUDE_ROWS, [], model_name="my-secret-model")
    assert result["model_known"] is False
    assert "my-secret-model is not in the catalog" in result["model_message"]
    assert result["vaguest"]["code"] == "unknown_model"
    assert set(result["scores"]) == set(AXES)
    # no facts to hold them to: no phrase is said to be "not found" (nor backed)
    assert all(p["support"] is None for r in result["rows"].values() for p in r["phrases"])


def test_markdown_export_of_a_closed_model_exercise():
    facts = entries()["google/gemini-2.5-pro"]["facts"]
    rows = dict(CLAUDE_ROWS, product="Function calling | and <script>alert(1)</script>")
    result = exercise_check(rows, facts, model_name="Gemini 2.5 Pro")
    md = exercise_markdown(
        model_name="Gemini 2.5 Pro", rows=rows, result=result, titles={a: a for a in AXES}
    )
    assert md.startswith("# Gemini 2.5 Pro")
    first_table = md.split("\n\n")[1].splitlines()
    assert len(first_table) == 2 + len(AXES)  # header, rule, one row per axis
    assert all(line.count(" | ") == 2 for line in first_table[2:])  # the pipe stayed in its cell
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "## Scores" in md and "Vaguest axis" in md


# ---------------------------------------------------------------------------------------------
# Stored through load_demo, shown on the pages


@pytest.mark.django_db
def test_load_demo_stores_closed_models_idempotently():
    from catalog.models import Artifact, CatalogModel, Revision

    call_command("load_demo", verbosity=0)
    claude = CatalogModel.objects.get(repo_id="anthropic/claude-opus-5")
    assert claude.kind == CatalogModel.Kind.CLOSED
    revision = claude.latest_revision
    assert revision.source == Revision.Source.BUNDLED
    assert revision.analysis["backbone"] == {"state": "undisclosed"}
    docs = revision.artifacts.filter(kind=Artifact.Kind.VENDOR_DOC)
    assert docs.count() == len(entries()["anthropic/claude-opus-5"]["sources"])
    before = (Revision.objects.count(), Artifact.objects.count())
    call_command("load_demo", verbosity=0)
    assert (Revision.objects.count(), Artifact.objects.count()) == before


@pytest.mark.django_db
def test_exercise_page_for_a_closed_model_shows_undisclosed_and_vaguest(client):
    closed_models_load()
    response = client.post(
        "/exercise/check/",
        {"model_name": "anthropic/claude-opus-5", **CLAUDE_ROWS},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"undisclosed", html, re.IGNORECASE)
    assert "vaguest" in html.lower()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lang,heading,value",
    [
        ("en", "Backbone: undisclosed", "undisclosed by the vendor"),
        ("ko", "Backbone: 비공개", "제조사 비공개"),
        ("de", "Backbone: nicht offengelegt", "vom Anbieter nicht offengelegt"),
    ],
)
def test_closed_model_page_shows_an_undisclosed_backbone_not_empty_numbers(
    client, lang, heading, value
):
    """The backbone of a closed model is a stated state, not a row of dashes: no headline
    numbers, no layer strip, no size charts and no measure form, and the documented facts."""
    closed_models_load()
    response = client.get("/models/anthropic/claude-opus-5/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="backbone-undisclosed"' in html
    assert heading in html
    # the undisclosed facts' value reads in the page's language
    assert f'<div class="fact-value">{value}</div>' in html
    assert "numbers-h" not in html and "layers-h" not in html and "charts-h" not in html
    assert 'name="mode"' not in html  # the profiler's measure form
    assert "platform.claude.com" in html  # the vendor facts with their links
    # the footer does not claim numbers from the model's own files: it has none
    assert "weights headers" not in html.split('class="site-footer"')[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lang,value", [("ko", "제조사 비공개"), ("de", "vom Anbieter nicht offengelegt")]
)
def test_an_undisclosed_fact_reads_in_the_page_language_beyond_the_model_page(client, lang, value):
    """The model page said "제조사 비공개" for Claude's architecture, but the compare page's
    axes side by side and the checked exercise's "the model's files say" wrote the stored
    value, English "undisclosed", in a Korean or German page."""
    call_command("load_demo", verbosity=0)
    compare = client.get(
        "/compare/?models=anthropic/claude-opus-5,meta-llama/Meta-Llama-3-8B",
        HTTP_ACCEPT_LANGUAGE=lang,
    ).content.decode()
    axes = compare[compare.index('id="axes-h"') :]
    architecture = axes[axes.index('data-kind="backbone.family"') :].split("</tr>")[0]
    assert f'<div class="cell-fact">{value}<details' in architecture, architecture
    check = client.post(
        "/exercise/check/",
        {"model_name": "anthropic/claude-opus-5", **CLAUDE_ROWS},
        HTTP_ACCEPT_LANGUAGE=lang,
        follow=True,
    ).content.decode()
    found = re.findall(r'<span class="fact-value">([^<]*)</span>', check)
    assert value in found and "undisclosed" not in found, found


@pytest.mark.django_db
def test_closed_evidence_is_quoted_in_english():
    """The English page quotes the English edition (the GPT-5 quote was the Italian one)."""
    closed_models_load()
    from catalog.models import CatalogModel

    analysis = CatalogModel.objects.get(repo_id="openai/gpt-5").latest_revision.analysis
    sources = [f["evidence"]["source"] for f in analysis["facts"]]
    assert not any("/it-IT/" in s for s in sources)
    family = next(f for f in analysis["facts"] if f["kind"] == "backbone.family")
    assert family["evidence"]["text"].startswith("GPT‑5 is a unified system")


@pytest.mark.django_db
def test_open_model_page_keeps_its_numbers(client):
    call_command("load_demo", verbosity=0)
    html = client.get("/models/meta-llama/Meta-Llama-3-8B/").content.decode()
    assert "backbone-undisclosed" not in html
    assert "numbers-h" in html and "layers-h" in html and "charts-h" in html
    assert 'name="mode"' in html  # the measure form is there for open models


def test_a_context_window_on_the_inference_row_of_a_closed_model_is_on_the_right_axis():
    """Claude's vendor documents its context window as the API's limit, and the page lists it
    under Inference ("Context at run time: max_context_tokens 1,000,000"); a learner who wrote
    "a 200K context window" there was told "✗ belongs to Backbone · undisclosed by the vendor"
    next to that very fact, and never that the number was wrong. Where the model's own facts
    place the context window on the row's axis, the phrase is on the right axis and checked
    against them: the vendor says 1M. An open model's context stays on the backbone (its
    config's positions)."""
    facts = entries()["anthropic/claude-opus-5"]["facts"]
    result = exercise_check({"inference": "a 200K context window"}, facts, model_name="Claude")
    (phrase,) = result["rows"]["inference"]["phrases"]
    assert phrase["verdict"] == "ok", phrase
    assert phrase["support"] == "conflicts", phrase
    assert result["scores"]["inference"]["on_axis"] == 1
    assert result["totals"]["misplaced"] == 0

    llama = [
        {
            "axis": "backbone",
            "kind": "backbone.context_length",
            "value": 8192,
            "confidence": 1.0,
            "evidence": {"source": "config.json", "locator": "max_position_embeddings"},
        }
    ]
    open_result = exercise_check({"inference": "a 8K context window"}, llama, model_name="Llama")
    (open_phrase,) = open_result["rows"]["inference"]["phrases"]
    assert open_phrase["verdict"] == "misplaced" and open_phrase["axis"] == "backbone"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "closed", "hub_words"),
    [
        ("en", "Closed model", ("Revision ", "No model card was found")),
        ("ko", "비공개 모델", ("리비전 ", "모델 카드를 찾지 못했습니다")),
        ("de", "Geschlossenes Modell", ("Revision ", "Modellkarte gefunden")),
    ],
)
def test_a_closed_model_page_speaks_of_no_hub_revision_or_card(client, lang, closed, hub_words):
    """gpt-5's page read "Revision 37e4cf9c2db9 · from Bundled demo catalog" under its name
    and ended in "Model card: No model card was found for this revision.": a learner looks for
    a revision and a card on the Hub that a closed model never had. The page says it is a
    closed model instead, and has no card section; an open model keeps both."""
    closed_models_load()
    html = client.get("/models/openai/gpt-5/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    head = html[html.index('class="page-head"') :]
    assert closed in head[: head.index("</p>", head.index("</h1>"))]
    for words in hub_words:
        assert words not in html, words
    assert 'id="card-h"' not in html
    call_command("load_demo", verbosity=0)
    llama = client.get("/models/meta-llama/Meta-Llama-3-8B/", HTTP_ACCEPT_LANGUAGE=lang)
    assert hub_words[0] in llama.content.decode() and 'id="card-h"' in llama.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lang,values",
    [
        (
            "ko",
            (
                "기본으로 thinking 켜짐 (adaptive)",
                "computer use: 스크린샷, 마우스와 키보드로 데스크톱 조작",
                "status: 레거시",
            ),
        ),
        (
            "de",
            (
                "Thinking standardmäßig an (adaptiv)",
                "Computer Use: Screenshot, Maus- und Tastatursteuerung eines Desktops",
                "status: Legacy",
            ),
        ),
    ],
)
def test_a_closed_models_own_words_read_in_the_page_language_its_quotes_as_written(
    client, lang, values
):
    """The Korean and German Claude pages wrote Mechanic's words about the vendor's page
    ("thinking on by default (adaptive)") in English; the vendor's quoted lines stay quotes."""
    closed_models_load()
    html = client.get("/models/anthropic/claude-opus-5/", HTTP_ACCEPT_LANGUAGE=lang)
    html = html.content.decode()
    shown = re.findall(r'<div class="fact-value">([^<]*)</div>', html)
    for value in values:
        assert any(value in s for s in shown), shown
    assert "thinking on by default (adaptive)" not in shown
    assert "computer environments through the comput" in html  # the quote, in English


def test_every_closed_fact_value_in_mechanics_words_is_listed_for_translation():
    from catalog.demo_i18n import CLOSED_VALUE_MSGIDS

    words = set()
    for entry in entries().values():
        for fact in entry["facts"]:
            value = fact["value"]
            texts = value.values() if isinstance(value, dict) else [value]
            for text in texts:
                # ids and dates are the vendor's spelling, "undisclosed" a state of its own
                if (
                    isinstance(text, str)
                    and text != "undisclosed"
                    and " " in text
                    or text in {"legacy"}
                ):
                    words.add(text)
    assert len(words) >= 15
    assert words == set(CLOSED_VALUE_MSGIDS)
