"""A quantized checkpoint's stored format in words a learner can read: DeepSeek-V3/R1 store
their decoder linears in block-wise FP8 and the rest (embeddings, norms, routers, lm_head) in
bf16, their config's torch_dtype. The weights-format fact read "stored_dtype: bfloat16 ·
quantization: FP8 block-wise", as if the weights were both; it now reads "FP8 (block-wise
128×128), rest bf16" on the model page (fact and headline), the compare page and the CLI."""

from __future__ import annotations

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command

from axes import readable
from tests.conftest import _web_shared_config, shared_hub

EXPECTED = {
    "en": "FP8 (block-wise 128×128), rest bf16",
    "ko": "FP8 (블록 단위 128×128), 나머지는 bf16",
    "de": "FP8 (blockweise 128×128), Rest in bf16",
}

needs_hub = pytest.mark.skipif(
    not (shared_hub() / "deepseek-ai--DeepSeek-R1").is_dir(), reason="no shared hub data"
)


def test_the_words_for_quantized_and_plain_checkpoints():
    fp8 = {"stored_dtype": "bfloat16", "quantization": "FP8 block-wise", "block_size": [128, 128]}
    assert readable.weights_format_text(fp8) == EXPECTED["en"]
    # an analysis stored before the fact carried the block's size
    old = {"stored_dtype": "bfloat16", "quantization": "FP8 block-wise"}
    assert readable.weights_format_text(old) == "FP8 block-wise, rest bf16"
    awq = {"stored_dtype": "float16", "quantization": "AWQ int4 g128", "block_size": None}
    assert readable.weights_format_text(awq) == "AWQ int4 g128, rest fp16"
    assert readable.weights_format_text({"stored_dtype": None, "quantization": "FP8"}) == "FP8"
    assert readable.weights_format_text({"stored_dtype": "bfloat16", "quantization": None}) is None
    plain = {"stored_dtype": "bfloat16", "quantization": None, "block_size": None}
    assert readable.fact_value_text("backbone.weights_format", plain) == "stored_dtype: bfloat16"


@needs_hub
def test_the_cli_writes_deepseeks_format_in_words():
    out = StringIO()
    call_command("analyze", str(shared_hub() / "deepseek-ai--DeepSeek-R1"), stdout=out)
    line = next(x for x in out.getvalue().splitlines() if "backbone.weights_format" in x)
    assert f"backbone.weights_format      {EXPECTED['en']}  [config.json:" in line, line
    assert "bfloat16" not in line


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@needs_hub
@pytest.mark.parametrize("lang", ["en", "ko", "de"])
def test_the_pages_write_deepseeks_format_in_words(client, web_model, lang):
    from axes.analysis import analyze_artifacts, artifacts_from_dir

    for repo_id in ("deepseek-ai/DeepSeek-R1", "meta-llama/Llama-3.1-8B"):
        folder = shared_hub() / repo_id.replace("/", "--")
        report = analyze_artifacts(artifacts_from_dir(folder, repo_id=repo_id))
        web_model(repo_id, analysis=report, config=_web_shared_config(folder.name))
    words = EXPECTED[lang]

    page = client.get(f"/models/deepseek-ai/DeepSeek-R1/?lang={lang}").content.decode()
    values = [
        _text(fact.split('class="fact-value">', 1)[1].split("</div>", 1)[0])
        for fact in page.split('data-kind="backbone.weights_format"')[1:]
    ]
    assert words in values, values
    stat = _text(page.split('<div class="stat">')[4].split("</dd>", 1)[0])
    assert words in stat, stat  # the headline's weights as stored

    compare = client.get(
        f"/compare/?models=deepseek-ai/DeepSeek-R1,meta-llama/Llama-3.1-8B&lang={lang}"
    ).content.decode()
    row = compare.split('data-kind="backbone.weights_format"', 1)[1].split("</tr>", 1)[0]
    cells = [_text(c.split("<details", 1)[0]) for c in row.split('class="cell-fact">')[1:]]
    assert words in cells, cells
    # Llama 3.1 is not quantized: its dtype alone, as before
    assert "stored_dtype: bfloat16" in cells, cells
    for text in (*values, stat, *cells):
        assert "bfloat16 ·" not in text and "quantization:" not in text, text
