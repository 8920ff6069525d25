from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self):
        from django.core.signals import request_finished

        from . import presenters  # noqa: F401  (registers how queue events become frames)
        from .rules import flush_after_request

        # Blocked rule hits wait for the posting transaction to end (see rules._block); the end of a
        # request is a safe moment to write them.
        request_finished.connect(flush_after_request, dispatch_uid="moderation.blocked_hits_flush")
