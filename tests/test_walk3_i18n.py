"""What a walk through the German pages found in the config values: counts grouped with the
point ("q_lora_rank: 1.536") beside floats written as the config writes them ("factor: 8.0")."""

from __future__ import annotations

import json

import pytest

NNBSP = "\u202f"  # narrow no-break space


@pytest.fixture
def demo(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)


def _page(client, path: str, lang: str, **params) -> str:
    response = client.get(path, params, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200, (path, lang, response.status_code)
    return response.content.decode()


def test_german_config_counts_do_not_read_as_decimal_fractions(client, demo):
    """German grouped config counts with the point, as it groups prose numbers: DeepSeek-V3's
    "q_lora_rank: 1.536" and "expert_intermediate_size: 2.048", Llama 3.1's
    "original_max_position_embeddings: 8.192" in the same line as "factor: 8.0". A German ML
    engineer reads 1.536 as a fraction. The groups of a config count are now set apart by a
    narrow space (1 536); prose numbers and the other languages keep their grouping."""
    de = _page(client, "/models/deepseek-ai/DeepSeek-V3/", "de")
    assert f"q_lora_rank: 1{NNBSP}536" in de
    assert "q_lora_rank: 1.536" not in de
    assert f"hidden_size: 7{NNBSP}168" in de
    llama = _page(client, "/models/meta-llama/Llama-3.1-8B/", "de")
    assert "factor: 8.0" in llama
    assert f"original_max_position_embeddings: 8{NNBSP}192" in llama
    assert "original_max_position_embeddings: 8.192" not in llama
    assert f"rope_theta: 500{NNBSP}000" in llama
    # prose keeps German's point: "8.030.261.248, analytisch gezählt ..."
    assert "8.030.261.248, analytisch gezählt" in llama
    for lang in ("en", "ko"):
        page = _page(client, "/models/deepseek-ai/DeepSeek-V3/", lang)
        assert "q_lora_rank: 1,536" in page, lang


def test_german_compare_tables_write_config_counts_with_a_narrow_space(client, demo):
    """The compare page's normalized config table and its verdict's differences read alike."""
    page = _page(
        client,
        "/compare/",
        "de",
        models="meta-llama/Meta-Llama-3-8B,nvidia/Nemotron-H-8B-Base-8K",
    )
    row = page.split('<th scope="row"><code>intermediate_size</code>', 1)[1].split("</tr>", 1)[0]
    assert f">14{NNBSP}336</td>" in row, row
    assert f">21{NNBSP}504</td>" in row, row
    assert "14.336" not in page


def test_german_computed_counts_read_as_the_pages_counts_not_as_config_values(client, demo):
    """DeepSeek-V3's German page showed its MTP module's computed "params: 13 463 426 048"
    (the narrow space of config values) beside "~13.463.426.048 Parameter" and "Parameter
    gesamt 671.026.404.352". The narrow space is for the numbers a config key holds (the
    fact's evidence quotes them); a count the engine computed is grouped as every count."""
    import re

    de = _page(client, "/models/deepseek-ai/DeepSeek-V3/", "de")
    assert "params: 13.463.426.048" in de
    assert f"13{NNBSP}463" not in de
    assert f"hidden_size: 7{NNBSP}168" in de and f"q_lora_rank: 1{NNBSP}536" in de  # config
    assert "671.026.404.352" in de
    # no number on the page is grouped with narrow spaces unless a config holds it: each
    # narrow-space number is one DeepSeek-V3's config.json writes
    from catalog.models import Artifact

    config = Artifact.objects.filter(
        revision__model__repo_id="deepseek-ai/DeepSeek-V3", kind=Artifact.Kind.CONFIG
    ).first()
    written = set(re.findall(r"\d+", json.dumps(config.data)))
    grouped = {m.replace(NNBSP, "") for m in re.findall(rf"\d{{1,3}}(?:{NNBSP}\d{{3}})+", de)}
    assert grouped and grouped <= written, grouped - written
    en = _page(client, "/models/deepseek-ai/DeepSeek-V3/", "en")
    assert "params: 13,463,426,048" in en and "hidden_size: 7,168" in en
    # the compare page's cells say the same
    page = _page(
        client,
        "/compare/",
        "de",
        models="deepseek-ai/DeepSeek-V3,meta-llama/Meta-Llama-3-8B",
    )
    assert "params: 13.463.426.048" in page and f"13{NNBSP}463" not in page


@pytest.mark.parametrize(
    ("lang", "whole", "no_count", "not_described"),
    [
        (
            "ko",
            "페이지 전체",
            "(공개된 파라미터 수 없음)",
            "post-training 방식을 설명하지 않습니다",
        ),
        ("de", "ganze Seite", "(keine Parameterzahl veröffentlicht)", "Post-Training dieses"),
    ],
)
def test_a_closed_models_evidence_words_are_in_the_page_language(
    client, demo, lang, whole, no_count, not_described
):
    """A closed model's evidence for what its vendor does not publish read "whole page" and
    "(no parameter count published)" in English on the Korean and German pages: Mechanic's own
    words, not a quote of the vendor's page. The vendor's section names (Introduction,
    Specifications) are its own and stay as written."""
    gpt5 = _page(client, "/models/openai/gpt-5/", lang)
    assert whole in gpt5 and no_count in gpt5
    assert "whole page" not in gpt5 and "(no parameter count published)" not in gpt5
    assert "Introduction" in gpt5  # the vendor's own section name
    claude = _page(client, "/models/anthropic/claude-opus-5/", lang)
    assert not_described in claude
    assert "do not describe how this checkpoint" not in claude
    gemini = _page(client, "/models/google/gemini-2.5-pro/", lang)
    assert "whole page" not in gemini and "(no parameter count" not in gemini
