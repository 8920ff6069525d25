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
    for i in range(count):
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
