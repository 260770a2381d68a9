"""manage.py classify [--jsonl] [--split], as a subprocess: JSON lines out (blank lines echoed)
or readable lines; invalid UTF-8 refused with a non-zero exit. No database is touched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import cli_env

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], data: bytes, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    env = cli_env(DEBUG="1", MECHANIC_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run(
        [sys.executable, "manage.py", "classify", *args],
        input=data,
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )


def test_jsonl(tmp_path: Path) -> None:
    lines = [
        "We recommend temperature=0.6 and top_p=0.95.",
        "",
        "license: mit",
        "Please cite our paper.",
    ]
    proc = _run(["--jsonl"], ("\n".join(lines) + "\n").encode(), tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert [o["text"] for o in out] == lines
    assert out[0]["axis"] == "inference" and out[0]["kind"] == "inference.sampling"
    assert out[1] == {"text": "", "axis": "none", "kind": None, "confidence": 1.0}
    assert out[2]["kind"] == "context.license"
    assert out[3]["axis"] == "none" and out[3]["kind"] is None
    assert all(set(o) == {"text", "axis", "kind", "confidence"} for o in out)
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").glob("*.sqlite3"))


def test_split(tmp_path: Path) -> None:
    text = "DeepSeek-V3 uses Multi-head Latent Attention, was refined with GRPO and serves well on SGLang."
    proc = _run(["--jsonl", "--split"], (text + "\n\n").encode(), tmp_path)
    assert proc.returncode == 0, proc.stderr
    first, blank = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert [p["axis"] for p in first["phrases"]] == ["backbone", "post_training", "inference"]
    for p in first["phrases"]:
        assert text[p["start"] : p["end"]] == p["text"]
        assert set(p) == {"text", "start", "end", "axis", "kind", "confidence"}
    assert blank == {"text": "", "phrases": []}


def test_invalid_utf8_fails_clearly(tmp_path: Path) -> None:
    proc = _run(["--jsonl"], b"fine line\nbad \xff\xfe line\n", tmp_path)
    assert proc.returncode != 0
    assert b"line 2" in proc.stderr and b"UTF-8" in proc.stderr
    # the lines read so far, then why the output stops: a script reading JSON lines sees it
    first, last = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert first["text"] == "fine line"
    assert last["error"]["code"] == "not_utf8" and "line 2" in last["error"]["message"]


def test_readable_without_jsonl(tmp_path: Path) -> None:
    """Without --jsonl a person reads one aligned line per statement; blank lines are skipped."""
    data = b"We recommend temperature=0.6 and top_p=0.95.\n\nlicense: mit\n"
    proc = _run([], data, tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.decode().splitlines()
    assert len(rows) == 2
    assert rows[0].split()[:2] == ["inference", "inference.sampling"]
    assert rows[0].endswith("  We recommend temperature=0.6 and top_p=0.95.")
    assert rows[1].split()[:2] == ["context", "context.license"]
    assert not rows[0].startswith("{")


def test_readable_split(tmp_path: Path) -> None:
    text = "DeepSeek-V3 uses Multi-head Latent Attention, was refined with GRPO and serves well on SGLang."
    proc = _run(["--split"], (text + "\n").encode(), tmp_path)
    assert proc.returncode == 0, proc.stderr
    head, *phrases = proc.stdout.decode().splitlines()
    assert head == text
    assert [p.split()[0] for p in phrases] == ["backbone", "post_training", "inference"]
    assert all(p.startswith("  ") for p in phrases)
    assert phrases[1].endswith("  was refined with GRPO")
