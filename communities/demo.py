"""Demo community data: vocabularies, places, members with pets, and a simulation of their lives.

About twelve weeks of a community: members arrive in waves, stay for a while (pod members longer) and
drift away; while they are around they post about their own pets in the Commons and their pods, and
comment and react on what they could see. Every contribution marks its author's activity through the
core's `contribution_made` hook, dated when it happened (the simulation's clock), exactly as the
services do. Deterministic for a given seed. Used by `seed_demo` and, at larger sizes, by the
benchmarks, so it writes with bulk_create and renders each body once.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from random import Random

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db.models import F
from django.utils.text import slugify

from . import hooks
from .models import (
    AnnouncementRecipient,
    Comment,
    Follow,
    Notification,
    Pet,
    Place,
    Poll,
    PollBallot,
    PollChoice,
    PollVote,
    Post,
    Reaction,
    ReactionKind,
    Tag,
    User,
)
from .ranking import hot_score
from .rendering import extract_hashtags, render_markdown
from .segments import segment_members
from .services.comments import comment_delete
from .services.counters import counters_sync
from .services.posts import post_delete, sentiment_of

DEMO_PASSWORD = "petcommunity"  # noqa: S105 - demo data only, printed in the README

SPECIES_BREEDS = {
    "dog": ["Labrador", "Greyhound", "Border Collie", "Staffie", "Dachshund", "Cockapoo"],
    "cat": ["Maine Coon", "Siamese", "British Shorthair", "Ragdoll", "Moggy"],
    "rabbit": ["Lop", "Rex", "Lionhead"],
    "bird": ["Budgie", "Cockatiel", "African Grey"],
    "reptile": ["Bearded Dragon", "Leopard Gecko", "Corn Snake"],
}
NEEDS = ["diabetic", "reactive", "senior", "three-legged", "anxious", "blind", "deaf", "kidney disease",
         "allergies", "rescue", "puppy", "overweight"]
INTERESTS = ["training", "raw feeding", "agility", "hiking", "grooming", "fostering", "photography",
             "adoption", "nutrition", "enrichment", "vet costs", "travel"]
PLACES = {
    "United Kingdom": {"England": ["Leeds", "Manchester", "London", "Bristol"], "Scotland": ["Glasgow", "Edinburgh"],
                       "Wales": ["Cardiff"]},
    "Ireland": {"Leinster": ["Dublin"], "Munster": ["Cork"]},
}
FIRST = ["Amira", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jamal", "Kai", "Lena",
         "Maya", "Noah", "Olu", "Priya", "Quinn", "Rosa", "Sami", "Tess", "Uma", "Vik", "Wren", "Yusuf", "Zoe"]
LAST = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones", "Khan",
        "Lewis", "Murphy", "Nowak", "O'Brien", "Patel", "Reid", "Singh", "Taylor", "Walsh"]
PET_NAMES = ["Biscuit", "Luna", "Milo", "Pepper", "Bramble", "Mochi", "Ziggy", "Nala", "Otis", "Poppy",
             "Rolo", "Suki", "Tofu", "Waffles", "Pickle", "Juniper", "Basil", "Clover", "Dougal", "Fig"]
# What owners say in the Commons about their own pet: {pet} is its name, {breed} its breed.
COMMONS_TALK = {
    "dog": ["{pet} finally walked past the postman without barking. Six months of training paid off! #training",
            "Rainy day enrichment for {pet}: frozen Kong with peanut butter, bought us a quiet hour. #enrichment",
            "Any {breed} owners got tips for a dog who pulls like a train on the lead? #training",
            "{pet} turned 11 today. Still steals socks, still my best friend. #senior",
            "Vet bill for {pet}'s ear infection was £240. Is pet insurance worth it? #vet-costs",
            "Found a lovely dog-friendly cafe with water bowls and sausages for the dogs. {pet} approves.",
            "Three weeks since we adopted {pet} and he's starting to trust us. #adoption",
            "{pet} ate a whole tea towel. Vet says keep an eye on him. Not my favourite Tuesday."],
    "cat": ["{pet} has decided the laptop is the warmest seat in the house. Work from home, they said.",
            "How do you get a {breed} to take a pill? {pet} has defeated me three days running.",
            "{pet} brought me a (live) frog at 3am. Thanks, I guess? #cat",
            "Switched {pet} to a water fountain and she drinks so much more now. #nutrition",
            "Adopted {pet} from the shelter last month and she purrs the moment I get home. #adoption",
            "{pet}'s first vet visit went so well, no hissing at all! #cat"],
    "rabbit": ["{pet} did the biggest binky when I let him into the garden this morning. #rabbit",
               "Any tips for bonding two rabbits? {pet} keeps chasing the new girl."],
    "bird": ["{pet} has learned to say 'good morning' and now says it at midnight. #bird",
             "Which fruits are safe for a {breed}? {pet} is bored of apple."],
    "reptile": ["{pet} ate from tongs for the first time, massive milestone for a shy {breed}. #reptile",
                "What thermostat do you use? {pet}'s basking spot keeps overheating."],
}
# Replies follow the mood of the post they answer.
REPLIES = {
    "up": ["Brilliant news, give {pet} a cuddle from us!", "Love this, well done {pet}!", "This made my day 😊",
           "So happy for you both.", "Great tip, we'll try it tonight."],
    "down": ["Sending hugs to you and {pet}.", "We went through the same, it does get easier.",
             "Have you asked your vet about it? Ours was brilliant.", "That sounds really hard. Thinking of you.",
             "Same here this week, honestly it's been rough."],
}
# Kept for the benchmarks' text pools: one line with a pet and a species filled in.
OPENERS = [line for lines in COMMONS_TALK.values() for line in lines]
COMMENTS = REPLIES["up"] + REPLIES["down"]


@dataclass
class DemoContext:
    rng: Random
    now: object
    days: int = 84  # the history simulated, ending now
    members: list[User] = field(default_factory=list)
    regions: list[Place] = field(default_factory=list)
    cities: list[Place] = field(default_factory=list)
    tags: dict[str, list[Tag]] = field(default_factory=dict)
    pods: list = field(default_factory=list)
    manager: User | None = None
    moderators: list[User] = field(default_factory=list)
    pets_of: dict = field(default_factory=dict)  # member id → [(name, species slug, breed)]
    pod_talk: dict = field(default_factory=dict)  # pod id → ((upbeat, worried) lines or None, drifts)
    pod_members: dict = field(default_factory=dict)  # pod id → [(member id, joined at)]
    life: dict = field(default_factory=dict)  # member id → Life


def seed_vocabulary(ctx: DemoContext) -> None:
    species_tags = {}
    for species, breeds in SPECIES_BREEDS.items():
        sp, _ = Tag.objects.get_or_create(kind=Tag.Kind.SPECIES, slug=species, defaults={"name": species.title()})
        species_tags[species] = sp
        for breed in breeds:
            Tag.objects.get_or_create(kind=Tag.Kind.BREED, slug=slugify(breed), defaults={"name": breed, "species": sp})
    for kind, names in ((Tag.Kind.NEED, NEEDS), (Tag.Kind.INTEREST, INTERESTS)):
        for name in names:
            Tag.objects.get_or_create(kind=kind, slug=slugify(name), defaults={"name": name})
    for name in NEEDS + INTERESTS + list(SPECIES_BREEDS):
        Tag.objects.get_or_create(kind=Tag.Kind.TOPIC, slug=slugify(name), defaults={"name": slugify(name)})
    for kind in Tag.Kind.values:
        ctx.tags[kind] = list(Tag.objects.filter(kind=kind).order_by("id"))
    for country, regions in PLACES.items():
        c, _ = Place.objects.get_or_create(slug=slugify(country), defaults={"name": country, "kind": "country"})
        for region, cities in regions.items():
            r, _ = Place.objects.get_or_create(slug=slugify(region), defaults={"name": region, "kind": "region",
                                                                                "parent": c})
            ctx.regions.append(r)
            for city in cities:
                ci, _ = Place.objects.get_or_create(slug=slugify(city), defaults={"name": city, "kind": "city",
                                                                                  "parent": r})
                ctx.cities.append(ci)


BIOS = [
    "{first} here. Pet person since forever.",
    "Foster carer for the local rescue; usually have a sofa full of someone else's animals.",
    "Vet nurse by day, agility-course builder by weekend.",
    "Learning as I go with my first rescue. Questions welcome, advice even more so!",
    "Retired, lots of time for long walks and longer chats about kibble.",
    "Managing a diabetic pet and happy to share what has worked for us.",
    "Photographer. Mostly photographs of one very patient animal.",
    "",
]


def demo_profile(rng: Random, first: str) -> dict:
    """A bio and per-field visibilities varied enough that the directory shows the privacy rules at work."""
    visibilities = ["everyone", "members", "members", "trusted"]
    return {"bio": rng.choice(BIOS).format(first=first),
            **{f"{f}_visibility": rng.choice(visibilities) for f in ("bio", "region", "pets", "interests")}}


def seed_members(ctx: DemoContext, count: int) -> None:
    """Members with pets; the first is the community manager, the next few moderators."""
    rng, password = ctx.rng, make_password(DEMO_PASSWORD)
    users = []
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        username = "manager" if i == 0 else (f"moderator{i}" if i <= 3 else f"{first.lower()}{i}")
        place = rng.choice(ctx.cities + ctx.regions[:1]) if rng.random() > 0.08 else None
        users.append(User(
            username=username, email=f"{username}@demo.petcommunity.local", password=password,
            display_name=f"{first} {last}" if i > 3 else username.title(), is_staff=i == 0, region=place,
            date_joined=_join_date(ctx, i, place), onboarded_at=ctx.now,
            last_active_at=ctx.now - timedelta(hours=int(rng.paretovariate(1.2) * 24) % (24 * 120)),
            **demo_profile(rng, first),
        ))
    User.objects.bulk_create(users, batch_size=1000)
    ctx.members = list(User.objects.filter(username__in=[u.username for u in users]).order_by("id"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in ctx.members], batch_size=1000
    )
    ctx.manager, ctx.moderators = ctx.members[0], ctx.members[1:4]
    managers, _ = Group.objects.get_or_create(name="Community managers")
    ctx.manager.groups.add(managers)
    interests = ctx.tags["interest"]
    through = User.interests.through
    through.objects.bulk_create(
        [through(user_id=u.pk, tag_id=t.pk) for u in ctx.members for t in rng.sample(interests, rng.randint(0, 4))],
        batch_size=2000,
    )
    pets, species = [], list(SPECIES_BREEDS)
    for u in ctx.members:
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            sp = rng.choices(species, weights=[10, 8, 2, 1, 1])[0]
            sp_tag = next(t for t in ctx.tags["species"] if t.slug == sp)
            breeds = [t for t in ctx.tags["breed"] if t.species_id == sp_tag.pk]
            pet = Pet(owner=u, name=rng.choice(PET_NAMES), species=sp_tag, breed=rng.choice(breeds),
                      birth_year=ctx.now.year - rng.randint(0, 15))
            pets.append(pet)
            ctx.pets_of.setdefault(u.pk, []).append((pet.name, sp, pet.breed.name))
    Pet.objects.bulk_create(pets, batch_size=2000)
    needs_through = Pet.needs.through
    need_tags = ctx.tags["need"]
    needs_through.objects.bulk_create(
        [needs_through(pet_id=p.pk, tag_id=t.pk) for p in Pet.objects.filter(owner__in=ctx.members)
         for t in rng.sample(need_tags, rng.choice([0, 1, 1, 2]))], batch_size=2000,
    )


def country_of(place: Place | None) -> str:
    while place is not None and place.kind != "country":
        place = place.parent
    return place.slug if place is not None else ""


def region_of(place: Place | None) -> str:
    if place is not None and place.kind == "city":
        place = place.parent
    return place.slug if place is not None and place.kind == "region" else ""


def _join_date(ctx: DemoContext, i: int, place):
    """Sign-ups come in waves: the launch, a press mention in week 5, and the Irish launch in week 9
    (members in Ireland mostly arrive then). The staff and the first members were there from day one."""
    rng, start = ctx.rng, ctx.now - timedelta(days=ctx.days)
    if i < 8:
        day = rng.uniform(0, 2)
    elif country_of(place) == "ireland" and rng.random() < 0.8:
        day = rng.uniform(56, 70)
    else:
        wave = rng.choices(["launch", "press", "late", "trickle"], weights=[45, 30, 12, 13])[0]
        day = {"launch": rng.uniform(0, 14), "press": rng.uniform(28, 38), "late": rng.uniform(56, 66),
               "trickle": rng.uniform(0, ctx.days - 1)}[wave]
    return min(start + timedelta(days=day), ctx.now - timedelta(hours=2))


def _zipf_pick(rng: Random, items: list, skew: float = 1.1):
    """Zipf-like choice: the first items are picked far more often (a few very active members)."""
    idx = min(int(rng.paretovariate(skew)) - 1, len(items) - 1)
    return items[idx]


def _post_text(rng: Random, ctx: DemoContext) -> str:
    """A Commons line about some pet (the benchmarks' text pool)."""
    species = rng.choice(list(COMMONS_TALK))
    return rng.choice(COMMONS_TALK[species]).format(pet=rng.choice(PET_NAMES),
                                                    breed=rng.choice(SPECIES_BREEDS[species]))


@dataclass
class Life:
    first: object  # date_joined (a datetime)
    last: object  # the end of their last active day (a datetime), or now
    appetite: float  # how much they do while around, relative to others
    pods: list = field(default_factory=list)  # [(pod id, joined at)]


REGION_APPETITE = {"scotland": 1.6, "wales": 0.6}  # regions differ: a lively Scotland, a quiet Wales
REGION_KEEP = {"scotland": 0.03, "wales": -0.10}


def _lives(ctx: DemoContext) -> dict[int, Life]:
    """Each member's time in the community. A week at a time they stay with some probability: higher
    for those who joined a pod in their first week, a bit higher once they are in any pod."""
    rng, lives = ctx.rng, {}
    pods_of: dict[int, list] = {}
    for pod_id, rows in ctx.pod_members.items():
        for member_id, joined in rows:
            pods_of.setdefault(member_id, []).append((pod_id, joined))
    influencers = set()
    for n, m in enumerate(ctx.members):
        pods = sorted(pods_of.get(m.pk, []), key=lambda p: p[1])
        early = any(j <= m.date_joined + timedelta(days=7) for _, j in pods)
        region = region_of(m.region)
        keep, t = (0.95 if early else 0.80) + REGION_KEEP.get(region, 0), m.date_joined + timedelta(days=7)
        while t < ctx.now and (n < 5 or rng.random() < keep):  # the staff and the demo login stay
            if pods and pods[0][1] <= t:
                keep = max(keep, 0.90 + REGION_KEEP.get(region, 0))
            t += timedelta(days=7)
        last = min(t - timedelta(days=rng.uniform(0, 6)), ctx.now)
        appetite = min(rng.paretovariate(1.5), 8) * REGION_APPETITE.get(region, 1.0)
        lives[m.pk] = Life(first=m.date_joined, last=max(last, m.date_joined + timedelta(hours=3)),
                           appetite=appetite, pods=pods)
        if pods and len(influencers) < 6 and n >= 5 and last >= ctx.now - timedelta(days=7) \
                and m.date_joined <= ctx.now - timedelta(days=42):
            influencers.add(m.pk)  # real micro-influencers: posts that draw many members in
    ctx.influencers = influencers
    return lives


def _moment(rng: Random, life: Life, now):
    """A random moment in a member's life, more of them near the start (enthusiasm fades)."""
    span = (min(life.last, now) - life.first).total_seconds()
    return life.first + timedelta(seconds=span * rng.betavariate(1.0, 1.4))


def _pod_mood(pod_id: int, when, ctx: DemoContext) -> float:
    """The share of upbeat posts in a pod: each pod has its own, and the drifting pod sours lately."""
    talk, drifts = ctx.pod_talk.get(pod_id, (None, False))
    if drifts and when >= ctx.now - timedelta(days=21):
        return 0.15
    # Fixed per pod by its place in the seed, not its primary key, so the same seed gives the same community
    # on a database whose id sequences did not start at 1.
    order = next(n for n, pod in enumerate(ctx.pods) if pod.pk == pod_id)
    return 0.55 + (order * 37 % 40) / 100  # 0.55…0.94


def _audience_at(ctx: DemoContext, pod_id, when, everyone: list[int]) -> list[int]:
    """Who could see a post at `when`: anyone for the Commons, the pod's members by then for a pod,
    among the members still around."""
    pool = everyone if pod_id is None else [m for m, j in ctx.pod_members.get(pod_id, []) if j <= when]
    return [m for m in pool if ctx.life[m].first <= when <= ctx.life[m].last]


def seed_content(ctx: DemoContext, *, posts: int, days: int) -> None:
    """`posts` posts over the members' lives: in their pods (once joined) or the Commons, about their own
    pets, each pod in its own voice and mood; then comments and reactions from who could see them."""
    rng = ctx.rng
    ctx.life = _lives(ctx)
    people = [m for m in ctx.members[4:] or ctx.members]
    weights = [ctx.life[m.pk].appetite * (3 if m.pk in ctx.influencers else 1) *
               max((ctx.life[m.pk].last - ctx.life[m.pk].first).days, 1) ** 0.5 for m in people]
    topic_by_slug = {t.slug: t for t in ctx.tags["topic"]}
    rendered: dict[str, tuple[str, float]] = {}
    rows, moods = [], {}
    for _ in range(posts):
        author = rng.choices(people, weights=weights)[0]
        life = ctx.life[author.pk]
        created = _moment(rng, life, ctx.now)
        joined = [pod_id for pod_id, at in life.pods if at <= created]
        pod_id = rng.choice(joined) if joined and rng.random() < 0.55 else None
        pet, species, breed = rng.choice(ctx.pets_of.get(author.pk) or [("Biscuit", "dog", "Labrador")])
        talk = ctx.pod_talk.get(pod_id, (None, False))[0] if pod_id else None
        if talk:
            mood = "up" if rng.random() < _pod_mood(pod_id, created, ctx) else "down"
            text = rng.choice(talk[0] if mood == "up" else talk[1]).format(pet=pet, breed=breed)
        else:
            text = rng.choice(COMMONS_TALK[species]).format(pet=pet, breed=breed)
            mood = "up" if sentiment_of(text) >= 0 else "down"
        if text not in rendered:
            rendered[text] = (render_markdown(text), sentiment_of(text))
        post = Post(author_id=author.pk, pod_id=pod_id, body=text, body_html=rendered[text][0],
                    sentiment=rendered[text][1], created_at=created, last_activity_at=created,
                    hot_score=hot_score(reaction_count=0, comment_count=0, created_at=created),
                    audience="trusted" if pod_id is not None and rng.random() < 0.1 else "everyone")
        rows.append(post)
        moods[id(post)] = (mood, pet)
    rows.sort(key=lambda p: p.created_at)
    Post.objects.bulk_create(rows, batch_size=2000)
    _tag_posts(rows, topic_by_slug)
    _seed_comments_and_reactions(ctx, rows, moods)
    contributions_mark(Post.objects.filter(pk__in=[p.pk for p in rows]).values_list("author_id", "pod_id",
                                                                                      "created_at"))


def contributions_mark(rows) -> int:
    """Mark (member, scope, day) activity for generated contributions, through the same hook the services
    call, once per member, scope and day. Returns how many marks were made."""
    done = set()
    for member_id, pod_id, at in rows:
        key = (member_id, pod_id, at.date())
        if key not in done:
            done.add(key)
            hooks.contribution(member_id=member_id, pod_id=pod_id, at=at)
    return len(done)


def _tag_posts(rows: list[Post], topic_by_slug: dict) -> None:
    through = Post.tags.through
    links = [through(post_id=p.pk, tag_id=topic_by_slug[h].pk)
             for p in rows for h in extract_hashtags(p.body) if h in topic_by_slug]
    through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)


