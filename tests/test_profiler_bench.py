"""The measurement core (profiler.bench): real tiny checkpoints built and saved by the test,
loaded back from safetensors and timed on the CPU; refusals for unsafe folders."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env

from profiler.core.errors import (
    ArchitectureNotSupported,
    DeviceUnavailable,
    InvalidRequest,
    OutOfMemory,
    PickleCheckpointRefused,
    QuantizationUnsupported,
    RemoteCodeRefused,
    UnsafeCheckpointPath,
)
from profiler.core.estimate import gpu_match
from profiler.core.folder import folder_inspect, shard_name_check
from profiler.core.measure import BenchOptions, bench_run, config_slice, slice_extrapolate

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_HUB = Path(os.environ.get("MECHANIC_SHARED_DIR", REPO_ROOT.parent / "shared")) / "hub"

TINY_LLAMA = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 256,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 8192,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": False,
    "torch_dtype": "float32",
}
TINY_QWEN3_MOE = {
    "architectures": ["Qwen3MoeForCausalLM"],
    "model_type": "qwen3_moe",
    "vocab_size": 256,
    "hidden_size": 64,
    "intermediate_size": 128,
    "moe_intermediate_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "num_experts": 4,
    "num_experts_per_tok": 2,
    "decoder_sparse_step": 1,
    "mlp_only_layers": [],
    "max_position_embeddings": 4096,
    "tie_word_embeddings": True,
    "torch_dtype": "float32",
}
LLAMA_70B = {  # Llama-3.1-70B's shapes: ~282 GB in float32, more than any test host has free
    **TINY_LLAMA,
    "hidden_size": 8192,
    "intermediate_size": 28672,
    "num_hidden_layers": 80,
    "num_attention_heads": 64,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "vocab_size": 128256,
    "max_position_embeddings": 131072,
}
FAST = {"prompt_len": 8, "new_tokens": 4, "iters": 2, "warmup": 1, "dtype": "float32"}


def tiny_checkpoint(path: Path, config: dict) -> Path:
    """Build a tiny model from ``config`` with random weights and save it with safetensors."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    path.mkdir(parents=True, exist_ok=True)
    fields = {k: v for k, v in config.items() if k != "model_type"}
    cfg = AutoConfig.for_model(config["model_type"], **fields)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(cfg, dtype=torch.float32)
    model.save_pretrained(path)  # safetensors is the only format transformers 5 writes
    # Keep config.json as the Hub ships it: transformers 5 re-serialises some keys (qwen3_moe's
    # num_experts becomes num_local_experts), and real checkpoints carry the original names.
    (path / "config.json").write_text(json.dumps(config))
    assert list(path.glob("*.safetensors")), "the checkpoint must be safetensors"
    return path


def config_folder(path: Path, config: dict) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps(config))
    return path


def analytic_params(config: dict) -> int:
    from axes.backbone import analyze_config

    report = analyze_config(config)
    total = report["params"]["total"] if isinstance(report, dict) else report.params.total
    return int(total)


@pytest.mark.parametrize("config", [TINY_LLAMA, TINY_QWEN3_MOE], ids=["llama", "qwen3_moe"])
def test_checkpoint_params_equal_analytic_count(tmp_path, config):
    folder = tiny_checkpoint(tmp_path / config["model_type"], config)
    stages: list[tuple[str, float]] = []
    result = bench_run(
        folder, BenchOptions(device="cpu", **FAST), lambda s, p: stages.append((s, p))
    )

    assert result["mode"] == "checkpoint"
    assert result["extrapolated"] is False
    expected = analytic_params(config)
    assert result["params_loaded"] == expected
    assert result["params_estimate"] == expected
    assert result["residuals"]["params"] == 0
    # Weights in float32: 4 bytes per unique parameter, exactly as estimated. On CPU that is a
    # count of the loaded tensors: nothing measures the memory, so nothing is checked against
    # a tolerance (the count matches whenever the parameter count does).
    assert result["weights_bytes_counted"] == expected * 4
    assert result["residuals"]["weights_counted_fraction"] == 0
    assert result["weights_bytes_allocated"] is None
    res = result["residuals"]
    assert res["memory_fraction"] is None and res["memory_tolerance"] is None
    assert res["memory_within_tolerance"] is None
    d = result["decode_tokens_per_s"]
    assert d["runs"] == 2 and d["min"] > 0 and d["min"] <= d["median"] <= d["max"]
    assert result["prefill_ms"] > 0
    assert result["device"] == "cpu" and result["gpu_name"] is None
    assert result["roofline_fraction"] is None
    assert [s for s, _ in stages][0] == "inspect" and stages[-1] == ("done", 100)
    assert [p for _, p in stages] == sorted(p for _, p in stages)
    for key in ("torch_version", "transformers_version", "peak_reserved_bytes", "notes"):
        assert key in result


