"""The exercise: pure scoring (axes.exercise) and the page (autosave, reload, check, export)."""

from __future__ import annotations

import pytest
from conftest import web_fact
from django.urls import reverse

from axes.exercise import MAX_ROW_CHARS, exercise_check, exercise_markdown, rows_clean
from axes.facts import AXES


def fake_splitter(text: str) -> list[dict]:
    """A deterministic stand-in classifier for the pure tests: one phrase per sentence."""
    out, pos = [], 0
    for part in text.split("."):
        start = text.find(part, pos)
        pos = start + len(part)
        low = part.lower()
        axis = (
            "backbone"
            if "layer" in low or "attention" in low
            else "post_training"
            if "rlhf" in low or "fine-tun" in low
            else "inference"
            if "temperature" in low
            else "product"
            if "tool" in low
            else None
        )
        if part.strip():
            out.append(
                {
                    "start": start,
                    "end": pos,
                    "axis": axis,
                    "kind": None,
                    "confidence": 0.9 if axis else 0.1,
                }
            )
    return out


FACTS = [
    web_fact("backbone", "backbone.attention", "GQA"),
    web_fact("backbone", "backbone.family", "llama"),
    web_fact("post_training", "post_training.stage", "instruct", source="README.md", locator="L3"),
    web_fact(
        "inference", "inference.sampling", {"temperature": 0.6}, source="generation_config.json"
    ),
]


def test_check_marks_misplaced_phrases_and_names_their_axis():
    rows = {
        "backbone": "32 attention layers. Trained with RLHF.",
        "post_training": "",
        "inference": "Sample at a low temperature",
        "product": "Something vague",
    }
    result = exercise_check(rows, FACTS, splitter=fake_splitter)
    backbone = result["rows"]["backbone"]
    verdicts = {p["text"]: (p["verdict"], p["axis"]) for p in backbone["phrases"]}
    assert verdicts["32 attention layers"] == ("ok", "backbone")
    assert verdicts["Trained with RLHF"] == ("misplaced", "post_training")
    assert result["rows"]["inference"]["ok"] == 1
    assert result["rows"]["product"]["unsure"] == 1
    assert result["empty_rows"] == ["post_training"]
    assert {k: result["totals"][k] for k in ("ok", "misplaced", "unsure")} == {
        "ok": 2,
        "misplaced": 1,
        "unsure": 1,
    }
    # product has no sourced fact at all: the most room for marketing
    assert result["weakest_axis"] == "product"
    assert [f["kind"] for f in result["found"]["backbone"]] == [
        "backbone.attention",
        "backbone.family",
    ]


def test_check_with_no_facts_still_judges_rows():
    result = exercise_check({"backbone": "attention"}, [], splitter=fake_splitter)
    assert result["weakest_axis"] is None
    assert result["rows"]["backbone"]["ok"] == 1


def test_rows_are_capped_and_unknown_keys_dropped():
    rows, cut = rows_clean({"backbone": "x" * (MAX_ROW_CHARS + 50), "evil": "y", "product": 5})
    assert len(rows["backbone"]) == MAX_ROW_CHARS
    assert cut == ["backbone"]
    assert "evil" not in rows
    assert rows["product"] == "5"


def test_markdown_escapes_table_syntax():
    md = exercise_markdown(
        model_name="org/m",
        rows={"backbone": "a | b\nc"},
        result=None,
        titles={"backbone": "Backbone"},
    )
    assert "| Backbone | a \\| b<br>c |" in md


def test_check_uses_the_real_classifier_when_installed():
    pytest.importorskip("axes.classify", reason="classifier not installed")
    from axes import classify

    if not hasattr(classify, "split_phrases"):
        pytest.skip("axes.classify.split_phrases not available yet")
    result = exercise_check(
        {"backbone": "It has 32 layers with grouped-query attention. It was trained with RLHF."},
        FACTS,
    )
    assert result["classifier_available"]
    assert result["rows"]["backbone"]["phrases"]


# ---------------------------------------------------------------------------------------------
# The page


