"""Home and model pages: status codes, CSRF, escaping, no-JS reading, constant query counts."""

from __future__ import annotations

import html
import re

import pytest
from conftest import web_analysis, web_fact, web_llama_facts, web_report
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_home_lists_catalog_and_links_showcase(client, web_showcase):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "meta-llama/Meta-Llama-3-8B" in html
    assert "nvidia/Nemotron-H-8B-Base-8K" in html
    # the showcase diff is one click away
    assert "/compare/?models=meta-llama%2FMeta-Llama-3-8B%2Cnvidia%2FNemotron-H-8B-Base-8K" in html
    assert 'lang="en"' in html
    assert 'action="/i18n/setlang/"' in html


def test_home_filter_get_and_htmx_fragment(client, web_showcase):
    html = client.get("/", {"q": "nemotron"}).content.decode()
    assert "nvidia/Nemotron-H-8B-Base-8K" in html
    assert "Meta-Llama-3-8B-Instruct" not in html
    fragment = client.get(
        "/", {"q": "llama"}, headers={"HX-Request": "true", "HX-Target": "catalog-list"}
    )
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="catalog-list"')
    assert "<html" not in body
    assert "Meta-Llama-3-8B-Instruct" in body


def test_home_filter_finds_the_badges_and_sorts_as_people_read(client, web_model):
    """ "moe" (the field's own example) finds MoE and hybrid-MoE models whatever their IDs say;
    an attention variant finds its models; the list ignores case when it sorts."""
    from conftest import _web_shared_config

    from catalog.views import catalog_queryset

    def add(repo_id: str, folder: str) -> None:
        config = _web_shared_config(folder)
        web_model(repo_id, analysis=web_report(config, []), config=config)

    add("deepseek-ai/DeepSeek-R1", "deepseek-ai--DeepSeek-R1")  # moe, MLA
    add("Qwen/Qwen3-235B-A22B", "Qwen--Qwen3-235B-A22B")  # moe, GQA
    add("acme/dense-one", "meta-llama--Llama-3.1-8B")  # dense, GQA
    add("nvidia/hybrid", "nvidia--Nemotron-H-56B-Base-8K")  # hybrid (not moe)
    ids = lambda q: [m.repo_id for m in catalog_queryset(q)]  # noqa: E731
    assert ids("moe") == ["deepseek-ai/DeepSeek-R1", "Qwen/Qwen3-235B-A22B"]
    assert ids("MLA") == ["deepseek-ai/DeepSeek-R1"]
    assert ids("hybrid") == ["nvidia/hybrid"]
    assert ids("") == [
        "acme/dense-one",
        "deepseek-ai/DeepSeek-R1",
        "nvidia/hybrid",
        "Qwen/Qwen3-235B-A22B",
    ]
    html = client.get("/", {"q": "moe"}).content.decode()
    assert "deepseek-ai/DeepSeek-R1" in html and "acme/dense-one" not in html
    from catalog.models import CatalogModel

    CatalogModel.objects.create(repo_id="vendor/secret", kind=CatalogModel.Kind.CLOSED)
    assert ids("closed") == ["vendor/secret"]


def test_home_filter_no_match_says_so(client, web_showcase):
    html = client.get("/", {"q": "<b>zzz</b>"}).content.decode()
    assert "&lt;b&gt;zzz&lt;/b&gt;" in html
    assert "<b>zzz</b>" not in html


def test_ingest_rejects_bad_id_with_clear_message(client):
    response = client.post(reverse("catalog:ingest"), {"model_id": "not a/valid id!"})
    assert response.status_code == 400
    assert "A valid model ID looks like" in response.content.decode()


def test_ingest_existing_model_redirects_without_network(client, web_showcase):
    response = client.post(reverse("catalog:ingest"), {"model_id": "meta-llama/Meta-Llama-3-8B"})
    assert response.status_code == 303
    assert response["Location"] == "/models/meta-llama/Meta-Llama-3-8B/"
    hx = client.post(
        reverse("catalog:ingest"),
        {"model_id": "https://huggingface.co/meta-llama/Meta-Llama-3-8B"},
        headers={"HX-Request": "true"},
    )
    assert hx.status_code == 200
    assert hx["HX-Redirect"] == "/models/meta-llama/Meta-Llama-3-8B/"
    # /tree/main is the Hub's default page of the model: the catalog copy answers it offline
    tree = client.post(
        reverse("catalog:ingest"),
        {"model_id": "https://huggingface.co/meta-llama/Meta-Llama-3-8B/tree/main"},
    )
    assert tree.status_code == 303 and tree["Location"] == "/models/meta-llama/Meta-Llama-3-8B/"


