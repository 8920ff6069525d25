"""Demo pods: niches across species, needs and regions, each with a steward, charter and members."""

from datetime import timedelta

from django.utils.text import slugify

from communities.rendering import render_markdown

from .models import Charter, Membership, MembershipEvent, Pod

NICHES = [
    ("Senior diabetic cats", ["cat", "diabetic", "senior"], None),
    ("Reactive dogs in Leeds", ["dog", "reactive"], "leeds"),
    ("Three-legged dog owners", ["dog", "three-legged"], None),
    ("Raw feeding for dogs", ["dog", "raw-feeding"], None),
    ("Anxious rescue cats", ["cat", "anxious", "rescue"], None),
    ("Greyhound walkers Manchester", ["dog", "hiking"], "manchester"),
    ("Bunny enrichment club", ["rabbit", "enrichment"], None),
    ("Blind and deaf dogs", ["dog", "blind", "deaf"], None),
    ("Kidney disease in cats", ["cat", "kidney-disease"], None),
    ("Budgie and cockatiel keepers", ["bird"], None),
    ("Agility beginners Bristol", ["dog", "agility"], "bristol"),
    ("Glasgow dog hikers", ["dog", "hiking"], "glasgow"),
    ("Overweight pets support", ["overweight", "nutrition"], None),
    ("Foster carers network", ["fostering", "rescue"], None),
    ("Reptile keepers Dublin", ["reptile"], "dublin"),
]
PROMPTS = ["Share a photo of your week", "What's one small win this week?", "Ask the pod anything"]
CHARTER = (
    "1. Be kind: everyone here is doing their best for their animal.\n"
    "2. No medical diagnoses: share experience, and see a vet.\n"
    "3. What is shared here stays here."
)


def seed_pods(ctx, count: int) -> None:
    rng = ctx.rng
    tags = {t.slug: t for kind in ("species", "need", "interest") for t in ctx.tags[kind]}
    places = {p.slug: p for p in ctx.cities}
    people = ctx.members[4:] or ctx.members
    privacies = ["open"] * 6 + ["request"] * 3 + ["invite"]
    # --pods stays the total: in a big enough demo, three of them are the split umbrella and its two children.
    ctx.pod_umbrella = count >= UMBRELLA_MIN_PODS and len(ctx.members) >= 60
    for i in range(count - 3 if ctx.pod_umbrella else count):
        name, tag_slugs, city = NICHES[i % len(NICHES)]
        if i >= len(NICHES):
            name = f"{name} {i // len(NICHES) + 1}"
        privacy = privacies[i % len(privacies)]
        steward = people[(i * 7) % len(people)]
        pod = Pod.objects.create(
            name=name, slug=slugify(name)[:80], description=f"A small, friendly pod for {name.lower()}.",
            privacy=privacy, is_unlisted=privacy == "invite" and i % 20 == 9, region=places.get(city),
            member_cap=12 if i == 1 else 50, question="What brings you and your pet here?",
            welcome_message=f"Welcome to {name}! Say hello and tell us about your pet.",
            prompt_text=PROMPTS[i % len(PROMPTS)] if i % 3 == 0 else "", prompt_weekday=i % 7 if i % 3 == 0 else None,
            created_by=steward, created_at=ctx.now - timedelta(days=rng.randint(30, 120)), charter_version=1,
        )
        pod.tags.set([tags[s] for s in tag_slugs if s in tags])
        Charter.objects.create(pod=pod, version=1, body=CHARTER, body_html=render_markdown(CHARTER), created_by=steward)
        size = pod.member_cap if i == 1 else min(max(3, int(rng.paretovariate(0.9) * 4)), 40, len(people))
        members = [steward] + [m for m in rng.sample(people, size) if m.pk != steward.pk][: size - 1]
        rows, events = [], []
        for n, member in enumerate(members):
            joined = pod.created_at + timedelta(days=rng.randint(0, 25))
            rung = "trusted" if n % 5 == 1 else ("regular" if n % 3 == 0 else "newcomer")
            rows.append(Membership(pod=pod, member=member, role="steward" if n == 0 else "member",
                                   rung="trusted" if n == 0 else rung, joined_at=joined,
                                   charter_version_acknowledged=1))
            events.append(MembershipEvent(pod=pod, member=member, kind="joined", created_at=joined))
        Membership.objects.bulk_create(rows)
        MembershipEvent.objects.bulk_create(events)
        pod.member_count = len(rows)
        pod.save(update_fields=["member_count"])
        ctx.pods.append(pod)
    if ctx.pod_umbrella:
        _seed_umbrella(ctx)


