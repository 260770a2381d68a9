"""``manage.py analyze``: offline on a folder (no database, no torch), catalog lookups."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from conftest import cli_env
from django.core.management import CommandError, call_command

from axes.analysis import ANALYSIS_VERSION

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(
    os.environ.get("MECHANIC_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared")
)
HUB = SHARED / "hub"
needs_hub = pytest.mark.skipif(not HUB.is_dir(), reason=f"no shared hub data at {HUB}")


def _env(tmp_path: Path, **locale: str) -> dict[str, str]:
    env = cli_env(**locale)  # its language is the test's, never the developer's
    env.setdefault("DEBUG", "1")
    # an empty data dir: the PATH case must work without a migrated database
    env["MECHANIC_DATA_DIR"] = str(tmp_path / "data")
    (tmp_path / "data").mkdir(exist_ok=True)
    return env


@needs_hub
def test_path_json_offline_without_database_or_torch(tmp_path: Path) -> None:
    code = (
        "import sys, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mechanic.settings');"
        "django.setup();"
        "from django.core.management import call_command;"
        f"call_command('analyze', {str(HUB / 'deepseek-ai--DeepSeek-R1')!r}, '--json', "
        "'--context', '4096', '--kv-dtype', 'fp8');"
        "sys.stderr.write('TORCH=' + str('torch' in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "TORCH=False" in out.stderr
    result = json.loads(out.stdout)
    assert result["repo_id"] == "deepseek-ai/DeepSeek-R1"
    assert result["params"]["total"] == 671_026_404_352
    assert result["memory"]["kv_bytes"]["context"] == 4096
    assert result["memory"]["kv_bytes"]["bytes"] == 70_272 // 2 * 4096
    kinds = {f["kind"] for f in result["facts"]}
    assert {"backbone.mtp", "backbone.moe", "backbone.attention"} <= kinds


@needs_hub
def test_path_summary_table(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "analyze",
            str(HUB / "nvidia--Nemotron-H-56B-Base-8K"),
            "--gpu",
            "h200",
            "--batch",
            "2",
        ],
        cwd=REPO,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "54 Mamba-2 + 10 GQA + 54 MLP" in text
    assert "56,324,350,464" in text
    assert "max context H200" in text and "decode roofline H200" in text
    # --batch 2 moves the KV row and the largest context, each naming its batch and KV dtype;
    # the roofline says it stays the batch-1 bound
    assert "KV @ 8,192 × 2 (bf16)" in text
    assert "max context H200 (batch 2, KV bf16)" in text
    roofline = next(x for x in text.splitlines() if "decode roofline H200" in x)
    assert "tok/s (batch 1, context 8,192, KV bf16, weights as stored" in roofline
    assert "backbone.ssm" in text


@needs_hub
def test_weights_larger_than_the_gpu_say_does_not_fit() -> None:
    out = StringIO()
    call_command("analyze", str(HUB / "deepseek-ai--DeepSeek-R1"), "--gpu", "RTX-4090", stdout=out)
    label = "max context RTX-4090 (batch 1, KV bf16)"
    line = next(x for x in out.getvalue().splitlines() if label in x)
    assert line.split(label, 1)[1].strip() == "does not fit (weights exceed 24 GB)"


def test_modelopt_fp8_weights_come_from_hf_quant_config() -> None:
    import json

    # nvidia/*-FP8 (ModelOpt) state the format in hf_quant_config.json, not config.json: the
    # weights were counted at bf16 (141 GB) instead of fp8 linears + bf16 embeddings/lm_head
    out = StringIO()
    call_command("analyze", str(HUB / "nvidia--Llama-3.1-70B-Instruct-FP8"), "--json", stdout=out)
    result = json.loads(out.getvalue())
    total = result["params"]["total"]
    assert total == 70_553_706_496
    embeddings = 128_256 * 8192  # embed_tokens and the untied lm_head stay bf16
    norms = result["params"]["breakdown"]["norms"]
    linears = total - 2 * embeddings - norms
    weights = result["memory"]["weights_bytes"]
    assert weights["stored"] == linears + (total - linears) * 2 == 72_656_371_712
    assert weights["stored_basis"] == "fp8 decoder linears (per-tensor scales) + bf16 rest"
    assert any("hf_quant_config.json (NVIDIA ModelOpt): FP8" in n for n in result["notes"])
    assert any("FP8 KV cache" in n for n in result["notes"])
    fact = next(f for f in result["facts"] if f["kind"] == "backbone.weights_format")
    assert fact["value"]["quantization"] == "FP8"
    assert fact["evidence"]["source"] == "hf_quant_config.json"
    assert fact["evidence"]["text"] == 'quant_algo = "FP8"'


def test_a_batch_whose_kv_does_not_fit_is_not_blamed_on_the_weights() -> None:
    out = StringIO()
    llama = str(HUB / "meta-llama--Llama-3.1-8B")
    call_command("analyze", llama, "--batch", "1000000", stdout=out)
    label = "max context H100-SXM (batch 1,000,000, KV bf16)"
    line = next(x for x in out.getvalue().splitlines() if label in x)
    assert line.split(label, 1)[1].strip() == (
        "does not fit (the weights fit in 80 GB, a batch of 1,000,000 does not)"
    )


def test_odd_files_in_a_folder_give_notes_or_clear_errors_never_a_traceback(
    tmp_path: Path,
) -> None:
    import json

    llama = json.loads((HUB / "meta-llama--Llama-3.2-1B" / "config.json").read_text())
    folder = tmp_path / "odd"
    folder.mkdir()
    # NaN (Python's json writes it) is read as null: strict JSON out, and a note
    (folder / "config.json").write_text(json.dumps({**llama, "rms_norm_eps": float("nan")}))
    (folder / "chat_template.jinja").write_bytes(b"{{ messages }}\xff\xfe")
    (folder / "model.safetensors.index.json").write_text(
        '{"metadata": "x", "weight_map": {"a": [1], "b": "model-1.safetensors"}}'
    )
    out = StringIO()
    call_command("analyze", str(folder), "--json", stdout=out)

    def refuse(token: str) -> None:
        raise AssertionError(f"{token} in the JSON output")

    result = json.loads(out.getvalue(), parse_constant=refuse)
    assert result["params"]["total"] == 1_235_814_400
    assert result["backbone"]["norm"]["eps"] is None
    notes = " | ".join(result["notes"])
    assert "config.json holds NaN" in notes and "chat_template.jinja is not all UTF-8" in notes
    checkpoint = result["checkpoint"]
    assert checkpoint["index_notes"] == ["metadata is not an object: ignored"]
    assert checkpoint["index"]["tensors"] == 2 and checkpoint["index"]["shards"] == 1
    # a float that overflows is no real value: refused, naming the file
    (folder / "config.json").write_text(json.dumps(llama).replace("500000.0", "1e400"))
    with pytest.raises(CommandError, match="config.json is not usable JSON: 1e400 is too large"):
        call_command("analyze", str(folder), "--json")


def test_bad_inputs_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="'./no-such-folder' is not a folder"):
        call_command("analyze", "./no-such-folder")
    with pytest.raises(CommandError, match="no config.json"):
        call_command("analyze", str(tmp_path))
    with pytest.raises(CommandError, match="unknown GPU"):
        call_command("analyze", str(tmp_path), "--gpu", "TPU-v9")
    (tmp_path / "config.json").write_text('{"model_type": "llama", "vocab_size": 10}')
    with pytest.raises(CommandError, match="hidden_size"):
        call_command("analyze", str(tmp_path), "--json")


@pytest.mark.django_db
def test_model_id_not_in_catalog_suggests_ingest() -> None:
    with pytest.raises(CommandError, match="manage.py ingest acme/unknown"):
        call_command("analyze", "acme/unknown")
    # a legacy single-part ID is an ID (as for ingest), which might also be a mistyped folder
    with pytest.raises(
        CommandError, match="gpt2 is not in the catalog and there is no folder named 'gpt2' here"
    ):
        call_command("analyze", "gpt2")


@pytest.mark.django_db
def test_legacy_single_part_id_from_the_catalog() -> None:
    from catalog.models import CatalogModel, Revision

    model = CatalogModel.objects.create(repo_id="gpt2")
    rev = Revision.objects.create(
        model=model,
        sha="b" * 40,
        source=Revision.Source.BUNDLED,
        analysis={"repo_id": "gpt2", "params": {"total": 124_439_808}, "facts": []},
        analysis_version=1,
    )
    model.latest_revision = rev
    model.save()
    buf = StringIO()
    call_command("analyze", "GPT2", "--json", stdout=buf)  # Hub IDs ignore case
    assert json.loads(buf.getvalue())["params"]["total"] == 124_439_808


@pytest.mark.django_db
@needs_hub
def test_model_id_from_catalog_uses_the_stored_analysis() -> None:
    from catalog.models import CatalogModel, Revision

    model = CatalogModel.objects.create(repo_id="meta-llama/Llama-3.1-8B")
    analysis = {"repo_id": model.repo_id, "params": {"total": 8_030_261_248}, "facts": []}
    rev = Revision.objects.create(
        model=model,
        sha="a" * 40,
        source=Revision.Source.BUNDLED,
        analysis=analysis,
        analysis_version=1,
    )
    model.latest_revision = rev
    model.save()
    buf = StringIO()
    call_command("analyze", "meta-llama/Llama-3.1-8B", "--json", stdout=buf)
    assert json.loads(buf.getvalue())["params"]["total"] == 8_030_261_248
    # a Hub URL and another casing name the same model, as on the home page and for ingest
    for same in ("https://huggingface.co/meta-llama/Llama-3.1-8B", "META-LLAMA/llama-3.1-8b"):
        buf = StringIO()
        call_command("analyze", same, "--json", stdout=buf)
        assert json.loads(buf.getvalue())["params"]["total"] == 8_030_261_248
    # a malformed ID is said to be one (it was "not in the catalog: ingest it")
    with pytest.raises(CommandError, match="is not a model ID: 'Llama 3.1' contains characters"):
        call_command("analyze", "meta-llama/Llama 3.1")


@pytest.mark.django_db
def test_a_closed_model_prints_its_curated_facts() -> None:
    from catalog.models import CatalogModel, Revision

    model = CatalogModel.objects.create(repo_id="acme/closed-1", kind=CatalogModel.Kind.CLOSED)
    fact = {
        "axis": "inference",
        "kind": "inference.reasoning_mode",
        "value": "thinking on by default",
        "evidence": {"source": "https://acme.example/docs", "locator": "Overview", "text": "x"},
        "confidence": 1.0,
        "extractor": "bundled",
    }
    rev = Revision.objects.create(
        model=model,
        sha="c" * 40,
        source=Revision.Source.BUNDLED,
        analysis={"params": None, "facts": [fact], "notes": []},
        analysis_version=ANALYSIS_VERSION,
    )
    model.latest_revision = rev
    model.save()
    buf = StringIO()
    call_command("analyze", "acme/closed-1", stdout=buf)
    text = buf.getvalue()
    assert text.startswith("Model: acme/closed-1\n")
    assert "not analyzed (a closed model: the vendor publishes no config.json)" in text
    assert "thinking on by default" in text


@pytest.mark.django_db
def test_ingest_dir_names_an_org_name_folder_and_says_when_the_backbone_failed(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "local--half-config"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "llama", "vocab_size": 10}')
    out, err = StringIO(), StringIO()
    call_command("ingest", "--dir", str(folder), stdout=out, stderr=err)
    assert out.getvalue().startswith("ingested local/half-config@")
    assert "note: the backbone could not be analyzed: config.json has no hidden_size" in (
        err.getvalue()
    )


@pytest.mark.django_db
def test_ingest_says_its_notes_in_the_terminal_s_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ingest's notes read as the model page and analyze say them (catalog.notes_l10n)."""
    folder = tmp_path / "local--half-config"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "llama", "vocab_size": 10}')
    monkeypatch.setenv("LANGUAGE", "de")
    err = StringIO()
    call_command("ingest", "--dir", str(folder), stdout=StringIO(), stderr=err)
    said = err.getvalue()
    assert "Hinweis: Das Backbone konnte nicht analysiert werden: " in said, said
    assert "config.json has no hidden_size" not in said