def test_a_failed_fetch_of_a_stored_model_links_the_stored_copy(client, web_showcase):
    from catalog.models import IngestJob

    job = IngestJob.objects.create(
        repo_id="meta-llama/Meta-Llama-3-8B",
        requested_revision="refs/pr/7",
        status=IngestJob.Status.FAILED,
        error="The Hub cannot be reached (offline?).",
    )
    html = client.get(reverse("catalog:ingest_progress", args=[job.pk])).content.decode()
    assert 'data-testid="stored-copy"' in html
    assert 'href="/models/meta-llama/Meta-Llama-3-8B/"' in html
    other = IngestJob.objects.create(
        repo_id="nobody/unknown", status=IngestJob.Status.FAILED, error="No model"
    )
    assert (
        'data-testid="stored-copy"'
        not in client.get(reverse("catalog:ingest_progress", args=[other.pk])).content.decode()
    )


def test_a_failed_fetch_of_a_bare_name_offers_the_catalog_model_of_that_name(client, web_showcase):
    """A learner types the name as the course writes it, without its organisation
    ("Nemotron-H-8B-Base-8K", "meta-llama-3-8b"): with the Hub unreachable (or without such a
    repo there) the fetch failed with "browse the catalog", though the catalog holds
    nvidia/Nemotron-H-8B-Base-8K. The failure now links the catalog's models of that name."""
    from catalog.models import IngestJob

    for asked, expected in (
        ("Nemotron-H-8B-Base-8K", "nvidia/Nemotron-H-8B-Base-8K"),
        ("someone/meta-llama-3-8b", "meta-llama/Meta-Llama-3-8B"),
    ):
        job = IngestJob.objects.create(
            repo_id=asked,
            status=IngestJob.Status.FAILED,
            error="The Hub cannot be reached (offline?).",
        )
        html = client.get(reverse("catalog:ingest_progress", args=[job.pk])).content.decode()
        alike = html.split('data-testid="catalog-alike"')[1].split("</p>")[0]
        assert f'<a href="/models/{expected}/">{expected}</a>' in alike, html
    other = IngestJob.objects.create(
        repo_id="nobody/unknown", status=IngestJob.Status.FAILED, error="No model"
    )
    page = client.get(reverse("catalog:ingest_progress", args=[other.pk])).content.decode()
    assert 'data-testid="catalog-alike"' not in page


def test_posts_enforce_csrf():
    client = Client(enforce_csrf_checks=True)
    for url, data in (
        (reverse("catalog:ingest"), {"model_id": "org/name"}),
        (reverse("catalog:upload"), {"repo_id": "local/x"}),
        (reverse("catalog:exercise_save"), {"backbone": "x"}),
        (reverse("catalog:exercise_check"), {"backbone": "x"}),
        (reverse("catalog:exercise_new"), {}),
    ):
        assert client.post(url, data).status_code == 403, url


def test_form_posts_redirect_with_303_see_other(client):
    # Before the fix: a new exercise, a saved one and a check answered 302 (so did an upload
    # and the profiler's measure and cancel, pinned in their own tests), while the paste's
    # job redirect said 303: after a POST the browser is sent on with a GET, never the POST.
    new = client.post(reverse("catalog:exercise_new"))
    assert new.status_code == 303 and new["Location"].startswith("/exercise/?id=")
    saved = client.post(reverse("catalog:exercise_save"), {"backbone": "dense"})
    assert saved.status_code == 303 and saved["Location"].startswith("/exercise/?id=")
    checked = client.post(reverse("catalog:exercise_check"), {"backbone": "dense"})
    assert checked.status_code == 303 and checked["Location"].endswith("#result")


def test_model_page_renders_four_axes_with_evidence(client, web_showcase):
    response = client.get("/models/meta-llama/Meta-Llama-3-8B-Instruct/")
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("Backbone", "Post-training", "Inference", "Product", "Context"):
        assert f">{title} <span" in html
    # a fact with its evidence, expandable, linking to the card line
    assert "num_key_value_heads = 8" in html
    assert '<details class="evidence">' in html
    assert 'href="#L8"' in html
    # headline numbers
    assert "8.03 B" in html  # total params
    assert "14.96 GiB" in html  # bf16 weights
    # layer strip: one cell per layer + text summary
    assert html.count('class="layer"') == 32
    assert "32 GQA · 32 MLP" in html  # the report's summary, as text
    # lineage to the base model in the catalog
    assert 'href="/models/meta-llama/Meta-Llama-3-8B/"' in html


