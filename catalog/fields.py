"""A JSONField that keeps a dict's keys in the order they were written, on PostgreSQL too.

Django's ``JSONField`` is ``jsonb`` on PostgreSQL, and ``jsonb`` stores an object's keys in its
own order (shorter keys first, then bytewise), while SQLite keeps the text as written. The
engine writes its report in reading order (an attention fact's ``variant`` before ``sliding``,
a breakdown's components from the embeddings to the head), and the pages show a dict as it
comes. On PostgreSQL this field is a ``json`` column, which keeps the text as written: the same
pages read the same on both databases.

Key lookups that read text (``analysis__backbone__decoder_type__icontains``, ``__iexact``) work
on ``json`` as on ``jsonb``; ``json`` has no equality operator, so exact lookups into the value,
``DISTINCT`` and ``GROUP BY`` over it are not available: use it for documents that are read
whole (the analysis), not for values that are queried by equality.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models


class OrderedJSONField(models.JSONField):
    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        if not prepared:
            value = self.get_prep_value(value)
        from psycopg.types.json import Json  # psycopg 3, as pyproject requires

        # sent as ``json``: sent as ``jsonb`` (Django's default) the server would parse it
        # into jsonb's key order before storing it in the ``json`` column
        encoder = self.encoder
        return Json(value, dumps=lambda obj: json.dumps(obj, cls=encoder))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        # psycopg parses ``json`` columns itself (Django registers its text loader for
        # ``jsonb`` only); ``json.loads`` keeps the keys in the order of the text
        if value is not None and not isinstance(value, str | bytes | bytearray):
            return value
        return super().from_db_value(value, expression, connection)
