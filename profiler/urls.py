"""Measurement runs: /runs/<id>/ (page or status fragment), POST /runs/<id>/cancel/,
POST /runs/revision/<id>/measure/."""

from django.urls import path

from profiler import views

app_name = "profiler"

urlpatterns = [
    path("<int:run_id>/", views.run_detail, name="run"),
    path("<int:run_id>/status/", views.run_status, name="run_status"),
    path("<int:run_id>/cancel/", views.run_cancel_view, name="run_cancel"),
    path("revision/<int:revision_id>/", views.revision_panel, name="panel"),
    path("revision/<int:revision_id>/measure/", views.run_create, name="measure"),
]
