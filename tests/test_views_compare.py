"""Compare page: side-by-side axes, normalized config diff, exports, unknown IDs, query count."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from conftest import web_analysis, web_fact

pytestmark = pytest.mark.django_db

SHOWCASE = "/compare/?models=meta-llama/Meta-Llama-3-8B,nvidia/Nemotron-H-8B-Base-8K"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_compare_showcase_has_both_strips_and_highlights(client, web_showcase):
    response = client.get(SHOWCASE)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="layer-strip"') == 2
    assert html.count('class="layer"') == 32 + web_showcase["nemo_layers"]
    assert "b-mamba" in html and "b-attention" in html
    assert 'class="differs"' in html  # decoder type dense vs hybrid
    assert "Normalized config diff" in html
    assert 'data-chart="chart-memory"' in html
    assert "?models=meta-llama/Meta-Llama-3-8B,nvidia/Nemotron-H-8B-Base-8K&amp;format=csv" in html


def test_compare_unknown_ids_are_reported_and_rest_kept(client, web_showcase):
    html = client.get(
        "/compare/?models=meta-llama/Meta-Llama-3-8B,nobody/nothing,<script>x</script>"
    ).content.decode()
    assert "Not in the catalog: nobody/nothing. Check the spelling" in html
    assert "paste the ID on the home page" in html  # one model: singular
    assert "Not a model ID: &lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x</script>" not in html
    assert html.count('class="layer-strip"') == 1


def test_compare_one_model_or_none_known_says_what_to_do(client, web_showcase):
    one = client.get("/compare/?models=meta-llama/Meta-Llama-3-8B").content.decode()
    assert "Add a second model to compare with meta-llama/Meta-Llama-3-8B" in one
    none = client.get("/compare/?models=nobody/nothing,!!!,acme/else").content.decode()
    assert "Not in the catalog: nobody/nothing, acme/else" in none
    assert "paste the IDs on the home page to fetch them" in none
    assert "Not a model ID: !!!" in none  # malformed is not "not in the catalog"
    assert "compared below" not in none and "Check the spelling" in none
    two = client.get(
        "/compare/?models=meta-llama/Meta-Llama-3-8B,nvidia/Nemotron-H-8B-Base-8K"
    ).content.decode()
    assert "Add a second model" not in two


def test_compare_resolves_any_casing_and_hub_urls(client, web_showcase):
    """The page resolves IDs as the home page, the CLI and the API do: any casing, Hub URLs,
    the catalog's spelling."""
    html = client.get(
        "/compare/?models=META-LLAMA/meta-llama-3-8b,"
        "https://huggingface.co/nvidia/nemotron-h-8b-base-8k"
    ).content.decode()
    assert "Not in the catalog" not in html and "Not a model ID" not in html
    assert html.count('class="layer-strip"') == 2
    assert "?models=meta-llama/Meta-Llama-3-8B,nvidia/Nemotron-H-8B-Base-8K&amp;format=csv" in html


def test_compare_three_models_links_each_pair_for_the_verdict(client, web_showcase):
    two = client.get(SHOWCASE).content.decode()
    assert 'data-testid="verdict"' in two and 'data-testid="verdict-pairs"' not in two
    three = client.get(
        "/compare/?models=meta-llama/Meta-Llama-3-8B,nvidia/Nemotron-H-8B-Base-8K,"
        "meta-llama/Meta-Llama-3-8B-Instruct"
    ).content.decode()
    assert 'data-testid="verdict"' not in three
    pairs = three.split('data-testid="verdict-pairs"')[1].split("</p>")[0]
    assert "compares two models at a time" in pairs
    assert pairs.count("<a ") == 2
    assert (
        '?models=meta-llama/Meta-Llama-3-8B%2Cmeta-llama/Meta-Llama-3-8B-Instruct">'
        "meta-llama/Meta-Llama-3-8B vs meta-llama/Meta-Llama-3-8B-Instruct</a>" in pairs
    )
    pair = client.get(
        "/compare/?models=meta-llama/Meta-Llama-3-8B,meta-llama/Meta-Llama-3-8B-Instruct"
    ).content.decode()
    assert 'data-testid="verdict"' in pair


def test_compare_empty_shows_suggestions(client, db):
    html = client.get("/compare/").content.decode()
    assert "DeepSeek-V3 vs DeepSeek-R1" in html


def test_compare_csv_export(client, web_showcase):
    response = client.get(SHOWCASE + "&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.csv"')
    # a UTF-8 byte-order mark first, so that spreadsheet programs read the file as UTF-8
    assert response.content.startswith(b"\xef\xbb\xbfsection,")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0].keys() >= {
        "section",
        "axis",
        "item",
        "differs",
        "meta-llama/Meta-Llama-3-8B",
        "nvidia/Nemotron-H-8B-Base-8K",
    }
    decoder = next(r for r in rows if r["item"] == "decoder_type")
    assert decoder["meta-llama/Meta-Llama-3-8B"] == "dense"
    assert decoder["nvidia/Nemotron-H-8B-Base-8K"] == "hybrid"
    assert decoder["differs"] == "True"
    assert any(r["section"] == "config" for r in rows)
    # byte counts are whole numbers, not floats ("16060522496.0")
    numbers = [r["meta-llama/Meta-Llama-3-8B"] for r in rows if r["section"] == "headline"]
    assert "16060522496" in numbers and not any(n.endswith(".0") for n in numbers)


