"""The source row's creation time on each document, so the ranked page sorts (rank, newest first) on the
document alone and joins the post or comment (and its read policy) for the page's rows only."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, key, source in (("search_postdocument", "post_id", "communities_post"),
                               ("search_commentdocument", "comment_id", "communities_comment")):
        schema_editor.execute(f"UPDATE {table} d SET created_at = s.created_at FROM {source} s WHERE s.id = d.{key}")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_gin_indexes_backfill")]

    operations = [
        migrations.AddField("postdocument", "created_at", models.DateTimeField(null=True)),
        migrations.AddField("commentdocument", "created_at", models.DateTimeField(null=True)),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
