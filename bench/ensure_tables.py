"""Create the tables and columns of models whose migrations are not written yet, so the bench
runs on a checkout where new models exist before their migration (the lead generates the
migrations once per issue). A no-op once every migration is there.

Usage (after `manage.py migrate`, with the same DATABASE_URL): python bench/ensure_tables.py
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truongso.settings.base")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.db import connection  # noqa: E402


def main() -> None:
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    created, added = [], []
    # One schema editor: foreign keys are added at the end, once every table exists.
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            meta = model._meta
            if not meta.managed or meta.proxy:
                continue
            if meta.db_table not in tables:
                editor.create_model(model)
                created.append(meta.label)
                continue
            with connection.cursor() as cursor:
                columns = {c.name for c in connection.introspection.get_table_description(cursor, meta.db_table)}
            for field in meta.local_fields:
                if field.column and field.column not in columns:
                    editor.add_field(model, field)
                    added.append(f"{meta.label}.{field.name}")
    if created or added:
        print(f"bench: created tables for {', '.join(created) or 'none'}; "
              f"added columns {', '.join(added) or 'none'} (migrations pending)", file=sys.stderr)


if __name__ == "__main__":
    main()