def test_compare_json_export(client, web_showcase):
    response = client.get(SHOWCASE + "&format=json")
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].endswith('.json"')
    records = json.loads(response.content)
    total = next(r for r in records if r["item"] == "params_total")
    assert total["meta-llama/Meta-Llama-3-8B"] == 8030261248  # a number, not text
    # structured values are JSON, not text holding JSON ("[\"LlamaForCausalLM\"]")
    archs = next(r for r in records if r["item"] == "architectures")
    assert archs["meta-llama/Meta-Llama-3-8B"] == ["LlamaForCausalLM"]
    facts = [r for r in records if r["section"] == "facts"]
    context = next(r for r in facts if r["item"] == "backbone.context_length")
    assert context["meta-llama/Meta-Llama-3-8B"] == 8192  # the fact's number, not "8192"
    # the CSV still writes them as their canonical text, one cell each
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(SHOWCASE + "&format=csv").content.decode("utf-8-sig"))
        )
    )
    archs = next(r for r in rows if r["item"] == "architectures")
    assert archs["meta-llama/Meta-Llama-3-8B"] == '["LlamaForCausalLM"]'


def test_normalized_diff_puts_one_concept_on_one_row(client, web_showcase):
    """Llama and Nemotron-H name keys differently; the normalized rows are shared concepts."""
    from catalog.views_compare import comparison_build

    data = comparison_build(["meta-llama/Meta-Llama-3-8B", "nvidia/Nemotron-H-8B-Base-8K"])
    keys = [row["key"] for row in data["config_diff"]]
    assert keys, "no normalized config rows"
    assert len(keys) == len(set(keys))
    both = [row for row in data["config_diff"] if all(v is not None for v in row["values"])]
    assert both, "no concept present in both families"


def _many(web_model, n: int, facts: int) -> list[str]:
    ids = []
    for i in range(n):
        repo = f"org/m{i}"
        web_model(
            repo,
            analysis=web_analysis(
                layers=["attention"] * 4,
                total=10**9 + i,
                facts=[web_fact("backbone", "backbone.family", f"f{j}") for j in range(facts)],
            ),
            config={"model_type": "llama", "hidden_size": 64 * (i + 1), "num_hidden_layers": 4},
        )
        ids.append(repo)
    return ids


# the models with their revisions, their config artifacts, the datalist of catalog IDs
COMPARE_QUERIES = 3


@pytest.mark.parametrize("n_models,n_facts", [(2, 2), (4, 20)])
def test_compare_query_count_is_constant(
    client, web_model, django_assert_num_queries, n_models, n_facts
):
    ids = _many(web_model, n_models, n_facts)
    url = "/compare/?models=" + ",".join(ids)
    client.get(url)
    with django_assert_num_queries(COMPARE_QUERIES):
        assert client.get(url).status_code == 200


def test_verdict_backbone_differences_read_as_layer_summaries(client, web_showcase):
    html = client.get(SHOWCASE).content.decode()
    verdict = html[html.index('data-testid="verdict"') :]
    verdict = verdict[: verdict.index("</section>")]
    # a normalized-spec key is a config name: shown as written, its full id on hover
    assert (
        'title="spec.layer_pattern" data-kind="spec.layer_pattern">layer_pattern</strong>'
        in verdict
    )
    assert "32 GQA · 32 MLP" in verdict and "Mamba-2" in verdict
    assert "mixer" not in verdict  # no per-layer dicts
    assert "expert_gated" not in verdict  # a router flag means nothing next to a dense model


@pytest.mark.django_db
def test_same_backbone_means_no_backbone_row_marked_different():
    """DeepSeek-V3 vs R1 (the first lesson): the verdict says the backbone is the same, so no
    backbone row may be marked ≠ because one card restates a figure the config gives. And a
    closed model's missing figures are unknown, not different."""
    from django.core.management import call_command

    from catalog.views_compare import comparison_build

    call_command("load_demo", verbosity=0)
    data = comparison_build(["deepseek-ai/DeepSeek-V3", "deepseek-ai/DeepSeek-R1"])
    assert data["axes_verdict"]["axes"]["backbone"]["verdict"] == "same"
    assert [r["kind"] for r in data["axes"]["backbone"] if r["differs"]] == []
    assert not any(r["differs"] for r in data["headline"])
    closed = comparison_build(["meta-llama/Llama-3.1-8B", "openai/gpt-5"])
    assert not any(r["differs"] for r in closed["headline"])


