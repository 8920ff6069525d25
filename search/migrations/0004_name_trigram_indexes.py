"""Trigram indexes for the name matches search counts on every query (PostgreSQL only).

Members and pods are matched by `icontains` (`UPPER(col::text) LIKE UPPER('%word%')`), which no B-tree
serves: each search read the whole members table (10,000 rows: about 6 ms) and the pods table for its
tab counts. A GIN index with pg_trgm's operator class on the same `UPPER(...)` expression answers these
LIKE patterns from the index (for words of three letters or more). The indexes live here, not on the
models, because SQLite cannot create them and search is what needs them.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = (
    ("communities_user", "search_user_username_trgm", "username"),
    ("communities_user", "search_user_display_name_trgm", "display_name"),
    ("microgroups_pod", "search_pod_name_trgm", "name"),
    ("microgroups_pod", "search_pod_description_trgm", "description"),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_document_created_at"),
        ("communities", "0012_comment_edits_saved_posts"),
        ("microgroups", "0006_suggestion_inputs"),
    ]

    operations = [TrigramExtension(), migrations.RunPython(forwards, backwards)]
