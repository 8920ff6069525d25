"""A small pending list for the search vectors' GIN indexes (PostgreSQL only).

New and edited documents go to each GIN index's pending list, which every search reads through entry by
entry until a vacuum (or a full list) merges it into the index. At the default limit (4 MB) a busy day
could leave ~500 pages there between vacuums, a few milliseconds on every search; at 256 kB an insert
merges more often (a short merge now and then) and a search reads at most 32 pages of it.
"""

from django.db import migrations

INDEXES = ("search_post_vector_gin", "search_comment_vector_gin")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (gin_pending_list_limit = 256)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_name_trigram_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