def _seed_comments_and_reactions(ctx: DemoContext, rows: list[Post], moods: dict) -> None:
    """Replies and reactions from members who could see the post and were around soon after it; the
    micro-influencers draw more, and the drifting pod less and less."""
    rng, everyone = ctx.rng, [m.pk for m in ctx.members]
    comments, reactions, marks = [], [], []
    rendered: dict[str, tuple[str, float]] = {}  # comment texts repeat a lot: render each once
    for post in rows:
        mood, pet = moods[id(post)]
        audience = [m for m in _audience_at(ctx, post.pod_id, post.created_at, everyone) if m != post.author_id]
        if not audience:
            continue
        draw = 3.0 if post.author_id in ctx.influencers else 1.0
        if post.pod_id and ctx.pod_talk.get(post.pod_id, (None, False))[1] \
                and post.created_at >= ctx.now - timedelta(days=21):
            draw = 0.3
        weights = [ctx.life[m].appetite for m in audience]
        for _ in range(min(int(rng.expovariate(1 / (1.2 * draw))), 12)):
            who = rng.choices(audience, weights=weights)[0]
            at = min(post.created_at + timedelta(minutes=rng.expovariate(1 / 300) + 3), ctx.life[who].last, ctx.now)
            at = max(at, post.created_at + timedelta(minutes=1))
            text = rng.choice(REPLIES[mood]).format(pet=pet)
            if text not in rendered:
                rendered[text] = (render_markdown(text), sentiment_of(text))
            comments.append(Comment(post=post, author_id=who, body=text, body_html=rendered[text][0],
                                    created_at=at, sentiment=rendered[text][1]))
            marks.append((who, post.pod_id, at))
        k = min(len(audience), int(rng.expovariate(1 / (2.5 * draw))))
        for who in set(rng.choices(audience, weights=weights, k=k)):
            at = min(post.created_at + timedelta(minutes=rng.expovariate(1 / 200) + 1), ctx.now)
            reactions.append(Reaction(post=post, member_id=who, kind=rng.choice(ReactionKind.values), created_at=at))
            marks.append((who, post.pod_id, at))
    Comment.objects.bulk_create(comments, batch_size=5000)
    Reaction.objects.bulk_create(reactions, batch_size=5000, ignore_conflicts=True)
    contributions_mark(marks)

    counters_sync(post_ids=[p.pk for p in rows])


