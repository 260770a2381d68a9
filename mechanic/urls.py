from django.contrib import admin
from django.urls import include, path

from catalog.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("runs/", include("profiler.urls")),
    path("api/", api.urls),  # the JSON API (catalog/api.py); ninja needs a top-level namespace
    path("", include("catalog.urls")),
]