def seed_pods_after_content(ctx) -> None:
    """What needs members, pets and content first: a waitlist on the full pod, the umbrella's split,
    a couple of emerging niches, and "Pods for you" for everyone. Adds no pods or posts of its own."""
    from .services.niches import niches_refresh
    from .services.splits import split_confirm, split_proposals
    from .services.suggestions import suggestions_refresh

    if len(ctx.pods) >= 2:
        _seed_waitlist(ctx, ctx.pods[1])
    if getattr(ctx, "pod_umbrella", False):
        umbrella = Pod.objects.get(slug=UMBRELLA_SLUG)
        proposal = next(p for p in split_proposals(umbrella) if p.basis == "region")
        ctx.pods += split_confirm(actor=umbrella.created_by, pod=umbrella, basis="region",
                                  fingerprint=proposal.fingerprint)
    _seed_niche_topics(ctx)
    niches_refresh(now=ctx.now)
    suggestions_refresh(now=ctx.now)


def _seed_waitlist(ctx, pod: Pod) -> None:
    from .models import WaitlistEntry

    inside = set(pod.memberships.values_list("member_id", flat=True))
    waiting = [m for m in ctx.members[4:] if m.pk not in inside][:7]
    WaitlistEntry.objects.bulk_create([WaitlistEntry(pod=pod, member=m, created_at=ctx.now - timedelta(days=7 - n))
                                       for n, m in enumerate(waiting)])


UMBRELLA_MIN_PODS = 12
UMBRELLA_SLUG = "uk-dog-walkers"


def _seed_umbrella(ctx) -> None:
    """A full pod of dog walkers from two regions (six each), split after the content is in."""
    people = ctx.members[4:]
    by_region: dict[int, list] = {}
    for m in people:
        if m.region_id:
            by_region.setdefault(m.region.parent_id, []).append(m)
    groups = sorted(by_region.values(), key=lambda g: (-len(g), g[0].pk))[:2]
    chosen = groups[0][:6] + groups[1][:6]
    steward = chosen[0]
    pod = Pod.objects.create(name="UK dog walkers", slug=UMBRELLA_SLUG, description="Walks, routes and meetups.",
                             member_cap=len(chosen), member_count=len(chosen), created_by=steward,
                             charter_version=1, created_at=ctx.now - timedelta(days=90))
    Charter.objects.create(pod=pod, version=1, body=CHARTER, body_html=render_markdown(CHARTER), created_by=steward)
    Membership.objects.bulk_create([
        Membership(pod=pod, member=m, role="steward" if n == 0 else "member", rung="trusted" if n == 0 else "regular",
                   joined_at=pod.created_at, charter_version_acknowledged=1) for n, m in enumerate(chosen)])
    ctx.pods.append(pod)


NICHE_TOPICS = [("hydrotherapy", 12, 3), ("senior-dental", 8, 2)]  # (topic, authors this month, the month before)


def _seed_niche_topics(ctx) -> None:
    """Commons posts by distinct members, more this month than last, take up topics no pod covers yet."""
    from communities.models import Post, Tag

    rng, used = ctx.rng, set()
    for topic, now_n, before_n in NICHE_TOPICS:
        tag, _ = Tag.objects.get_or_create(kind=Tag.Kind.TOPIC, slug=topic, defaults={"name": topic})
        for lo, hi, n in ((1, 26, now_n), (30, 54, before_n)):
            posts = _one_per_author(Post.objects.filter(
                pod__isnull=True, segment__isnull=True, created_at__gte=ctx.now - timedelta(days=hi),
                created_at__lt=ctx.now - timedelta(days=lo)).exclude(pk__in=used).order_by("created_at", "pk"))
            for post in rng.sample(posts, min(n, len(posts))):
                used.add(post.pk)
                post.body = f"{post.body} #{topic}"
                post.body_html = render_markdown(post.body)
                post.save(update_fields=["body", "body_html"])
                post.tags.add(tag)


def _one_per_author(qs) -> list:
    seen, picked = set(), []
    for post in qs.only("pk", "author_id", "body"):
        if post.author_id not in seen:
            seen.add(post.author_id)
            picked.append(post)
    return picked