def test_model_page_reads_without_js(client, web_showcase):
    """Facts, numbers and every chart's table are in the HTML; no chart needs JS to be read."""
    html = client.get("/models/meta-llama/Meta-Llama-3-8B-Instruct/").content.decode()
    charts = re.findall(r'data-chart="([\w-]+)"', html)
    assert set(charts) == {"chart-params", "chart-memory", "chart-roofline"}
    assert html.count('class="table-alt"') >= 3
    # the breakdown's rows in words, the component's id on hover
    assert '<th scope="row" title="dense_mlp" data-component="dense_mlp">Dense MLP</th>' in html
    assert "NVIDIA H100 SXM5 80GB" in html  # GPU select and memory table
    assert "H100-SXM" in html  # roofline table row


def test_model_page_escapes_card_and_fact_values(client, web_showcase):
    html = client.get("/models/meta-llama/Meta-Llama-3-8B-Instruct/").content.decode()
    assert "<script>alert(" not in html
    assert "<img src=x onerror" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_model_page_context_and_gpu_params(client, web_showcase):
    url = "/models/meta-llama/Meta-Llama-3-8B-Instruct/"
    html = client.get(url, {"context": "4096", "gpu": "RTX-4090"}).content.decode()
    assert "KV cache at 4K tokens" in html
    assert "512.00 MiB" in html  # 131072 B/token x 4096 tokens
    assert "Memory vs context on NVIDIA GeForce RTX 4090 24GB" in html
    # garbage is clamped, never a 500
    assert client.get(url, {"context": "lots", "gpu": "<x>"}).status_code == 200


def test_model_page_unknown_is_404(client, db):
    response = client.get("/models/nobody/nothing/")
    assert response.status_code == 404
    page = html.unescape(response.content.decode())
    assert "There is no model nobody/nothing in the catalog yet." in page
    assert 'name="model_id" value="nobody/nothing"' in page  # one click to fetch it
    # an ID the Hub cannot have gets no fetch button
    bad = html.unescape(client.get("/models/nobody/x..y/").content.decode())
    assert "There is no model" in bad and 'name="model_id"' not in bad.split("<main", 1)[-1]


def test_model_url_in_another_casing_goes_to_the_catalog_page(client, web_showcase):
    """Hub IDs ignore case: /models/META-LLAMA/meta-llama-3-8b/ is the catalog's model, not
    a 404 that offers to fetch it again; the query (context, GPU) is kept."""
    response = client.get("/models/META-LLAMA/meta-llama-3-8b-instruct/", {"context": "4096"})
    assert response.status_code == 301
    assert response["Location"] == "/models/meta-llama/Meta-Llama-3-8B-Instruct/?context=4096"


def test_pasting_a_catalog_model_in_another_casing_opens_it(client, web_showcase):
    response = client.post("/ingest/", {"model_id": "META-LLAMA/meta-llama-3-8b-instruct"})
    assert response.status_code == 303
    assert response["Location"] == "/models/meta-llama/Meta-Llama-3-8B-Instruct/"
    htmx = client.post(
        "/ingest/",
        {"model_id": "https://huggingface.co/meta-llama/META-LLAMA-3-8B-INSTRUCT"},
        headers={"HX-Request": "true"},
    )
    assert htmx["HX-Redirect"] == "/models/meta-llama/Meta-Llama-3-8B-Instruct/"


