from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messages"

    def ready(self):
        from communities import hooks

        from .selectors import blocked_ids_subquery, nav_badges

        hooks.hidden_authors.register(blocked_ids_subquery)  # a block hides the member's posts and comments
        hooks.nav_badges.register(nav_badges)
