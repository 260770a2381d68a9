"""The pages a deployer's users see when something fails (DEBUG=0, as tests run): a Mechanic
page for a server error, and JSON for a client of /api/."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import include, path


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("boom/", _boom),
    path("api/boom", _boom),
    path("", include("mechanic.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_a_server_error_is_a_mechanic_page_that_says_what_to_do():
    # Before the fix: Django's bare "<h1>Server Error (500)</h1>", no stylesheet, no way back.
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "/static/css/app.css" in html
    assert "Something went wrong on our side, and it has been logged." in html
    assert 'href="/"' in html and "Back to the home page" in html
    assert "a bug" not in html  # nothing of the exception reaches the page


def test_a_server_error_in_the_api_is_json():
    # Before the fix: the same HTML page, which a client of /api/ cannot parse.
    response = Client(raise_request_exception=False).get("/api/boom")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("Server error: something went wrong")
