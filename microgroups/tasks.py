"""Celery entry points for pods: ids in, one service call each (schedules in settings)."""

from celery import shared_task


@shared_task
def rungs_recompute() -> int:
    from .services.ladder import rungs_recompute as run

    return run()


@shared_task
def suggestions_refresh() -> int:
    from .services.suggestions import suggestions_refresh as run

    return run()


@shared_task
def suggestions_refresh_member(member_id: int) -> int:
    from .services.suggestions import suggestions_refresh_for

    return suggestions_refresh_for(member_id)


@shared_task
def weekly_prompts_post() -> int:
    from .services.rituals import weekly_prompts_post as run

    return run()


@shared_task
def cohort_welcome_post() -> int:
    from .services.rituals import cohort_welcome_posts

    return cohort_welcome_posts()


@shared_task
def niches_refresh() -> int:
    from .services.niches import niches_refresh as run

    return len(run())


@shared_task
def waitlist_offers_expire() -> int:
    from .services.membership import waitlist_offers_expire as run

    return run()


@shared_task
def pod_counters_sync() -> int:
    from .services.pods import pod_counters_sync as run

    return len(run())