def seed_deletions(ctx: DemoContext) -> None:
    """Members delete a few of their own posts and comments from the last month, through the services."""
    rng, since = ctx.rng, ctx.now - timedelta(days=30)
    posts = list(Post.objects.filter(status="published", created_at__gte=since, is_announcement=False,
                                     poll__isnull=True).select_related("author").order_by("pk"))
    for post in rng.sample(posts, k=min(3, len(posts))):
        post_delete(actor=post.author, post=post)
    comments = list(Comment.objects.filter(status="published", created_at__gte=since)
                    .select_related("author", "post").order_by("pk"))
    for comment in rng.sample(comments, k=min(3, len(comments))):
        comment_delete(actor=comment.author, comment=comment)


ANNOUNCEMENTS = [
    "**Welcome to PetCommunity!** Say hello in the Commons, add your pets to your profile, and find a pod of "
    "people whose pets have the same needs. #welcome",
    "Reminder: be kind, no selling animals, and ask a vet for anything urgent. Thanks for making this a good "
    "place. #community",
]
SEGMENT_NOTE = ("Free **senior dog** mobility clinic next Saturday, run by members in your area. Reply here if "
                "you'd like a slot. #senior")
POLLS = [
    ("How many walks a day does your dog get?", ["One", "Two", "Three or more"], False),
    ("Which enrichment do your cats love?", ["Puzzle feeders", "Window perch", "Cardboard boxes", "Catnip"], True),
    ("Wet food, dry food or both?", ["Wet", "Dry", "Both"], False),
]

