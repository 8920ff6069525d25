"""GIN indexes on the stored vectors and a backfill of existing posts and comments (PostgreSQL only).

The indexes are not declared on the models because SQLite cannot create them; this migration does
nothing there.
"""

from django.db import migrations

INDEXES = (
    ("search_postdocument", "search_post_vector_gin"),
    ("search_commentdocument", "search_comment_vector_gin"),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (vector)")
    for table, key, source in (("search_postdocument", "post_id", "communities_post"),
                               ("search_commentdocument", "comment_id", "communities_comment")):
        schema_editor.execute(
            f"INSERT INTO {table} ({key}, vector) SELECT id, to_tsvector('english'::regconfig, body) FROM {source} "
            f"ON CONFLICT ({key}) DO UPDATE SET vector = EXCLUDED.vector"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