def test_exports_carry_the_verdict(client, web_showcase):
    """The page's main result, the per-axis verdict with its sentence and why, is in both
    exports: CSV rows with section "verdict" (state in "verdict", reason in "why")."""
    from catalog.views_compare import comparison_build

    verdict = comparison_build(["meta-llama/Meta-Llama-3-8B", "nvidia/Nemotron-H-8B-Base-8K"])[
        "axes_verdict"
    ]
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(SHOWCASE + "&format=csv").content.decode("utf-8-sig"))
        )
    )
    ours = [r for r in rows if r["section"] == "verdict"]
    assert ours[0]["item"] == "sentence" and ours[0]["why"] == verdict["sentence"]
    states = {r["axis"]: r for r in ours if r["item"] == "verdict"}
    assert set(states) == {"backbone", "post_training", "inference", "product"}
    for axis, row in states.items():
        assert row["verdict"] == verdict["axes"][axis]["verdict"]
        assert row["why"].startswith(verdict["axes"][axis]["reason"])
    assert states["backbone"]["verdict"] == "differs" and states["backbone"]["differs"] == "True"
    layers = next(r for r in ours if r["item"] == "spec.layer_pattern")
    assert layers["meta-llama/Meta-Llama-3-8B"] == "32 GQA · 32 MLP"
    assert "Mamba-2" in layers["nvidia/Nemotron-H-8B-Base-8K"]

    records = json.loads(client.get(SHOWCASE + "&format=json").content)
    by_axis = {
        r["axis"]: r for r in records if r["section"] == "verdict" and r["item"] == "verdict"
    }
    assert by_axis["backbone"]["verdict"] == "differs" and by_axis["backbone"]["differs"] is True
    unknown = [r for r in by_axis.values() if r["verdict"] in ("unknown", "undisclosed")]
    assert unknown and all(r["differs"] is None for r in unknown)  # neither true nor false
    assert next(r for r in records if r["item"] == "sentence")["why"] == verdict["sentence"]


# ---------------------------------------------------------------------------------------------
# Review of the showcase (Llama 3 vs Nemotron-H): the verdict, the table and the figures agree

LLAMA31_NEMOTRON = "/compare/?models=meta-llama/Llama-3.1-8B,nvidia/Nemotron-H-8B-Base-8K"


@pytest.fixture
def demo(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)


def _section(html: str, start: str, end: str = "</section>") -> str:
    part = html[html.index(start) :]
    return part[: part.index(end)]


def test_two_base_models_do_not_differ_in_post_training(client, demo):
    """Llama 3.1 8B and Nemotron-H-8B-Base ("Base model, pretrained only") are both base
    models, but the Llama card's "Pretrained Llama 3.1 base." is a 15% guess of the classifier:
    it decides nothing, so post-training is not a difference, and not "same" either (nothing
    confident is stated for both); the guess is shown beside Nemotron's stage, marked."""
    from catalog.views_compare import comparison_build

    data = comparison_build(["meta-llama/Llama-3.1-8B", "nvidia/Nemotron-H-8B-Base-8K"])
    post = data["axes_verdict"]["axes"]["post_training"]
    assert post["verdict"] == "unknown" and post["unshared"], post
    stage = next(d for d in post["differences"] if d["kind"] == "post_training.stage")
    assert stage["not_counted"] == "guess" and stage["a"]["value"] == "Pretrained Llama 3.1 base."
    sentence = data["axes_verdict"]["sentence"]
    assert sentence.startswith(
        "These two differ in backbone; post-training cannot be compared: no fact is stated for both"
    )

    html = client.get(LLAMA31_NEMOTRON).content.decode()
    verdict = _section(html, 'data-testid="verdict"')
    assert 'data-axis="post_training" data-verdict="unknown"' in verdict
    assert "are listed but do not decide the verdict" in verdict
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(LLAMA31_NEMOTRON + "&format=csv").content.decode("utf-8-sig"))
        )
    )
    row = next(r for r in rows if r["item"] == "post_training.stage")
    assert row["differs"] == "" and row["why"] == "guess 15%: does not decide the verdict"


@pytest.mark.parametrize(
    "pair",
    [
        ("meta-llama/Meta-Llama-3-8B", "nvidia/Nemotron-H-8B-Base-8K"),
        ("meta-llama/Llama-3.1-8B", "nvidia/Nemotron-H-8B-Base-8K"),
        ("meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B-Instruct"),
        ("deepseek-ai/DeepSeek-V3", "deepseek-ai/DeepSeek-R1"),
    ],
)
def test_side_by_side_rows_and_the_verdict_agree(client, demo, pair):
    """A kind both models state is marked ≠ in the table exactly when the verdict lists it as
    a difference (one notion of equality: axes.verdict.facts_agree)."""
    from catalog.views_compare import comparison_build

    data = comparison_build(list(pair))
    verdict = data["axes_verdict"]["axes"]
    for axis in ("post_training", "inference", "product"):
        listed = {d["kind"] for d in verdict[axis]["differences"] if d["stated_by"] == "both"}
        for row in data["axes"][axis]:
            if all(row["cells"]):
                assert row["differs"] == (row["kind"] in listed), (axis, row["kind"])


