"""Celery entry points for the Commons: ids in, one service call, safe to run twice.

Every task re-reads what it needs by id and re-checks permissions inside the service when it runs.
`acks_late` + `task_reject_on_worker_lost` (settings) mean a worker killed mid-task hands the task to
another worker, so each task must be idempotent: the services make sure of that.
"""

import random

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import counters
from .services.digests import FREQUENCIES, digest_period, digest_recipient_ids, digest_send
from .services.notification_emails import announcement_emails_send, notification_email_send
from .services.webhooks import backoff_seconds, webhook_delivery_attempt

# Database hiccups and network errors are worth retrying; anything else is a bug to see in the logs.
RETRY_ON = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
DIGEST_CHUNK = 200


@shared_task(acks_late=True, autoretry_for=RETRY_ON, retry_backoff=True, retry_backoff_max=600, max_retries=5)
def digests_send(frequency: str) -> int:
    """Fan out this period's digests in chunks of member ids (beat runs it daily and weekly)."""
    if frequency not in FREQUENCIES:
        return 0
    period = digest_period(frequency)
    ids = digest_recipient_ids(frequency)
    for start in range(0, len(ids), DIGEST_CHUNK):
        digests_send_chunk.delay(ids[start:start + DIGEST_CHUNK], frequency, period)
    return len(ids)


@shared_task(acks_late=True, autoretry_for=RETRY_ON, retry_backoff=True, retry_backoff_max=600, max_retries=8)
def digests_send_chunk(member_ids: list[int], frequency: str, period: str) -> int:
    """A retried chunk skips the members already mailed (DigestSent), so nobody gets two."""
    return sum(digest_send(member_id=pk, frequency=frequency, period=period) for pk in member_ids)


@shared_task(bind=True, acks_late=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=8)
def webhook_deliver(self, delivery_id: int) -> str:
    """One attempt; a failed attempt comes back later with exponential backoff and jitter."""
    status = webhook_delivery_attempt(delivery_id=delivery_id)
    if status == "failed" and not self.request.is_eager:  # eager (no broker): no timed retries in-process
        countdown = backoff_seconds(self.request.retries + 1)
        raise self.retry(countdown=int(countdown * random.uniform(0.8, 1.2)), max_retries=None)
    return status


# --- Notifications, announcements and counters.


@shared_task(acks_late=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int, personal: bool = False) -> bool:
    return notification_email_send(notification_id=notification_id, personal=personal)


@shared_task(acks_late=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5)
def send_announcement_emails(post_id: int) -> int:
    return announcement_emails_send(post_id=post_id)


@shared_task(acks_late=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=3)
def counters_sync() -> int:
    """Nightly counter repair: recompute every counter from its rows (and re-rank what was wrong)."""
    report = counters.counters_sync()
    return len(report.post_ids) + len(report.comment_ids) + len(report.pod_ids)


@shared_task(acks_late=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=3)
def hot_rank_refresh() -> int:
    """Every 10 minutes: repair and re-score the posts whose reactions or comments changed lately."""
    return counters.recent_counters_refresh(minutes=15)
