from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Metrics"

    def ready(self):
        # The core calls these at the moment it writes; it never imports metrics.
        from communities import hooks

        from .services.events import contribution_mark, history_mark, impressions_record

        hooks.contribution_made.register(contribution_mark)
        hooks.history_changed.register(history_mark)
        hooks.posts_shown.register(impressions_record)
