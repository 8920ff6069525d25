"""Demo community data: vocabularies, places, members with pets, and Commons/pod content.

Deterministic for a given seed. Used by `seed_demo` and, at larger sizes, by the benchmarks, so it
writes with bulk_create and renders each body once.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from random import Random

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db.models import F
from django.utils.text import slugify

from .models import Comment, Place, Post, Reaction, ReactionKind, Tag, User
from .ranking import hot_score
from .rendering import render_markdown
from .services.posts import sentiment_of

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
OPENERS = [
    "Anyone else dealing with {need} in a {species}? #{topic}",
    "Small win today: {pet} finally managed a full walk without fuss! #{topic}",
    "Looking for advice on {interest} with a {need} {species}. What worked for you? #{topic}",
    "Photo-free update: {pet} is doing brilliantly after the vet visit. #{topic}",
    "Tip that changed our routine: **slow feeders** for {pet}. #{topic}",
    "Struggling a bit this week with {pet}. Any kind words welcome. #{topic}",
    "What's your go-to {interest} routine for a {species}? #{topic}",
]
COMMENTS = ["This is so helpful, thank you!", "We had the same with ours, it gets better.",
            "Sending hugs to {pet} ❤️", "Have you tried a different vet? Ours was brilliant.",
            "Love this, saving it for later.", "Ugh, that sounds hard. Hang in there.",
            "Great tip! Works for our {species} too."]


@dataclass
class DemoContext:
    rng: Random
    now: object
    members: list[User] = field(default_factory=list)
    regions: list[Place] = field(default_factory=list)
    cities: list[Place] = field(default_factory=list)
    tags: dict[str, list[Tag]] = field(default_factory=dict)
    pods: list = field(default_factory=list)
    manager: User | None = None
    moderators: list[User] = field(default_factory=list)


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
    from allauth.account.models import EmailAddress

    from .models import Pet

    rng, password = ctx.rng, make_password(DEMO_PASSWORD)
    users = []
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        username = "manager" if i == 0 else (f"moderator{i}" if i <= 3 else f"{first.lower()}{i}")
        users.append(User(
            username=username, email=f"{username}@demo.petcommunity.local", password=password,
            display_name=f"{first} {last}" if i > 3 else username.title(), is_staff=i == 0,
            region=rng.choice(ctx.cities + ctx.regions[:1]) if rng.random() > 0.08 else None,
            date_joined=ctx.now - timedelta(days=rng.randint(1, 120)), onboarded_at=ctx.now,
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
            pets.append(Pet(owner=u, name=rng.choice(PET_NAMES), species=sp_tag, breed=rng.choice(breeds),
                            birth_year=ctx.now.year - rng.randint(0, 15)))
    Pet.objects.bulk_create(pets, batch_size=2000)
    needs_through = Pet.needs.through
    need_tags = ctx.tags["need"]
    needs_through.objects.bulk_create(
        [needs_through(pet_id=p.pk, tag_id=t.pk) for p in Pet.objects.filter(owner__in=ctx.members)
         for t in rng.sample(need_tags, rng.choice([0, 1, 1, 2]))], batch_size=2000,
    )


def _zipf_pick(rng: Random, items: list, skew: float = 1.1):
    """Zipf-like choice: the first items are picked far more often (a few very active members)."""
    idx = min(int(rng.paretovariate(skew)) - 1, len(items) - 1)
    return items[idx]


def _post_text(rng: Random, ctx: DemoContext) -> str:
    return rng.choice(OPENERS).format(
        need=rng.choice(NEEDS), species=rng.choice(list(SPECIES_BREEDS)), pet=rng.choice(PET_NAMES),
        interest=rng.choice(INTERESTS), topic=slugify(rng.choice(NEEDS + INTERESTS)),
    )


def seed_content(ctx: DemoContext, *, posts: int, days: int) -> None:
    """Posts spread over `days`, a third in pods; comments and reactions from members who can see them."""
    rng = ctx.rng
    from microgroups.models import Membership

    pod_members: dict[int, list[int]] = {}
    for pod_id, member_id in Membership.objects.filter(status="active").values_list("pod_id", "member_id"):
        pod_members.setdefault(pod_id, []).append(member_id)
    shuffled = ctx.members[4:] or ctx.members
    topic_by_slug = {t.slug: t for t in ctx.tags["topic"]}
    rendered: dict[str, tuple[str, float]] = {}
    rows = []
    for _ in range(posts):
        pod = rng.choice(ctx.pods) if ctx.pods and rng.random() < 0.35 else None
        if pod is not None and pod_members.get(pod.pk):
            author_id = rng.choice(pod_members[pod.pk])
        else:
            pod, author_id = None, _zipf_pick(rng, shuffled).pk
        text = _post_text(rng, ctx)
        if text not in rendered:
            rendered[text] = (render_markdown(text), sentiment_of(text))
        created = ctx.now - timedelta(seconds=rng.randint(60, days * 86400))
        # Scored as unengaged here; counters_sync re-scores the posts that then get comments or reactions
        # (cheaper than a second pass over every post).
        rows.append(Post(author_id=author_id, pod=pod, body=text, body_html=rendered[text][0],
                         sentiment=rendered[text][1], created_at=created, last_activity_at=created,
                         hot_score=hot_score(reaction_count=0, comment_count=0, created_at=created),
                         audience="trusted" if pod is not None and rng.random() < 0.1 else "everyone"))
    Post.objects.bulk_create(rows, batch_size=2000)
    _tag_posts(rows, topic_by_slug)
    _seed_comments_and_reactions(ctx, rows, pod_members)


def _tag_posts(rows: list[Post], topic_by_slug: dict) -> None:
    from .rendering import extract_hashtags

    through = Post.tags.through
    links = [through(post_id=p.pk, tag_id=topic_by_slug[h].pk)
             for p in rows for h in extract_hashtags(p.body) if h in topic_by_slug]
    through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)


def _seed_comments_and_reactions(ctx: DemoContext, rows: list[Post], pod_members: dict) -> None:
    rng, everyone = ctx.rng, [m.pk for m in ctx.members]
    comments, reactions = [], []
    rendered: dict[str, tuple[str, float]] = {}  # comment texts repeat a lot: render each once
    for post in rows:
        audience = pod_members.get(post.pod_id, everyone) if post.pod_id else everyone
        for _ in range(min(int(rng.expovariate(0.5)), 12)):
            who = rng.choice(audience)
            text = rng.choice(COMMENTS).format(pet=rng.choice(PET_NAMES), species=rng.choice(list(SPECIES_BREEDS)))
            at = min(post.created_at + timedelta(minutes=rng.randint(3, 3000)), ctx.now)
            if text not in rendered:
                rendered[text] = (render_markdown(text), sentiment_of(text))
            comments.append(Comment(post=post, author_id=who, body=text, body_html=rendered[text][0],
                                    created_at=at, sentiment=rendered[text][1]))
        for who in set(rng.sample(audience, min(len(audience), int(rng.expovariate(0.25))))):
            reactions.append(Reaction(post=post, member_id=who, kind=rng.choice(ReactionKind.values),
                                      created_at=min(post.created_at + timedelta(minutes=rng.randint(1, 2000)),
                                                     ctx.now)))
    Comment.objects.bulk_create(comments, batch_size=5000)
    Reaction.objects.bulk_create(reactions, batch_size=5000, ignore_conflicts=True)
    from .services.counters import counters_sync

    counters_sync(post_ids=[p.pk for p in rows])


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
    from .models import AnnouncementRecipient, Notification
    from .segments import segment_members

    rows = [_new_post(ctx, ctx.manager, text, ctx.now - timedelta(days=2 - i), is_announcement=True,
                      pinned_at=ctx.now - timedelta(days=2 - i)) for i, text in enumerate(ANNOUNCEMENTS)]
    segment = {"species": "dog", "needs": ["senior"]}
    targeted = _new_post(ctx, ctx.manager, SEGMENT_NOTE, ctx.now - timedelta(hours=6), is_announcement=True,
                         pinned_at=ctx.now - timedelta(hours=6), segment=segment)
    Post.objects.bulk_create([*rows, targeted])
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
    from .models import Poll, PollBallot, PollChoice, PollVote

    rng, voters_pool = ctx.rng, ctx.members[4:]
    posts = [_new_post(ctx, rng.choice(voters_pool), f"Quick poll for the Commons: {q}",
                       ctx.now - timedelta(hours=3 + 5 * i)) for i, (q, _, _) in enumerate(POLLS)]
    Post.objects.bulk_create(posts)
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
        PollVote.objects.bulk_create(votes)
        for choice in made:
            choice.vote_count = sum(1 for v in votes if v.choice is choice)
        PollChoice.objects.bulk_update(made, ["vote_count"])
        Poll.objects.filter(pk=poll.pk).update(voter_count=len(voters))


def _seed_follows_and_notifications(ctx: DemoContext) -> None:
    from .models import Follow, Notification

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
    if mine.reaction_count:
        notes.append(Notification(recipient=demo, kind="reaction", actor=by_id[people[1].pk], post=mine,
                                  actor_count=mine.reaction_count, url=mine.get_absolute_url(),
                                  verb=f"{mine.reaction_count} members reacted to your post" if mine.reaction_count > 1
                                  else f"{people[1].name} reacted to your post"))
    text = "Lovely to see this, thanks for sharing!"
    reply = Comment.objects.create(post=mine, author=people[2], body=text, body_html=render_markdown(text),
                                   created_at=ctx.now - timedelta(minutes=30), sentiment=sentiment_of(text))
    Post.objects.filter(pk=mine.pk).update(comment_count=F("comment_count") + 1)
    notes.append(Notification(recipient=demo, kind="reply", actor=people[2], post=mine, comment=reply,
                              url=reply.get_absolute_url(),
                              verb=f"{people[2].name} commented on your post",
                              created_at=reply.created_at, updated_at=reply.created_at))
    Notification.objects.bulk_create(notes)