def _manage(
    args: list[str], tmp_path: Path, *, probe: bool = False, **locale: str
) -> subprocess.CompletedProcess:
    """``python manage.py ARGS``; with ``probe``, run through runpy and report on stderr
    whether Django and torch were imported. ``locale``: LANG=..., LANGUAGE=... for the run."""
    if not probe:
        cmd = [sys.executable, "manage.py", *args]
    else:
        code = (
            "import runpy, sys\n"
            f"sys.argv = ['manage.py', *{args!r}]\n"
            "try:\n"
            "    runpy.run_path('manage.py', run_name='__main__')\n"
            "except SystemExit as exc:\n"
            "    status = exc.code\n"
            "else:\n"
            "    status = 0\n"
            "sys.stderr.write(f\"\\nDJANGO={'django' in sys.modules} TORCH={'torch' in sys.modules}\")\n"
            "sys.exit(status)\n"
        )
        cmd = [sys.executable, "-c", code]
    return subprocess.run(
        cmd, cwd=REPO, env=_env(tmp_path, **locale), capture_output=True, text=True, timeout=120
    )


@needs_hub
def test_manage_py_answers_a_folder_without_importing_django(tmp_path: Path) -> None:
    """`manage.py analyze PATH` skips django.setup() (most of its start-up time) and prints
    exactly what the Django command prints."""
    folder = str(HUB / "openai--gpt-oss-20b")
    fast = _manage(["analyze", folder, "--json", "--context", "4096"], tmp_path, probe=True)
    assert fast.returncode == 0, fast.stderr
    assert "DJANGO=False TORCH=False" in fast.stderr
    via_django = StringIO()
    call_command("analyze", folder, "--json", "--context", "4096", stdout=via_django)
    assert fast.stdout == via_django.getvalue()
    assert json.loads(fast.stdout)["memory"]["kv_bytes"]["context"] == 4096

    summary = _manage(["analyze", folder, "--gpu", "h200"], tmp_path, probe=True)
    assert summary.returncode == 0, summary.stderr
    assert "DJANGO=False" in summary.stderr
    out = StringIO()
    call_command("analyze", folder, "--gpu", "h200", stdout=out)
    assert summary.stdout == out.getvalue()
    assert "decode roofline H200" in summary.stdout
    # fact values print as written ("12 sliding · 12 full"), not as JSON escapes
    layers = next(x for x in summary.stdout.splitlines() if x.strip().startswith("backbone.layers"))
    assert "·" in layers and "\\u00b7" not in layers


