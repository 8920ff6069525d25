"""Members, pods and a few days of posts for the load test; prints the members' sessions as JSON.

`python -m bench.load.seed <members>` with DJANGO_SETTINGS_MODULE=bench.load.settings. Deterministic
(seeded random); every member is established (joined 60 days ago), as most members of a live site are.
"""

import json
import random
import sys
from datetime import timedelta

import django


def seed(members: int) -> dict:
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from communities.models import Comment, Post
    from communities.rendering import render_markdown
    from microgroups.services.pods import pod_create
    from tests.factories import join

    rng = random.Random(7)
    User = get_user_model()
    joined = timezone.now() - timedelta(days=60)
    people = [User.objects.create_user(username=f"load{i}", email=f"load{i}@example.com", password=None,
                                       date_joined=joined, onboarded_at=joined) for i in range(members)]
    EmailAddress.objects.bulk_create([EmailAddress(user=p, email=p.email, verified=True, primary=True) for p in people])
    pods = [pod_create(actor=people[i], name=f"Load pod {i}", charter="Be kind.", member_cap=40) for i in range(8)]
    home = {}
    for n, person in enumerate(people[8:], start=8):
        if n % 3:
            pod = pods[n % len(pods)]
            join(person, pod, rung=rng.choice(["newcomer", "regular", "trusted"]))
            home[person.pk] = pod.slug
    for i, pod in enumerate(pods):
        home[people[i].pk] = pod.slug
    now = timezone.now()
    posts = []
    for k in range(members * 5):
        author = rng.choice(people)
        pod_slug = home.get(author.pk) if rng.random() < 0.3 else None
        body = f"Load post {k}: how is everyone's {rng.choice(['cat', 'dog', 'rabbit', 'parrot'])} today?"
        posts.append(Post(author=author, body=body, body_html=render_markdown(body),
                          pod=next((p for p in pods if p.slug == pod_slug), None),
                          created_at=now - timedelta(minutes=rng.randint(1, 60 * 24 * 3))))
    Post.objects.bulk_create(posts, batch_size=500)
    Comment.objects.bulk_create([Comment(post=p, author=rng.choice(people), body="Lovely!",
                                         body_html=render_markdown("Lovely!"), created_at=p.created_at)
                                 for p in posts[::3]], batch_size=500)
    sessions = []
    for person in people:
        client = Client()
        client.force_login(person)
        sessions.append({"id": person.pk, "username": person.username, "pod": home.get(person.pk),
                         "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value})
    recent = list(Post.objects.filter(pod__isnull=True).order_by("-id").values_list("id", flat=True)[:300])
    return {"members": sessions, "recent_posts": recent}


if __name__ == "__main__":
    django.setup()
    print(json.dumps(seed(int(sys.argv[1]))))