def test_tied_embeddings_counted_once(tmp_path):
    config = {**TINY_LLAMA, "tie_word_embeddings": True}
    result = bench_run(config_folder(tmp_path / "tied", config), BenchOptions(**FAST))
    untied = bench_run(config_folder(tmp_path / "untied", TINY_LLAMA), BenchOptions(**FAST))
    embedding = config["vocab_size"] * config["hidden_size"]
    assert untied["params_loaded"] - result["params_loaded"] == embedding
    assert result["params_loaded"] == analytic_params(config)


def test_synthetic_moe_says_routing_differs(tmp_path):
    folder = config_folder(tmp_path / "moe", TINY_QWEN3_MOE)
    result = bench_run(folder, BenchOptions(dtype="bfloat16", prompt_len=8, new_tokens=3, iters=1))
    assert result["mode"] == "synthetic"
    assert result["dtype"] == "bfloat16"
    assert result["weights_bytes_counted"] == result["params_loaded"] * 2
    assert any("MoE routing of random weights differs" in n for n in result["notes"])
    # active parameters, counted from the loaded model (its routed experts less the ones a
    # token's top-k leaves out), equal the engine's: a measured row, not only an estimate
    assert result["params_active_counted"] == result["active_params_estimate"]
    assert result["params_active_counted"] < result["params_loaded"]
    assert result["residuals"]["params_active"] == 0


def test_active_parameters_are_counted_from_the_loaded_model_for_each_moe_layout():
    """transformers 5 keeps a layer's routed experts in one ``...Experts`` module, stacked on
    the first dimension; counted on the meta device for the default configs of several MoE
    layouts (shared experts, dense-first layers, hybrids, biases), the count equals the
    engine's active parameters, and a dense model's equals its total."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    from axes.backbone.report import analyze_config
    from profiler.core.measure import params_active_counted, params_unique

    for model_type in ("qwen3_moe", "deepseek_v3", "gpt_oss", "nemotron_h", "granitemoe", "llama"):
        config = AutoConfig.for_model(model_type)
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(config)
        report = analyze_config(config.to_dict())
        counted = params_active_counted(model, config.to_dict(), params_unique(model)[0])
        assert counted == report["params"]["active"], model_type
        if model_type == "llama":
            assert counted == params_unique(model)[0]
        else:
            assert counted < report["params"]["total"], model_type


def test_sliced_is_labelled_and_extrapolates_uniform_layers_exactly(tmp_path):
    config = {**TINY_LLAMA, "num_hidden_layers": 6}
    folder = config_folder(tmp_path / "six", config)
    result = bench_run(folder, BenchOptions(mode="sliced", slice_layers=1, **FAST))
    assert result["mode"] == "sliced"
    assert result["extrapolated"] is True
    assert result["slice_layers"] == [1, 2]
    # Identical layers: parameters are exactly linear in the layer count.
    assert result["params_loaded"] == analytic_params(config)
    assert result["decode_tokens_per_s"]["median"] > 0
    assert any(n.startswith("extrapolated:") for n in result["notes"])


def test_the_sliced_summary_in_a_terminal_shows_the_measured_peak_memory(tmp_path):
    """The run page shows a CPU run's peak host memory (RSS); the terminal summary of
    profiler.bench and `manage.py profile --wait` left it out, so on CPU it printed no memory
    measurement at all, only the weights' count."""
    from profiler.bench import result_summary

    config = {**TINY_LLAMA, "num_hidden_layers": 4}
    folder = config_folder(tmp_path / "four", config)
    result = bench_run(folder, BenchOptions(mode="sliced", slice_layers=1, **FAST))
    summary = result_summary(result)
    assert f"peak_rss_bytes={result['peak_rss_bytes']:,} (" in summary
    assert "not of the whole model" in summary  # sliced: the few layers' process