@pytest.mark.django_db
def test_autosave_reload_check_export(client, web_showcase):
    save = client.post(
        reverse("catalog:exercise_save"),
        {
            "model_name": "meta-llama/Meta-Llama-3-8B-Instruct",
            "backbone": "32 layers, GQA <script>alert('row')</script>",
            "post_training": "RLHF",
        },
        headers={"HX-Request": "true"},
    )
    assert save.status_code == 200
    fragment = save.content.decode()
    assert "Saved at" in fragment
    # the sidebar list comes along, swapped out of band: the new model name shows at once
    assert 'id="exercise-past" hx-swap-oob="true"' in fragment
    assert "meta-llama/Meta-Llama-3-8B-Instruct</a>" in fragment

    page = client.get(reverse("catalog:exercise")).content.decode()
    assert "32 layers, GQA &lt;script&gt;alert(&#x27;row&#x27;)&lt;/script&gt;" in page
    assert "<script>alert('row')" not in page

    from catalog.models import Exercise

    exercise = Exercise.objects.get()
    assert exercise.model is not None
    assert exercise.session_key == client.session.session_key

    check = client.post(
        reverse("catalog:exercise_check"),
        {
            "exercise_id": exercise.pk,
            "model_name": exercise.model_name,
            "backbone": exercise.rows["backbone"],
            "post_training": "RLHF",
        },
    )
    assert check.status_code == 302
    result_page = client.get(check["Location"]).content.decode()
    # the axis with the least sourced evidence is named (the lesson's "vaguest axis")
    assert "least sourced evidence" in result_page or "vaguest" in result_page
    assert "num_key_value_heads = 8" in result_page or "GQA, 8 KV heads" in result_page
    assert "<script>alert('row')" not in result_page

    export = client.get(reverse("catalog:exercise_export", args=[exercise.pk]))
    assert export["Content-Type"].startswith("text/markdown")
    assert "attachment;" in export["Content-Disposition"]
    body = export.content.decode()
    assert "| Backbone |" in body and "32 layers, GQA" in body


@pytest.mark.django_db
def test_unknown_model_is_said_and_nothing_lost(client, db):
    client.post(
        reverse("catalog:exercise_save"), {"model_name": "acme/secret-llm", "product": "agents"}
    )
    page = client.get(reverse("catalog:exercise")).content.decode()
    assert "is not in the catalog" in page
    assert "agents</textarea>" in page


@pytest.mark.django_db
def test_long_rows_are_cut_and_said(client, db):
    response = client.post(
        reverse("catalog:exercise_save"),
        {"backbone": "x" * (MAX_ROW_CHARS + 10)},
        headers={"HX-Request": "true"},
    )
    assert "Too long" in response.content.decode()


@pytest.mark.django_db
def test_other_sessions_cannot_read_an_exercise(client, db):
    from django.test import Client

    client.post(reverse("catalog:exercise_save"), {"backbone": "mine"})
    from catalog.models import Exercise

    pk = Exercise.objects.get().pk
    other = Client()
    assert other.get(reverse("catalog:exercise_export", args=[pk])).status_code == 404
    assert other.get(reverse("catalog:exercise"), {"id": pk}).status_code == 404


@pytest.mark.django_db
def test_past_exercises_are_listed_and_new_starts_fresh(client, db):
    client.post(reverse("catalog:exercise_save"), {"model_name": "first/model", "backbone": "a"})
    client.post(reverse("catalog:exercise_new"))
    client.post(reverse("catalog:exercise_save"), {"model_name": "second/model", "backbone": "b"})
    from catalog.models import Exercise

    assert Exercise.objects.count() == 2
    page = client.get(reverse("catalog:exercise")).content.decode()
    assert "first/model" in page and "second/model" in page


def _scores(**per_axis):
    base = {
        "phrases": 0, "on_axis": 0, "sourced": 0, "facts_sourced": 3, "facts_vendor_claim": 0,
        "axis_undisclosed": False,
    }  # fmt: skip
    return {
        a: {**base, **per_axis.get(a, {})}
        for a in ("backbone", "post_training", "inference", "product")
    }


