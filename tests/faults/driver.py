"""Steps the fault tests run inside the app, against a private stack (see stack.Stack.driver).

`python -m tests.faults.driver <command> '<json kwargs>'` prints one JSON line. The pytest process
never opens Django connections to the private stack itself: its own settings point at the shared
test database, so anything that needs the ORM on the private one happens here.
"""

import json
import sys
from datetime import date, datetime, time, timedelta

import django


def seed(members: int = 24, days: int = 6, prefix: str = "faulty") -> dict:
    """A small community with a few days of raw events: posts, comments, reactions, activity, pods."""
    from django.utils import timezone

    from communities.models import Reaction
    from metrics.models import ActivityDay
    from microgroups.services.pods import pod_create
    from tests.factories import CommentFactory, PostFactory, UserFactory, join

    today = timezone.now().date()
    long_ago = timezone.now() - timedelta(days=90)
    people = [UserFactory(username=f"{prefix}{i}", date_joined=long_ago) for i in range(members)]
    pods = [pod_create(actor=people[i], name=f"{prefix} pod {i}", charter="Be kind.") for i in range(3)]
    for n, person in enumerate(people[3:]):
        join(person, pods[n % 3], rung="regular")
    posts, activity = [], []
    for d in range(days):
        day = today - timedelta(days=d)
        at = timezone.make_aware(datetime.combine(day, time(9, 0)))
        for n, person in enumerate(people):
            if (n + d) % 3 == 0:
                pod = pods[n % 3] if n % 2 and n >= 3 else None
                post = PostFactory(author=person, pod=pod, created_at=at + timedelta(minutes=n))
                posts.append(post)
                CommentFactory(post=post, author=people[(n + 1) % members], created_at=at + timedelta(hours=1))
                Reaction.objects.create(member=people[(n + 2) % members], post=post, kind="paw",
                                        created_at=at + timedelta(hours=2))
            if (n + d) % 2 == 0:
                activity.append(ActivityDay(member=person, pod=None, day=day))
    ActivityDay.objects.bulk_create(activity, ignore_conflicts=True)
    return {"members": [p.pk for p in people], "pods": [p.pk for p in pods],
            "posts": [[p.pk, p.pod_id or 0] for p in posts], "today": today.isoformat()}


def session(user_id: int) -> dict:
    """A signed-in session for the member (sessions live in the database)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    return {"cookie": client.cookies[settings.SESSION_COOKIE_NAME].value}


def wants_emails(user_id: int, kinds: list) -> dict:
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=user_id).update(email_notification_kinds=kinds)
    return {"ok": True}


def rollup_all(periods: list) -> dict:
    from metrics.services import rollup_period

    return {"rows": sum(rollup_period(period=p, start=date.fromisoformat(s)) for p, s in periods)}


FIELDS_SKIPPED = {"id", "computed_at"}


def verify_rollups(periods: list) -> dict:
    """Every stored rollup row against a recomputation from the raw events, field by field."""
    from django.forms.models import model_to_dict

    from metrics.models import MetricRollup
    from metrics.services.rollups import _attention, rollup_compute

    problems, checked = [], 0
    for period, raw_start in periods:
        start = date.fromisoformat(raw_start)
        fresh = rollup_compute(period=period, start=start)
        _attention(period, start, fresh)
        stored = {(r.scope_kind, r.scope_id): r for r in MetricRollup.objects.filter(period=period, start=start)}
        expected = {(r.scope_kind, r.scope_id): r for r in fresh}
        if set(stored) != set(expected):
            problems.append(f"{period} {start}: scopes {sorted(stored)} != {sorted(expected)}")
        for key in set(stored) & set(expected):
            a, b = model_to_dict(stored[key]), model_to_dict(expected[key])
            diff = {f: (a[f], b[f]) for f in a if f not in FIELDS_SKIPPED and a[f] != b[f]}
            checked += 1
            if diff:
                problems.append(f"{period} {start} {key}: stored≠recomputed {diff}")
    return {"checked": checked, "problems": problems}


def impressions() -> dict:
    from metrics.models import Impression

    return {"rows": [f"{m}:{p}:{d.isoformat()}" for m, p, d in
                     Impression.objects.values_list("member_id", "post_id", "day")]}


def main() -> None:
    django.setup()
    command, kwargs = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    result = globals()[command](**kwargs)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
