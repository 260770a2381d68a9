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
    # a config without torch_dtype (gpt-oss): the dtype the engine sizes the rest in
    mxfp4 = {"stored_dtype": None, "quantization": "MXFP4 (experts)", "assumed_dtype": "bfloat16"}
    assert readable.weights_format_text(mxfp4) == "MXFP4 (experts), rest bf16"
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


GPT_OSS = {
    "en": "MXFP4 (experts), rest bf16",
    "ko": "MXFP4 (experts), 나머지는 bf16",
    "de": "MXFP4 (experts), Rest in bf16",
}
needs_gpt_oss = pytest.mark.skipif(
    not (shared_hub() / "openai--gpt-oss-20b").is_dir(), reason="no shared hub data"
)


@needs_gpt_oss
def test_the_cli_says_what_gpt_oss_leaves_unquantized_is_taken_as_bf16():
    """gpt-oss's config.json has no torch_dtype: its weights-format fact read "MXFP4
    (experts)" while the CLI's "weights stored" line sized the rest at bf16, the engine's
    default. The fact carries that dtype now, its evidence saying it is assumed, and reads as
    the basis does; the config's own dtype stays unstated (a card's "bf16 weights" is not
    confirmed by it)."""
    from axes.analysis import analyze_artifacts, artifacts_from_dir

    folder = shared_hub() / "openai--gpt-oss-20b"
    out = StringIO()
    call_command("analyze", str(folder), stdout=out)
    lines = out.getvalue().splitlines()
    line = next(x for x in lines if "backbone.weights_format" in x)
    assert f"backbone.weights_format      {GPT_OSS['en']}  [config.json:" in line, line
    stored = next(x for x in lines if x.strip().startswith("weights stored"))
    assert stored.endswith("(MXFP4 experts (4.25 bits) + bf16 rest)"), stored
    report = analyze_artifacts(artifacts_from_dir(folder, repo_id="openai/gpt-oss-20b"))
    fact = next(f for f in report["facts"] if f["kind"] == "backbone.weights_format")
    assert fact["value"]["stored_dtype"] is None
    assert fact["value"]["assumed_dtype"] == "bfloat16"
    assert fact["evidence"]["text"] == (
        'quant_method = "mxfp4"; no torch_dtype: the unquantized tensors taken as bfloat16 '
        "(the engine's default)"
    )
    assert report["backbone"]["weights_format"]["assumed_dtype"] == "bfloat16"


def test_a_modelopt_checkpoint_without_torch_dtype_says_the_rest_is_assumed():
    """hf_quant_config.json's evidence replaces config.json's: the assumed dtype is said there
    too."""
    from axes.analysis import Artifacts, analyze_artifacts

    config = {
        "model_type": "llama",
        "hidden_size": 256,
        "intermediate_size": 512,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "vocab_size": 1000,
    }
    quant = {"quantization": {"quant_algo": "FP8", "exclude_modules": ["lm_head"]}}
    out = analyze_artifacts(Artifacts(repo_id="x/fp8", config=config, quant_config=quant))
    fact = next(f for f in out["facts"] if f["kind"] == "backbone.weights_format")
    assert readable.weights_format_text(fact["value"]) == "FP8, rest bf16"
    assert fact["evidence"]["text"] == (
        'quant_algo = "FP8"; no torch_dtype: the unquantized tensors taken as bfloat16 '
        "(the engine's default)"
    )


@needs_gpt_oss
@needs_hub
@pytest.mark.parametrize("lang", ["en", "ko", "de"])
def test_the_pages_write_gpt_oss_format_with_its_bf16_rest(client, web_model, lang):
    """The model page (fact and headline) and the compare page read "MXFP4 (experts), rest
    bf16" as the CLI's stored-weights line does; they read "MXFP4 (experts)"."""
    from axes.analysis import analyze_artifacts, artifacts_from_dir

    for repo_id in ("openai/gpt-oss-20b", "meta-llama/Llama-3.1-8B"):
        folder = shared_hub() / repo_id.replace("/", "--")
        report = analyze_artifacts(artifacts_from_dir(folder, repo_id=repo_id))
        web_model(repo_id, analysis=report, config=_web_shared_config(folder.name))
    words = GPT_OSS[lang]

    page = client.get(f"/models/openai/gpt-oss-20b/?lang={lang}").content.decode()
    values = [
        _text(fact.split('class="fact-value">', 1)[1].split("</div>", 1)[0])
        for fact in page.split('data-kind="backbone.weights_format"')[1:]
    ]
    assert words in values, values
    stat = _text(page.split('<div class="stat">')[4].split("</dd>", 1)[0])
    assert words in stat, stat

    compare = client.get(
        f"/compare/?models=openai/gpt-oss-20b,meta-llama/Llama-3.1-8B&lang={lang}"
    ).content.decode()
    row = compare.split('data-kind="backbone.weights_format"', 1)[1].split("</tr>", 1)[0]
    cells = [_text(c.split("<details", 1)[0]) for c in row.split('class="cell-fact">')[1:]]
    assert words in cells, cells
