"""The body of the spawned measurement process (no Django): run the bench, send messages.

Messages on the pipe: ``("progress", stage, pct)``, then ``("result", dict)`` or
``("error", {"code", "message"})``. A watchdog thread exits the process when its parent (the
Celery worker) dies, so a killed worker never leaves an orphan holding the GPU.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any


def _parent_watch(parent_pid: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            os._exit(3)


def child_main(folder: str, opts: dict[str, Any], conn: Any) -> None:
    threading.Thread(target=_parent_watch, args=(os.getppid(),), daemon=True).start()
    from profiler.core.errors import ProfilerError
    from profiler.core.measure import BenchOptions, bench_run

    def progress(stage: str, pct: float) -> None:
        conn.send(("progress", stage, float(pct)))

    try:
        result = bench_run(folder, BenchOptions(**opts), progress)
    except ProfilerError as exc:
        conn.send(("error", exc.as_dict()))
    except Exception as exc:  # report, do not crash silently: the parent shows this message
        conn.send(("error", {"code": "error", "message": f"{type(exc).__name__}: {exc}"}))
    else:
        conn.send(("result", result))
    finally:
        conn.close()
