"""Demo pods: niches across species, needs and regions, each with a steward, charter and members."""

from datetime import timedelta

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from communities.models import Post, Tag
from communities.rendering import render_markdown
from communities.services.posts import sentiment_of

from .models import Charter, Membership, MembershipEvent, Pod, WaitlistEntry
from .services.niches import niches_refresh
from .services.splits import split_confirm, split_proposals
from .services.suggestions import suggestions_refresh

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
# What members say in each pod: (upbeat lines, worried lines). {pet} is the author's pet, {breed} its breed.
TALK = {
    "Senior diabetic cats": (
        ["{pet}'s glucose curve was perfect this week, so happy with the new insulin dose! #diabetic",
         "Two years since {pet}'s diagnosis and she's still bossing the house at 15. #senior",
         "Tip: a kitchen timer for insulin at 8 and 8 has made our routine so much calmer."],
        ["{pet} had a hypo last night and I'm still shaking. Honey on the gums worked, vet tomorrow. #diabetic",
         "Worried about {pet}, drinking loads again even on insulin. Anyone seen this?"]),
    "Reactive dogs in Leeds": (
        ["{pet} walked past a barking Staffie on Woodhouse Moor without reacting. Huge win! #reactive",
         "Quiet field hire near Roundhay is brilliant for reactive dogs, {pet} loved it."],
        ["Awful walk today. Off-lead dog charged {pet} and all our progress feels gone. #reactive",
         "Feeling defeated. {pet} lunged at a kid's scooter and someone shouted at us.",
         "Honestly exhausted with the 5am walks to avoid other dogs. Does it ever get easier?"]),
    "Three-legged dog owners": (
        ["{pet} did a full hour at the beach on three legs today, happiest tripawd ever! #three-legged",
         "Ramp for the car arrived and {pet} uses it like a pro. Best purchase this year."],
        ["{pet}'s remaining front leg seems sore after walks. How do you manage joint strain? #three-legged"]),
    "Raw feeding for dogs": (
        ["Six months raw and {pet}'s coat has never looked better. #raw-feeding",
         "Batch-prepped a month of meals for {pet} today, freezer Tetris champion."],
        ["{pet} had an upset stomach after switching to duck. Go slower next time? #raw-feeding"]),
    "Anxious rescue cats": (
        ["{pet} came out from under the bed and sat on my lap for the first time! #rescue",
         "Three weeks in and {pet} now chirps at me at breakfast. Small wins. #anxious"],
        ["{pet} hid all day after the fireworks and won't eat. Any tips for calming her? #anxious"]),
    "Greyhound walkers Manchester": (
        ["Lovely sunny walk round Heaton Park with six greys today, {pet} was in heaven. #hiking",
         "{pet} did his first zoomies in the secure field in Didsbury. Pure joy."],
        ["{pet} got a nasty cut on a fence near the canal, be careful on that stretch."]),
    "Bunny enrichment club": (
        ["Built {pet} a cardboard castle and she's been redecorating it all morning. #enrichment",
         "Forage mats are a hit, {pet} spent an hour snuffling for herbs. #enrichment",
         "Happy binkies from {pet} after his nail trim, what a good boy."],
        ["{pet} isn't eating his hay today. Off to the vet just in case."]),
    "Blind and deaf dogs": (
        ["{pet} learned a new touch cue for sit in two days, so proud of her! #blind",
         "Scent markers on the doorways have really helped {pet} find her way. #deaf"],
        ["Moved house and {pet} keeps bumping into things. Feeling guilty. #blind"]),
    "Kidney disease in cats": (
        ["{pet}'s bloods came back stable again, so relieved! #kidney-disease",
         "Sub-q fluids at home are finally easy now, {pet} just purrs through them."],
        ["{pet}'s creatinine went up again. Scared of what comes next. #kidney-disease"]),
    "Budgie and cockatiel keepers": (
        ["{pet} whistled the whole Coronation Street theme this morning! #bird",
         "New flight cage set up and {pet} loves the extra space."],
        ["{pet} is fluffed up and sleepy today, booking an avian vet. #bird"]),
    "Agility beginners Bristol": (
        ["{pet} did the weaves clean for the first time at the Ashton Court class! #agility",
         "Great session tonight, the tunnel is {pet}'s favourite thing in the world."],
        ["{pet} knocked every pole tonight. Frustrating, but we'll get there. #agility"]),
    "Glasgow dog hikers": (
        ["Conic Hill at sunrise with {pet}, absolutely stunning views. #hiking",
         "Group walk at Mugdock Park on Sunday, who's in? {pet} is excited already."],
        ["Ticks everywhere after the Campsies, check your dogs! Found three on {pet}."]),
    "Overweight pets support": (
        ["{pet} has lost 2 kilos since January, the vet was thrilled! #overweight",
         "Swapped treats for green beans and {pet} hasn't noticed. Win. #nutrition"],
        ["{pet} gained weight again over the holidays. Back to square one. #overweight"]),
    "Foster carers network": (
        ["Our foster {pet} went to her forever home today. Happy tears! #fostering",
         "Great news: the rescue found a sponsor for {pet}'s dental."],
        ["Struggling with a poorly litter this week, barely sleeping. #fostering"]),
    "Reptile keepers Dublin": (
        ["{pet} shed in one perfect piece this week, proud reptile parent. #reptile",
         "New UVB bulb fitted and {pet} is basking like a king."],
        ["{pet} hasn't eaten in two weeks. Is brumation normal at this age? #reptile"]),
}
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
            created_by=steward, created_at=_pod_start(ctx, steward), charter_version=1,
        )
        pod.tags.set([tags[s] for s in tag_slugs if s in tags])
        Charter.objects.create(pod=pod, version=1, body=CHARTER, body_html=render_markdown(CHARTER), created_by=steward)
        size = min(pod.member_cap if i == 1 else max(3, int(rng.paretovariate(0.9) * 4)), 40, len(people))
        members = [steward] + [m for m in rng.sample(people, size) if m.pk != steward.pk][: size - 1]
        rows, events = [], []
        for n, member in enumerate(members):
            joined = pod.created_at if n == 0 else _join_time(ctx, pod, member)
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
        ctx.pod_talk[pod.pk] = (TALK.get(NICHES[i % len(NICHES)][0]), False)
        ctx.pod_members[pod.pk] = [(m.member_id, m.joined_at) for m in rows]
    # The biggest pod with its own voice is the one whose mood sours lately (the dashboard flags it).
    talking = [pod for pod in ctx.pods if ctx.pod_talk[pod.pk][0]]
    if talking:
        drifting = max(talking, key=lambda pod: (pod.member_count, -pod.pk))
        ctx.pod_talk[drifting.pk] = (ctx.pod_talk[drifting.pk][0], True)
    if ctx.pod_umbrella:
        _seed_umbrella(ctx)


