from django.apps import AppConfig


class OutboxConfig(AppConfig):
    # Infrastructure, not a product area: it lives inside the project package; its label stays "outbox".
    name = "petcommunity.outbox"
    label = "outbox"
    verbose_name = "Parked tasks"
    default_auto_field = "django.db.models.BigAutoField"