def test_showcase_stage_row_is_not_marked_when_the_verdict_says_same(client, demo):
    html = client.get(SHOWCASE).content.decode()
    verdict = _section(html, 'data-testid="verdict"')
    assert 'data-axis="post_training" data-verdict="same"' in verdict
    axes = _section(html, 'id="axes-h"')
    stage = axes[axes.index('data-kind="post_training.stage"') :]
    stage = stage[: stage.index("</th>")]
    assert "diff-mark" not in stage, stage


def test_headline_adds_the_recurrent_state_and_the_cache_at_the_context(client, demo):
    """Nemotron-H's 16 KiB of KV cache per token is not all it keeps: 97.88 MiB of Mamba
    state per sequence, as on its model page. Both, and their sum at the compared context."""
    from catalog.views_compare import comparison_build

    data = comparison_build(["meta-llama/Meta-Llama-3-8B", "nvidia/Nemotron-H-8B-Base-8K"])
    rows = {r["key"]: r for r in data["headline"]}
    assert data["context_tokens"] == 8192  # both read 8K tokens
    assert rows["state_bytes_per_sequence"]["values"] == [0, 102_629_376]
    llama, nemo = rows["cache_bytes_at_context"]["values"]
    assert llama == 8192 * 131072  # 1 GiB: KV only
    assert nemo == 8192 * 16384 + 102_629_376  # KV + state: 225.88 MiB, not 128 MiB
    assert rows["cache_bytes_at_context"]["differs"]

    html = client.get(SHOWCASE).content.decode()
    head = _section(html, 'id="head-h"')
    assert "Recurrent state per sequence" in head and "97.88 MiB" in head
    assert "KV cache + recurrent state at 8K tokens, one sequence" in head
    assert "225.88 MiB" in head and "1.00 GiB" in head
    # the three formats the model page shows, fp8 between bf16 and int4
    assert head.index("Weights at bf16") < head.index("Weights at fp8") < head.index("at int4")
    fp8 = head[head.index("Weights at fp8") :].split("</tr>")[0]
    assert "GiB" in fp8 and fp8.count("<td data-label=") == 2
    smaller = _section(client.get(SHOWCASE + "&context=4096").content.decode(), 'id="head-h"')
    assert "KV cache + recurrent state at 4K tokens, one sequence" in smaller
    assert "161.88 MiB" in smaller  # 4096 x 16 KiB + 97.88 MiB

    records = json.loads(client.get(SHOWCASE + "&format=json").content)
    context = next(r for r in records if r["item"] == "context_tokens")
    assert context["nvidia/Nemotron-H-8B-Base-8K"] == 8192
    cache = next(r for r in records if r["item"] == "cache_bytes_at_context")
    assert cache["nvidia/Nemotron-H-8B-Base-8K"] == nemo


def _roofline_cell(html: str, gpu: str, *, compare: bool) -> str:
    figure = html[html.index('data-chart="chart-roofline"') :]
    head = f"<code>{gpu}</code></th>" if compare else f'<th scope="row">{gpu}</th>'
    cell = figure[figure.index(head) + len(head) :]
    return cell[cell.index(">") + 1 : cell.index("</td>")].strip()


def test_roofline_and_memory_say_their_context_and_batch_and_follow_the_choice(client, demo):
    """The compare roofline is figured at the context the page names (batch 1): by default the
    shortest native window of the models (8K here), at ?context=32768 the model page's own
    figure at 32K; the memory chart marks the same context."""
    html = client.get(LLAMA31_NEMOTRON).content.decode()
    assert "Batch 1 at 8K tokens of context" in _section(html, 'id="charts-h"')
    assert "the dotted line marks 8K tokens" in html
    assert "for one sequence (batch 1) at 8K tokens of context" in html
    at_8k = _roofline_cell(html, "H100-SXM", compare=True)

    wide = client.get(LLAMA31_NEMOTRON + "&context=32768").content.decode()
    assert "Batch 1 at 32K tokens of context" in wide
    assert 'value="32768" selected' in wide
    # Nemotron-H reads 8K tokens: past its window the figures are arithmetic only
    assert "Base-8K: past the model's 8K-token window" in _section(wide, 'id="head-h"')
    llama_page = client.get("/models/meta-llama/Llama-3.1-8B/?context=32768").content.decode()
    at_32k = _roofline_cell(wide, "H100-SXM", compare=True)
    assert at_32k == _roofline_cell(llama_page, "H100-SXM", compare=False)
    assert at_32k != at_8k
    # the GPU form and the exports keep the chosen context
    assert 'name="context" value="32768"' in wide
    assert "format=csv&amp;context=32768" in wide