ENGAGEMENT_POSTS = len(ANNOUNCEMENTS) + 1 + len(POLLS)  # posts seed_engagement adds


def seed_engagement(ctx: DemoContext) -> None:
    """Pinned announcements, a segmented one, polls, follows and notifications for the demo logins."""
    if ctx.manager is None or len(ctx.members) < 6:
        return
    _seed_announcements(ctx)
    _seed_polls(ctx)
    _seed_follows_and_notifications(ctx)


def _new_post(ctx: DemoContext, author: User, body: str, created, **extra) -> Post:
    return Post(author=author, body=body, body_html=render_markdown(body), sentiment=sentiment_of(body),
                created_at=created, last_activity_at=created,
                hot_score=hot_score(reaction_count=0, comment_count=0, created_at=created), **extra)


def _seed_announcements(ctx: DemoContext) -> None:
    rows = [_new_post(ctx, ctx.manager, text, ctx.now - timedelta(days=2 - i), is_announcement=True,
                      pinned_at=ctx.now - timedelta(days=2 - i)) for i, text in enumerate(ANNOUNCEMENTS)]
    segment = {"species": "dog", "needs": ["senior"]}
    targeted = _new_post(ctx, ctx.manager, SEGMENT_NOTE, ctx.now - timedelta(hours=6), is_announcement=True,
                         pinned_at=ctx.now - timedelta(hours=6), segment=segment)
    Post.objects.bulk_create([*rows, targeted])
    contributions_mark([(p.author_id, None, p.created_at) for p in [*rows, targeted]])
    _tag_posts([*rows, targeted], {t.slug: t for t in Tag.objects.filter(kind=Tag.Kind.TOPIC)})
    recipients = list(segment_members(segment).values_list("pk", flat=True))
    AnnouncementRecipient.objects.bulk_create([AnnouncementRecipient(post=targeted, member_id=pk)
                                               for pk in recipients])
    Notification.objects.bulk_create([
        Notification(recipient_id=pk, kind="announcement", actor=ctx.manager, post=targeted,
                     verb=f"Announcement from {ctx.manager.name}: {targeted.excerpt}", url=targeted.get_absolute_url(),
                     created_at=targeted.created_at, updated_at=targeted.created_at)
        for pk in recipients
    ])


