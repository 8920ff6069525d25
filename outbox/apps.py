from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Parked tasks"
    default_auto_field = "django.db.models.BigAutoField"
