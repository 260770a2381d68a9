"""What an ML engineer's walk through the bundled models found: a verdict that printed one
model's sampling settings as JSON, and figures written in units that do not fit them."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from catalog.services import DEMO_DIR, demo_model_load

LLAMA = "meta-llama/Llama-3.1-8B"
GPT_OSS = "openai/gpt-oss-20b"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def bundled(repo_id: str) -> None:
    demo_model_load(path=DEMO_DIR / f"{repo_id.replace('/', '--')}.json")


@pytest.mark.django_db
def test_verdict_writes_a_side_with_several_facts_as_words_not_json(client):
    """Llama 3.1 8B's generation_config gives three sampling facts; the verdict's inference
    row printed them as '{"temperature": 0.6}, {"top_p": 0.9}, {"do_sample": true}'."""
    bundled(LLAMA)
    bundled(GPT_OSS)
    html = html_lib.unescape(client.get(f"/compare/?models={LLAMA},{GPT_OSS}").content.decode())
    row = re.search(r'<tr class="verdict-row[^"]*" data-axis="inference".*?</tr>', html, re.S)
    assert row, "no inference row in the verdict"
    sampling = re.search(r'data-kind="inference.sampling">.*?</li>', row.group(0), re.S)
    assert sampling, row.group(0)
    text = re.sub(r"<[^>]+>", "", sampling.group(0))
    assert "temperature: 0.6" in text and "top_p: 0.9" in text, text
    assert '{"' not in text and "true" not in text, text