def test_unknown_address_gets_the_app_404_page(client, db, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "This address is not a page of Mechanic." in response.content.decode()


def test_model_page_without_analysis_degrades(client, web_model):
    web_model("org/empty", analysis={})
    response = client.get("/models/org/empty/")
    assert response.status_code == 200
    assert "has no stored analysis yet" in response.content.decode()


def _facts(n: int) -> list[dict]:
    base = web_llama_facts()
    return [
        dict(base[i % len(base)], value=f"{base[i % len(base)]['value']}-{i}") for i in range(n)
    ]


# model + latest revision, card artifact, revisions list, the profiler panel's runs (these facts
# name no base model, so no lineage hop). Measured; a change here means a query was added or
# removed on purpose.
MODEL_PAGE_QUERIES = 4


@pytest.mark.parametrize("n_revisions,n_facts", [(1, 3), (2, 9), (5, 40)])
def test_model_page_query_count_is_constant(
    client, web_model, django_assert_num_queries, n_revisions, n_facts
):
    web_model(
        "meta-llama/Meta-Llama-3-8B", analysis=web_analysis(layers=["attention"] * 4, total=1)
    )
    web_model(
        "org/model",
        analysis=web_analysis(layers=["attention+moe"] * 8, total=10**9, facts=_facts(n_facts)),
        card="# card\n\nline",
        revisions=n_revisions,
    )
    client.get("/models/org/model/")  # warm the card and chart caches
    with django_assert_num_queries(MODEL_PAGE_QUERIES):
        assert client.get("/models/org/model/").status_code == 200


def test_contradictions_are_shown(client, web_model):
    facts = [
        web_fact(
            "backbone",
            "backbone.context_length",
            131072,
            source="README.md",
            locator="L4",
            text="128K context",
            extra={"flag": "contradiction"},
        )
    ]
    web_model("org/c", analysis=web_analysis(layers=["attention"], total=1, facts=facts))
    html = client.get("/models/org/c/").content.decode()
    assert "Contradictions" in html
    assert "128K context" in html


def test_upload_form_validation(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # b"\xff\xfe" is UTF-16's byte-order mark: read as UTF-16, the odd byte at the end is named
    bad = SimpleUploadedFile("config.json", b"\xff\xfe not utf8", content_type="application/json")
    response = client.post(reverse("catalog:upload"), {"repo_id": "local/x", "config": bad})
    assert response.status_code == 400
    assert (
        "config.json is not all UTF-16 text: byte 0x38 at position 10" in response.content.decode()
    )


def test_upload_stores_and_redirects(client, db):
    from conftest import shared_hub
    from django.core.files.uploadedfile import SimpleUploadedFile

    config = (shared_hub() / "meta-llama--Llama-3.2-1B" / "config.json").read_bytes()
    response = client.post(
        reverse("catalog:upload"),
        {
            "repo_id": "local/llama-1b",
            "config": SimpleUploadedFile("config.json", config),
            "card": SimpleUploadedFile("README.md", b"# Tiny\n\nA base model."),
        },
    )
    assert response.status_code == 303, response.content.decode()[:2000]
    assert response["Location"] == "/models/local/llama-1b/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Tiny" in page.content.decode()


def test_model_page_says_when_the_weights_do_not_fit_the_gpu(client, web_model):
    analysis = web_analysis(layers=["attention"] * 4, total=10**12)
    analysis["memory"]["max_context_by_gpu"] = {"H100-SXM": 0, "RTX-4090": 0}
    web_model("org/huge", analysis=analysis)
    html = client.get("/models/org/huge/").content.decode()
    # the GPU's memory as the vendor states it (the engine's decimal basis), not 74.51 GiB
    assert "Does not fit on one NVIDIA H100 SXM5 80GB: the weights alone exceed its 80 GB." in html
    assert "Longest context that fits" not in html


def test_gpu_memory_is_the_vendors_figure_with_its_basis(client, web_model):
    """The engine counts an 80 GB GPU as 80e9 bytes: the page says "80 GB" and what that is,
    never that the GPU "holds 74.51 GiB"."""
    web_model("org/small", analysis=web_analysis(layers=["attention"] * 4, total=10**9))
    page = html.unescape(client.get("/models/org/small/").content.decode())
    note = (
        "NVIDIA H100 SXM5 80GB: 80 GB of memory as the vendor states it, in decimal GB (74.51 GiB "
        "in this table's unit). nvidia-smi reports a little more (about 79.6 GiB on an 80 GB "
        "H100), so the limits here are conservative. Values above it are marked."
    )
    assert note in page and "holds 74.51 GiB" not in page
    h200 = html.unescape(client.get("/models/org/small/", {"gpu": "H200"}).content.decode())
    assert "NVIDIA H200 SXM 141GB: 141 GB of memory as the vendor states it" in h200
    de = html.unescape(client.get("/models/org/small/", {"lang": "de"}).content.decode())
    assert "NVIDIA H100 SXM5 80GB: 80 GB" in de and "74,51 GiB" in de


def test_weights_card_shows_the_stored_size_of_a_quantized_checkpoint(client, web_model):
    """gpt-oss ships MXFP4 experts: the headline is what is on disk and in memory (~13.75 GB),
    with bf16 as the comparison, not the other way round."""
    from conftest import _web_shared_config, web_report

    cfg = _web_shared_config("openai--gpt-oss-20b")
    web_model("openai/gpt-oss-20b", analysis=web_report(cfg, []), config=cfg)
    html = client.get("/models/openai/gpt-oss-20b/").content.decode()
    stat = html.split("Weights</dt>", 1)[1].split("</dd>", 1)[0]
    # the rest in bf16, the dtype the engine sizes it in (config.json names no torch_dtype)
    assert "as stored: MXFP4 (experts), rest bf16<" in stat
    assert stat.index("12.8") < stat.index("bf16")  # 13,761,264,768 B = 12.82 GiB first
    dense = _web_shared_config("meta-llama--Llama-3.1-8B")
    web_model("meta-llama/Llama-3.1-8B", analysis=web_report(dense, []), config=dense)
    html = client.get("/models/meta-llama/Llama-3.1-8B/").content.decode()
    stat = html.split("Weights</dt>", 1)[1].split("</dd>", 1)[0]
    assert "as stored" not in stat and "bf16" in stat


def test_the_model_page_says_the_mtp_modules_the_checkpoint_also_ships(client, web_model):
    """DeepSeek-R1's "as stored" is the network transformers builds; its MTP module (~13.5B
    parameters, in the download) is said beside it, so the figure is not read as the download.
    A model without MTP has no such line."""
    from conftest import _web_shared_config

    from axes.backbone.report import analyze_config
    from catalog.templatetags.mechanic import params_h

    config = _web_shared_config("deepseek-ai--DeepSeek-R1")
    analysis = analyze_config(config)
    mtp = analysis["params"]["mtp"]["params"]
    assert mtp > 10**10
    web_model("acme/r1", analysis=analysis, config=config)
    page = html.unescape(client.get("/models/acme/r1/").content.decode())
    # under the cards, right after them: in the Weights card it made all six of the row 340px
    # tall
    note = page.split('data-testid="weights-mtp">', 1)[1].split("</p>", 1)[0]
    assert f"The checkpoint also ships {params_h(mtp)} parameters of MTP modules" in note
    assert "</dl>" in page.split('data-testid="weights-mtp">', 1)[0]  # after the cards
    de = html.unescape(client.get("/models/acme/r1/", {"lang": "de"}).content.decode())
    assert 'data-testid="weights-mtp">The checkpoint' not in de
    dense = _web_shared_config("meta-llama--Llama-3.1-8B")
    web_model("acme/dense", analysis=analyze_config(dense), config=dense)
    assert 'data-testid="weights-mtp"' not in client.get("/models/acme/dense/").content.decode()


@pytest.mark.parametrize(
    "language,expected",
    [("ko", "'/'가 두 개 이상"), ("de", "mehr als einen '/'"), ("en", "more than one '/'")],
)
def test_bad_id_message_is_in_the_page_language(client, db, language, expected):
    response = client.post(
        reverse("catalog:ingest"), {"model_id": "a/b/c"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    assert expected in html.unescape(response.content.decode())


def test_longest_context_that_fits_is_set_against_the_context_window(client, web_model):
    from conftest import _web_shared_config, web_report

    cfg = _web_shared_config("openai--gpt-oss-20b")
    web_model("openai/gpt-oss-20b", analysis=web_report(cfg, []), config=cfg)
    page = client.get("/models/openai/gpt-oss-20b/", {"gpu": "H100-SXM"}).content.decode()
    line = page.split('data-testid="max-context">', 1)[1].split("</p>", 1)[0]
    assert "Longest context that fits" in line
    assert "the model itself reads at most 128K tokens" in line


@pytest.mark.parametrize(
    "folder",
    [
        "meta-llama--Llama-3.1-8B",
        "openai--gpt-oss-20b",
        "google--medgemma-27b-it",
        "nvidia--Nemotron-H-56B-Base-8K",  # the recurrent state is read every step too
    ],
)
def test_model_page_roofline_follows_the_context_control(client, web_model, folder):
    """The roofline is read at the page's context, like the KV cache next to it: the same
    figures the engine gives at that context (sliding windows capped), not the stored 8K."""
    from conftest import _web_shared_config

    from axes.backbone.report import analyze_config
    from catalog.views_support import roofline_at

    config = _web_shared_config(folder)
    web_model("acme/roof", analysis=analyze_config(config), config=config)
    for ctx in (4096, 8192, 32768, 131072):
        expected = analyze_config(config, context_len=ctx)["compute"]["roofline"]
        stored = analyze_config(config)
        got = dict(roofline_at(stored, ctx))
        assert got.keys() == expected.keys()
        for gpu, rate in expected.items():
            assert got[gpu] == pytest.approx(rate, abs=0.006), (ctx, gpu)
    page = client.get("/models/acme/roof/", {"context": "131072"}).content.decode()
    basis = page.split('data-testid="roofline-basis"')[1].split("</p>")[0]
    assert "Batch 1 at 128K tokens of context" in basis
    h200 = analyze_config(config, context_len=131072)["compute"]["roofline"]["H200"]
    from catalog.templatetags.mechanic import rate_h

    assert f'<tr><th scope="row">H200</th><td class="num">{rate_h(h200)}</td></tr>' in page


def test_model_page_states_what_its_weights_and_roofline_figures_count(client, web_model):
    """The fp8 and int4 figures are the sizes of real checkpoints in those formats (the AWQ
    g128 release of Llama-3.1-8B stores exactly the int4 figure); the roofline basis says what
    a decode step reads."""
    from conftest import _web_shared_config

    from axes.backbone.report import analyze_config
    from catalog.templatetags.mechanic import bytes_h

    config = _web_shared_config("meta-llama--Llama-3.1-8B")
    analysis = analyze_config(config)
    web_model("acme/weights", analysis=analysis, config=config)
    page = client.get("/models/acme/weights/").content.decode()
    awq = analyze_config(_web_shared_config("gurro--Llama-3.1-8B-awq-int4-g128-GEMM"))
    int4 = analysis["memory"]["weights_bytes"]["int4"]
    assert int4 == awq["memory"]["weights_bytes"]["stored"]
    assert f"{bytes_h(int4)} int4" in page and bytes_h(int4) == "5.33 GiB"
    basis = page.split('data-testid="weights-basis">')[1].split("</small>")[0]
    assert "block-wise FP8 and AWQ g128 checkpoints" in basis and "scales included" in basis
    roof = page.split('data-testid="roofline-basis">')[1].split("</p>")[0]
    assert "KV cache in bf16" in roof and "of the input embedding only its one row" in roof


def test_model_page_headline_cards_explain_themselves(client, web_model):
    """What read as bugs: a tied embedding's "without input embedding" equal to the total, a
    per-token KV that does not multiply out for sliding windows, and dashes for a Mamba."""
    from conftest import _web_shared_config

    def add(repo_id: str, config: dict) -> str:
        web_model(repo_id, analysis=web_report(config, []), config=config)
        return client.get(f"/models/{repo_id}/").content.decode()

    tied = add("acme/tied", _web_shared_config("meta-llama--Llama-3.2-1B"))
    assert "also without the input embedding: it is tied to the output layer (lm_head)" in tied
    untied = add("acme/untied", _web_shared_config("meta-llama--Llama-3.1-8B"))
    assert "without input embedding" in untied and "tied to the lm_head" not in untied
    assert "sliding layers stop" not in untied
    sliding = add("acme/sliding", _web_shared_config("openai--gpt-oss-20b"))
    assert "every layer at full length; sliding layers stop at 128 tokens" in sliding
    mamba = add(
        "acme/mamba",
        {
            "model_type": "mamba",
            "architectures": ["MambaForCausalLM"],
            "hidden_size": 768,
            "num_hidden_layers": 24,
            "vocab_size": 50280,
            "state_size": 16,
            "expand": 2,
            "conv_kernel": 4,
        },
    )
    assert "context does not run out of memory: no KV cache grows with it" in mamba
    assert "of it recurrent state" in mamba  # the "KV at N tokens" card is all state here
    past = client.get("/models/acme/untied/", {"context": "1048576"}).content.decode()
    assert "past the model's 128K-token window: arithmetic only" in past
    assert 'data-testid="past-window"' not in untied
    assert "no fixed limit" in mamba and "— tokens" not in mamba
    assert "<small>none</small>" not in mamba


def test_the_four_axes_heading_counts_their_facts_only(client, web_model):
    facts = [
        web_fact("backbone", "backbone.layers", "32 layers"),
        web_fact("post_training", "post_training.sft", "SFT"),
        web_fact("context", "context.license", "MIT"),
    ]
    web_model(
        "acme/counted",
        analysis=web_analysis(layers=["attention"] * 2, total=1000, facts=facts),
    )
    html = client.get("/models/acme/counted/").content.decode()
    heading = html.split('id="axes-h"')[1].split("</h2>")[0]
    assert "2 facts" in heading


def test_a_model_whose_config_the_engine_refused_says_so_at_the_top(client, web_model):
    """A Hub model is stored whatever its config says; its page must not show dashes and a
    false "no fixed limit" with the reason at the bottom, nor offer a measurement."""
    web_model(
        "acme/refused",
        analysis={
            "repo_id": "acme/refused",
            "backbone_error": "num_attention_heads must be positive for a model with "
            "attention layers, not 0",
            "facts": [],
            "notes": [],
        },
        config={"model_type": "llama", "num_attention_heads": 0},
    )
    html = client.get("/models/acme/refused/").content.decode()
    box = html.split('data-testid="backbone-error"')[1].split("</section>")[0]
    assert "Backbone: not analyzed" in box and "num_attention_heads must be positive" in box
    assert "no fixed limit" not in html and 'id="numbers-h"' not in html
    assert "Measure it" not in html and "profiler-form" not in html


def test_head_requests_are_answered_like_get(client, web_showcase):
    """Uptime monitors and link checkers ask with HEAD."""
    for url in ("/", "/compare/", "/exercise/", "/models/meta-llama/Meta-Llama-3-8B/"):
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b""


def test_roofline_marks_gpus_the_model_does_not_fit_on(client, web_model):
    """DeepSeek-R1's weights exceed every GPU of the table: each roofline bar is hatched and
    said not to fit; Llama-3.1-8B fits on the 80 GB cards but not on a 24 GB RTX 4090 at 128K."""
    import json as _json

    from tests.conftest import _web_shared_config, web_report

    r1 = _web_shared_config("deepseek-ai--DeepSeek-R1")
    web_model("deepseek-ai/DeepSeek-R1", analysis=web_report(r1, []), config=r1)
    html = client.get("/models/deepseek-ai/DeepSeek-R1/").content.decode()
    assert 'data-testid="roofline-unfit"' in html
    assert html.count('<tr class="unfit">') == 7
    raw = re.search(
        r'<script type="application/json" id="chart-roofline">(.*?)</script>', html, re.S
    )
    figure = _json.loads(raw.group(1))
    bars = figure["data"][0]
    assert set(bars["marker"]["pattern"]["shape"]) == {"/"}
    assert set(bars["text"]) == {"does not fit"}
    llama = _web_shared_config("meta-llama--Llama-3.1-8B")
    web_model("meta-llama/Llama-3.1-8B", analysis=web_report(llama, []), config=llama)
    page = client.get("/models/meta-llama/Llama-3.1-8B/", {"context": 131072}).content.decode()
    rows = re.findall(r'<tr( class="unfit")?><th scope="row">([^<]+)</th>', page)
    unfit = {gpu for mark, gpu in rows if mark}
    assert "RTX-4090" in unfit and "H100-SXM" not in unfit and "H200" not in unfit
    assert 'data-testid="roofline-unfit"' in page


def test_memory_chart_plots_the_chosen_context_and_the_native_one(client, web_model):
    import json as _json

    from tests.conftest import _web_shared_config, web_report

    r1 = _web_shared_config("deepseek-ai--DeepSeek-R1")  # 163,840 positions: no power of two
    web_model("deepseek-ai/DeepSeek-R1", analysis=web_report(r1, []), config=r1)
    html = client.get("/models/deepseek-ai/DeepSeek-R1/", {"context": 100000}).content.decode()
    raw = re.search(r'<script type="application/json" id="chart-memory">(.*?)</script>', html, re.S)
    figure = _json.loads(raw.group(1))
    xs = figure["data"][0]["x"]
    assert 100000 in xs and 163840 in xs and xs == sorted(xs)
    assert figure["layout"]["yaxis"]["rangemode"] == "tozero"
    marker = [s for s in figure["layout"]["shapes"] if s.get("xref") == "x"]
    assert marker and marker[0]["x0"] == 100000


def test_a_small_models_memory_chart_is_not_flattened_by_the_gpus_capacity(client, web_model):
    """A 34M-parameter model peaks far below an 80 GB GPU: a capacity line would set the y
    axis and flatten the curve onto 0, so the capacity is said in a corner instead; a model
    near the capacity keeps its dashed line."""
    import json as _json

    from axes.backbone.report import analyze_config

    def memory_chart(repo_id: str) -> dict:
        html = client.get(f"/models/{repo_id}/").content.decode()
        raw = re.search(
            r'<script type="application/json" id="chart-memory">(.*?)</script>', html, re.S
        )
        return _json.loads(raw.group(1))

    tiny = {
        "model_type": "llama",
        "hidden_size": 256,
        "num_hidden_layers": 4,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "intermediate_size": 512,
        "vocab_size": 32000,
        "max_position_embeddings": 4096,
    }
    web_model("acme/tiny", analysis=analyze_config(tiny), config=tiny)
    figure = memory_chart("acme/tiny")
    assert not [s for s in figure["layout"]["shapes"] if s.get("yref") == "y"]
    (note,) = figure["layout"]["annotations"]
    assert note["text"].endswith("capacity (80 GB) is far above these curves")
    assert note["yref"] == "y domain"
    from tests.conftest import _web_shared_config

    big = _web_shared_config("meta-llama--Llama-3.1-8B")
    web_model("acme/big", analysis=analyze_config(big), config=big)
    figure = memory_chart("acme/big")
    capacity = [s for s in figure["layout"]["shapes"] if s.get("yref") == "y"]
    assert capacity and capacity[0]["line"]["dash"] == "dash"


def test_lfm2s_short_convolutions_have_their_own_block_in_the_strip(client, web_model):
    """LFM2 mixes gated short-convolution layers with attention: the strip draws them as
    "Short convolution", not "Other"."""
    from axes.backbone.report import analyze_config

    config = {
        "model_type": "lfm2",
        "vocab_size": 512,
        "hidden_size": 64,
        "num_hidden_layers": 4,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "intermediate_size": 96,
        "layer_types": ["conv", "conv", "full_attention", "conv"],
    }
    report = analyze_config(config)
    assert report["estimated"] is False
    web_model("acme/lfm2", analysis=report, config=config)
    html = client.get("/models/acme/lfm2/").content.decode()
    assert html.count('<span class="seg b-short_conv">') == 3
    assert html.count('<span class="seg b-attention">') == 1
    assert "b-other" not in html.split('class="layer-strip"', 1)[1].split("</div>", 1)[0]
    assert "Short convolution" in html


def test_a_parallel_hybrid_layer_shows_attention_and_mamba_in_its_strip_cell(client, web_model):
    """Falcon-H1 runs attention and Mamba-2 side by side in every layer (mixer
    "attention+mamba2"): each cell of the strip shows both, then the MLP, and the legend
    counts every layer under each."""
    from axes.backbone.report import analyze_config

    config = {
        "model_type": "falcon_h1",
        "vocab_size": 512,
        "hidden_size": 64,
        "num_hidden_layers": 3,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "intermediate_size": 96,
        "mamba_d_ssm": 128,
        "mamba_n_heads": 8,
    }
    web_model("acme/parallel-hybrid", analysis=analyze_config(config), config=config)
    html = client.get("/models/acme/parallel-hybrid/").content.decode()
    cell = (
        '<span class="layer" title="Layer 0: Attention + Mamba / SSM + Dense MLP">'
        '<span class="seg b-attention"></span><span class="seg b-mamba"></span>'
        '<span class="seg b-dense_mlp"></span></span>'
    )
    assert cell in html
    assert html.count('<span class="seg b-attention">') == 3
    assert "3 GQA with Mamba-2 in parallel · 3 MLP" in html


def test_two_models_with_the_same_memory_curve_both_show():
    """DeepSeek-V3 and R1 share every shape: on the compare page R1's memory curve hid V3's.
    Each model has its dash as well as its color, so the later curve is dashed over the
    earlier."""
    import json as _json

    from catalog.views_support import chart_memory

    points = [(4096, 700e9), (32768, 710e9), (131072, 740e9)]
    figure = _json.loads(chart_memory([("V3", points), ("R1", points)], "H200", 141e9))
    lines = [trace["line"] for trace in figure["data"]]
    assert [line["dash"] for line in lines] == ["solid", "dash"]
    assert lines[0]["color"] != lines[1]["color"]


@pytest.mark.parametrize(
    ("lang", "none", "why", "compare_none"),
    [
        ("en", "none", "no layer caches keys and values", "none (no layer caches keys and values)"),
        (
            "ko",
            "없음",
            "key와 value를 캐시하는 레이어가 없음",
            "없음 (key와 value를 캐시하는 레이어 없음)",
        ),
        (
            "de",
            "keiner",
            "kein Layer cacht Keys und Values",
            "keiner (kein Layer cacht Keys und Values)",
        ),
    ],
)
def test_a_pure_ssm_has_no_kv_cache_in_words_not_zero_b(client, lang, none, why, compare_none):
    """mamba-2.8b's headline read "KV cache per token: 0 B" beside "Total parameters: 2.77 B",
    where B is billions; the compare page's row read the same. A model none of whose layers
    caches keys and values says so; one that does keeps its bytes."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    html = client.get(
        "/models/state-spaces/mamba-2.8b-hf/", HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    stats = html[html.index('class="stats"') : html.index("</dl>")]
    card = stats[stats.index('data-testid="no-kv-cache"') :].split("</dd>")[0]
    assert f">{none}</span><small>{why}</small>" in card
    assert ">0 B<" not in stats
    url = "/compare/?models=state-spaces/mamba-2.8b-hf,meta-llama/Meta-Llama-3-8B"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    row = page[page.index('data-key="kv_bytes_per_token"') :].split("</tr>")[0]
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == [compare_none, "128.00 KiB" if lang != "de" else "128,00 KiB"]
