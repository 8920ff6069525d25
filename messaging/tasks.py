"""Celery entry points for messages: ids in, one service call, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import message_email_send

RETRY_ON = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(acks_late=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5)
def send_message_email(message_id: int, recipient_id: int) -> bool:
    return message_email_send(message_id=message_id, recipient_id=recipient_id)