def test_manage_py_folder_errors_match_the_django_command(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = _manage(["analyze", str(empty)], tmp_path, probe=True)
    assert missing.returncode == 1
    assert f"CommandError: {empty} has no config.json; point at a model folder." in missing.stderr
    assert "DJANGO=False" in missing.stderr
    with pytest.raises(CommandError, match="has no config.json"):
        call_command("analyze", str(empty))

    bad_batch = _manage(["analyze", str(empty), "--batch", "0"], tmp_path)
    assert bad_batch.returncode == 1
    assert "CommandError: --batch must be from 1 to 1,000,000" in bad_batch.stderr


def test_manage_py_leaves_ids_help_and_bad_options_to_django(tmp_path: Path) -> None:
    # a malformed option: one usage message, Django's (it lists Django's own options)
    bad = _manage(["analyze", str(tmp_path), "--context", "abc"], tmp_path, probe=True)
    assert bad.returncode == 2
    assert bad.stderr.count("usage:") == 1 and "--settings" in bad.stderr
    assert "invalid int value: 'abc'" in bad.stderr
    # --help is Django's, with the command's own options
    helped = _manage(["analyze", "--help"], tmp_path)
    assert (
        helped.returncode == 0 and "--kv-dtype" in helped.stdout and "--settings" in helped.stdout
    )
    # a model ID needs the catalog: the Django command answers (the data dir is not migrated)
    by_id = _manage(["analyze", "acme/unknown"], tmp_path, probe=True)
    assert by_id.returncode == 1
    assert "DJANGO=True" in by_id.stderr
    assert "acme/unknown" in by_id.stderr and "manage.py" in by_id.stderr


def test_a_malformed_environment_variable_is_one_line(tmp_path: Path) -> None:
    for name, value, said in (
        ("HF_ENDPOINT", "notaurl", "HF_ENDPOINT='notaurl' must start with http:// or https://"),
        ("DATABASE_URL", "foo", "DATABASE_URL='foo' cannot be parsed"),
        ("REDIS_URL", "foo", "REDIS_URL='foo' has an unknown scheme"),  # the variable one set
        ("CELERY_BROKER_URL", "bar", "CELERY_BROKER_URL='bar' has an unknown scheme"),
    ):
        env = {**_env(tmp_path), name: value}
        env.pop("CELERY_BROKER_URL" if name == "REDIS_URL" else "", None)
        out = subprocess.run(
            [sys.executable, "manage.py", "ingest", "acme/x"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 1
        assert out.stderr.startswith(f"manage.py: {said}") and "Traceback" not in out.stderr


@needs_hub
def test_summary_says_what_memory_figures_mean() -> None:
    """Memory that holds more tokens than the model reads, a roofline for a GPU the weights
    do not fit on, a context past the window, and absurd batch or context values."""
    out = StringIO()
    call_command("analyze", str(HUB / "meta-llama--Llama-3.1-8B"), stdout=out)
    line = next(x for x in out.getvalue().splitlines() if "max context H100-SXM" in x)
    assert line.endswith("(memory only: the model reads at most 131,072)")
    weights = next(x for x in out.getvalue().splitlines() if "weights bf16" in x)
    assert "14.96 GiB" in weights and " GB" not in weights  # as the pages write it
    out = StringIO()
    call_command("analyze", str(HUB / "deepseek-ai--DeepSeek-R1"), stdout=out)
    roof = next(x for x in out.getvalue().splitlines() if "decode roofline H100-SXM" in x)
    assert "the weights do not fit on one GPU" in roof
    out = StringIO()
    call_command(
        "analyze",
        str(HUB / "meta-llama--Llama-3.1-8B"),
        "--context",
        "1000000",
        "--json",
        stdout=out,
    )
    notes = json.loads(out.getvalue())["notes"]
    assert any("context 1,000,000 is past the model's 131,072 positions" in n for n in notes)
    for flag, value in (("--batch", "10000000"), ("--context", "1000000000")):
        with pytest.raises(CommandError, match=f"{flag} must be from 1 to"):
            call_command("analyze", str(HUB / "meta-llama--Llama-3.1-8B"), flag, value)


@needs_hub
def test_summary_names_the_conventions_of_its_figures() -> None:
    """`analyze --batch 4 --kv-dtype fp8` named neither on the largest-context and roofline
    lines; the fp8/int4 weights, the recurrent state and the FLOPs said nothing of their
    basis."""
    out = StringIO()
    nemotron = str(HUB / "nvidia--Nemotron-H-56B-Base-8K")
    call_command("analyze", nemotron, "--batch", "4", "--kv-dtype", "fp8", stdout=out)
    lines = out.getvalue().splitlines()

    def row(label: str) -> str:
        return next(x for x in lines if x.startswith(f"  {label} "))

    assert row("max context H100-SXM (batch 4, KV fp8)")
    assert "tok/s (batch 1, context 8,192, KV fp8, weights as stored" in row("decode roofline")
    assert row("state / sequence").endswith("(SSM / recurrent state fp32, conv state fp8)")
    assert row("FLOPs / token @ 8,192").endswith(
        "(forward pass: 2 × active matmul weights + attention at position 8,192)"
    )
    assert "an fp32 scale per 128×128 block" in row("weights fp8")
    assert "AWQ int4 g128" in row("weights int4")
    assert row("weights bf16").endswith("(every parameter at 2 B)")
    assert row("weights stored").endswith("(56,324,350,464 params × 2 B (bfloat16))")
    out = StringIO()
    call_command("analyze", nemotron, "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result["memory"]["weights_basis"]) == {"bf16", "fp8", "int4", "stored"}
    assert "conv state in bf16" in result["memory"]["state_bytes_basis"]
    assert result["compute"]["flops_basis"].startswith("forward pass per token at position")


def test_empty_target_and_unreadable_json_name_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="give a folder that holds config.json"):
        call_command("analyze", "")  # not the current folder
    empty = _manage(["analyze", ""], tmp_path)
    assert empty.returncode == 1 and "give a folder that holds config.json" in empty.stderr
    (tmp_path / "config.json").write_text('{"a":')
    with pytest.raises(CommandError, match=f"{tmp_path}: config.json is not valid JSON"):
        call_command("analyze", str(tmp_path))


@needs_hub
def test_summary_states_the_context_of_its_figures_and_flags_a_context_past_the_window() -> None:
    out = StringIO()
    call_command(
        "analyze", str(HUB / "meta-llama--Llama-3.1-8B"), "--context", "200000", stdout=out
    )
    lines = out.getvalue().splitlines()
    row = {x.split("  ")[1].strip(): x for x in lines if x.startswith("  ") and "  " in x[2:]}
    assert "FLOPs / token @ 200,000" in row
    assert row["FLOPs / token @ 200,000"].endswith(
        "(past the model's 131,072 positions: arithmetic only)"
    )
    assert row["KV @ 200,000 × 1 (bf16)"].endswith(
        "(past the model's 131,072 positions: arithmetic only)"
    )
    assert "(batch 1, context 200,000, KV bf16," in next(x for x in lines if "decode roofline" in x)
    # the note comes with the figures, before the facts
    note = next(i for i, x in enumerate(lines) if x.startswith("note: context 200,000"))
    assert note < next(i for i, x in enumerate(lines) if x.startswith("Facts ("))
    out = StringIO()
    call_command("analyze", str(HUB / "meta-llama--Llama-3.1-8B"), stdout=out)
    assert "FLOPs / token @ 8,192" in out.getvalue() and "past the model" not in out.getvalue()


@needs_hub
def test_summary_explains_sliding_kv_and_an_uncounted_linear_state(tmp_path) -> None:
    out = StringIO()
    call_command("analyze", str(HUB / "google--medgemma-27b-it"), stdout=out)
    kv = next(x for x in out.getvalue().splitlines() if "KV / token (bf16)" in x)
    assert "every layer at full length" in kv
    folder = tmp_path / "lightning-lab"
    folder.mkdir()
    config = json.loads((HUB / "MiniMaxAI--MiniMax-M1-80k" / "config.json").read_text())
    # a model type the engine does not know, with linear-attention layers
    (folder / "config.json").write_text(
        json.dumps({**config, "model_type": "lightning_lab", "architectures": ["LabForCausalLM"]})
    )
    out = StringIO()
    call_command("analyze", str(folder), stdout=out)
    state = next(x for x in out.getvalue().splitlines() if "state / sequence" in x)
    assert "not counted" in state and " 0 B" not in state
    out = StringIO()
    call_command("analyze", str(HUB / "MiniMaxAI--MiniMax-M1-80k"), stdout=out)
    state = next(x for x in out.getvalue().splitlines() if "state / sequence" in x)
    assert "not counted" not in state and "280.00 MiB" in state  # 293.60 MB, as the page writes it
    out = StringIO()
    call_command("analyze", str(HUB / "meta-llama--Llama-3.1-8B"), stdout=out)
    kv = next(x for x in out.getvalue().splitlines() if "KV / token (bf16)" in x)
    assert kv.endswith("128.00 KiB (131,072 B)")  # as the page writes it, and exact


def test_fact_values_with_line_breaks_stay_on_one_row() -> None:
    from axes.cli import render_summary

    fact = {
        "kind": "post_training.stage",
        "value": "4B multimodal version and\n27B text-only",
        "evidence": {"source": "README.md", "locator": "L60-L61"},
    }
    text = render_summary({"repo_id": "x/y", "backbone_error": "none", "facts": [fact]})
    row = text.splitlines()[-1]
    assert row.startswith("  post_training.stage") and "and 27B text-only" in row


@needs_hub
def test_a_config_json_path_is_its_folder(tmp_path: Path) -> None:
    config = HUB / "meta-llama--Llama-3.1-8B" / "config.json"
    fast = _manage(["analyze", str(config), "--json"], tmp_path, probe=True)
    assert fast.returncode == 0, fast.stderr
    assert "DJANGO=False" in fast.stderr
    assert json.loads(fast.stdout)["params"]["total"] == 8_030_261_248
    out = StringIO()
    call_command("analyze", str(config), "--json", stdout=out)
    assert out.getvalue().strip() == fast.stdout.strip()


@pytest.mark.django_db
def test_a_catalog_model_without_a_backbone_exits_non_zero_after_printing() -> None:
    from catalog.models import Artifact, CatalogModel, Revision

    model = CatalogModel.objects.create(repo_id="bad/neg")
    config = {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": -32, "vocab_size": 10}
    rev = Revision.objects.create(
        model=model,
        sha="b" * 40,
        source=Revision.Source.UPLOAD,
        analysis={"repo_id": "bad/neg", "backbone_error": "stored", "facts": []},
        analysis_version=1,
    )
    Artifact.objects.create(
        revision=rev, name="config.json", kind="config", text=json.dumps(config), data=config
    )
    model.latest_revision = rev
    model.save()
    for args in ([], ["--json"]):
        out = StringIO()
        with pytest.raises(CommandError, match="the backbone could not be analyzed: .*negative"):
            call_command("analyze", "bad/neg", *args, stdout=out)
        assert "not analyzed" in out.getvalue() or '"backbone_error"' in out.getvalue()
    # --json: one document, the report with the failure under "error"
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("analyze", "bad/neg", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["repo_id"] == "bad/neg" and report["params"] is None
    assert report["error"]["code"] == "backbone_not_analyzed"
    assert "negative" in report["error"]["message"]


def test_low_confidence_card_lines_are_listed_apart_as_guesses() -> None:
    from axes.cli import render_summary

    def fact(kind: str, value: str, confidence: float, low: bool) -> dict:
        return {
            "kind": kind,
            "value": value,
            "confidence": confidence,
            "extra": {"low_confidence": True} if low else {},
            "evidence": {"source": "README.md", "locator": "L9"},
        }

    text = render_summary(
        {
            "repo_id": "x/y",
            "backbone_error": "none",
            "facts": [
                fact("context.provenance", "2020\\.", 0.2316, True),
                fact("post_training.preference", "Trained with DPO.", 0.86, False),
            ],
        }
    )
    lines = text.splitlines()
    assert lines.index("Facts (1):") < lines.index("Guesses, card lines under 50% confidence (1):")
    assert lines[-1].startswith("  context.provenance") and " 23% 2020\\." in lines[-1]
    assert "86%" not in text


@needs_hub
def test_any_json_file_is_read_as_the_config_alone(tmp_path: Path) -> None:
    """`analyze path/foo.json`: that file as config.json, its folder's other files unread (and
    said so), answered without Django; the same from the Django command."""
    llama = json.loads((HUB / "meta-llama--Llama-3.1-8B" / "config.json").read_text())
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: mit\n---\nTrained with DPO.\n")
    variant = folder / "meta-llama--Llama-3.1-8B-no-maxpos.json"
    variant.write_text(
        json.dumps({k: v for k, v in llama.items() if k != "max_position_embeddings"})
    )
    fast = _manage(["analyze", str(variant), "--json"], tmp_path, probe=True)
    assert fast.returncode == 0, fast.stderr
    assert "DJANGO=False" in fast.stderr
    result = json.loads(fast.stdout)
    assert result["repo_id"] == "meta-llama/Llama-3.1-8B-no-maxpos"
    assert result["params"]["total"] == 8_030_261_248
    assert result["backbone"]["context_length"] == 2048  # LlamaConfig's default
    assert f"{variant.name} is read as the model's config.json" in result["notes"][0]
    assert not [f for f in result["facts"] if f["evidence"]["source"] == "README.md"]
    out = StringIO()
    call_command("analyze", str(variant), "--json", stdout=out)
    assert out.getvalue().strip() == fast.stdout.strip()
    summary = _manage(["analyze", str(variant)], tmp_path)
    assert re.search(r"context \(native\) +2,048\n", summary.stdout)
    assert (
        "note: no max_position_embeddings in config.json: transformers' llama default, 2,048, "
        "is used" in summary.stdout
    )


def test_a_json_path_that_cannot_be_read_says_why(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"model_type": "llama",')
    with pytest.raises(CommandError, match=f"{tmp_path}: broken.json is not valid JSON"):
        call_command("analyze", str(broken))
    half = tmp_path / "half.json"
    half.write_text('{"model_type": "llama", "vocab_size": 10}')
    with pytest.raises(CommandError, match=f"{half}: config.json has no hidden_size"):
        call_command("analyze", str(half))
    missing = tmp_path / "missing.json"
    said = _manage(["analyze", str(missing)], tmp_path, probe=True)
    assert said.returncode == 1 and "DJANGO=False" in said.stderr
    assert f"CommandError: '{missing}' is not a folder or a .json file (no such file)" in (
        said.stderr
    )
    with pytest.raises(CommandError, match="is not a folder or a .json file"):
        call_command("analyze", str(missing))
    text = tmp_path / "config.yaml"
    text.write_text("model_type: llama\n")
    with pytest.raises(CommandError, match="is a file but not a .json config file"):
        call_command("analyze", str(text))


@needs_hub
def test_facts_print_as_words_not_json_cut_mid_key() -> None:
    out = StringIO()
    call_command("analyze", str(HUB / "meta-llama--Llama-3.1-8B"), stdout=out)
    lines = out.getvalue().splitlines()
    facts = lines[lines.index("Facts (12):") + 1 :]
    row = {x.split()[0]: x for x in facts}
    assert "  backbone.layers              32 blocks: 32 GQA · 32 MLP  [" in row["backbone.layers"]
    assert (
        "hidden_size: 4,096 · intermediate_size: 14,336 · head_dim: 128"
        in (row["backbone.hidden_size"])
    )
    # a long value is written whole: the rope_scaling dict to its last entry
    assert (
        "rope_scaling: (factor: 8.0, low_freq_factor: 1.0, high_freq_factor: 4.0, "
        in (row["backbone.positional"])
    )
    assert (
        "rope_type: llama3)  [config.json: rope_theta,rope_scaling]" in row["backbone.positional"]
    )
    # a whole float from 1,000 on is grouped as the integers beside it, as the pages write it
    # (it read "rope_theta: 500000.0"); the small ones stay as config.json writes them
    assert "type: rope · rope_theta: 500,000 · rope_scaling:" in row["backbone.positional"]
    # no recurrent layer: no "0 B" of state, as the model and compare pages say (it read "0 B")
    (state,) = [x for x in lines if x.startswith("  state / sequence ")]
    assert state.split(None, 3)[3] == "none (no recurrent layer)"
    assert (
        "8,030,261,248, counted analytically as transformers builds the model"
        in (row["backbone.params_total"])
    )
    assert not any('{"' in x or '": ' in x for x in facts)


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("meta-llama--Llama-3.1-8B", "llama (dense)"),
        ("deepseek-ai--DeepSeek-R1", "deepseek_v3 (MoE)"),
        ("Qwen--Qwen3-Next-80B-A3B-Thinking", "qwen3_next (hybrid MoE)"),
    ],
)
def test_the_family_row_names_the_decoder_type_in_words(model: str, family: str) -> None:
    """The summary's family row reads "hybrid MoE", as the facts and the pages do, not the
    report's id "hybrid_moe"."""
    out = StringIO()
    call_command("analyze", str(HUB / model), stdout=out)
    (row,) = [x for x in out.getvalue().splitlines() if x.strip().startswith("family ")]
    assert row.split(None, 1)[1].strip() == family


def test_an_attention_free_model_states_no_attention_and_no_zero_ffn(tmp_path: Path) -> None:
    """Mamba: no heads, KV heads or head_dim; config.json's intermediate_size (5120) is the
    mixer's inner width, stated in the SSM fact, not a hidden-size fact of a 0-wide FFN."""
    demo = json.loads((REPO / "catalog/demo/state-spaces--mamba-2.8b-hf.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps(demo["config"]))
    out = StringIO()
    call_command("analyze", str(tmp_path), stdout=out)
    lines = out.getvalue().splitlines()
    attention = next(x for x in lines if x.startswith("  attention "))
    assert attention.split(None, 1)[1] == "none (no attention layers: no heads, no KV cache)"
    hidden = next(x for x in lines if x.strip().startswith("backbone.hidden_size"))
    assert "hidden_size: 2,560  [config.json: hidden_size]" in hidden
    assert "intermediate_size" not in hidden and "head_dim" not in hidden
    ssm = next(x for x in lines if x.strip().startswith("backbone.ssm"))
    assert "type: Mamba · state_size: 16 · inner_size: 5,120 · conv_kernel: 4" in ssm
    assert "intermediate_size]" in ssm  # the key it rests on
    assert not any(": 0 " in x or x.endswith(": 0") for x in lines if "backbone." in x)
    # no KV cache and no "0 B" beside "2.77 B" parameters: the pages' words (it read "0 B")
    kv = next(x for x in lines if x.startswith("  KV / token "))
    assert kv.split(None, 4)[4] == "none (no layer caches keys and values)"


def test_text_output_quotes_the_card_as_text_and_names_metadata_keys() -> None:
    """The text summary printed DeepSeek-R1's card table row as "| DeepSeek-R1 | 671B | 37B |
    128K | [🤗 HuggingFace](https://...) |" and its library_name as a bare "transformers";
    it now reads as the model page does."""
    out = StringIO()
    call_command("analyze", str(HUB / "deepseek-ai--DeepSeek-R1"), stdout=out)
    text = out.getvalue()
    assert "inference.serving            library_name: transformers  [README.md: L3]" in text
    assert "#Activated Params: 37B · Context Length: 128K" in text
    assert "](https://" not in text and "| DeepSeek-R1 |" not in text


@needs_hub
@pytest.mark.django_db
def test_the_summary_gives_the_model_pages_figures_in_its_units(client, web_showcase) -> None:
    """The CLI wrote the KV cache in decimal MB/GB and the weights in GB (GiB in brackets)
    while the model page writes MiB and GiB for the same figures: 1.07 GB of KV here was
    1.00 GiB there. Both write binary units now, figure for figure."""
    from html import unescape

    out = StringIO()
    call_command("analyze", str(HUB / "meta-llama--Llama-3.1-8B"), stdout=out)
    lines = out.getvalue().splitlines()

    def cli(label: str) -> str:
        return next(x for x in lines if x.strip().startswith(label)).split(label, 1)[1].strip()

    page = client.get("/models/meta-llama/Meta-Llama-3-8B/", {"context": 8192}).content.decode()
    stats = {
        re.sub(r"<[^>]+>", "", unescape(dt)).strip(): re.sub(r"<small>.*", "", unescape(dd))
        for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page, re.S)
    }
    weights, per_token = stats["Weights"].strip(), stats["KV cache per token"].strip()
    at_context = next(v for k, v in stats.items() if k.startswith("KV cache at 8")).strip()
    assert weights == "14.96 GiB" and per_token == "128.00 KiB" and at_context == "1.00 GiB"
    assert cli("weights bf16").startswith(weights + " (")
    assert cli("weights stored").startswith(weights + " (")
    assert cli("KV / token (bf16)") == f"{per_token} (131,072 B)"
    assert cli("KV @ 8,192 × 1 (bf16)") == at_context
    assert not re.search(r"\d (KB|MB|GB|TB)\b", out.getvalue().split("Facts (")[0])


def _error_of(out: subprocess.CompletedProcess) -> dict:
    """The one JSON document a failed ``--json`` run printed on stdout: its ``error``."""
    document = json.loads(out.stdout)
    assert set(document) == {"error"}, document
    return document["error"]


def test_json_failures_print_one_json_document_on_stdout(tmp_path: Path) -> None:
    """With --json a failure printed its reason on stderr only: a script piping stdout into
    jq got nothing to parse. Now stdout holds {"error": {"code", "message"}} as well, the exit
    status and the stderr line unchanged, on the fast path and through Django alike."""
    empty = tmp_path / "empty"
    empty.mkdir()
    cases = [
        # (arguments, code, exit status, answered without Django)
        ([str(empty)], "no_config", 1, True),
        (["./no-such-folder"], "not_found", 1, True),
        ([str(empty), "--batch", "0"], "invalid_option", 1, True),
        ([str(empty), "--gpu", "TPU-v9"], "invalid_option", 1, True),
        (["acme/unknown"], "database_not_ready", 1, False),  # the data dir is not migrated
        (["acme/bad name"], "invalid_model_id", 1, False),
        ([str(empty), "--context", "abc"], "usage", 2, False),
    ]
    for args, code, status, fast in cases:
        out = _manage(["analyze", *args, "--json"], tmp_path, probe=True)
        assert out.returncode == status, (args, out.stderr)
        error = _error_of(out)
        assert error["code"] == code, (args, error)
        assert f"DJANGO={not fast}" in out.stderr, args
        # the readable line stays on stderr, saying the same
        if status == 1:
            assert f"CommandError: {error['message']}\n" in out.stderr, args
        else:
            assert f"error: {error['message']}" in out.stderr and "usage:" in out.stderr
    assert "migrate" in _error_of(_manage(["analyze", "acme/x", "--json"], tmp_path))["message"]
    # without --json, stdout stays empty: nothing to mistake for a report
    plain = _manage(["analyze", str(empty)], tmp_path)
    assert plain.returncode == 1 and plain.stdout == ""


def test_the_help_documents_the_json_failure_shape(tmp_path: Path) -> None:
    helped = _manage(["analyze", "--help"], tmp_path)
    text = " ".join(helped.stdout.split())
    assert '{"error": {"code": ..., "message": ...}}' in text
    assert "not_in_catalog" in text and "database_not_ready" in text


@pytest.mark.django_db
def test_json_failures_from_the_catalog_are_json_too() -> None:
    out = StringIO()
    with pytest.raises(CommandError, match="acme/unknown is not in the catalog"):
        call_command("analyze", "acme/unknown", "--json", stdout=out)
    error = json.loads(out.getvalue())["error"]
    assert error["code"] == "not_in_catalog"
    assert "manage.py ingest acme/unknown" in error["message"]


@needs_hub
def test_the_report_speaks_the_terminal_s_language_without_django(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LANGUAGE, LC_ALL, LC_MESSAGES, LANG choose the report's language, as for ingest and
    profile: its labels and sentences translated, numbers grouped as the pages group them (de
    20.914.757.184 and 38,96 GiB), technical terms (GQA, MoE, KV, bf16) and the fact kinds as
    written; answered without Django or torch, and word for word as the Django command says it."""
    folder = str(HUB / "openai--gpt-oss-20b")
    german = _manage(["analyze", folder, "--gpu", "h200"], tmp_path, probe=True, LANG="de_DE.UTF-8")
    assert german.returncode == 0, german.stderr
    assert "DJANGO=False TORCH=False" in german.stderr
    de = german.stdout
    assert de.startswith("Modell: openai/gpt-oss-20b\n")
    assert re.search(r"\n  Parameter gesamt +20\.914\.757\.184\n", de), de
    assert re.search(r"\n  Gewichte bf16 +38,96 GiB ", de), de
    assert "\n  Attention " in de and "GQA, 64 Heads, 8 KV-Heads, head_dim 64" in de
    assert re.search(r"\n  KV @ 8\.192 × 1 \(bf16\) +195,00 MiB\n", de), de
    assert "max. Kontext H200 (Batch 1, KV bf16)" in de and "5.177.229 (nur der Speicher" in de
    assert "Fakten (14):" in de
    # fact values as the page writes them in German: its sentences, ja/nein, grouped numbers
    assert "24 Blöcke: 12 sliding + 12 full · 24 MoE" in de
    # a config's counts with a narrow space, as the German page writes them: 2.880 read as a
    # decimal beside "factor: 32.0"
    assert "sliding: ja" in de and "hidden_size: 2\u202f880" in de and "factor: 32.0" in de
    assert "20.914.757.184, analytisch gezählt" in de
    for english in ("params total", "Facts (", "weights bf16", "sliding: yes", "2,880"):
        assert english not in de, english

    korean = _manage(["analyze", folder, "--gpu", "h200"], tmp_path, probe=True, LANGUAGE="ko")
    assert korean.returncode == 0 and "DJANGO=False TORCH=False" in korean.stderr
    ko = korean.stdout
    assert ko.startswith("모델: openai/gpt-oss-20b\n")
    assert "\n  레이어 " in ko and "전체 파라미터" in ko and "20,914,757,184" in ko
    assert "38.96 GiB" in ko and "사실 (14개):" in ko
    # the labels' column is aligned as a terminal shows Korean: two columns a syllable
    rows = ko.split("\n사실")[0].splitlines()[1:]
    from axes.cli import _display_width

    starts = {_display_width(re.match(r"  (.+?  )\S", row).group(1)) for row in rows}
    assert len(starts) == 1, rows

    # through the Django command (call_command), the same words
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    out = StringIO()
    call_command("analyze", folder, "--gpu", "h200", stdout=out)
    assert out.getvalue() == de
    # LC_ALL=C is English even under a German LANG; --json keeps its English keys and values
    english = _manage(["analyze", folder], tmp_path, LC_ALL="C", LANG="de_DE.UTF-8")
    assert english.stdout.startswith("Model: openai/gpt-oss-20b\n")
    document = _manage(["analyze", folder, "--json"], tmp_path, LANG="de_DE.UTF-8")
    assert document.stdout == _manage(["analyze", folder, "--json"], tmp_path).stdout


@needs_hub
def test_engine_notes_are_said_in_the_terminal_s_language(tmp_path: Path) -> None:
    """The engine's English notes read as the model page translates them (its templates in
    catalog.notes_l10n, read without Django), their figures grouped in the language."""
    folder = str(HUB / "deepseek-ai--DeepSeek-R1")
    out = _manage(["analyze", folder, "--context", "200000"], tmp_path, probe=True, LANG="de_DE")
    assert out.returncode == 0 and "DJANGO=False TORCH=False" in out.stderr
    assert (
        "Hinweis: Kontext 200.000 liegt jenseits der 163.840 Positionen des Modells "
        "(max_position_embeddings)"
    ) in out.stdout
    assert "(jenseits der 163.840 Positionen des Modells: nur Rechnung)" in out.stdout
    assert "\nnote: " not in out.stdout
    ko = _manage(["analyze", folder, "--context", "200000"], tmp_path, LANGUAGE="ko:en")
    assert "참고: 컨텍스트 200,000은(는) 모델의 163,840 위치" in ko.stdout


def test_error_lines_are_said_in_the_terminal_s_language(tmp_path: Path) -> None:
    """A refusal reads in the terminal's language on the fast path and through Django; with
    --json its code stays, its message is the same translated line."""
    empty = tmp_path / "empty"
    empty.mkdir()
    no_config = _manage(["analyze", str(empty), "--json"], tmp_path, probe=True, LANGUAGE="ko")
    assert no_config.returncode == 1 and "DJANGO=False" in no_config.stderr
    message = f"{empty}에는 config.json이 없습니다. 모델 폴더를 지정하세요."
    assert f"CommandError: {message}\n" in no_config.stderr
    assert _error_of(no_config) == {"code": "no_config", "message": message}

    batch = _manage(["analyze", str(empty), "--batch", "0"], tmp_path, LANG="de_DE.UTF-8")
    assert "CommandError: --batch muss zwischen 1 und 1.000.000 liegen" in batch.stderr
    missing = _manage(["analyze", "./no-such-folder"], tmp_path, LC_MESSAGES="de_DE.UTF-8")
    assert "ist weder ein Ordner noch eine .json-Datei (kein solcher Ordner" in missing.stderr
    assert "Gib einen Ordner mit config.json an" in missing.stderr
    gpu = _manage(["analyze", str(empty), "--gpu", "TPU-v9"], tmp_path, LANGUAGE="ko")
    assert "알 수 없는 GPU 'TPU-v9'입니다. 다음 중 하나를 고르세요: H100-SXM" in gpu.stderr
    # through Django: a model ID's refusals (the data dir here is not migrated)
    unmigrated = _manage(["analyze", "acme/x", "--json"], tmp_path, LANG="de_DE.UTF-8")
    error = _error_of(unmigrated)
    assert error["code"] == "database_not_ready"
    assert error["message"].startswith("Die Katalog-Datenbank ist nicht bereit (")
    assert "führe `python manage.py migrate` aus" in error["message"]


@needs_hub
@pytest.mark.django_db
def test_a_catalog_model_s_report_speaks_the_terminal_s_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Django path (a model ID, read from the catalog's stored analysis) says its report
    and its refusals in the terminal's language too."""
    from axes.cli import analyze_path
    from catalog.models import CatalogModel, Revision

    analysis = analyze_path(
        HUB / "meta-llama--Llama-3.1-8B", context=None, batch=1, kv_dtype="bf16"
    )
    model = CatalogModel.objects.create(repo_id="meta-llama/Llama-3.1-8B")
    model.latest_revision = Revision.objects.create(
        model=model,
        sha="c" * 40,
        source=Revision.Source.BUNDLED,
        analysis=analysis,
        analysis_version=ANALYSIS_VERSION,
    )
    model.save()
    monkeypatch.setenv("LANGUAGE", "ko")
    out = StringIO()
    call_command("analyze", "meta-llama/Llama-3.1-8B", stdout=out)
    ko = out.getvalue()
    assert ko.startswith("모델: meta-llama/Llama-3.1-8B\n")
    assert re.search(r"\n  전체 파라미터 +8,030,261,248\n", ko), ko
    assert re.search(r"\n  레이어 +32: 32 GQA · 32 MLP\n", ko), ko
    assert "블록 32개: 32 GQA · 32 MLP" in ko, ko
    monkeypatch.setenv("LANGUAGE", "de")
    out = StringIO()
    call_command("analyze", "meta-llama/Llama-3.1-8B", stdout=out)
    assert re.search(r"\n  KV @ 8\.192 × 1 \(bf16\) +1,00 GiB\n", out.getvalue())
    with pytest.raises(CommandError, match="acme/unknown ist nicht im Katalog. Hol es zuerst"):
        call_command("analyze", "acme/unknown")
    monkeypatch.setenv("LANGUAGE", "ko")
    with pytest.raises(CommandError, match="은\\(는\\) 카탈로그에 없고, 여기에 'gpt9'이라는 폴더"):
        call_command("analyze", "gpt9")


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "config.json is nested too deeply to be a model file"),
        (
            b'{"a": ' + b"1" * 5000 + b"}",
            "config.json is not usable JSON: ",
        ),
        (b'{"a": 1, "b": "\xff\xfe"', "config.json"),  # unreadable bytes, then no JSON
    ],
)
def test_the_profiler_and_analyze_refuse_a_broken_json_file_in_the_same_words(
    tmp_path: Path, raw: bytes, said: str
) -> None:
    # profiler.core.folder and axes.analysis each decoded and worded a model's JSON file; both
    # now go through axes.jsonfile.json_file_loads (each with its own parser)
    from axes.analysis import ArtifactError, artifacts_from_dir
    from profiler.core.errors import InvalidRequest
    from profiler.core.folder import folder_inspect

    (tmp_path / "config.json").write_bytes(raw)
    with pytest.raises(ArtifactError) as analyzed:
        artifacts_from_dir(tmp_path)
    with pytest.raises(InvalidRequest) as profiled:
        folder_inspect(tmp_path)
    assert said in str(analyzed.value) and said in str(profiled.value)
    if b"\xff" in raw:
        assert str(analyzed.value) == str(profiled.value)  # the bytes named, by both


def test_a_json_file_with_unreadable_bytes_gives_the_same_note_to_both(tmp_path: Path) -> None:
    from axes.analysis import artifacts_from_dir
    from profiler.core.folder import folder_inspect

    config = json.dumps({"model_type": "llama", "note": "x"}).encode().replace(b"x", b"\xff")
    (tmp_path / "config.json").write_bytes(config)
    notes = folder_inspect(tmp_path).notes
    assert len(notes) == 1 and "config.json" in notes[0]
    assert notes[0] in artifacts_from_dir(tmp_path).notes


def test_a_path_with_undecodable_bytes_gives_a_valid_utf8_json_document(tmp_path: Path) -> None:
    """A folder named b"bad\\xff" (no UTF-8) with a broken config.json: the --json document
    carried a raw 0xFF byte (invalid UTF-8 for jq) under C.UTF-8, and crashed with a
    UnicodeEncodeError traceback under PYTHONIOENCODING=utf-8. The byte is written \\xff, in the
    document and in the readable line alike."""
    folder = os.fsencode(tmp_path) + b"/bad\xff"
    os.mkdir(folder)
    with open(folder + b"/config.json", "wb") as fh:
        fh.write(b"{broken")
    env = {**_env(tmp_path), "LANG": "C.UTF-8"}
    for extra in ({}, {"PYTHONIOENCODING": "utf-8"}):
        out = subprocess.run(
            [sys.executable, "manage.py", "analyze", folder, "--json"],
            cwd=REPO,
            env={**env, **extra},
            capture_output=True,
            timeout=120,
        )
        assert out.returncode == 1, out.stderr
        error = json.loads(out.stdout.decode("utf-8"))["error"]  # strict: valid UTF-8
        assert error["code"] == "invalid_config"
        assert "/bad\\xff: config.json is not valid JSON" in error["message"]
        assert f"CommandError: {error['message']}\n".encode() in out.stderr
    # a missing path that names such bytes (quoted as Python quotes it): valid UTF-8 too
    out = subprocess.run(
        [sys.executable, "manage.py", "analyze", b"/no-such\xff/config.json", "--json"],
        cwd=REPO,
        env={**env, "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        timeout=120,
    )
    assert out.returncode == 1, out.stderr
    error = json.loads(out.stdout.decode("utf-8"))["error"]
    assert error["code"] == "not_found" and "/no-such" in error["message"]


def test_a_report_on_a_folder_with_undecodable_bytes_is_valid_utf8(tmp_path: Path) -> None:
    """The same folder with a good config.json: the report names it (its repo_id), and the
    readable report crashed with a UnicodeEncodeError under a UTF-8 locale while the JSON one
    carried the lone-surrogate escape \\udcff, which strict JSON parsers refuse. Both write
    the byte \\xff, as the failure lines do."""
    folder = os.fsencode(tmp_path) + b"/bad\xff"
    os.mkdir(folder)
    with open(folder + b"/config.json", "w") as fh:
        json.dump(
            {
                "model_type": "llama",
                "hidden_size": 64,
                "intermediate_size": 128,
                "num_hidden_layers": 2,
                "num_attention_heads": 4,
                "num_key_value_heads": 2,
                "vocab_size": 1000,
            },
            fh,
        )
    env = {**_env(tmp_path), "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
    for as_json in (False, True):
        out = subprocess.run(
            [sys.executable, "manage.py", "analyze", folder, *(["--json"] if as_json else [])],
            cwd=REPO,
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        said = out.stdout.decode("utf-8")  # strict: valid UTF-8
        assert "\\udcff" not in said
        if as_json:
            assert json.loads(said)["repo_id"].endswith("/bad\\xff")
        else:
            assert "/bad\\xff" in said


def test_printable_escapes_what_utf8_cannot_carry() -> None:
    from axes.cli import printable

    assert printable("plain é ✓") == "plain é ✓"
    assert printable(os.fsdecode(b"/tmp/bad\xff")) == "/tmp/bad\\xff"
    assert printable("lone \ud800 surrogate") == "lone \\ud800 surrogate"
    printable(os.fsdecode(b"\xc3") + "\ud800").encode("utf-8")  # both kinds: still UTF-8


def test_the_fast_path_says_an_internal_error_in_json_then_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--help promises internal_error, but fast_main (analyze PATH without Django) caught only
    its refusals: a bug printed a traceback and nothing on stdout. Now the document comes
    first, and the exception still propagates (traceback, non-zero exit)."""
    import axes.cli

    (tmp_path / "config.json").write_text("{}")

    def broken(*args: object, **kwargs: object) -> dict:
        raise RuntimeError("the engine tripped")

    monkeypatch.setattr(axes.cli, "analyze_path", broken)
    stdout, stderr = StringIO(), StringIO()
    with pytest.raises(RuntimeError, match="the engine tripped"):
        axes.cli.fast_main([str(tmp_path), "--json"], stdout=stdout, stderr=stderr)
    assert json.loads(stdout.getvalue()) == {
        "error": {"code": "internal_error", "message": "RuntimeError: the engine tripped"}
    }
    stdout = StringIO()  # without --json: nothing on stdout, the exception alone
    with pytest.raises(RuntimeError):
        axes.cli.fast_main([str(tmp_path)], stdout=stdout, stderr=stderr)
    assert stdout.getvalue() == ""


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANGUAGE": "ko", "LC_ALL": "C"}, "en"),  # gettext ignores LANGUAGE in the C locale
        ({"LANGUAGE": "de", "LC_ALL": "C"}, "en"),
        ({"LANGUAGE": "ko", "LANG": "C.UTF-8"}, "en"),
        ({"LANGUAGE": "ko", "LC_MESSAGES": "POSIX", "LANG": "de_DE.UTF-8"}, "en"),
        ({"LANGUAGE": "de:en"}, "de"),
        ({"LANGUAGE": "fr:de"}, "de"),
        ({"LANGUAGE": "ko", "LANG": "de_DE.UTF-8"}, "ko"),
        ({"LANGUAGE": "", "LC_ALL": "", "LANG": "de_DE.UTF-8"}, "de"),  # empty: unset
        ({"LANGUAGE": "ko", "LC_ALL": "", "LANG": "C.UTF-8"}, "en"),
        ({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}, "en"),
        ({"LANGUAGE": "ko"}, "ko"),
        ({}, "en"),
    ],
)
def test_the_environment_language_reads_as_gettext_does(environ: dict, language: str) -> None:
    from axes.l10n import environment_language

    assert environment_language(environ) == language


def test_a_c_locale_speaks_english_whatever_language_says(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = _manage(["analyze", str(empty)], tmp_path, LANGUAGE="de", LC_ALL="C")
    assert f"CommandError: {empty} has no config.json; point at a model folder." in out.stderr


def test_an_abbreviated_json_option_still_gets_the_usage_document(tmp_path: Path) -> None:
    """argparse reads --js as --json; the malformed-option hook looked for "--json" itself, so
    `analyze --js DIR --context abc` exited 2 with nothing on stdout."""
    for flag in ("--js", "--j", "--jso", "--json"):
        out = _manage(["analyze", flag, str(tmp_path), "--context", "abc"], tmp_path)
        assert out.returncode == 2, (flag, out.stderr)
        assert _error_of(out) == {
            "code": "usage",
            "message": "argument --context: invalid int value: 'abc'",
        }
    # after "--" it is the target, not an option
    out = _manage(["analyze", "--context", "abc", "--", "--js"], tmp_path)
    assert out.returncode == 2 and out.stdout == ""


# a DeepSeek-V3-shaped config.json (MLA, 256 routed experts, one MTP module), written by the
# tests that need one without the shared hub data
DEEPSEEK_V3_LIKE = {
    "model_type": "deepseek_v3",
    "architectures": ["DeepseekV3ForCausalLM"],
    "hidden_size": 7168,
    "intermediate_size": 18432,
    "moe_intermediate_size": 2048,
    "num_attention_heads": 128,
    "num_key_value_heads": 128,
    "num_hidden_layers": 61,
    "first_k_dense_replace": 3,
    "n_routed_experts": 256,
    "n_shared_experts": 1,
    "num_experts_per_tok": 8,
    "moe_layer_freq": 1,
    "kv_lora_rank": 512,
    "q_lora_rank": 1536,
    "qk_nope_head_dim": 128,
    "qk_rope_head_dim": 64,
    "v_head_dim": 128,
    "vocab_size": 129280,
    "max_position_embeddings": 163840,
    "num_nextn_predict_layers": 1,
    "n_group": 8,
    "topk_group": 4,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "rope_theta": 10000,
}


def _v3_like_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "acme--v3-like"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(DEEPSEEK_V3_LIKE))
    return folder


def _fact_rows(text: str) -> dict[str, str]:
    """The report's fact rows of a config-only folder, by kind (one fact of each)."""
    return dict(re.findall(r"^  (backbone\.\S+) +(.+?)  \[config\.json: ", text, re.M))


def test_german_fact_values_are_the_model_page_s(tmp_path: Path) -> None:
    """The counts the engine computed (the MTP module's params) read as the German page writes
    them, 13.463.426.048, and a config's values with a narrow space (7\u202f168): the page
    changed its count writer, analyze wrote "params: 13\u202f463\u202f426\u202f048"."""
    from django.utils import translation

    from axes.cli import analyze_path
    from catalog.templatetags.mechanic import fact_value_h

    folder = _v3_like_folder(tmp_path)
    german = _manage(["analyze", str(folder)], tmp_path, probe=True, LANG="de_DE.UTF-8")
    assert german.returncode == 0, german.stderr
    assert "DJANGO=False TORCH=False" in german.stderr
    rows = _fact_rows(german.stdout)
    assert rows["backbone.mtp"] == "layers: 1 · params: 13.463.426.048", rows
    assert (
        "hidden_size: 7\u202f168 · intermediate_size: 18\u202f432" in rows["backbone.hidden_size"]
    )
    assert "q_lora_rank: 1\u202f536" in rows["backbone.attention"]
    result = analyze_path(folder, context=None, batch=1, kv_dtype="bf16")
    compared = 0
    with translation.override("de"):
        for fact in result["facts"]:
            if isinstance(fact["value"], dict) and fact["kind"] in rows:
                assert rows[fact["kind"]] == fact_value_h(fact), fact["kind"]
                compared += 1
    assert compared >= 6


def test_weights_bases_are_said_in_the_terminal_s_language(tmp_path: Path) -> None:
    """The weights rows' explanations are translated, their figures written in the language
    (it read "671,026,404,352 params x 2 B" among German numbers), and the KV row's "×"; the
    JSON report keeps the English bases and carries them as fields too."""
    folder = _v3_like_folder(tmp_path)
    de = _manage(["analyze", str(folder)], tmp_path, LANG="de_DE.UTF-8").stdout
    assert re.search(
        r"\n  Gewichte gespeichert +1,22 TiB \(671\.026\.404\.352 Parameter × 2 B \(bfloat16\)\)\n",
        de,
    ), de
    assert re.search(r"\n  Gewichte bf16 +1,22 TiB \(jeder Parameter mit 2 B\)\n", de), de
    assert (
        "(als blockweiser FP8-Checkpoint: Decoder-Linear-Layer mit 1 B + eine fp32-Skala je " in de
    )
    assert "128×128-Block; Embeddings, lm_head, Norms, Router und Biases in 16 Bit)" in de
    assert "(als AWQ-int4-g128-Checkpoint: " in de
    assert re.search(r"\n  KV @ 8\.192 × 1 \(bf16\) +", de), de
    for english in ("params x", "every parameter", "decoder linears", " x 1 ("):
        assert english not in de, english
    ko = _manage(["analyze", str(folder)], tmp_path, LANGUAGE="ko").stdout
    assert "(파라미터 671,026,404,352개 × 2 B (bfloat16))" in ko
    assert "(파라미터마다 2 B)" in ko and "디코더 선형 레이어" in ko
    assert "every parameter" not in ko and "decoder linears" not in ko
    document = json.loads(
        _manage(["analyze", str(folder), "--json"], tmp_path, LANG="de_DE").stdout
    )
    memory = document["memory"]
    assert memory["weights_basis"]["bf16"] == "every parameter at 2 B"
    assert memory["weights_bytes"]["stored_basis"].startswith("671,026,404,352 params ")
    assert memory["weights_basis_fields"]["stored"] == {
        "format": "unquantized",
        "params": 671_026_404_352,
        "bytes_per_param": 2,
        "dtype": "bfloat16",
    }


def _ct(**q: object) -> dict:
    return {"method": "compressed-tensors", "weight_type": "int", "symmetric": True, **q}


@pytest.mark.parametrize(
    "quantization",
    [
        None,
        {"method": "fp8"},
        {"method": "fp8", "block_size": [128, 128]},
        {"method": "mxfp4"},
        {"method": "awq", "bits": 4, "group_size": 128},
        {"method": "gptq", "bits": 8, "group_size": -1},
        {"method": "bitsandbytes", "bits": 4, "double_quant": True},
        {"method": "bitsandbytes", "bits": 4},
        {"method": "bitsandbytes", "bits": 8},
        _ct(bits=4, strategy="group", group_size=128, symmetric=False),
        _ct(bits=8, strategy="block", block_size=[128, 128]),
        _ct(bits=8, strategy="channel"),
        _ct(bits=4, weight_type="float", strategy="tensor_group", group_size=16),
        {"method": "hqq"},
    ],
)
def test_each_stored_basis_has_fields_that_say_it(quantization: dict | None) -> None:
    """Every sentence the engine writes for the stored weights has fields the CLI words it
    from: in English they are the engine's sentence (with "×"), so that no format reads
    untranslated in German or Korean."""
    from axes.backbone.quantization import stored_basis_fields, stored_bytes
    from axes.cli import weights_basis_text
    from axes.l10n import Words

    counts = {"total_params": 8_030_261_248, "quantizable_params": 6_979_321_856}
    _bytes, basis = stored_bytes(
        **counts, expert_params=0, dtype="bfloat16", quantization=quantization
    )
    fields = stored_basis_fields(
        total_params=counts["total_params"], dtype="bfloat16", quantization=quantization
    )
    assert json.loads(json.dumps(fields)) == fields
    assert weights_basis_text(fields, Words("en")) == basis.replace(" x ", " × ")
    for language in ("de", "ko"):
        said = weights_basis_text(fields, Words(language))
        assert said and said != weights_basis_text(fields, Words("en")), (language, said)


def test_without_compiled_catalogs_the_report_is_english_through_and_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fresh clone before ``make messages`` has no .mo files: under a German locale the
    report said English words with German numbers ("params total 1.855.828.800"). It now
    speaks English with English numbers and says once, on stderr, how to get German; --json
    stays one document on stdout."""
    from axes import l10n
    from axes.cli import fast_main

    folder = _v3_like_folder(tmp_path)
    monkeypatch.setattr(l10n, "LOCALE_DIR", tmp_path / "no-locale")
    monkeypatch.setattr(l10n, "_UNCOMPILED_SAID", set())
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    l10n._translations.cache_clear()
    try:
        text, document = StringIO(), StringIO()
        assert fast_main([str(folder)], stdout=text) == 0
        assert fast_main([str(folder), "--json"], stdout=document) == 0
        assert l10n.Words("de").number(1234.5, 1) == "1,234.5"
    finally:
        l10n._translations.cache_clear()
    report = text.getvalue()
    assert re.search(r"\n  params total +671,026,404,352\n", report), report
    assert "KV @ 8,192 × 1 (bf16)" in report and "671.026" not in report
    assert json.loads(document.getvalue())["params"]["total"] == 671_026_404_352
    captured = capsys.readouterr()
    assert captured.out == ""
    hint = "the de translations are not compiled"
    assert captured.err.count(hint) == 1, captured.err
    assert "make messages" in captured.err
    # with the catalog compiled: German, and nothing said
    monkeypatch.undo()
    l10n._translations.cache_clear()
    assert l10n.Words("de").number(1234.5, 1) == "1.234,5"
    assert capsys.readouterr().err == ""