def test_config_rows_hide_what_a_model_does_not_have(client, demo):
    """No experts: no expert flags; no SSM layers: no SSM details; no internal or empty rows;
    one row per concept (experts_per_token, not also num_experts_per_token)."""
    from catalog.views_compare import comparison_build

    data = comparison_build(["meta-llama/Meta-Llama-3-8B", "nvidia/Nemotron-H-8B-Base-8K"])
    rows = {r["key"]: r["values"] for r in data["config_diff"]}
    for hidden in (
        "expert_gated",
        "shared_expert_gated",
        "experts_per_token",
        "num_experts_per_token",
        "mtp_block_types",
        "notes",
        "estimated",
        "q_lora_rank",
    ):
        assert hidden not in rows, hidden
    assert rows["ssm_conv_bias"] == [None, True]  # Llama has no SSM layers: "—"
    assert rows["ssm_state_size"] == [None, 128]
    assert rows["num_experts"] == [0, 0]  # the part's presence stays
    html = client.get(SHOWCASE).content.decode()
    config = _section(html, 'id="diff-h"')
    assert "<code>expert_gated</code>" not in config and "<code>notes</code>" not in config

    moe = comparison_build(["Qwen/Qwen3-30B-A3B", "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B"])
    keys = [r["key"] for r in moe["config_diff"]]
    rows = {r["key"]: r["values"] for r in moe["config_diff"]}
    assert rows["expert_gated"] == [True, False]  # both have experts: a real difference
    assert keys.count("experts_per_token") == 1 and "num_experts_per_token" not in keys
    assert rows["ssm_state_size"] == [None, 128]


def test_a_part_only_one_model_has_differs_and_the_other_reads_none(client, demo):
    """Llama 3.1 8B's config has no SSM and Nemotron-H's has Mamba-2 layers: the SSM row is a
    difference, and Llama's cell says it has none (its config was analyzed), not "—"; a row
    whose kind a model's config cannot state (a card fact) stays unknown for the other."""
    from catalog.views_compare import comparison_build

    data = comparison_build(["meta-llama/Llama-3.1-8B", "nvidia/Nemotron-H-8B-Base-8K"])
    ssm = next(r for r in data["axes"]["backbone"] if r["kind"] == "backbone.ssm")
    assert ssm["differs"] is True
    assert [none for _cell, none in ssm["columns"]] == [True, False]
    continued = next(
        r for r in data["axes"]["post_training"] if r["kind"] == "post_training.continued"
    )
    assert continued["differs"] is False and not any(none for _c, none in continued["columns"])
    html = client.get(LLAMA31_NEMOTRON).content.decode()
    axes = _section(html, 'id="axes-h"')
    row = axes[axes.index("backbone.ssm") :].split("</tr>")[0]
    assert 'data-testid="part-absent"' in row and "none (config.json has no such part)" in row
    german = client.get(LLAMA31_NEMOTRON, {"lang": "de"}).content.decode()
    assert "none (config.json has no such part)" not in german


def test_the_compare_roofline_says_which_models_do_not_fit_in_its_table_and_under_it(
    client, web_model
):
    """The model page said which roofline bars are for a GPU the model does not fit on; the
    compare page only hatched them, its table listed Mixtral's 112 tokens/s on an 80 GB H100
    as if reached, and nothing said what hatched means. Mixtral-8x7B (87 GiB in bf16) fits on
    the H200 alone; Llama-3.1-8B fits on all of them at 32K."""
    from tests.conftest import _web_shared_config, web_report

    for repo, folder in (
        ("mistralai/Mixtral-8x7B-v0.1", "mistralai--Mixtral-8x7B-v0.1"),
        ("meta-llama/Llama-3.1-8B", "meta-llama--Llama-3.1-8B"),
    ):
        config = _web_shared_config(folder)
        web_model(repo, analysis=web_report(config, []), config=config)
    html = client.get(
        "/compare/?models=mistralai/Mixtral-8x7B-v0.1,meta-llama/Llama-3.1-8B"
    ).content.decode()
    figure = html[html.index('data-chart="chart-roofline"') :]
    note = figure.split('data-testid="roofline-unfit">')[1].split("</p>")[0]
    assert "Hatched: the model does not fit on that GPU" in note
    assert "mistralai/Mixtral-8x7B-v0.1 does not fit on 6 GPUs of the table." in note
    assert "Llama-3.1-8B" not in note

    def cells(gpu: str) -> list[str]:
        row = figure[figure.index(f"<code>{gpu}</code></th>") :].split("</tr>")[0]
        return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)

    mixtral, llama = cells("H100-SXM")
    assert "(does not fit)" in mixtral and "does not fit" not in llama
    assert all("does not fit" not in c for c in cells("H200"))


def _chart(html: str, chart_id: str) -> dict:
    raw = re.search(rf'<script type="application/json" id="{chart_id}">(.*?)</script>', html, re.S)
    assert raw, f"no {chart_id} on the page"
    return json.loads(raw.group(1))