def _seed_polls(ctx: DemoContext) -> None:
    rng = ctx.rng
    around = [m for m in ctx.members[4:] if m.pk not in ctx.life or ctx.life[m.pk].last >= ctx.now - timedelta(days=3)]
    voters_pool = around if len(around) >= 8 else ctx.members[4:]
    posts = [_new_post(ctx, rng.choice(voters_pool), f"Quick poll for the Commons: {q}",
                       ctx.now - timedelta(hours=3 + 5 * i)) for i, (q, _, _) in enumerate(POLLS)]
    Post.objects.bulk_create(posts)
    contributions_mark([(p.author_id, None, p.created_at) for p in posts])
    for i, (post, (question, choices, multiple)) in enumerate(zip(posts, POLLS, strict=True)):
        closes = ctx.now - timedelta(hours=1) if i == len(POLLS) - 1 else ctx.now + timedelta(days=3)
        poll = Poll.objects.create(post=post, question=question, multiple=multiple, closes_at=closes)
        made = PollChoice.objects.bulk_create([PollChoice(poll=poll, text=t, position=n)
                                               for n, t in enumerate(choices)])
        voters = rng.sample(voters_pool, min(len(voters_pool), rng.randint(8, 30)))
        votes = []
        for voter in voters:
            picks = rng.sample(made, rng.randint(1, 2)) if multiple else [rng.choice(made)]
            votes += [PollVote(poll=poll, choice=c, member=voter) for c in picks]
        PollBallot.objects.bulk_create([PollBallot(poll=poll, member=v) for v in voters])
        contributions_mark([(v.pk, None, min(post.created_at + timedelta(minutes=20 + n), ctx.now))
                            for n, v in enumerate(voters)])
        PollVote.objects.bulk_create(votes)
        for choice in made:
            choice.vote_count = sum(1 for v in votes if v.choice is choice)
        PollChoice.objects.bulk_update(made, ["vote_count"])
        Poll.objects.filter(pk=poll.pk).update(voter_count=len(voters))