def _pod_start(ctx, steward):
    """Pods open in the first weeks of the demo's history, once their steward is around."""
    first = max(steward.date_joined, ctx.now - timedelta(days=ctx.days))
    return min(first + timedelta(days=ctx.rng.randint(0, 10), hours=ctx.rng.randint(0, 23)),
               ctx.now - timedelta(days=7))


def _join_time(ctx, pod, member):
    """About half of the newcomers find a pod in their first week; the others later, or much later."""
    start = max(pod.created_at, member.date_joined)
    days = ctx.rng.choice([0, 1, 2, 3, 5]) if ctx.rng.random() < 0.5 else ctx.rng.randint(8, 45)
    return min(start + timedelta(days=days, hours=ctx.rng.randint(1, 20)), ctx.now - timedelta(hours=1))


def seed_pods_after_content(ctx) -> None:
    """What needs members, pets and content first: a waitlist on the full pod, the umbrella's split,
    a couple of emerging niches, and "Pods for you" for everyone. Adds no pods or posts of its own."""
    if len(ctx.pods) >= 2:
        _seed_waitlist(ctx, ctx.pods[1])
    if getattr(ctx, "pod_umbrella", False):
        umbrella = Pod.objects.get(slug=UMBRELLA_SLUG)
        proposal = next(p for p in split_proposals(umbrella) if p.basis == "region")
        ctx.pods += split_confirm(actor=umbrella.created_by, pod=umbrella, basis="region",
                                  fingerprint=proposal.fingerprint)
    _seed_niche_topics(ctx)
    _sync_post_counts()
    niches_refresh(now=ctx.now)
    suggestions_refresh(now=ctx.now)


