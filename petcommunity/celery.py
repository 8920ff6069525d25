"""The one Celery app. Tasks use the Django task class, so `delay_on_commit` queues after commit."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petcommunity.settings.dev")

app = Celery("petcommunity", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
