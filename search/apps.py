from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from communities import hooks

        from .documents import document_store

        hooks.content_changed.register(document_store)  # the write services keep the index current