def _seed_waitlist(ctx, pod: Pod) -> None:
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
                             charter_version=1, created_at=_pod_start(ctx, steward))
    Charter.objects.create(pod=pod, version=1, body=CHARTER, body_html=render_markdown(CHARTER), created_by=steward)
    rows = [Membership(pod=pod, member=m, role="steward" if n == 0 else "member",
                       rung="trusted" if n == 0 else "regular", charter_version_acknowledged=1,
                       joined_at=pod.created_at if n == 0 else _join_time(ctx, pod, m))
            for n, m in enumerate(chosen)]
    Membership.objects.bulk_create(rows)
    MembershipEvent.objects.bulk_create([MembershipEvent(pod=pod, member_id=m.member_id, kind="joined",
                                                         created_at=m.joined_at) for m in rows])
    ctx.pods.append(pod)
    ctx.pod_talk[pod.pk] = (TALK["Greyhound walkers Manchester"], False)
    ctx.pod_members[pod.pk] = [(m.member_id, m.joined_at) for m in rows]


NICHE_TOPICS = [("hydrotherapy", 12, 3), ("senior-dental", 8, 2)]  # (topic, authors this month, the month before)
NICHE_TEXTS = {
    "hydrotherapy": ["{pet} started hydrotherapy for her hips this week and came out grinning. #hydrotherapy",
                     "Anyone else doing hydrotherapy after cruciate surgery? {pet} is on session three. #hydrotherapy",
                     "Found a hydrotherapy pool twenty minutes away. Is it worth it for arthritis? #hydrotherapy",
                     "{pet} swam four lengths at hydrotherapy today, the staff cheered! #hydrotherapy"],
    "senior-dental": ["{pet} is 13 and had four teeth out. Eating better than she has in years! #senior-dental",
                      "Nervous about a dental under anaesthetic for my oldie {pet}. Your experiences? #senior-dental",
                      "Vet says {pet} needs a scale and polish at 14. Any tips for recovery? #senior-dental"],
}


def _sync_post_counts() -> None:
    """Pods' stored post counts agree with their published posts (the demo writes posts in bulk)."""
    published = (Post.objects.filter(pod=OuterRef("pk"), status="published").order_by().values("pod")
                 .annotate(n=Count("id")).values("n"))
    Pod.objects.update(post_count=Coalesce(Subquery(published), Value(0)))


def _seed_niche_topics(ctx) -> None:
    """Commons posts by distinct members, more this month than last, take up topics no pod covers yet."""
    rng, used = ctx.rng, set()
    for topic, now_n, before_n in NICHE_TOPICS:
        tag, _ = Tag.objects.get_or_create(kind=Tag.Kind.TOPIC, slug=topic, defaults={"name": topic})
        for lo, hi, n in ((1, 26, now_n), (30, 54, before_n)):
            posts = _one_per_author(Post.objects.filter(
                pod__isnull=True, segment__isnull=True, created_at__gte=ctx.now - timedelta(days=hi),
                created_at__lt=ctx.now - timedelta(days=lo)).exclude(pk__in=used).order_by("created_at", "pk"))
            for post in rng.sample(posts, min(n, len(posts))):
                used.add(post.pk)
                pet = (ctx.pets_of.get(post.author_id) or [("our old boy", "dog")])[0][0]
                post.body = rng.choice(NICHE_TEXTS[topic]).format(pet=pet)
                post.body_html = render_markdown(post.body)
                post.sentiment = sentiment_of(post.body)
                post.save(update_fields=["body", "body_html", "sentiment"])
                post.tags.set([tag])


def _one_per_author(qs) -> list:
    seen, picked = set(), []
    for post in qs.only("pk", "author_id", "body"):
        if post.author_id not in seen:
            seen.add(post.author_id)
            picked.append(post)
    return picked
