"""The exercise: pure scoring (axes.exercise) and the page (autosave, reload, check, export)."""

from __future__ import annotations

import re

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
    assert check.status_code == 303
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


@pytest.mark.parametrize("model_known", [False, None])
def test_a_model_without_facts_marks_no_phrase_not_found(model_known):
    """A name the catalog does not know (or that matches several models) has no facts: the
    check says it placed the phrases on axes only, yet every phrase read "not found: “32
    layers”, “GQA”" and the scores counted them as not found, as if the files had been read."""
    result = exercise_check(
        {"backbone": "32 layers with attention. RLHF", "product": "tool use"},
        [],
        splitter=fake_splitter,
        model_name="Llama",
        model_known=model_known,
        model_candidates=["meta-llama/Llama-3.1-8B", "meta-llama/Meta-Llama-3-8B"],
    )
    phrases = [p for row in result["rows"].values() for p in row["phrases"]]
    assert len(phrases) == 3
    assert all(not p["support"] and not p["support_missing"] for p in phrases), phrases
    assert all(s["not_found"] == 0 and s["sourced"] == 0 for s in result["scores"].values())
    assert result["scores"]["backbone"]["phrases"] == 2  # still placed and counted
    body = exercise_markdown(
        model_name="Llama", rows={}, result=result, titles={a: a for a in AXES}
    )
    assert "not found" not in body.split("## Scores")[0]


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
    # unbacked phrases (not found or contradicted, the table's column): counted, above zero
    scores["product"].update(phrases=2, not_found=1, conflicts=1)
    v = vaguest_axis(scores, model_known=True)
    assert v["code"] == "few_backed"
    assert "on Product: 2 phrases you wrote there (out of 2) are not found" in vaguest_sentence(
        v, "org/m"
    )


@pytest.mark.django_db
def test_a_visit_alone_writes_no_exercise_and_the_first_save_makes_one(client, db):
    """Crawlers and health checks must not fill the table: the page makes the session, the
    first save makes the exercise and sends its id and the export link back into the page."""
    from catalog.models import Exercise

    for _ in range(3):
        page = client.get(reverse("catalog:exercise")).content.decode()
    assert Exercise.objects.count() == 0
    assert re.search(r'name="exercise_id" id="exercise-id" value="new:[0-9a-f]{32}"', page)
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


# ---------------------------------------------------------------------------------------------
# Backed means a fact says the same; contradicted means a fact of the subject says otherwise


@pytest.fixture
def llama_instruct_facts(db):
    """The demo catalog's Llama 3.1 8B Instruct, loaded as `manage.py load_demo` does."""
    from catalog.models import CatalogModel
    from catalog.services import demo_catalog_files, demo_model_load

    path = next(p for p in demo_catalog_files() if p.name.startswith("meta-llama--Llama-3.1-8B-I"))
    demo_model_load(path=path)
    model = CatalogModel.objects.get(repo_id="meta-llama/Llama-3.1-8B-Instruct")
    return model.latest_revision.analysis["facts"]


FALSE_ROWS = {
    "backbone": "Mixture of experts with 64 experts and MLA attention, 2 layers",
    "post_training": "only pretrained, no fine-tuning at all",
    "inference": "greedy decoding with temperature 0",
    "product": "ChatGPT app with web search",
}


def _support(result, axis):
    (phrase,) = result["rows"][axis]["phrases"]
    return phrase


@pytest.mark.django_db
def test_false_claims_are_contradicted_with_the_facts_that_contradict_them(llama_instruct_facts):
    result = exercise_check(FALSE_ROWS, llama_instruct_facts, model_name="Llama")
    backbone = _support(result, "backbone")
    assert backbone["support"] == "conflicts"
    against = {f["kind"]: f for f in backbone["support_against"]}
    # config.json says dense, GQA and 32 layers: each wrong value is named with its evidence
    assert {"backbone.decoder_type", "backbone.attention", "backbone.layers"} <= set(against)
    assert all(f["source"] == "config.json" for f in against.values())
    assert "num_hidden_layers = 32" in against["backbone.layers"]["text"]
    assert against["backbone.layers"]["claim"] == "2 layers"
    inference = _support(result, "inference")
    assert inference["support"] == "conflicts"
    assert {f["source"] for f in inference["support_against"]} == {"generation_config.json"}
    assert "temperature = 0.6" in " ".join(f["text"] for f in inference["support_against"])
    # "no fine-tuning" against an instruction-tuned checkpoint with SFT and RLHF on record
    assert _support(result, "post_training")["support"] == "conflicts"
    # Llama ships tool calling, not web search in a ChatGPT app: nothing says it
    product = _support(result, "product")
    assert product["support"] == "not_found" and product["support_missing"]
    for axis in AXES:
        s = result["scores"][axis]
        assert s["sourced"] == 0 and s["not_found"] + s["conflicts"] == 1, axis


@pytest.mark.django_db
def test_true_claims_are_backed_by_the_facts_that_say_them(llama_instruct_facts):
    rows = {
        "backbone": "Dense decoder, GQA with 8 KV heads, 32 layers, 128K context",
        "post_training": "SFT then DPO",
        "inference": "Sampling at temperature 0.6 with top-p 0.9",
        "product": "Tool calling through the chat template",
    }
    result = exercise_check(rows, llama_instruct_facts, model_name="Llama")
    for axis in AXES:
        phrases = result["rows"][axis]["phrases"]
        assert phrases and all(p["support"] == "sourced" for p in phrases), (axis, phrases)
        assert result["scores"][axis]["sourced"] == len(phrases)
    inference = result["rows"]["inference"]["phrases"]
    assert {p["support_fact"]["source"] for p in inference} == {"generation_config.json"}


def test_a_fact_of_the_same_kind_is_not_backing():
    """OpenAI's post-training facts name RL and "coding tasks", never SFT or DPO."""
    from catalog.demo.closed import closed_catalog_files, closed_entry_read

    entry = next(
        closed_entry_read(p) for p in closed_catalog_files() if p.name.startswith("openai--gpt-5")
    )
    post = [f for f in entry["facts"] if f["axis"] == "post_training"]
    from axes.exercise import phrase_support

    got = phrase_support("SFT then DPO", post)
    assert got["support"] == "not_found" and got["fact"] is None
    assert set(got["missing"]) == {"SFT", "DPO"}
    assert phrase_support("trained with reinforcement learning", post)["support"] == "sourced"


