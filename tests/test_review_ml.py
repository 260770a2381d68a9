"""What an ML engineer's walk through the bundled models found: a verdict that printed one
model's sampling settings as JSON, and figures written in units that do not fit them."""

from __future__ import annotations

import html as html_lib
import re

import pytest

# the bundled-model loader, and a cache emptied around each test (autouse: imported, it applies
# here too)
from tests.test_review_pages import _fresh_cache, bundled  # noqa: F401

LLAMA = "meta-llama/Llama-3.1-8B"
GPT_OSS = "openai/gpt-oss-20b"


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


TINY_QWEN3 = {
    "architectures": ["Qwen3ForCausalLM"],
    "model_type": "qwen3",
    "hidden_size": 512,
    "intermediate_size": 1536,
    "num_hidden_layers": 6,
    "num_attention_heads": 8,
    "num_key_value_heads": 2,
    "head_dim": 64,
    "vocab_size": 32000,
    "max_position_embeddings": 4096,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
    "torch_dtype": "bfloat16",
}


def _chart(html: str, chart_id: str) -> dict:
    import json

    match = re.search(rf'<script[^>]*id="{chart_id}"[^>]*>(.*?)</script>', html, re.S)
    assert match, f"no {chart_id} on the page"
    return json.loads(html_lib.unescape(match.group(1)))


@pytest.mark.django_db
def test_a_small_models_parameter_chart_counts_in_millions(client):
    """An uploaded 34M-parameter model's breakdown was drawn on a 'billion parameters' axis
    whose ticks read 0.005, 0.01, 0.015."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    config = SimpleUploadedFile("config.json", json.dumps(TINY_QWEN3).encode())
    response = client.post("/upload/", {"repo_id": "acme/tiny-qwen3", "config": config})
    assert response.status_code == 303, response.content.decode()[:2000]
    html = client.get(response["Location"]).content.decode()
    chart = _chart(html, "chart-params")
    assert chart["layout"]["xaxis"]["title"]["text"] == "million parameters"
    bars = dict(zip(chart["data"][0]["y"], chart["data"][0]["x"], strict=True))
    assert bars["Embeddings"] == pytest.approx(16.384)  # 32,000 x 512
    # a model of billions keeps its billions
    bundled(LLAMA)
    llama = _chart(client.get(f"/models/{LLAMA}/").content.decode(), "chart-params")
    assert llama["layout"]["xaxis"]["title"]["text"] == "billion parameters"


@pytest.mark.django_db
def test_memory_chart_labels_do_not_print_over_each_other(client):
    """DeepSeek-V3's memory chart labelled 128K and 160K side by side on its log axis, where
    they read '128160K'; the native 160K keeps its label, and the page's chosen context its."""
    bundled("deepseek-ai/DeepSeek-V3")
    url = "/models/deepseek-ai/DeepSeek-V3/"
    for query, must in (("", "160K"), ("?context=131072", "128K")):
        chart = _chart(client.get(url + query).content.decode(), "chart-memory")
        xaxis = chart["layout"]["xaxis"]
        ticks = xaxis["tickvals"]
        assert must in xaxis["ticktext"], xaxis["ticktext"]
        assert all(b / a >= 1.5 for a, b in zip(ticks, ticks[1:], strict=False)), ticks
        # every point is still drawn
        assert 131072 in chart["data"][0]["x"] and 163840 in chart["data"][0]["x"]