def test_the_showcase_draws_the_kv_cache_without_the_weights(client, demo):
    """The memory chart draws weights + KV cache on the GPU's 80 GB axis: Llama 3 8B's 1 GiB
    of KV at 8K and Nemotron-H's 226 MiB sat on ~15 GiB of weights as one line, so the
    showcase's point (a hybrid keeps a fraction of the cache) was only in a table. A chart of
    the cache and recurrent state alone shows it, with its table."""
    html = client.get(SHOWCASE).content.decode()
    figure = _chart(html, "chart-cache")
    lines = {t["name"]: dict(zip(t["x"], t["y"], strict=True)) for t in figure["data"]}
    assert figure["layout"]["yaxis"]["title"]["text"] == "GiB"
    assert lines["meta-llama/Meta-Llama-3-8B"][8192] == 1.0  # 8192 x 128 KiB
    nemo = lines["nvidia/Nemotron-H-8B-Base-8K"]
    assert nemo[8192] == (8192 * 16384 + 102_629_376) / 1024**3  # KV + Mamba state
    assert nemo[1024] > 102_629_376 / 1024**3  # the state is there from the first token
    # the weights are not in it: the memory chart's curves are ~15 GiB higher
    memory = _chart(html, "chart-memory")
    assert min(min(t["y"]) for t in memory["data"]) > 14
    card = html[html.index('data-testid="cache-card"') :]
    card = card[: card.index("</figure>")]
    assert "225.88 MiB" in card and "1.00 GiB" in card  # the table alternative at 8K
    assert "each state in its own dtype" in card
    # a model page keeps its one memory chart
    model = client.get("/models/meta-llama/Meta-Llama-3-8B/").content.decode()
    assert 'id="chart-cache"' not in model and 'id="chart-memory"' in model


def test_the_cache_chart_reads_mib_when_no_curve_reaches_a_gib(client, demo):
    html = client.get(SHOWCASE + "&context=2048").content.decode()
    # contexts up to the models' 8K are drawn whatever the chosen context: Llama reaches 1 GiB
    assert _chart(html, "chart-cache")["layout"]["yaxis"]["title"]["text"] == "GiB"
    from catalog.views_support import chart_cache

    small = json.loads(chart_cache([("a/b", [(1024, 64 * 1024**2), (2048, 128 * 1024**2)])]))
    assert small["layout"]["yaxis"]["title"]["text"] == "MiB"
    assert small["data"][0]["y"] == [64.0, 128.0]


def test_one_model_partner_suggestions_find_a_sibling_past_the_first_500_ids(client, db):
    """With one model on the page, the one-click partners came from the first 500 catalog IDs:
    in a big catalog a sibling (same organisation) sorting after them was never offered."""
    from catalog.models import CatalogModel

    CatalogModel.objects.bulk_create(
        CatalogModel(repo_id=f"aaa-org/model-{i:04d}") for i in range(520)
    )
    CatalogModel.objects.create(repo_id="zz-org/Alpha")
    CatalogModel.objects.create(repo_id="ZZ-org/beta-Instruct")
    CatalogModel.objects.create(repo_id="zz-org/Gamma")
    html = client.get("/compare/?models=zz-org/alpha").content.decode()
    picks = html.split('data-testid="pair-suggestions"')[1].split("</span>")[0]
    offered = re.findall(r">([^<>]+)</a>", picks)
    # the same organisation first, in REPO_ORDER (any case), then the rest of the catalog
    assert offered[:2] == ["ZZ-org/beta-Instruct", "zz-org/Gamma"]
    assert offered[2:] == [f"aaa-org/model-{i:04d}" for i in range(4)]
    assert "zz-org/Alpha<" not in picks


def test_compare_says_a_revision_it_does_not_use(client, web_showcase):
    """Before the fix: org/a@v1 or a /tree/<rev> URL compared the latest analysis and said
    nothing of the revision asked for."""
    html = client.get(
        "/compare/?models=meta-llama/Meta-Llama-3-8B@v1,"
        "https://huggingface.co/nvidia/Nemotron-H-8B-Base-8K/tree/dev"
    ).content.decode()
    assert html.count('class="layer-strip"') == 2  # both still compared
    note = html.split('data-testid="revisions-ignored"')[1].split("</p>")[0]
    assert "uses each model's latest analysis; a revision named here is not used" in note
    assert "not used: meta-llama/Meta-Llama-3-8B@v1, nvidia/Nemotron-H-8B-Base-8K@dev." in note
    # no revision, or the one the latest analysis is of: nothing to say
    for models in ("meta-llama/Meta-Llama-3-8B", "meta-llama/Meta-Llama-3-8B@" + "0" * 40):
        assert "revisions-ignored" not in client.get(f"/compare/?models={models}").content.decode()


