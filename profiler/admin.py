"""Measurement runs in the admin: what an operator needs to see a stuck run and stop it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from profiler.models import MeasurementRun


@admin.register(MeasurementRun)
class MeasurementRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "revision",
        "status",
        "device_kind",
        "mode",
        "dtype",
        "batch",
        "stage",
        "progress_pct",
        "worker_host",
        "heartbeat_at",
        "created_at",
    )
    list_filter = ("status", "device_kind", "mode", "error_code")
    search_fields = ("revision__model__repo_id", "worker_host", "error")
    list_select_related = ("revision__model",)
    raw_id_fields = ("revision",)
    readonly_fields = ("result", "estimate", "residuals", "created_at", "started_at")
    actions = ["cancel_runs"]

    @admin.action(description=_("Stop (cancel) the selected runs"))
    def cancel_runs(self, request: Any, queryset: Any) -> None:
        """The page's Stop, for each: a queued run or one whose worker went silent is
        cancelled at once; a live worker is asked to stop within seconds."""
        from profiler.services import run_cancel

        active = list(
            queryset.filter(status__in=MeasurementRun.ACTIVE).values_list("pk", flat=True)
        )
        for pk in active:
            run_cancel(run_id=pk)
        self.message_user(
            request,
            _("Asked %(n)d active run(s) to stop; the others had already ended.")
            % {"n": len(active)},
            messages.SUCCESS,
        )