def test_the_summary_speaks_the_terminal_s_language(tmp_path):
    """`manage.py profile --wait` said the run's progress and status in the terminal's language
    but its figures' summary in English: its explanations and notes are translated now (the
    run page's language rule, framework-free: axes.l10n), its numbers grouped as the pages
    group them, the figures' names (the JSON keys) as written."""
    from axes.l10n import Words
    from profiler.bench import result_summary

    config = {**TINY_LLAMA, "num_hidden_layers": 4}
    folder = config_folder(tmp_path / "four", config)
    result = bench_run(folder, BenchOptions(mode="sliced", slice_layers=1, **FAST))
    result["peak_rss_bytes"] = 1_234_567_890  # a figure with groups in every language
    english = result_summary(result)
    assert "peak_rss_bytes=1,234,567,890 (the process's peak resident memory" in english
    german = result_summary(result, Words("de"))
    assert "peak_rss_bytes=1.234.567.890 (der Spitzen-Arbeitsspeicher des Prozesses" in german
    assert "; von den wenigen gebauten Layern, nicht vom ganzen Modell)" in german
    params = f"{result['params_loaded']:,}".replace(",", ".")
    assert f"params_loaded={params} (Schätzung " in german
    assert german.splitlines()[0] == english.splitlines()[0]  # mode=sliced device=cpu ...
    median = result["decode_tokens_per_s"]["median"]
    assert (
        f"decode_tokens_per_s median={median:,.2f}".translate(str.maketrans(",.", ".,")) in german
    )
    notes = [x for x in german.splitlines() if x.startswith("Hinweis: ")]
    assert len(notes) == len(result["notes"]) and "note: " not in german
    korean = result_summary(result, Words("ko"))
    assert "peak_rss_bytes=1,234,567,890 (프로세스의 최대 상주 메모리" in korean


def test_sliced_runs_are_paired_by_rank_and_a_flat_slope_is_flagged():
    """Each build's runs were paired in the order they ran: a cold first run of the 2k build
    against a warm one of the k build made a ~1.2 s prefill 14.8 s, and the median of such
    pairs is no point on the line between the two builds' medians."""
    # k=2, 2k=4 of 24 layers; the first run of each build is the cold one
    values, fitted = slice_extrapolate(
        [30.0, 10.0, 11.0], [60.0, 20.0, 21.0], layers=(2, 4), total_layers=24
    )
    assert fitted
    assert sorted(values) == values and values[1] == 11.0 + (21.0 - 11.0) / 2 * 22
    # the 4-layer build timed faster than the 2-layer one (a busy machine): nothing to fit
    values, fitted = slice_extrapolate(
        [1224.0, 1207.0, 1255.0], [2459.0, 284.0, 281.0], layers=(2, 4), total_layers=24
    )
    assert not fitted


def test_sliced_ranked_pairs_with_an_even_number_of_runs_put_ms_on_the_medians_line():
    """What slice_extrapolate's docstring says of an even number of runs: the median of the
    ms values is the extrapolation of the two builds' medians (each a mean of two runs); the
    median of decode tokens/s (1000 / ms) is the mean of two rates, a little above it."""
    import statistics

    first, second = [10.0, 11.0, 12.0, 14.0], [20.0, 21.5, 23.0, 25.0]
    values, fitted = slice_extrapolate(first, second, layers=(2, 4), total_layers=24)
    assert fitted
    m1, m2 = statistics.median(first), statistics.median(second)
    on_line = m1 + (m2 - m1) / 2 * 22
    assert statistics.median(values) == pytest.approx(on_line)
    rates = [1000.0 / ms for ms in values]
    assert statistics.median(rates) > 1000.0 / on_line


def test_config_slice_cuts_layer_patterns():
    raw = {
        "num_hidden_layers": 4,
        "layer_types": ["sliding_attention", "full_attention"] * 2,
        "hybrid_override_pattern": "M*M-",
        "mlp_only_layers": [0, 3],
        "hidden_size": 4,
    }
    sliced = config_slice(raw, 2)
    assert sliced["num_hidden_layers"] == 2
    assert sliced["layer_types"] == ["sliding_attention", "full_attention"]
    assert sliced["hybrid_override_pattern"] == "M*"
    assert sliced["mlp_only_layers"] == [0]
    assert raw["num_hidden_layers"] == 4  # the original is untouched


