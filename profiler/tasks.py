"""Celery tasks of the profiler. Thin: load by id, call a service.

Workers (one GPU per ``gpu`` worker, one run at a time):

    celery -A mechanic worker -Q gpu --concurrency 1 --prefetch-multiplier 1 -n gpu@%h
    celery -A mechanic worker -Q default -n default@%h
    celery -A mechanic beat            # runs profiler.tasks.reap_stale_runs every minute

``run_measurement`` is routed to ``gpu`` (settings.CELERY_TASK_ROUTES), acknowledged late and
rejected when its worker is lost, so a message survives a dead worker; the conditional claim
in ``profiler.services.run_claim`` makes a second delivery harmless. Its hard time limit is
PROFILER_TIME_LIMIT_S, below the broker's visibility timeout, so a run is never redelivered
while it is still running.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

import mechanic.celery  # noqa: F401  (the configured app: shared tasks bind to it)
from profiler import services


@shared_task(
    bind=True,
    name="profiler.tasks.run_measurement",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.PROFILER_TIME_LIMIT_S,
    ignore_result=True,
)
def run_measurement(self: Any, run_id: int) -> str:
    return services.run_execute(run_id=run_id, worker_host=self.request.hostname or None)


@shared_task(name="profiler.tasks.reap_stale_runs", ignore_result=True)
def reap_stale_runs() -> dict[str, int]:
    return services.runs_reap()


@shared_task(name="profiler.tasks.prune_embedded_broker", ignore_result=True)
def prune_embedded_broker() -> int:
    """Delete the messages the embedded broker delivered more than an hour ago (kombu's
    SQLAlchemy transport never does: the file grows with every job). 0 on other brokers."""
    return services.broker_prune_delivered(settings.CELERY_BROKER_URL, older_than_s=3600)
