"""Writes to the search index. Only PostgreSQL stores vectors; elsewhere these are no-ops."""

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import TextField, Value

from communities.models import Comment, Post

from .models import CommentDocument, PostDocument

CONFIG = "english"  # the text search configuration: stemming and stop words for the vectors and queries

_DOCUMENTS = {"post": (PostDocument, "post_id", Post), "comment": (CommentDocument, "comment_id", Comment)}


def stores_vectors() -> bool:
    return connection.vendor == "postgresql"


def document_store(*, kind: str, pk: int, text: str) -> None:
    """Index the new text of one post or comment (the core calls this inside its write transaction)."""
    if not stores_vectors():
        return
    model, key, _ = _DOCUMENTS[kind]
    vector = SearchVector(Value(text, output_field=TextField()), config=CONFIG)
    if not model.objects.filter(**{key: pk}).update(vector=vector):
        model.objects.create(**{key: pk, "vector": vector})


def documents_rebuild() -> dict[str, int]:
    """Re-index every post and comment from its stored text in two statements (a backfill or a repair)."""
    if not stores_vectors():
        return {"post": 0, "comment": 0}
    counts = {}
    with connection.cursor() as cursor:
        for kind, (model, key, source) in _DOCUMENTS.items():
            cursor.execute(
                f"INSERT INTO {model._meta.db_table} ({key}, vector) "  # noqa: S608 (table names from _meta)
                f"SELECT id, to_tsvector(%s::regconfig, body) FROM {source._meta.db_table} "
                f"ON CONFLICT ({key}) DO UPDATE SET vector = EXCLUDED.vector",
                [CONFIG],
            )
            counts[kind] = cursor.rowcount
    return counts