@pytest.mark.parametrize(
    "phrase,facts,support",
    [
        # a denial agrees with a fact holding another value, and never denies a broader claim
        ("not MoE", [web_fact("backbone", "backbone.decoder_type", "dense")], "sourced"),
        ("non-MoE", [web_fact("backbone", "backbone.decoder_type", "moe")], "conflicts"),
        (
            "no GRPO",
            [web_fact("post_training", "post_training.rl", "RL with verifiable rewards")],
            "not_found",
        ),
        # numbers are read with their unit word and compared within their facet
        (
            "70B parameters",
            [web_fact("backbone", "backbone.params_total", {"total": 8030261248})],
            "conflicts",
        ),
        ("8B", [web_fact("backbone", "backbone.params_total", {"total": 8030261248})], "sourced"),
        (
            "Temperatur 0,6",
            [web_fact("inference", "inference.sampling", {"temperature": 0.6})],
            "sourced",
        ),
        (
            "top-2 routing over 8 experts",
            [
                web_fact(
                    "backbone",
                    "backbone.moe",
                    {"num_experts": 8, "experts_per_token": 2},
                )
            ],
            "sourced",
        ),
        # in a hybrid, "N attention layers" counts the attention blocks, not all of them, and
        # its Mamba layers are part of its wiring (both read as contradictions before)
        (
            "hybrid Mamba-2 with 4 attention layers and 52 layers",
            [
                web_fact("backbone", "backbone.decoder_type", "hybrid"),
                web_fact(
                    "backbone",
                    "backbone.layers",
                    {"num_layers": 52, "counts": {"mixer": {"mamba2": 24, "attention": 4}}},
                ),
            ],
            "sourced",
        ),
        (
            "12 attention layers",
            [
                web_fact(
                    "backbone",
                    "backbone.layers",
                    {"num_layers": 52, "counts": {"mixer": {"mamba2": 24, "attention": 4}}},
                )
            ],
            "conflicts",
        ),
        (
            "hybrid of Mamba and attention",
            [web_fact("backbone", "backbone.decoder_type", "ssm")],
            "conflicts",
        ),
        ("a Mamba model", [web_fact("backbone", "backbone.decoder_type", "dense")], "conflicts"),
        # the 4 of "MXFP4 experts" is no count of experts; RoPE+NoPE holds both
        (
            "MXFP4 experts",
            [
                web_fact("backbone", "backbone.moe", {"num_experts": 32, "experts_per_token": 4}),
                web_fact(
                    "backbone",
                    "backbone.weights_format",
                    {"stored_dtype": "bfloat16", "quantization": "mxfp4"},
                ),
            ],
            "sourced",
        ),
        (
            "NoPE every fourth layer",
            [web_fact("backbone", "backbone.positional", {"type": "rope+nope"})],
            "sourced",
        ),
        ("RoPE", [web_fact("backbone", "backbone.positional", {"type": "rope+nope"})], "sourced"),
        # a sliding window's size is no context length
        (
            "sliding attention with a 128-token window, 128K context window",
            [
                web_fact(
                    "backbone", "backbone.attention", {"sliding": True, "sliding_window": 128}
                ),
                web_fact("backbone", "backbone.context_length", 131072),
            ],
            "sourced",
        ),
        (
            "a 4096-token sliding window",
            [web_fact("backbone", "backbone.attention", {"sliding": True, "sliding_window": 128})],
            "conflicts",
        ),
        (
            "ALiBi",
            [web_fact("backbone", "backbone.positional", {"type": "rope+nope"})],
            "conflicts",
        ),
        # a figure in another facet's fact is neither backing nor contradiction
        (
            "32 layers",
            [web_fact("backbone", "backbone.attention", {"num_kv_heads": 32})],
            "not_found",
        ),
    ],
)
def test_claims_are_compared_value_by_value(phrase, facts, support):
    from axes.exercise import phrase_support

    assert phrase_support(phrase, facts)["support"] == support


# ---------------------------------------------------------------------------------------------
# A learner review of Llama 3.1 8B (base) in English, German and Korean: every wording the app
# itself uses is read, in either order, and a part the checker cannot read never lets a phrase
# pass as backed


@pytest.fixture
def llama_base_facts(db):
    """The demo catalog's Llama 3.1 8B (32 layers, 32 heads, 8 KV heads, 128K, 8B, base)."""
    from catalog.models import CatalogModel
    from catalog.services import demo_catalog_files, demo_model_load

    path = next(p for p in demo_catalog_files() if p.name == "meta-llama--Llama-3.1-8B.json")
    demo_model_load(path=path)
    model = CatalogModel.objects.get(repo_id="meta-llama/Llama-3.1-8B")
    return model.latest_revision.analysis["facts"]


