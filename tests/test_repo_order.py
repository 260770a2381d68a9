"""Every list of models reads in one order, on either database: any case, then the exact
spelling. The home page did; the API's /models, the exercise's model list and the admin sorted
"repo_id" as the database does (SQLite and PostgreSQL's C collation: capitals first; the
postgres image's en_US: any case), so the same catalog listed differently in two places."""

from __future__ import annotations

import json

import pytest

IDS = ["acme/alpha", "Acme/Beta", "acme/beta", "ACME/gamma", "Zeta/one", "acme/Delta"]
READ = ["acme/alpha", "Acme/Beta", "acme/beta", "acme/Delta", "ACME/gamma", "Zeta/one"]


@pytest.fixture
def catalog(db):
    from catalog.models import CatalogModel

    for repo_id in IDS:
        CatalogModel.objects.create(repo_id=repo_id)


def test_the_api_lists_models_in_reading_order(client, catalog):
    body = json.loads(client.get("/api/models").content)
    assert [m["repo_id"] for m in body["items"]] == READ


def test_the_exercise_offers_models_in_reading_order(client, catalog):
    html = client.get("/exercise/").content.decode()
    found = [r for r in (html.split('value="')[i].split('"')[0] for i in range(1, html.count('value="') + 1)) if r in IDS]  # fmt: skip
    assert found == READ, found


def test_the_default_order_is_the_reading_order(catalog):
    from catalog.models import CatalogModel

    assert [m.repo_id for m in CatalogModel.objects.all()] == READ
