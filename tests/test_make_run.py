"""`make run` as a user runs it: a SIGTERM to make (or to its recipe's shell) stops the web
server and the Celery worker with it. A shell runs its traps only between commands, so with
the web server in the foreground the trap waited for it and the worker outlived make."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.celery,  # starts a real worker (on the embedded broker, in tmp_path)
    pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed"),
]

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _parents() -> dict[int, int]:
    """pid -> parent pid of every live process (zombies are dead: left out)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]  # the name may hold spaces
        if state != "Z":
            parents[int(entry.name)] = int(ppid)
    return parents


def _descendants(pid: int) -> set[int]:
    parents = _parents()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _is_worker(pid: int) -> bool:
    cmdline = _cmdline(pid)
    return "celery" in cmdline and " worker " in cmdline


def _with_worker(pid: int) -> set[int]:
    """The descendants of ``pid`` once the Celery worker is among them, else nothing."""
    found = _descendants(pid)
    return found if any(_is_worker(p) for p in found) else set()


def _wait_until(predicate, timeout_s: float, what: str, log: Path):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}\n{log.read_text(errors='replace')[-3000:]}")


def _page_answers(url: str, make: subprocess.Popen, log: Path) -> bool:
    if make.poll() is not None:
        raise AssertionError(f"make run exited ({make.returncode}):\n{log.read_text()[-3000:]}")
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("target", ["make", "recipe shell"])
def test_sigterm_to_make_run_stops_the_worker_and_the_web_server(tmp_path, target) -> None:
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        # the embedded default, whatever this suite runs on (PostgreSQL, Redis)
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "MECHANIC_TEST_DB")
    }
    env["MECHANIC_DATA_DIR"] = str(tmp_path / "data")  # database, broker, beat schedule
    venv = Path(sys.prefix)
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        make = subprocess.Popen(
            # -o: the suite's virtualenv is installed already; never pip install from a test
            ["make", "--no-print-directory", "-o", str(venv / ".installed"), "run"]
            + [f"VENV={venv}", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until(lambda: _page_answers(url, make, log), 180, "the home page", log)
        processes = _wait_until(lambda: _with_worker(make.pid), 60, "the worker process", log)
        assert any("runserver" in _cmdline(p) for p in processes), processes
        if target == "make":
            os.kill(make.pid, signal.SIGTERM)
        else:
            (shell,) = (p for p in processes if _parents().get(p) == make.pid)
            os.kill(shell, signal.SIGTERM)
        # bounded, not timed: the worker's warm shutdown takes a second or two
        try:
            make.wait(60)
        except subprocess.TimeoutExpired:
            pass
        left = {p: _cmdline(p) for p in processes & set(_parents())}
        assert make.returncode is not None and not left, (
            f"make exited: {make.returncode is not None}; still running: {left}\n"
            + log.read_text(errors="replace")[-3000:]
        )
    finally:  # whatever is left of the group (make's session: nothing else is in it)
        try:
            os.killpg(make.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        make.wait(10)
