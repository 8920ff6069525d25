"""Celery entry points for pods: ids in, one service call each (schedules in settings)."""

from celery import shared_task

from .services import ladder, membership, niches, pods, rituals, stewards, suggestions


@shared_task
def rungs_recompute() -> int:
    return ladder.rungs_recompute()


@shared_task
def suggestions_refresh() -> int:
    """Hourly: only the members and pods whose inputs changed."""
    return suggestions.suggestions_refresh_changed()


@shared_task
def suggestions_refresh_all() -> int:
    """Everyone from scratch (also `manage.py pods_maintenance suggestions`)."""
    return suggestions.suggestions_refresh()


@shared_task
def suggestions_refresh_member(member_id: int) -> int:
    return suggestions.suggestions_refresh_for(member_id)


@shared_task
def weekly_prompts_post() -> int:
    return rituals.weekly_prompts_post()


@shared_task
def cohort_welcome_post() -> int:
    return rituals.cohort_welcome_posts()


@shared_task
def niches_refresh() -> int:
    return len(niches.niches_refresh())


@shared_task
def waitlist_offers_expire() -> int:
    return membership.waitlist_offers_expire()


@shared_task
def pod_counters_sync() -> int:
    return len(pods.pod_counters_sync())


@shared_task
def steward_invitations_expire() -> int:
    return stewards.steward_invitations_expire()