def test_pickle_only_folder_is_refused(tmp_path):
    folder = config_folder(tmp_path / "pickle", TINY_LLAMA)
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04not really a pickle")
    with pytest.raises(PickleCheckpointRefused, match="never unpickles"):
        bench_run(folder, BenchOptions(**FAST))
    with pytest.raises(PickleCheckpointRefused):
        bench_run(folder, BenchOptions(mode="checkpoint", **FAST))
    # Synthetic mode never opens the weights, so it is allowed.
    assert bench_run(folder, BenchOptions(mode="synthetic", **FAST))["mode"] == "synthetic"


@pytest.mark.parametrize(
    "shard",
    [
        "../outside.safetensors",
        "/etc/passwd.safetensors",
        "a/../../b.safetensors",
        "x\\y.safetensors",
        "model.bin",
        ".hidden.safetensors",
    ],
)
def test_unsafe_shard_names_are_refused_before_any_path_is_built(tmp_path, shard):
    folder = config_folder(tmp_path / "bad", TINY_LLAMA)
    (folder / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {}, "weight_map": {"lm_head.weight": shard}})
    )
    with pytest.raises(UnsafeCheckpointPath):
        folder_inspect(folder)
    with pytest.raises(UnsafeCheckpointPath):
        shard_name_check(shard)


def test_safe_shard_names_pass():
    assert (
        shard_name_check("model-00001-of-00002.safetensors") == "model-00001-of-00002.safetensors"
    )
    assert shard_name_check("sub/model.safetensors") == "sub/model.safetensors"


def test_remote_code_model_is_refused(tmp_path):
    config = {
        "model_type": "my_custom_lm",
        "auto_map": {"AutoModelForCausalLM": "modeling_custom.CustomLM"},
        "hidden_size": 8,
    }
    with pytest.raises(RemoteCodeRefused, match="never runs code"):
        bench_run(config_folder(tmp_path / "remote", config), BenchOptions(**FAST))


def test_unknown_architecture_is_reported(tmp_path):
    config = {"model_type": "not_a_real_architecture", "hidden_size": 8}
    with pytest.raises(
        ArchitectureNotSupported, match="not supported by the installed transformers"
    ):
        bench_run(config_folder(tmp_path / "unknown", config), BenchOptions(**FAST))