def test_a_closed_models_layer_mix_is_named_and_said_undisclosed(client, demo):
    """Claude next to Llama on the compare page: the layer-mix card said "No per-layer pattern
    is stored for this model." under Llama's strip, without naming the model it meant, and
    three times over for three closed models, and the headline numbers gave Claude a column of
    dashes. Each line now names its model, and a closed model's line and headline cells say
    the vendor does not publish them."""
    html = client.get(
        "/compare/?models=anthropic/claude-opus-5,meta-llama/Meta-Llama-3-8B,openai/gpt-5"
    ).content.decode()
    strips = _section(html, 'id="strips-h"')
    assert "No per-layer pattern is stored for this model." not in strips
    for name in ("anthropic/claude-opus-5", "openai/gpt-5"):
        assert re.search(
            rf'<p class="muted"[^>]*><a href="/models/{name}/">{name}</a>: '
            r"undisclosed by the vendor</p>",
            strips,
        ), strips
    assert 'class="strip-title"><a href="/models/meta-llama/Meta-Llama-3-8B/">' in strips
    head = _section(html, 'id="head-h"')
    total = head[head.index("Total parameters") :].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", total, re.S)
    undisclosed = '<span class="muted" data-testid="headline-undisclosed">undisclosed</span>'
    assert cells == [undisclosed, "8.03 B", undisclosed], cells


def test_an_undisclosed_fact_is_not_marked_as_a_difference(client, demo):
    """Claude next to Llama: the verdict says the backbone is undisclosed for Claude, while
    the axes side by side marked its Architecture and Total parameters rows "≠" (differs),
    "undisclosed" counted as a value unlike Llama's. A vendor's silence is no difference."""
    from catalog.views_compare import comparison_build

    data = comparison_build(["anthropic/claude-opus-5", "meta-llama/Meta-Llama-3-8B"])
    rows = {r["kind"]: r for r in data["axes"]["backbone"]}
    assert rows["backbone.family"]["cells"][0][0]["value"] == "undisclosed"
    assert not rows["backbone.family"]["differs"]
    assert not rows["backbone.params_total"]["differs"]
    assert data["axes_verdict"]["axes"]["backbone"]["verdict"] == "undisclosed"
    # two stated values still differ (Llama 3 vs Nemotron-H's architectures)
    other = comparison_build(["meta-llama/Meta-Llama-3-8B", "nvidia/Nemotron-H-8B-Base-8K"])
    assert {r["kind"]: r for r in other["axes"]["backbone"]}["backbone.family"]["differs"]


def test_one_model_is_offered_partners_of_its_kind_and_size_first(client, demo):
    """ "Compare with another model" from Qwen3-30B-A3B (a 30B MoE, alone in its organisation)
    offered the catalog alphabetically: Claude, DeepSeek-R1, DeepSeek-V3, Gemini…, the natural
    partner NVIDIA-Nemotron-3-Nano-30B-A3B (a 30B MoE too) not among them. After its own
    organisation's models, the offers are now the open models nearest in decoder type and
    size (a closed model's: the other closed ones)."""
    html = client.get("/compare/?models=Qwen/Qwen3-30B-A3B").content.decode()
    offered = re.findall(
        r'<a href="\?models=[^"]+">([^<]+)</a>',
        html.split('data-testid="pair-suggestions"')[1].split("</span>")[0],
    )
    assert offered[0] == "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B", offered
    assert "mistralai/Mixtral-8x7B-v0.1" in offered[:3], offered
    assert not any(o.startswith(("anthropic/", "google/gemini", "openai/gpt-5")) for o in offered)
    # a closed model's partners are the other closed ones
    claude = client.get("/compare/?models=anthropic/claude-opus-5").content.decode()
    offers = claude.split('data-testid="pair-suggestions"')[1].split("</span>")[0]
    assert re.findall(r'<a href="[^"]+">([^<]+)</a>', offers)[:2] == [
        "google/gemini-2.5-pro",
        "openai/gpt-5",
    ], offers
    # the same organisation still comes first (a sibling is the usual lesson)
    llama = client.get("/compare/?models=meta-llama/Llama-3.1-8B").content.decode()
    first = re.search(r'data-testid="pair-suggestions"[^<]*<a href="[^"]+">([^<]+)</a>', llama)
    assert first.group(1).startswith("meta-llama/"), first.group(0)


