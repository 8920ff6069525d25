"""Writes to the search index. Only PostgreSQL stores vectors; elsewhere these are no-ops."""

from django.db import connection

from communities.models import Comment, Post

from .models import CommentDocument, PostDocument

CONFIG = "english"  # the text search configuration: stemming and stop words for the vectors and queries

_DOCUMENTS = {"post": (PostDocument, "post_id", Post), "comment": (CommentDocument, "comment_id", Comment)}
GIN_INDEXES = ("search_post_vector_gin", "search_comment_vector_gin")  # migrations 0002 and 0005


def stores_vectors() -> bool:
    return connection.vendor == "postgresql"


def document_store(*, kind: str, pk: int, text: str) -> None:
    """Index the new text of one post or comment (the core calls this inside its write transaction), with
    the row's creation time, in one statement."""
    if not stores_vectors():
        return
    model, key, source = _DOCUMENTS[kind]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({key}, vector, created_at) "  # noqa: S608 (names from _meta)
            f"SELECT id, to_tsvector(%s::regconfig, %s), created_at FROM {source._meta.db_table} WHERE id = %s "
            f"ON CONFLICT ({key}) DO UPDATE SET vector = EXCLUDED.vector, created_at = EXCLUDED.created_at",
            [CONFIG, text, pk],
        )


def documents_rebuild() -> dict[str, int]:
    """Re-index every post and comment from its stored text in two statements (a backfill or a repair).
    Returns how many documents each wrote (new or changed)."""
    if not stores_vectors():
        return {"post": 0, "comment": 0}
    counts = {}
    with connection.cursor() as cursor:
        for kind, (model, key, source) in _DOCUMENTS.items():
            table = model._meta.db_table
            cursor.execute(
                f"INSERT INTO {table} ({key}, vector, created_at) "  # noqa: S608 (names from _meta)
                f"SELECT id, to_tsvector(%s::regconfig, body), created_at FROM {source._meta.db_table} "
                f"ON CONFLICT ({key}) DO UPDATE SET vector = EXCLUDED.vector, created_at = EXCLUDED.created_at "
                # An unchanged document is left alone: rewriting every row would leave a dead copy of each
                # behind, which the GIN index still points at until a vacuum, and every search reads them.
                f"WHERE ({table}.vector, {table}.created_at) IS DISTINCT FROM (EXCLUDED.vector, EXCLUDED.created_at)",
                [CONFIG],
            )
            counts[kind] = cursor.rowcount
        # A GIN index takes new entries into a pending list that every search reads through, entry by
        # entry, until a vacuum or a full list merges it into the index proper (a bulk write leaves up to
        # gin_pending_list_limit behind: 226 pages at size S, read twice by every post search). Merge it.
        for index in GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
    return counts
