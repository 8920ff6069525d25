from django.apps import AppConfig


class MicrogroupsConfig(AppConfig):
    name = "microgroups"
    verbose_name = "Pods"
