"""Stable URLs: /models/<org>/<name>/, /compare/?models=..., /exercise/ (the API: mechanic/urls)."""

from django.urls import path

from catalog import views, views_compare, views_exercise, views_model

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("ingest/", views.ingest, name="ingest"),
    path("ingest/<int:job_id>/", views.ingest_progress, name="ingest_progress"),
    path("upload/", views.upload, name="upload"),
    path("models/<str:org>/<str:name>/", views_model.model_page, name="model"),
    path("compare/", views_compare.compare_page, name="compare"),
    path("exercise/", views_exercise.exercise_page, name="exercise"),
    path("exercise/save/", views_exercise.exercise_save, name="exercise_save"),
    path("exercise/check/", views_exercise.exercise_run_check, name="exercise_check"),
    path("exercise/new/", views_exercise.exercise_new, name="exercise_new"),
    path("exercise/<int:pk>/export.md", views_exercise.exercise_export, name="exercise_export"),
]
