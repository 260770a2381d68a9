"""Parsed JSON files back in their own key order.

Before 0004 PostgreSQL kept ``Artifact.data`` as jsonb, which reorders an object's keys, and
0004's change of type keeps whatever order the column had: a config's ``rope_scaling`` read
``(factor, rope_type, low_freq_factor, ...)`` and the compare CSV's rows followed jsonb's order.
``Artifact.text`` still holds each file as fetched, so a JSON file that was not truncated is
parsed again; the result is stored only where it holds the same values (only the order
changes). On SQLite, whose JSON was never reordered, nothing changes.
"""

import json

from django.db import migrations


def reparse(apps, schema_editor):
    Artifact = apps.get_model("catalog", "Artifact")
    rows = (
        Artifact.objects.filter(truncated=False, data__isnull=False)
        .exclude(text="")
        .only("id", "text", "data")
    )
    for artifact in rows.iterator(chunk_size=200):
        try:
            parsed = json.loads(artifact.text)
        except ValueError:  # YAML front matter of a card, or not JSON at all
            continue
        if parsed == artifact.data and json.dumps(parsed) != json.dumps(artifact.data):
            Artifact.objects.filter(pk=artifact.pk).update(data=parsed)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_error_detail")]

    operations = [migrations.RunPython(reparse, migrations.RunPython.noop, elidable=True)]