def test_broken_checkpoints_are_a_message_not_a_traceback(tmp_path):
    # bytes that are no safetensors file (a failed download)
    corrupt = config_folder(tmp_path / "corrupt", TINY_LLAMA)
    (corrupt / "model.safetensors").write_bytes(os.urandom(1000))
    with pytest.raises(InvalidRequest, match="not valid safetensors .*download it again"):
        bench_run(corrupt, BenchOptions(mode="checkpoint", **FAST))
    # weights of another shape than the config says
    folder = tiny_checkpoint(tmp_path / "mismatch", TINY_LLAMA)
    config = json.loads((folder / "config.json").read_text())
    config["intermediate_size"] = config["intermediate_size"] * 2
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(InvalidRequest, match="tensor shapes do not match its config.json"):
        bench_run(folder, BenchOptions(mode="checkpoint", **FAST))
    # the command line: exit 2 and the error as JSON, no traceback
    out = subprocess.run(
        [sys.executable, "-m", "profiler.bench", str(corrupt), "--device", "cpu"]
        + ["--mode", "checkpoint", "--dtype", "float32", "--prompt-len", "4"]
        + ["--new-tokens", "2", "--iters", "1", "--warmup", "0", "--no-progress", "--json"],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert json.loads(out.stdout)["error"]["code"] == "invalid_request"


def test_bad_requests_say_what_to_do(tmp_path):
    folder = config_folder(tmp_path / "ok", {**TINY_LLAMA, "max_position_embeddings": 16})
    with pytest.raises(InvalidRequest, match="max_position_embeddings"):
        bench_run(folder, BenchOptions(prompt_len=16, new_tokens=4, dtype="float32"))
    with pytest.raises(InvalidRequest, match="no config.json"):
        bench_run(tmp_path, BenchOptions(**FAST))
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(DeviceUnavailable, match="no GPU"):
            bench_run(folder, BenchOptions(device="cuda", prompt_len=4, new_tokens=2))


def test_a_cpu_run_larger_than_host_memory_is_refused_before_anything_is_allocated(tmp_path):
    """Llama-3.1-70B in float32 is ~282 GB: no machine this runs on has that free. The run is
    refused at once, saying what it needs and what the host has, instead of swapping or being
    killed by the kernel after minutes; sliced mode (a few layers) is still allowed."""
    from profiler.core.measure import host_memory_available

    have = host_memory_available()
    assert have is not None and 0 < have < 282 * 10**9
    folder = config_folder(tmp_path / "big", LLAMA_70B)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(
        OutOfMemory, match=r"needs about 2\d\d\.\d GiB in float32 .* this machine"
    ) as refused:
        bench_run(folder, BenchOptions(mode="synthetic", **FAST))
    # the run page shows this text too: the mode by the name its form gives it, not a CLI flag
    assert "sliced mode" in str(refused.value) and "--mode" not in str(refused.value)
    # nothing was built: the process's peak resident memory did not grow by a layer's worth
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 1_000_000  # KiB


def test_gpu_names_match_the_most_specific_table_entry():
    names = ["H100-SXM", "H100-PCIe", "A100-40GB", "A100-80GB", "H200", "RTX-4090"]
    aliases = {"H100-SXM": "NVIDIA H100 SXM5 80GB", "H100-PCIe": "NVIDIA H100 PCIe 80GB"}
    assert gpu_match("NVIDIA H100 80GB HBM3", names, aliases) == "H100-SXM"
    assert gpu_match("NVIDIA H100 PCIe", names, aliases) == "H100-PCIe"
    assert gpu_match("NVIDIA H200", names) == "H200"
    assert gpu_match("NVIDIA A100-SXM4-80GB", names) == "A100-80GB"
    assert gpu_match("NVIDIA GeForce RTX 4090", names) == "RTX-4090"
    assert gpu_match("Tesla T4", names) is None


@pytest.mark.skipif(not SHARED_HUB.is_dir(), reason=f"no shared hub data at {SHARED_HUB}")
def test_the_profiler_roofline_follows_the_engine_rule():
    """The run's roofline reads what the model page's reads: the active weights, of the input
    embedding the one row a token looks up (it read the whole table on the page), the KV cache
    and the recurrent state; here in the run's dtype and at its batch. Llama-3.1-8B in bf16 at
    batch 1 is the page's bound at the same context."""
    from axes.backbone import GPUS, analyze_config
    from profiler.core.estimate import estimate_from_config, roofline_for_device

    config = json.loads((SHARED_HUB / "meta-llama--Llama-3.1-8B" / "config.json").read_text())
    est = estimate_from_config(config, dtype="bfloat16", batch=1, prompt_len=4096, new_tokens=4096)
    name, tok_s, _how = roofline_for_device(est, "NVIDIA H100 80GB HBM3", dtype="bfloat16", batch=1)
    assert name == "H100-SXM"
    bandwidth = GPUS["H100-SXM"].bandwidth_bytes_per_s
    weights = (8_030_261_248 - 128_256 * 4096 + 4096) * 2
    assert tok_s == bandwidth / (weights + 131_072 * 8192)
    assert round(tok_s, 2) == analyze_config(config)["compute"]["roofline"]["H100-SXM"] == 208.29
    # float32 at batch 4: every weight at 4 B, read once per step for 4 tokens; KV in fp32
    est = estimate_from_config(config, dtype="float32", batch=4, prompt_len=128, new_tokens=128)
    _name, tok_s, _how = roofline_for_device(est, "NVIDIA H100 80GB HBM3", dtype="float32", batch=4)
    assert tok_s == 4 * bandwidth / (weights * 2 + 4 * 131_072 * 2 * 256)
    # Nemotron-H: the recurrent state of each sequence is read as its KV cache is
    hybrid = json.loads((SHARED_HUB / "nvidia--Nemotron-H-56B-Base-8K" / "config.json").read_text())
    est = estimate_from_config(hybrid, dtype="bfloat16", batch=1, prompt_len=4096, new_tokens=4096)
    _name, tok_s, _how = roofline_for_device(
        est, "NVIDIA H100 80GB HBM3", dtype="bfloat16", batch=1
    )
    assert round(tok_s, 2) == analyze_config(hybrid)["compute"]["roofline"]["H100-SXM"]


def test_every_gpu_of_the_backbone_table_is_found_by_its_own_name():
    from axes.backbone import GPUS

    aliases = {k: getattr(g, "name", "") for k, g in GPUS.items()}
    for key, gpu in GPUS.items():
        assert gpu_match(getattr(gpu, "name", key), list(GPUS), aliases) == key


def test_cli_prints_json_and_a_progress_bar(tmp_path):
    folder = tiny_checkpoint(tmp_path / "cli", TINY_LLAMA)
    env = cli_env(PYTHONPATH=str(REPO_ROOT))  # English, whatever the developer's LANG
    cmd = [
        sys.executable,
        "-m",
        "profiler.bench",
        str(folder),
        "--device",
        "cpu",
        "--dtype",
        "float32",
    ]
    cmd += ["--batch", "2", "--prompt-len", "8", "--new-tokens", "4", "--iters", "2", "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["batch"] == 2 and result["mode"] == "checkpoint"
    assert result["params_loaded"] == analytic_params(TINY_LLAMA)
    assert "100.0% done" in proc.stderr
    assert "django" not in proc.stderr.lower()
    # the readable summary says the CPU weights figure is a count and checks no tolerance
    text = subprocess.run(
        [c for c in cmd if c != "--json"] + ["--no-progress"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert text.returncode == 0, text.stderr
    weights = [x for x in text.stdout.splitlines() if x.startswith("weights_bytes")]
    assert weights == [
        f"weights_bytes_counted={analytic_params(TINY_LLAMA) * 4:,} (numel × element size of "
        "the loaded tensors: a count, not a memory measurement; estimate "
        f"{analytic_params(TINY_LLAMA) * 4:,})"
    ]
    assert "tolerance" not in text.stdout

    (folder / "model.safetensors").unlink()
    (folder / "pytorch_model.bin").write_bytes(b"pickle")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"]["code"] == "pickle_refused"


def test_bench_core_does_not_import_django(tmp_path):
    code = (
        "import sys, profiler.bench, profiler.core.measure; "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


def test_a_malformed_config_is_refused_not_filled_with_defaults(tmp_path):
    """Without hidden_size, transformers' LlamaConfig would fill in 4096 and time a 0.7B model
    that is not this one; the engine's refusal stops the run before anything is built."""
    folder = config_folder(tmp_path / "missing", {"model_type": "llama", "num_hidden_layers": 2})
    with pytest.raises(InvalidRequest, match="config.json cannot be measured: .*hidden_size"):
        bench_run(folder, BenchOptions(**FAST))
    zero = config_folder(tmp_path / "zero", {**TINY_LLAMA, "num_key_value_heads": 0})
    with pytest.raises(InvalidRequest, match="num_key_value_heads must be positive"):
        bench_run(zero, BenchOptions(**FAST))
    out = subprocess.run(
        [sys.executable, "-m", "profiler.bench", str(zero), "--device", "cpu", "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert json.loads(out.stdout)["error"]["code"] == "invalid_request"


def test_a_quantized_checkpoint_whose_package_is_missing_says_so(tmp_path):
    """transformers asks for compressed-tensors to load llm-compressor's checkpoints; the run
    said "transformers cannot build this architecture" about a plain Llama."""
    import importlib.util

    if importlib.util.find_spec("compressed_tensors") is not None:
        pytest.skip("compressed-tensors is installed here: transformers would load the model")
    folder = tiny_checkpoint(tmp_path / "ct", TINY_LLAMA)
    config = json.loads((folder / "config.json").read_text())
    config["quantization_config"] = {
        "quant_method": "compressed-tensors",
        "format": "pack-quantized",
        "config_groups": {
            "group_0": {
                "targets": ["Linear"],
                "weights": {"num_bits": 4, "type": "int", "strategy": "group", "group_size": 32},
            }
        },
        "ignore": ["lm_head"],
    }
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(QuantizationUnsupported) as err:
        bench_run(folder, BenchOptions(mode="checkpoint", **FAST))
    assert err.value.code == "quantization_unsupported"
    assert err.value.detail["key"] == "quantization_package"
    assert "quantized (compressed-tensors)" in str(err.value)
    assert "compressed-tensors" in err.value.detail["params"]["error"]  # what to install
    assert "--mode synthetic" in str(err.value)
    # synthetic mode measures the same shapes, unquantized
    assert bench_run(folder, BenchOptions(mode="synthetic", **FAST))["mode"] == "synthetic"