def test_a_dense_models_active_parameters_are_its_total_not_unknown(client, demo):
    """Llama 3.1 8B beside Qwen3-30B-A3B: the side-by-side row of active parameters gave the
    MoE's count and "—" for Llama, which reads as unknown, while the headline gave 8.03 B.
    A dense model uses every parameter per token: its cell says so, with the figure."""
    html = client.get("/compare/?models=meta-llama/Llama-3.1-8B,Qwen/Qwen3-30B-A3B").content
    html = html.decode()
    backbone = _section(html, 'id="axes-h"')
    row = backbone[backbone.index('data-kind="backbone.params_active"') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert len(cells) == 2
    assert "8.03 B: all of them (a dense model uses every parameter per token)" in cells[0]
    assert "all-active" not in cells[1] and "—" not in cells[0]
    assert "3." in re.sub(r"<[^>]+>", "", cells[1])  # the MoE's own fact, about 3.3 B active
    # the headline says the same figure for Llama
    headline = _section(html, 'id="head-h"')
    active = headline[headline.index("Active parameters") :]
    assert "8.03 B" in active[: active.index("</tr>")]


def test_the_exports_and_the_api_give_a_dense_models_active_parameters_as_the_page(client, demo):
    """The page's row of active parameters says Llama's total and marks the row as differing;
    the CSV and JSON exports and /api/compare left Llama's cell empty beside that "differs"."""
    import csv
    import io

    ids = "meta-llama/Llama-3.1-8B,Qwen/Qwen3-30B-A3B"
    total = client.get("/api/models/meta-llama/Llama-3.1-8B").json()["analysis"]["params"]
    total = total["total"]
    rows = [r for r in client.get("/api/compare", {"models": ids}).json()["axes"]["backbone"]
            if r["kind"] == "backbone.params_active"]  # fmt: skip
    assert len(rows) == 1 and rows[0]["values"][0] == [total] and rows[0]["differs"] is True
    text = client.get("/compare/", {"models": ids, "format": "csv"}).content.decode("utf-8-sig")
    (row,) = [r for r in csv.DictReader(io.StringIO(text)) if r["item"] == "backbone.params_active"]
    assert row["meta-llama/Llama-3.1-8B"] == str(total) and row["differs"] == "True"
    body = client.get("/compare/", {"models": ids, "format": "json"}).json()
    (row,) = [r for r in body if r["item"] == "backbone.params_active"]
    assert row["meta-llama/Llama-3.1-8B"] == total and row["Qwen/Qwen3-30B-A3B"]


# German: a narrow space, its point reading as a decimal point among config values
@pytest.mark.parametrize(("lang", "sep"), [("en", ","), ("ko", ","), ("de", "\u202f")])
def test_four_digit_sizes_are_grouped_on_the_compare_and_model_pages(client, demo, lang, sep):
    """Llama 3.1 8B's "hidden_size: 4096" stood beside "intermediate_size: 14,336" (and in the
    config diff "4096" above "131,072"): counts and sizes are grouped from 1,000 on, in the
    page's language, as the longer ones were."""
    url = "/compare/?models=meta-llama/Llama-3.1-8B,Qwen/Qwen3-30B-A3B"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f'<html lang="{lang}">' in html
    facts = _section(html, 'id="axes-h"')
    assert f"hidden_size: 4{sep}096 · intermediate_size: 14{sep}336" in facts
    assert "hidden_size: 4096" not in facts
    diff = _section(html, 'id="diff-h"')
    row = diff[diff.index("<code>hidden_size</code>") :]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row[: row.index("</tr>")], re.S)
    assert cells == [f"4{sep}096", f"2{sep}048"]
    page = client.get("/models/meta-llama/Llama-3.1-8B/", HTTP_ACCEPT_LANGUAGE=lang)
    assert f"hidden_size: 4{sep}096 · intermediate_size: 14{sep}336" in page.content.decode()


@pytest.mark.parametrize(
    ("lang", "none"),
    [
        ("en", "none (no recurrent layer)"),
        ("ko", "없음 (recurrent 레이어 없음)"),
        ("de", "keiner (kein rekurrenter Layer)"),
    ],
)
def test_a_model_without_recurrent_layers_reads_none_not_zero_b(client, demo, lang, none):
    """The showcase's headline read "Recurrent state per sequence: 0 B | 97.88 MiB" two rows
    below "Total parameters: 8.03 B": a learner reads "0 B" as zero billion. Llama 3 keeps no
    recurrent state at all: its cell says so in words; Nemotron-H's keeps its bytes."""
    html = client.get(SHOWCASE, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    head = _section(html, 'id="head-h"')
    row = head[head.index('data-key="state_bytes_per_sequence"') :].split("</tr>")[0]
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == [none, "97.88 MiB" if lang != "de" else "97,88 MiB"]
    assert ">0 B<" not in head


def test_a_card_line_under_half_confidence_is_marked_a_guess_on_compare(client, demo):
    """The model page folds card lines placed under 50% confidence apart as guesses; the
    compare page showed Nemotron-H's 12% line "Values are from the published config.json; the
    layer pattern string has one character per layer" in its Layers cell as if it were a fact
    beside the config's. It is marked there as a guess, with its confidence."""
    html = client.get(SHOWCASE).content.decode()
    axes = _section(html, 'id="axes-h"', 'id="diff-h"')
    cell = axes[: axes.index("the layer pattern string has one character per layer")]
    cell = cell[cell.rindex('<div class="cell-fact') :]
    assert "cell-guess" in cell and 'data-testid="guess"' in cell
    assert "guess" in re.sub(r"<[^>]+>", " ", cell) and "12%" in cell
    # a sure fact of the same cell carries no such mark
    sure = axes[axes.index("52 blocks: 24 Mamba-2") - 200 : axes.index("52 blocks: 24 Mamba-2")]
    assert "cell-guess" not in sure.split('<div class="cell-fact')[-1]