def test_vaguest_axis_never_counts_zero_unbacked_phrases_as_vague():
    from axes.exercise import vaguest_axis, vaguest_sentence

    # the least documented axis has one phrase, and it is backed: say so, not "0 of 1 unbacked"
    scores = _scores(
        backbone={"phrases": 2, "sourced": 2, "facts_sourced": 9},
        post_training={"phrases": 1, "sourced": 1, "facts_sourced": 5},
        inference={"phrases": 1, "sourced": 1, "facts_sourced": 4},
        product={"phrases": 1, "sourced": 1, "facts_sourced": 1},
    )
    v = vaguest_axis(scores, model_known=True)
    assert (v["axis"], v["code"]) == ("product", "thin_evidence")
    sentence = vaguest_sentence(v, "org/m")
    assert "is backed" in sentence and "0 of" not in sentence
    # nothing written on the least documented axis
    scores["product"]["phrases"] = scores["product"]["sourced"] = 0
    v = vaguest_axis(scores, model_known=True)
    assert v["code"] == "nothing_written" and "you wrote nothing" in vaguest_sentence(v, "org/m")
    # unbacked phrases: the counting sentence, with a count above zero
    scores["product"]["phrases"] = 2
    v = vaguest_axis(scores, model_known=True)
    assert v["code"] == "few_backed" and "2 of your 2 phrases" in vaguest_sentence(v, "org/m")


@pytest.mark.django_db
def test_a_visit_alone_writes_no_exercise_and_the_first_save_makes_one(client, db):
    """Crawlers and health checks must not fill the table: the page makes the session, the
    first save makes the exercise and sends its id and the export link back into the page."""
    from catalog.models import Exercise

    for _ in range(3):
        page = client.get(reverse("catalog:exercise")).content.decode()
    assert Exercise.objects.count() == 0
    assert 'name="exercise_id" id="exercise-id" value=""' in page
    assert "Your rows are saved as you type" in page and "Export as Markdown" not in page
    assert client.session.session_key  # the cookie the autosaves carry
    first = client.post(
        reverse("catalog:exercise_save"), {"backbone": "32 layers"}, headers={"HX-Request": "true"}
    ).content.decode()
    exercise = Exercise.objects.get()
    assert f'id="exercise-id" value="{exercise.pk}" hx-swap-oob="true"' in first
    assert 'id="exercise-export" hx-swap-oob="true"' in first
    assert reverse("catalog:exercise_export", args=[exercise.pk]) in first
    # the next save, with or without the id, goes to the same exercise
    client.post(reverse("catalog:exercise_save"), {"post_training": "DPO"})
    client.post(
        reverse("catalog:exercise_save"),
        {"exercise_id": exercise.pk, "backbone": "32 layers", "post_training": "DPO, SFT"},
    )
    assert Exercise.objects.count() == 1
    assert Exercise.objects.get().rows["post_training"] == "DPO, SFT"
    page = client.get(reverse("catalog:exercise")).content.decode()
    assert f'id="exercise-id" value="{exercise.pk}"' in page and "Export as Markdown" in page


def test_the_export_names_one_weakest_axis_as_the_page_does():
    """The page shows the lesson's vaguest axis, and the files' least-sourced axis only when
    there is none; the Markdown said both, often two different axes."""
    result = {
        "rows": {},
        "weakest_axis": "inference",
        "vaguest": {"axis": "backbone"},
        "vaguest_axis": "backbone",
        "vaguest_reason": "backbone: fewest sourced phrases",
        "scores": {a: {"phrases": 1} for a in AXES},
    }
    md = exercise_markdown(model_name="m", rows={}, result=result, titles={})
    assert "Least sourced evidence" not in md and "Vaguest axis:** backbone" in md
    alone = exercise_markdown(
        model_name="m", rows={}, result={"rows": {}, "weakest_axis": "inference"}, titles={}
    )
    assert "Least sourced evidence: inference" in alone