REVIEW = [
    # (axis, phrase, support)
    (
        "backbone",
        "Dichter Decoder mit GQA, 32 Schichten, 64 Attention-Köpfe. Kontextlänge 128K.",
        "conflicts",
    ),
    (
        "backbone",
        "Dichter Decoder mit GQA, 32 Schichten, 32 Attention-Köpfe. Kontextlänge 128K.",
        "sourced",
    ),
    ("backbone", "GQA mit 16 KV-Köpfen", "conflicts"),
    ("backbone", "GQA mit 8 KV-Köpfen", "sourced"),
    ("backbone", "GQA with 16 KV heads", "conflicts"),
    ("backbone", "GQA with 8 KV heads", "sourced"),
    ("backbone", "KV 헤드 16개의 GQA", "conflicts"),
    ("backbone", "KV 헤드 8개", "sourced"),
    ("backbone", "context length 32K", "conflicts"),
    ("backbone", "context length 128K", "sourced"),
    ("backbone", "32K context window", "conflicts"),
    ("backbone", "Kontextlänge 32K", "conflicts"),
    ("backbone", "Kontextfenster von 128K Tokens", "sourced"),
    ("backbone", "컨텍스트 32K", "conflicts"),
    ("backbone", "컨텍스트 128K", "sourced"),
    ("backbone", "layers: 32", "sourced"),
    ("backbone", "layers: 16", "conflicts"),
    ("backbone", "레이어 32개", "sourced"),
    ("backbone", "레이어 16개", "conflicts"),
    ("backbone", "32 Schichten", "sourced"),
    ("backbone", "Schichten: 40", "conflicts"),
    ("backbone", "heads 64", "conflicts"),
    ("backbone", "헤드 64개", "conflicts"),
    ("backbone", "헤드 32개", "sourced"),
    ("backbone", "64 Köpfe", "conflicts"),
    ("backbone", "Parameter: 8B", "sourced"),
    ("backbone", "8 Milliarden Parameter", "sourced"),
    ("backbone", "70 Mrd. Parameter", "conflicts"),
    ("backbone", "파라미터 80억 개", "sourced"),
    ("backbone", "파라미터 700억 개", "conflicts"),
    ("backbone", "전문가 8개", "conflicts"),
    ("backbone", "MoE mit 8 Experten", "conflicts"),
    ("backbone", "MoE with 8 experts", "conflicts"),
    # a number-bearing part nothing reads: never backed on the strength of the rest
    ("backbone", "Dense decoder with GQA, 32 layers and 2 norms per block", "not_found"),
    ("backbone", "Dichter Decoder mit GQA, 32 Schichten und 2 Normierungen pro Block", "not_found"),
    ("backbone", "GQA를 쓰는 dense decoder, 레이어 32개, 게이트 2개", "not_found"),
    ("post_training", "Basismodell", "sourced"),
    ("post_training", "Ein Basismodell ohne Nachtraining", "sourced"),
    ("post_training", "Instruct-Modell, mit SFT feinabgestimmt", "conflicts"),
    ("post_training", "베이스 모델", "sourced"),
    ("post_training", "RLHF로 학습한 채팅 모델", "conflicts"),
    ("post_training", "base model, pretrained only", "sourced"),
    ("post_training", "instruction-tuned with RLHF", "conflicts"),
    ("inference", "온도 0.9", "conflicts"),
    ("inference", "온도 0.6, top-p 0.9", "sourced"),
    ("inference", "Temperatur 0,9", "conflicts"),
    ("inference", "Temperatur 0,6", "sourced"),
    ("inference", "temperature 0.6", "sourced"),
    ("inference", "greedy decoding at temperature 0", "conflicts"),
    ("inference", "온도 0.6, 반복 페널티 1.1", "not_found"),
    ("product", "Meta AI 앱의 챗봇", "not_found"),
    ("product", "Chatbot in der Meta-AI-App", "not_found"),
    ("product", "A chatbot in the Meta AI app", "not_found"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("axis,phrase,support", REVIEW)
def test_the_review_of_llama_reads_every_language(llama_base_facts, axis, phrase, support):
    from axes.exercise import phrase_support

    facts = [f for f in llama_base_facts if f["axis"] == axis]
    got = phrase_support(phrase, facts)
    assert got["support"] == support, got


@pytest.mark.django_db
def test_the_review_rows_are_judged_phrase_by_phrase(llama_base_facts):
    """The rows of the review, through the real classifier: the wrong German head count is
    contradicted and named, and a product row that counts layers is flagged as backbone, in
    Korean as in German and English, and judged against the backbone facts."""
    rows = {
        "backbone": "Dichter Decoder mit GQA, 32 Schichten, 64 Attention-Köpfe. Kontextlänge 128K.",
        "product": "Meta AI 앱의 챗봇. 레이어 32개.",
    }
    result = exercise_check(rows, llama_base_facts, model_name="meta-llama/Llama-3.1-8B")
    backbone = result["rows"]["backbone"]["phrases"]
    wrong = next(p for p in backbone if "64" in p["text"])
    assert wrong["support"] == "conflicts"
    assert [f["claim"] for f in wrong["support_against"]] == ["64 Attention-Köpfe"]
    assert wrong["support_against"][0]["source"] == "config.json"
    assert all(p["support"] == "sourced" for p in backbone if p is not wrong)
    for product in (
        "Meta AI 앱의 챗봇. 레이어 32개.",
        "Ein Chatbot in der Meta-AI-App. 32 Schichten.",
        "A chatbot in the Meta AI app. heads 64.",
    ):
        result = exercise_check({"product": product}, llama_base_facts, model_name="Llama")
        phrases = result["rows"]["product"]["phrases"]
        flagged = [p for p in phrases if p["verdict"] == "misplaced" and p["axis"] == "backbone"]
        assert flagged, (product, phrases)
        expected = "conflicts" if "64" in product else "sourced"
        assert flagged[-1]["support"] == expected, flagged


@pytest.mark.django_db
def test_a_korean_review_splits_at_da_quotes_terms_and_files_the_chatgpt_router(
    llama_base_facts,
):
    """Korean rows as a learner writes them: "…sampling한다. context window 128K." is two
    phrases (the second a backbone fact in the inference row), the claim named against the
    facts is "instruction tuning" without its particle, and the ChatGPT router is product."""
    rows = {
        "inference": "temperature 0.6으로 sampling한다. context window 128K.",
        "post_training": "instruction tuning을 거쳤다.",
        "product": "ChatGPT 라우터가 빠른 모델과 추론 모델 중 하나를 고른다.",
    }
    result = exercise_check(rows, llama_base_facts, model_name="meta-llama/Llama-3.1-8B")
    inference = result["rows"]["inference"]["phrases"]
    assert [(p["text"], p["axis"]) for p in inference] == [
        ("temperature 0.6으로 sampling한다.", "inference"),
        ("context window 128K.", "backbone"),
    ]
    assert inference[1]["verdict"] == "misplaced"
    (tuned,) = result["rows"]["post_training"]["phrases"]
    assert tuned["support"] == "conflicts"  # the base model was not instruction-tuned
    assert {f["claim"] for f in tuned["support_against"]} == {"instruction tuning"}
    (router,) = result["rows"]["product"]["phrases"]
    assert router["axis"] == "product" and router["verdict"] != "misplaced", router


# ---------------------------------------------------------------------------------------------
# The export says what the page says; the vaguest sentence agrees with the table


def test_the_export_says_unsure_where_the_page_does():
    rows = {
        "backbone": "32 attention layers. Trained with RLHF.",
        "inference": "Sample at a low temperature",
        "product": "Something vague",
    }
    result = exercise_check(rows, FACTS, splitter=fake_splitter)
    assert result["rows"]["product"]["phrases"][0]["verdict"] == "unsure"
    md = exercise_markdown(
        model_name="m", rows=rows, result=result, titles={a: a.title() for a in AXES}
    )
    table = md.split("\n## ")[0]  # the four rows, not the score table below them
    cells = {line.split(" | ")[0].strip("| "): line for line in table.splitlines() if " | " in line}
    assert "\u201cSomething vague\u201d ? unsure" in cells["Product"]
    assert "\u2713" not in cells["Product"]
    # each phrase is marked as on the page, with its backing
    assert "\u201cTrained with RLHF\u201d \u2717 belongs to Post_Training" in cells["Backbone"]
    assert "\u201c32 attention layers\u201d \u2713 \u00b7 " in cells["Backbone"]
    # translated labels come from the web layer
    de = exercise_markdown(
        model_name="m",
        rows=rows,
        result=result,
        titles={a: a for a in AXES},
        phrase_labels={"unsure": "unsicher"},
    )
    assert "? unsicher" in de


def test_the_vaguest_sentence_counts_what_the_table_counts():
    from axes.exercise import vaguest_axis, vaguest_sentence

    # one phrase on product, credited "the vendor's word only": not called unbacked
    scores = _scores(
        backbone={"phrases": 1, "sourced": 1, "facts_sourced": 9},
        post_training={"phrases": 1, "sourced": 1, "facts_sourced": 5},
        inference={"phrases": 1, "sourced": 1, "facts_sourced": 4},
        product={"phrases": 1, "vendor_claim": 1, "facts_sourced": 2},
    )
    v = vaguest_axis(scores, model_known=True)
    assert (v["axis"], v["code"]) == ("product", "vendor_only")
    sentence = vaguest_sentence(v, "org/m")
    assert "1 phrase you wrote there (out of 1) rests on the word of the vendor" in sentence
    assert "not backed" not in sentence and "not found" not in sentence
    # one phrase not found: singular
    scores["product"].update(vendor_claim=0, not_found=1)
    v = vaguest_axis(scores, model_known=True)
    assert v["code"] == "few_backed"
    assert "Product: 1 phrase you wrote there (out of 1) is not found" in vaguest_sentence(v, "m")


def test_the_vaguest_sentence_names_the_axis_by_its_translated_title():
    from django.utils import translation

    from catalog.i18n import exercise_vaguest_sentence

    result = {"vaguest": {"axis": "post_training", "code": "undisclosed", "params": {}}}
    with translation.override("ko"):
        ko = exercise_vaguest_sentence(result, "m")
    with translation.override("de"):
        de = exercise_vaguest_sentence(result, "m")
    assert "Post-training (사후 학습)" in ko and "post-training에" not in ko
    assert "bei Post-Training am" in de and "post-training" not in de


@pytest.mark.django_db
def test_the_check_button_reads_pruefen_in_german(client):
    """Needs the merged translations (msgstr "Prüfen" for msgid "Check")."""
    page = client.get(reverse("catalog:exercise"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert ">Prüfen</button>" in page and "Prüfung" not in page


# ---------------------------------------------------------------------------------------------
# Which model: the one a model page links, or the one a short name means


@pytest.mark.django_db
def test_try_the_exercise_opens_the_linked_model_not_the_last_one(client, web_showcase):
    from catalog.models import Exercise

    client.post(
        reverse("catalog:exercise_save"),
        {"model_name": "meta-llama/Meta-Llama-3-8B", "backbone": "my notes on the base"},
    )
    model_page = client.get("/models/meta-llama/Meta-Llama-3-8B-Instruct/").content.decode()
    link = reverse("catalog:exercise") + "?model=meta-llama/Meta-Llama-3-8B-Instruct"
    assert f'href="{link}"' in model_page
    page = client.get(link).content.decode()
    assert 'value="meta-llama/Meta-Llama-3-8B-Instruct"' in page
    assert "my notes on the base" not in page
    assert 'id="exercise-id" value="new:' in page
    # the first save starts a new table; the other model's table is left as it was
    client.post(
        reverse("catalog:exercise_save"),
        {
            "exercise_id": "new",
            "model_name": "meta-llama/Meta-Llama-3-8B-Instruct",
            "backbone": "32 layers",
        },
    )
    assert Exercise.objects.count() == 2
    base = Exercise.objects.get(model__repo_id="meta-llama/Meta-Llama-3-8B")
    assert base.rows["backbone"] == "my notes on the base"
    # the link again: this model's table, with its rows
    again = client.get(link).content.decode()
    assert "32 layers</textarea>" in again and 'value="new:' not in again


@pytest.mark.django_db
def test_a_short_name_resolves_to_the_one_model_it_names(client):
    from catalog.demo.closed import closed_models_load
    from catalog.models import Exercise

    closed_models_load()
    client.post(
        reverse("catalog:exercise_check"),
        {"model_name": "Claude", "backbone": "A dense transformer with GQA"},
    )
    exercise = Exercise.objects.get()
    assert exercise.model.repo_id == "anthropic/claude-opus-5"
    assert exercise.result["model_known"] is True
    page = client.get(reverse("catalog:exercise")).content.decode()
    assert "is not in the catalog" not in page
    assert "\u201cClaude\u201d is anthropic/claude-opus-5 in the catalog." in page
    # a display name, typed in any case, too
    client.post(reverse("catalog:exercise_new"))
    client.post(reverse("catalog:exercise_save"), {"model_name": "gemini 2.5 pro"})
    assert Exercise.objects.first().model.repo_id == "google/gemini-2.5-pro"


@pytest.mark.django_db
def test_a_name_matching_several_models_says_which(client, web_showcase):
    from catalog.models import Exercise

    client.post(
        reverse("catalog:exercise_check"), {"model_name": "Meta-Llama-3", "backbone": "GQA"}
    )
    exercise = Exercise.objects.get()
    assert exercise.model is None
    message = exercise.result["model_message"]
    assert "matches several catalog models" in message
    # the page offers each as a button: the message says pick (an API client types the ID)
    assert "Pick one of them (or type its ID)" in message
    assert "meta-llama/Meta-Llama-3-8B," in message and "Meta-Llama-3-8B-Instruct" in message
    page = client.get(reverse("catalog:exercise")).content.decode()
    assert "“Meta-Llama-3” matches several catalog models. Pick the one you mean:" in page
    assert 'name="pick" value="meta-llama/Meta-Llama-3-8B"' in page
    assert "is not in the catalog" not in page


@pytest.mark.django_db
def test_each_matching_model_is_a_button_that_picks_it(web_showcase):
    """The catalog models a typed name matches were named as plain text ("Type one of them"):
    each is now a button that sets the exercise's model (a CSRF-protected POST of the form,
    so the rows typed so far are saved with it)."""
    from django.test import Client

    from catalog.models import Exercise

    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("catalog:exercise")).content.decode()
    token = client.cookies["csrftoken"].value
    save_url = reverse("catalog:exercise_save")
    rows = {"model_name": "Meta-Llama-3", "backbone": "GQA", "csrfmiddlewaretoken": token}
    client.post(reverse("catalog:exercise_check"), rows)
    exercise = Exercise.objects.get()
    assert exercise.model is None
    page = client.get(reverse("catalog:exercise"), {"id": exercise.pk}).content.decode()
    buttons = re.findall(r'<button type="submit" form="exercise-form"[^>]*name="pick"[^>]*>', page)
    values = [re.search(r'value="([^"]+)"', b).group(1) for b in buttons]
    # under the model field only: the check's message names them, without a second set of
    # buttons (they were shown twice, there and under the message)
    assert len(values) == len(set(values)), values
    assert page.count('data-testid="model-candidates"') == 1
    assert page.index('data-testid="model-candidates"') < page.index('class="exercise-table"')
    assert "meta-llama/Meta-Llama-3-8B-Instruct" in values and len(values) >= 2
    assert all('formaction="/exercise/save/"' in b for b in buttons)
    form = re.search(
        r'<form method="post" action="/exercise/save/" id="exercise-form".*?</form>', page, re.S
    )
    assert 'name="csrfmiddlewaretoken"' in form.group(0)
    # without the CSRF token the pick is refused; a GET picks nothing
    picked = {"exercise_id": exercise.pk, "pick": "meta-llama/Meta-Llama-3-8B-Instruct"}
    assert client.post(save_url, {**picked, "backbone": "GQA"}).status_code == 403
    assert client.get(save_url, picked).status_code == 405
    # the page's own last seq: the rows were saved already, the pick is still taken
    posted = {**rows, **picked, "seq": str(exercise.rows_seq or 1)}
    answer = client.post(save_url, posted)
    assert answer.status_code == 303 and answer["Location"] == f"/exercise/?id={exercise.pk}"
    exercise.refresh_from_db()
    assert exercise.model.repo_id == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert exercise.model_name == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert exercise.rows["backbone"] == "GQA"
    page = client.get(answer["Location"]).content.decode()
    assert 'name="pick"' not in page and "matches several" not in page
    assert 'value="meta-llama/Meta-Llama-3-8B-Instruct"' in page  # the model field


def _new_id(client) -> str:
    page = client.get(reverse("catalog:exercise")).content.decode()
    return re.search(r'id="exercise-id" value="(new:[0-9a-f]{32})"', page).group(1)


@pytest.mark.django_db
def test_a_save_that_arrives_after_a_newer_check_does_not_write_over_it(client):
    """The race CI caught once: an autosave still on its way when Check is pressed reached the
    server second and wrote its older, emptier rows over the checked table."""
    from catalog.models import Exercise

    new_id = _new_id(client)
    save_url, check_url = reverse("catalog:exercise_save"), reverse("catalog:exercise_check")
    older = {"exercise_id": new_id, "seq": "1764460000000001", "model_name": "someone/model"}
    newer = {**older, "seq": "1764460000000003", "backbone": "32 layers, GQA", "product": "tools"}
    client.post(check_url, newer)  # Check: sent second, arrives first
    client.post(save_url, older, headers={"HX-Request": "true"})  # the autosave, late
    exercise = Exercise.objects.get()  # both named the same new table: one table, not two
    assert exercise.rows["backbone"] == "32 layers, GQA" and exercise.rows["product"] == "tools"
    assert exercise.rows_seq == 1764460000000003
    assert exercise.result["rows"]["backbone"]["text"] == "32 layers, GQA"
    # the same edit sent twice is written once; a newer one is written
    client.post(save_url, {**newer, "exercise_id": exercise.pk, "backbone": "changed?"})
    assert Exercise.objects.get().rows["backbone"] == "32 layers, GQA"
    client.post(save_url, {**newer, "exercise_id": exercise.pk, "seq": "1764460000000004"})
    later = {**newer, "exercise_id": exercise.pk, "seq": "1764460000000005", "backbone": "MLA"}
    client.post(save_url, later)
    assert Exercise.objects.get().rows["backbone"] == "MLA"
    # a form without the number (no JavaScript) is always written; a malformed one counts as none
    for seq in ("", "abc", "-5", "99999999999999999999", "١٢٣"):
        client.post(
            save_url, {"exercise_id": exercise.pk, "seq": seq, "backbone": f"no js [{seq}]"}
        )
        assert Exercise.objects.get().rows["backbone"] == f"no js [{seq}]"


@pytest.mark.django_db
def test_saves_naming_the_pages_new_table_reach_one_table(client):
    from catalog.models import Exercise

    first, second = _new_id(client), _new_id(client)
    assert first != second  # each page load names its own table
    save_url = reverse("catalog:exercise_save")
    for _ in range(3):
        client.post(save_url, {"exercise_id": first, "backbone": "dense"})
    assert Exercise.objects.count() == 1
    client.post(save_url, {"exercise_id": second, "backbone": "MoE"})
    assert sorted(e.rows["backbone"] for e in Exercise.objects.all()) == ["MoE", "dense"]
    # a malformed token still starts a table (as plain "new" does), and never another's
    client.post(save_url, {"exercise_id": "new:XYZ", "backbone": "odd"})
    assert Exercise.objects.count() == 3
    # another browser naming the same token gets its own table, not this one
    other = client.__class__()
    other.get(reverse("catalog:exercise"))
    other.post(save_url, {"exercise_id": first, "backbone": "theirs"})
    assert Exercise.objects.filter(rows__backbone="dense").count() == 1
    assert Exercise.objects.count() == 4
    # an id that is no id (a tampered page) keeps the rows too: a table of this session
    response = client.post(save_url, {"exercise_id": "newer", "backbone": "x"})
    assert response.status_code == 303
    assert Exercise.objects.filter(session_key=client.session.session_key, rows__backbone="x")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lang,one,two",
    [
        ("en", "1 phrase on the right axis", "2 phrases on the right axis"),
        ("de", "1 Aussage auf der richtigen Achse", "2 Aussagen auf der richtigen Achse"),
        ("ko", "올바른 축의 구절 1개", "올바른 축의 구절 2개"),
    ],
)
def test_the_score_line_says_one_phrase_in_the_singular(client, web_showcase, lang, one, two):
    """ "1 phrases on the right axis" / "1 Aussagen": the score line is a plural form now."""
    from catalog.models import Exercise

    rows = {"model_name": "meta-llama/Meta-Llama-3-8B-Instruct", "backbone": "GQA"}
    for row, text in ((one, rows), (two, {**rows, "post_training": "RLHF"})):
        client.post(reverse("catalog:exercise_save"), text)
        exercise = Exercise.objects.order_by("-pk").first()
        check = client.post(reverse("catalog:exercise_check"), {"exercise_id": exercise.pk, **text})
        page = client.get(check["Location"], HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert row in page, row


def _open(client, pk: int) -> dict[str, str]:
    """What one page (tab) of the exercise posts with each save: its table, token and base."""
    page = client.get(reverse("catalog:exercise"), {"id": pk}).content.decode()
    token = re.search(r'name="page" value="([0-9a-f]{32})"', page).group(1)
    base = re.search(r'name="base" id="exercise-base" value="(\d+)"', page).group(1)
    return {"exercise_id": str(pk), "page": token, "base": base, "model_name": "someone/model"}


@pytest.mark.django_db
def test_a_write_no_page_claims_is_not_written_over_by_a_page_that_has_not_seen_it(client):
    """A save without page and base (an API-like client, a page rendered before pages were
    named) left the stored writer as the last page that saved; that page's next save, based
    on the revision before it, passed as "its own" and wrote over it unseen. Now such a write
    belongs to no page: every page's next save must have seen it. A page that posts no base
    (a malformed form) is not told of another tab when only its own late save was dropped."""
    from catalog.models import Exercise

    save_url = reverse("catalog:exercise_save")
    htmx = {"HX-Request": "true"}
    client.post(save_url, {"model_name": "someone/model", "backbone": "dense"})
    pk = Exercise.objects.get().pk
    tab = _open(client, pk)
    mine = {**tab, "seq": "1764460000000001", "backbone": "tab: MoE"}
    assert "X-Exercise-Conflict" not in client.post(save_url, mine, headers=htmx)
    client.post(save_url, {"exercise_id": str(pk), "model_name": "someone/model",
                           "backbone": "client: hybrid"})  # fmt: skip
    assert Exercise.objects.get().rows["backbone"] == "client: hybrid"
    later = {**mine, "seq": "1764460000000002", "backbone": "tab: MoE, 64 experts"}
    answer = client.post(save_url, later, headers=htmx)
    assert answer["X-Exercise-Conflict"] == "1"
    assert Exercise.objects.get().rows["backbone"] == "client: hybrid"
    # a page without base: written in seq order as before; its own late save is no conflict
    other = {k: v for k, v in _open(client, pk).items() if k != "base"}
    newer = {**other, "seq": "1764460000000009", "backbone": "other: dense"}
    assert "X-Exercise-Conflict" not in client.post(save_url, newer, headers=htmx)
    late = {**other, "seq": "1764460000000008", "backbone": "other: late"}
    answer = client.post(save_url, late, headers=htmx)
    assert "X-Exercise-Conflict" not in answer and "Saved at" in answer.content.decode()
    assert Exercise.objects.get().rows["backbone"] == "other: dense"


@pytest.mark.django_db
def test_two_tabs_on_one_exercise_never_write_over_each_other_unasked(client):
    """Two tabs of one session, both editing: the second tab's save used to write its rows
    over the first's (same clock, newer seq) or be dropped (a slower clock) with "Saved at"
    either way. Now a save based on a revision another tab has since written is refused and
    the page says so; the reader picks: load the newer rows, or keep theirs and overwrite."""
    from catalog.models import Exercise

    save_url, check_url = reverse("catalog:exercise_save"), reverse("catalog:exercise_check")
    client.post(save_url, {"model_name": "someone/model", "backbone": "dense"})
    pk = Exercise.objects.get().pk
    tab_a, tab_b = _open(client, pk), _open(client, pk)
    htmx = {"HX-Request": "true"}
    a_rows = {**tab_a, "seq": "1764460000000001", "backbone": "A: MoE, 64 experts"}
    answer = client.post(save_url, a_rows, headers=htmx)
    assert "Saved at" in answer.content.decode() and "X-Exercise-Conflict" not in answer
    # tab B has not seen A's save; its clock runs ahead (a newer seq) and still it loses
    b_rows = {**tab_b, "seq": "1764469999999999", "backbone": "dense", "product": "B: tool use"}
    answer = client.post(save_url, b_rows, headers=htmx)
    body = answer.content.decode()
    assert answer.status_code == 200 and answer["X-Exercise-Conflict"] == "1"
    assert "changed in another tab or window" in body and "Saved at" not in body
    assert 'id="exercise-base"' not in body  # the page's base stays: the next save asks again
    stored = Exercise.objects.get()
    assert stored.rows["backbone"] == "A: MoE, 64 experts" and stored.rows["product"] == ""
    assert f'name="overwrite_rev" value="{stored.rows_rev}"' in body
    assert f'href="/exercise/?id={pk}"' in body  # "load the newer rows"
    # Check from tab B: nothing is checked and nothing written; the notice says why
    answer = client.post(check_url, b_rows, headers=htmx)
    assert "Not checked" in answer.content.decode() and answer["X-Exercise-Conflict"] == "1"
    assert Exercise.objects.get().result == {}

    # Without JavaScript: the page comes back (409) with B's rows in the form and the notice
    plain = {k: v for k, v in b_rows.items() if k != "seq"}
    answer = client.post(save_url, plain)
    page = answer.content.decode()
    assert answer.status_code == 409
    assert "B: tool use</textarea>" in page and "changed in another tab or window" in page
    assert f'name="base" id="exercise-base" value="{tab_b["base"]}"' in page
    assert Exercise.objects.get().rows == stored.rows
    # "Keep mine and overwrite" (the button's overwrite_rev): B's rows are written, 303
    answer = client.post(save_url, {**plain, "overwrite_rev": str(stored.rows_rev)})
    assert answer.status_code == 303
    stored = Exercise.objects.get()
    assert stored.rows["product"] == "B: tool use" and stored.rows["backbone"] == "dense"
    # tab A has not seen B's write: its next edit is refused too, not written over B's
    answer = client.post(save_url, {**a_rows, "seq": "1764460000000002"}, headers=htmx)
    assert answer["X-Exercise-Conflict"] == "1"
    assert Exercise.objects.get().rows["product"] == "B: tool use"
    # overwriting a revision that is no longer the stored one (a third write came in): refused
    stale = {**a_rows, "seq": "1764460000000003", "overwrite_rev": str(stored.rows_rev - 1)}
    assert client.post(save_url, stale, headers=htmx)["X-Exercise-Conflict"] == "1"
    # a tab opened now has seen B's rows: it saves, and its own late save stays dropped quietly
    tab_c = {**_open(client, pk), "product": "B: tool use"}
    c_new = {**tab_c, "seq": "1764460000000009", "inference": "C: vLLM"}
    c_late = {**tab_c, "seq": "1764460000000008", "inference": "C: older"}
    assert "X-Exercise-Conflict" not in client.post(check_url, c_new, headers=htmx)
    answer = client.post(save_url, c_late, headers=htmx)
    assert "X-Exercise-Conflict" not in answer and "Saved at" in answer.content.decode()
    stored = Exercise.objects.get()
    assert stored.rows["inference"] == "C: vLLM" and stored.rows["product"] == "B: tool use"
    assert stored.result["rows"]["inference"]["text"] == "C: vLLM"


GPT5_APP = web_fact(
    "product",
    "product.agent",
    "ChatGPT: the chat app on the web, iOS and Android routes between a fast and a deep model",
    source="https://openai.com/index/introducing-gpt-5/",
    locator="published source",
    text="GPT-5 is available in the ChatGPT app for all users on web, iOS and Android.",
)
CLAUDE_CHROME = web_fact(
    "product",
    "product.agent",
    "Claude in Chrome: the browser extension navigates sites and fills forms",
    source="https://docs.anthropic.com/",
    locator="published source",
    text="Claude in Chrome navigates websites, fills forms and completes tasks in your browser.",
)


@pytest.mark.parametrize(
    "phrase,facts,model,support,missing",
    [
        # another vendor's product: shared generic words ("chat", "app") backed it before
        ("Claude.ai chat app", [GPT5_APP], "openai/gpt-5", "not_found", ["Claude.ai"]),
        ("the Gemini app on Android", [GPT5_APP], "openai/gpt-5", "not_found", ["Gemini"]),
        # generic words alone back nothing
        ("a mobile chat app for users", [GPT5_APP], "openai/gpt-5", "not_found", []),
        # the model's own name is in all its facts: no evidence that Claude Code is one of them
        ("Claude Code", [CLAUDE_CHROME], "anthropic/claude-opus-5", "not_found", []),
        # genuine paraphrases are still backed
        ("the ChatGPT app", [GPT5_APP], "openai/gpt-5", "sourced", []),
        ("GPT-5 in the ChatGPT chat app on iOS", [GPT5_APP], "openai/gpt-5", "sourced", []),
        ("ChatGPT 앱에서 iOS와 Android로", [GPT5_APP], "openai/gpt-5", "sourced", []),
        ("routes between a fast and a deep model", [GPT5_APP], "openai/gpt-5", "sourced", []),
        ("Claude fills forms in Chrome", [CLAUDE_CHROME], "anthropic/claude-opus-5", "sourced", []),
        ("a browser extension", [CLAUDE_CHROME], "anthropic/claude-opus-5", "sourced", []),
        # a vendor's other name is the model's own: Meta's assistant for Llama
        (
            "the Meta AI assistant in WhatsApp",
            [web_fact("product", "product.agent", "Llama powers Meta AI in WhatsApp")],
            "meta-llama/Llama-3.1-8B",
            "sourced",
            [],
        ),
    ],
)
def test_word_overlap_backs_a_phrase_only_with_telling_words(
    phrase, facts, model, support, missing
):
    """ "Claude.ai chat app" written for GPT-5 was "backed by a source": half its words
    ("chat", "app") were in GPT-5's app fact. Generic words and the model's own name are no
    evidence, and another vendor's product name is what was not found."""
    from axes.exercise import phrase_support

    got = phrase_support(phrase, facts, model_name=model)
    assert got["support"] == support, got
    assert (got.get("missing") or []) == missing


R1_SYSTEM_PROMPT = web_fact(
    "product",
    "product.system_prompt",
    "Avoid adding a system prompt; put all instructions in the user prompt.",
    source="README.md",
    text="Avoid adding a system prompt; put all instructions in the user prompt.",
)


@pytest.mark.parametrize(
    "phrase,support",
    [
        ("no system prompt", "sourced"),
        # German writes the compound with a hyphen: it was one word that matched nothing
        ("Kein System-Prompt", "sourced"),
        ("System-Prompt vermeiden", "sourced"),
        ("Anweisungen in den User-Prompt", "sourced"),
        ("Tool-Use mit Websuche", "not_found"),  # parts still have to be shared
    ],
)
def test_a_hyphenated_compound_is_matched_by_its_parts(phrase, support):
    """A German learner's "Kein System-Prompt" for DeepSeek-R1 was "not found" beside the
    card's "Avoid adding a system prompt", which backs "no system prompt"."""
    from axes.exercise import phrase_support

    got = phrase_support(phrase, [R1_SYSTEM_PROMPT], model_name="deepseek-ai/DeepSeek-R1")
    assert got["support"] == support, got


@pytest.mark.django_db
def test_the_check_of_gpt5_no_longer_backs_a_claude_product_row(client):
    """Through the page: GPT-5's product row names Claude.ai's app; the check says not found,
    naming Claude.ai, while the ChatGPT app is backed."""
    from catalog.models import CatalogModel, Exercise, Revision

    model = CatalogModel.objects.create(repo_id="openai/gpt-5", display_name="GPT-5")
    model.latest_revision = Revision.objects.create(
        model=model, sha="demo", analysis={"facts": [GPT5_APP]}
    )
    model.save()
    check = reverse("catalog:exercise_check")
    client.post(check, {"model_name": "openai/gpt-5", "product": "The ChatGPT app."})
    (chatgpt,) = Exercise.objects.get().result["rows"]["product"]["phrases"]
    assert chatgpt["support"] == "sourced"
    client.post(check, {"model_name": "openai/gpt-5", "product": "Claude.ai chat app"})
    (claude,) = Exercise.objects.get().result["rows"]["product"]["phrases"]
    assert claude["support"] == "not_found" and claude["support_missing"] == ["Claude.ai"]
    page = client.get(reverse("catalog:exercise")).content.decode()
    assert "not found: “Claude.ai”" in page


@pytest.mark.django_db
def test_the_model_note_is_sent_again_only_when_the_save_changed_the_name(client, web_showcase):
    """Every autosave's answer carried the note under the Model field (out of band), and looked
    the name's matches up twice for it: a screen reader read the note (role=status) out again
    at each keystroke's save, names and all. It comes with a save that changed the name or the
    model only, its matches looked up once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.views_exercise import model_match

    def lookups(queries) -> int:
        return sum(1 for q in queries if 'FROM "catalog_catalogmodel"' in q["sql"])

    with CaptureQueriesContext(connection) as one:
        assert len(model_match("Meta-Llama-3").candidates) > 1
    save = reverse("catalog:exercise_save")
    hx = {"HTTP_HX_REQUEST": "true"}
    with CaptureQueriesContext(connection) as named:
        first = client.post(save, {"model_name": "Meta-Llama-3", "backbone": "GQA"}, **hx)
    note = 'id="model-note" hx-swap-oob="true"'
    assert note in first.content.decode()
    assert "matches several catalog models" in first.content.decode()
    assert lookups(named.captured_queries) == lookups(one.captured_queries)  # once, not twice
    with CaptureQueriesContext(connection) as rows_only:
        again = client.post(save, {"model_name": "Meta-Llama-3", "backbone": "GQA, RoPE"}, **hx)
    assert "Saved at" in again.content.decode()
    assert 'id="model-note"' not in again.content.decode()
    # an unknown name is looked up again (a model may have been ingested since), once
    assert lookups(rows_only.captured_queries) == lookups(one.captured_queries)
    picked = client.post(
        save, {"model_name": "Meta-Llama-3-8B-Instruct", "backbone": "GQA, RoPE"}, **hx
    ).content.decode()
    assert note in picked and "is meta-llama/Meta-Llama-3-8B-Instruct in the catalog" in picked
    typed = client.post(
        save, {"model_name": "Meta-Llama-3-8B-Instruct", "backbone": "GQA, RoPE, 8B"}, **hx
    ).content.decode()
    assert 'id="model-note"' not in typed


@pytest.mark.django_db
def test_a_guess_among_the_files_say_facts_is_marked_with_its_confidence(client):
    """The check's "The model's files say" listed Llama 3.1 8B Instruct's card line "The
    instruction-tuned Llama 3.1 8B." (placed on post-training at 18%) like a sourced fact; the
    model page folds such lines apart as guesses. Here it is marked as one, with its
    confidence, in the page's language."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    post = {"model_name": "meta-llama/Llama-3.1-8B-Instruct", "post_training": "SFT and DPO"}
    for lang, word in (("en", "guess"), ("ko", "추측"), ("de", "Vermutung")):
        html = client.post(
            reverse("catalog:exercise_check"), post, HTTP_ACCEPT_LANGUAGE=lang, follow=True
        ).content.decode()
        said = html[html.index('id="result"') :]
        item = said[: said.index('<span class="fact-value">The instruction-tuned Llama 3.1 8B.')]
        item = item[item.rindex("<li") :]
        assert "fact-guess" in item and 'data-testid="guess"' in item, item
        assert f'>{word} <span class="conf conf-low">18%</span>' in item, (lang, item)
        sure = said[: said.index('<span class="fact-value">Tuned with supervised fine-tuning')]
        assert "fact-guess" not in sure[sure.rindex("<li") :]


@pytest.mark.django_db
def test_the_vaguest_sentence_names_the_catalog_model_the_typed_name_matched(client):
    """ "claude opus" matched Claude Opus 5, but the vaguest-axis sentence said "the vendor of
    claude opus": the page, the stored result and the export name the catalog's model."""
    from catalog.demo.closed import closed_models_load
    from catalog.models import Exercise

    closed_models_load()
    client.post(
        reverse("catalog:exercise_check"),
        {"model_name": "claude opus", "backbone": "A dense transformer with GQA"},
    )
    exercise = Exercise.objects.get()
    assert exercise.model.repo_id == "anthropic/claude-opus-5"
    assert "Claude Opus 5" in exercise.result["vaguest_reason"]
    page = client.get(reverse("catalog:exercise")).content.decode()
    sentence = page[page.index('data-testid="vaguest"') :].split("</div>")[0]
    assert "Claude Opus 5" in sentence and "claude opus" not in sentence, sentence
    export = client.get(reverse("catalog:exercise_export", args=[exercise.pk])).content.decode()
    (line,) = [x for x in export.splitlines() if "vaguest" in x.lower() and "**" in x]
    assert "Claude Opus 5" in line and "claude opus" not in line, line