def _seed_follows_and_notifications(ctx: DemoContext) -> None:
    rng, people = ctx.rng, ctx.members[4:]
    follows = {(a.pk, b.pk) for a in people for b in rng.sample(people, min(len(people), rng.randint(2, 6)))
               if a.pk != b.pk}
    demo = people[0]  # the member login printed by seed_demo
    follows |= {(m.pk, demo.pk) for m in people[1:6]} | {(demo.pk, m.pk) for m in people[6:10]}
    Follow.objects.bulk_create([Follow(follower_id=a, followee_id=b, created_at=ctx.now - timedelta(days=1))
                                for a, b in sorted(follows)], ignore_conflicts=True)
    by_id = {m.pk: m for m in ctx.members}
    notes = [Notification(recipient=demo, kind="follow", actor=by_id[a], verb=f"{by_id[a].name} started following you",
                          url=f"/members/{by_id[a].username}/", created_at=ctx.now - timedelta(hours=h),
                          updated_at=ctx.now - timedelta(hours=h))
             for h, (a, b) in enumerate(sorted(f for f in follows if f[1] == demo.pk)[:3], start=1)]
    mine = Post.objects.filter(author=demo, pod__isnull=True).order_by("-reaction_count").first()
    if mine is None:
        mine = _new_post(ctx, demo, "Hello everyone! Biscuit says hi too. #welcome", ctx.now - timedelta(hours=8))
        mine.save()
        contributions_mark([(demo.pk, None, mine.created_at)])
    if mine.reaction_count:
        notes.append(Notification(recipient=demo, kind="reaction", actor=by_id[people[1].pk], post=mine,
                                  actor_count=mine.reaction_count, url=mine.get_absolute_url(),
                                  verb=f"{mine.reaction_count} members reacted to your post" if mine.reaction_count > 1
                                  else f"{people[1].name} reacted to your post"))
    text = "Lovely to see this, thanks for sharing!"
    reply = Comment.objects.create(post=mine, author=people[2], body=text, body_html=render_markdown(text),
                                   created_at=ctx.now - timedelta(minutes=30), sentiment=sentiment_of(text))
    Post.objects.filter(pk=mine.pk).update(comment_count=F("comment_count") + 1)
    contributions_mark([(people[2].pk, None, reply.created_at)])
    notes.append(Notification(recipient=demo, kind="reply", actor=people[2], post=mine, comment=reply,
                              url=reply.get_absolute_url(),
                              verb=f"{people[2].name} commented on your post",
                              created_at=reply.created_at, updated_at=reply.created_at))
    Notification.objects.bulk_create(notes)
