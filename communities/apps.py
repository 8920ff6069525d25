from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Members and the Commons"

    def ready(self):
        from . import streams  # not at the top: it needs the models, not yet loaded when this module is

        streams.connect_signals()  # logout closes that session's websockets (a decoupled concern)
        from . import navcache

        navcache.connect_signals()  # the manager role, edited in the admin, invalidates the cached nav bar
        from . import presenters  # noqa: F401  (registers how stream events become frames)
