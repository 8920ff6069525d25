"""The stored search index: one tsvector per post and per comment, kept beside the core's rows.

On PostgreSQL the vectors are GIN-indexed (migration 0002) and written by `documents.document_store`,
which the core's write services call through `communities.hooks.content_changed`. On SQLite the
columns stay empty and search falls back to matching the text itself (see `selectors`). `created_at`
copies the source row's (set once, at creation) so the ranked page sorts on the document alone.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class PostDocument(models.Model):
    post = models.OneToOneField("communities.Post", primary_key=True, on_delete=models.CASCADE,
                                related_name="search_document")
    vector = SearchVectorField(null=True)
    created_at = models.DateTimeField(null=True)  # the source row's, for ordering ties on the document alone


class CommentDocument(models.Model):
    comment = models.OneToOneField("communities.Comment", primary_key=True, on_delete=models.CASCADE,
                                   related_name="search_document")
    vector = SearchVectorField(null=True)
    created_at = models.DateTimeField(null=True)  # the source row's, for ordering ties on the document alone
