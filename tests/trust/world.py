"""One small world holding every role and every object of the authorization matrix.

Roles (one account each): see `policy.ROLES`. Places: the Commons and four pods, one of each privacy
(open, request, invite-only, unlisted), all in the city of one region; a fifth pod in another region is
stewarded by `steward_other`. In every place: posts that are public, trusted-only (pods only), held,
removed and deleted, each with a poll and a comment, each carrying a unique canary string. The unlisted
pod's name and description, every charter, the author's trusted-only bio and their pet's name (pets
shown to trusted members only) are canaries too. `policy.may_see_canary` says who may read which.

Built with plain rows (factories), not through services: the matrix tests what the read paths do with
a given state, and the services' own tests cover how that state comes about.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from api.models import AccessToken
from communities.models import (
    Comment,
    ContentStatus,
    Notification,
    Pet,
    Place,
    Poll,
    PollChoice,
    Post,
    Tag,
    Visibility,
    Webhook,
    WebhookDelivery,
)
from communities.rendering import render_markdown
from messaging.models import Conversation, Message, MessageReport, Participant
from microgroups.models import Charter, Invite, Membership, Pod, StewardInvitation
from moderation.models import (
    ModerationLogEntry,
    ModeratorAssignment,
    ModeratorNote,
    QueueItem,
    RemovalReason,
    Rule,
    ScopeKind,
)
from tests.factories import PlaceFactory, UserFactory

from . import policy

PLACES = policy.PLACES  # "commons", "open", "request", "invite", "unlisted"
KINDS = policy.POST_KINDS  # "public", "trusted", "held", "removed", "deleted"


def canary(*parts: str) -> str:
    """A token that survives Markdown and HTML escaping unchanged (letters, digits, one separator)."""
    return "CANARY" + "x".join(parts).upper().replace("_", "")


@dataclass
class PostObj:
    place: str
    kind: str
    post: Post
    comment: Comment
    poll: Poll
    item: QueueItem | None = None  # the open queue item about it (held and trusted-only posts)

    @property
    def canary(self) -> str:
        return canary(self.place, self.kind, "post")


@dataclass
class World:
    users: dict[str, object]  # role → user (anonymous: None)
    author: object
    pods: dict[str, Pod]  # place → pod ("commons" absent)
    other_pod: Pod
    region: Place
    other_region: Place
    posts: list[PostObj] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)  # place → a watched-word rule in that scope
    reasons: dict[str, RemovalReason] = field(default_factory=dict)  # place → a removal reason of that scope
    notes: dict[str, ModeratorNote] = field(default_factory=dict)  # place → a manager's note on the author there
    invites: dict[str, Invite] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)  # place → the pod's hook (its URL a canary)
    deliveries: dict[str, WebhookDelivery] = field(default_factory=dict)  # place → a given-up delivery
    author_pet: Pet | None = None
    author_notification: Notification | None = None
    conversation: Conversation | None = None  # between the author and `regular`; one message reported
    message: Message | None = None  # the reported one, sent by the author
    message_report: MessageReport | None = None
    author_token: AccessToken | None = None
    assignment: ModeratorAssignment | None = None  # mod_region's, for the Team page's assignment rows
    steward_invitation: StewardInvitation | None = None  # the author invited to steward the open pod
    canaries: dict[str, tuple] = field(default_factory=dict)  # canary → (what, place, kind)

    def post(self, place: str, kind: str) -> PostObj:
        return next(p for p in self.posts if p.place == place and p.kind == kind)

    def user(self, role: str):
        return self.users[role]


def _manager(username: str, *, superuser: bool = False):
    user = UserFactory(username=username, is_staff=True, is_superuser=superuser)
    if not superuser:
        user.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    return user


def _users() -> dict:
    now = timezone.now()
    users = {
        "anonymous": None,
        "unverified": UserFactory(username="t_unverified", verified=False),
        "member": UserFactory(username="t_member"),
        "newcomer": UserFactory(username="t_newcomer"),
        "regular": UserFactory(username="t_regular"),
        "trusted": UserFactory(username="t_trusted"),
        "steward": UserFactory(username="t_steward"),
        "steward_other": UserFactory(username="t_steward_other"),
        "mod_region": UserFactory(username="t_mod_region"),
        "mod_other": UserFactory(username="t_mod_other"),
        "banned": UserFactory(username="t_banned"),
        "suspended": UserFactory(username="t_suspended", suspended_until=now + timedelta(days=7)),
        "manager": _manager("t_manager"),
        "superuser": _manager("t_superuser", superuser=True),
    }
    assert list(users) == list(policy.ROLES)
    return users


def _pod(place: str, region_place: Place) -> Pod:
    unlisted = place == "unlisted"
    name = canary("unlisted", "podname") if unlisted else f"Matrix {place} pod"
    pod = Pod.objects.create(
        name=name, slug=f"matrix-{place}", privacy="invite" if unlisted else place, is_unlisted=unlisted,
        region=region_place, charter_version=1, member_cap=100,
        description=canary("unlisted", "description") if unlisted else f"The {place} pod of the matrix.",
    )
    body = canary(place, "charter")
    Charter.objects.create(pod=pod, version=1, body=body, body_html=render_markdown(body))
    return pod


def _memberships(users: dict, author, pods: dict[str, Pod], other_pod: Pod) -> None:
    rows = []
    for pod in pods.values():
        for role, rung in (("newcomer", "newcomer"), ("regular", "regular"), ("trusted", "trusted"),
                           ("suspended", "regular")):
            rows.append(Membership(pod=pod, member=users[role], rung=rung, charter_version_acknowledged=1))
        rows.append(Membership(pod=pod, member=users["steward"], rung="trusted", role="steward",
                               charter_version_acknowledged=1))
        rows.append(Membership(pod=pod, member=author, rung="trusted", charter_version_acknowledged=1))
        rows.append(Membership(pod=pod, member=users["banned"], status="banned", ended_at=timezone.now(),
                               charter_version_acknowledged=1))
    rows.append(Membership(pod=other_pod, member=users["steward_other"], rung="trusted", role="steward"))
    Membership.objects.bulk_create(rows)
    for pod in [*pods.values(), other_pod]:
        Pod.objects.filter(pk=pod.pk).update(member_count=pod.memberships.filter(status="active").count())


def _post(world: World, place: str, kind: str) -> PostObj:
    pod = world.pods.get(place)
    body = canary(place, kind, "post")
    status = {"held": ContentStatus.HELD, "removed": ContentStatus.REMOVED,
              "deleted": ContentStatus.DELETED}.get(kind, ContentStatus.PUBLISHED)
    post = Post.objects.create(author=world.author, pod=pod, body=body, body_html=render_markdown(body),
                               audience="trusted" if kind == "trusted" else "everyone", status=status)
    text = canary(place, kind, "comment")
    comment = Comment.objects.create(post=post, author=world.author, body=text, body_html=render_markdown(text))
    Post.objects.filter(pk=post.pk).update(comment_count=1)
    topic, _ = Tag.objects.get_or_create(kind="topic", slug="matrixtopic", defaults={"name": "matrixtopic"})
    post.tags.add(topic)  # so topic filters and tag searches have something to find
    poll = Poll.objects.create(post=post, question=canary(place, kind, "poll"))
    PollChoice.objects.bulk_create([PollChoice(poll=poll, text="Yes", position=0),
                                    PollChoice(poll=poll, text="No", position=1)])
    return PostObj(place=place, kind=kind, post=post, comment=comment, poll=poll)


def _scope_fields(world: World, place: str) -> dict:
    if place == "commons":
        return {"scope_kind": ScopeKind.COMMONS}
    return {"scope_kind": ScopeKind.POD, "pod": world.pods[place]}


def _moderation(world: World) -> None:
    for obj in world.posts:
        fields = _scope_fields(world, obj.place)
        item_fields = {**fields, "region": world.region} if obj.place != "commons" else fields
        if obj.kind in ("held", "trusted"):
            obj.item = QueueItem.objects.create(kind="held" if obj.kind == "held" else "report", post=obj.post,
                                                subject=world.author, reason="matrix", **item_fields)
        if obj.kind == "removed":
            ModerationLogEntry.objects.create(actor=world.users["manager"], action="remove", subject=world.author,
                                              post=obj.post, content_pod=obj.post.pod, reason="matrix",
                                              **item_fields)
    for place in PLACES:
        world.rules[place] = Rule.objects.create(kind="watched_word", title=f"Matrix rule {place}",
                                                 settings={"pattern": "zzmatrixword", "match": "word",
                                                           "action": "flag"},
                                                 **_scope_fields(world, place))
        # A rule change is logged in its scope, naming the scope (and so the pod).
        ModerationLogEntry.objects.create(actor=world.users["manager"], action="rule_create",
                                          rule=world.rules[place], rule_title=world.rules[place].title,
                                          **_scope_fields(world, place),
                                          **({"region": world.region} if place != "commons" else {}))
        world.reasons[place] = RemovalReason.objects.create(title=f"Matrix reason {place}", text="matrix",
                                                            **_scope_fields(world, place))
        # A private note on the author in each scope (its text a canary: moderators of that scope and above).
        text = canary(place, "note")
        world.notes[place] = ModeratorNote.objects.create(member=world.author, author=world.users["manager"],
                                                          text=text, **_scope_fields(world, place),
                                                          **({"region": world.region} if place != "commons" else {}))
        world.canaries[text] = ("note", place, None)
    world.assignment = ModeratorAssignment.objects.create(member=world.users["mod_region"],
                                                          scope_kind=ScopeKind.REGION, region=world.region)
    ModeratorAssignment.objects.create(member=world.users["mod_other"], scope_kind=ScopeKind.REGION,
                                       region=world.other_region)


def _profile_canaries(world: World) -> None:
    author = world.author
    author.bio = canary("author", "bio")
    author.bio_visibility = Visibility.TRUSTED
    author.pets_visibility = Visibility.TRUSTED
    author.save(update_fields=["bio", "bio_visibility", "pets_visibility"])
    species, _ = Tag.objects.get_or_create(kind="species", slug="cat", defaults={"name": "Cat"})
    world.author_pet = Pet.objects.create(owner=author, name=canary("author", "pet"), species=species)


def _conversation(world: World) -> None:
    """A private conversation between the author and `regular`. The author's first message is reported
    by `regular` (so managers may read that one), the second is not (nobody else may ever read it)."""
    regular = world.users["regular"]
    world.conversation = Conversation.objects.create(created_by=world.author)
    Participant.objects.bulk_create([Participant(conversation=world.conversation, member=m)
                                     for m in (world.author, regular)])
    for state in ("reported", "unreported"):
        text = canary("message", state)
        message = Message.objects.create(conversation=world.conversation, sender=world.author, body=text,
                                         body_html=render_markdown(text))
        world.canaries[text] = ("message", state, None)
        if state == "reported":
            world.message = message
            world.message_report = MessageReport.objects.create(message=message, reporter=regular, reason="matrix")


def _pod_hooks(world: World) -> None:
    """A hook in every pod: its URL is for the pod's stewards and managers, its secret for nobody (pages
    show a secret only when they make it). It listens to an event no service emits, so no other test's
    posts deliver to it; its one delivery gave up, so stewards may send it again."""
    for place, pod in world.pods.items():
        url = f"https://{canary(place, 'hookurl')}.example.com/hook"
        secret = canary(place, "hooksecret")
        hook = Webhook.objects.create(name=f"Matrix hook {place}", url=url, secret=secret, pod=pod,
                                      events=["report.opened"])
        world.webhooks[place] = hook
        world.deliveries[place] = WebhookDelivery.objects.create(
            webhook=hook, event="report.opened", event_key="report.opened:matrix", status="gave_up", attempts=8,
            payload={"event": "report.opened", "scope": {"pod": pod.slug}, "data": {}}, response_code=500)
        world.canaries[canary(place, "hookurl")] = ("hookurl", place, None)
        world.canaries[secret] = ("hooksecret", place, None)


def build_world() -> World:
    country = PlaceFactory(kind=Place.Kind.COUNTRY, name="Matrixland", slug="matrixland")
    region = PlaceFactory(kind=Place.Kind.REGION, name="Matrix North", slug="matrix-north", parent=country)
    city = PlaceFactory(kind=Place.Kind.CITY, name="Matrix City", slug="matrix-city", parent=region)
    other_region = PlaceFactory(kind=Place.Kind.REGION, name="Matrix South", slug="matrix-south", parent=country)
    users = _users()
    author = UserFactory(username="t_author", display_name="Author")
    pods = {place: _pod(place, city) for place in PLACES if place != "commons"}
    other_pod = Pod.objects.create(name="Matrix other pod", slug="matrix-other", region=other_region,
                                   charter_version=0)
    _memberships(users, author, pods, other_pod)
    world = World(users=users, author=author, pods=pods, other_pod=other_pod, region=region,
                  other_region=other_region)
    for place in PLACES:
        for kind in KINDS:
            if place == "commons" and kind == "trusted":
                continue  # trusted-only posts live in pods
            world.posts.append(_post(world, place, kind))
    _moderation(world)
    _profile_canaries(world)
    # Invites: open links to the listed pods, and one bound to the author for the unlisted pod.
    for place in ("open", "request", "invite"):
        world.invites[place] = Invite.objects.create(pod=pods[place], code=f"matrix-invite-{place}")
    world.invites["unlisted"] = Invite.objects.create(pod=pods["unlisted"], code="matrix-invite-bound",
                                                      for_member=author)
    world.author_token = AccessToken.objects.create(member=author, name="matrix", scopes=["read"],
                                                    token_hash="0" * 64, prefix="pct_matrix")
    world.author_notification = Notification.objects.create(recipient=author, kind="reply", verb="replied",
                                                            url="/")
    world.steward_invitation = StewardInvitation.objects.create(
        member=author, invited_by=users["manager"], pod=pods["open"], message="matrix",
        expires_at=timezone.now() + timedelta(days=14))
    # A Commons hook, off until a test that captures outbound HTTP switches it on.
    Webhook.objects.create(name="matrix", url="http://127.0.0.1:9/hook", secret="s", events=["post.created"],
                           is_active=False)
    _pod_hooks(world)
    for place in pods:
        world.canaries[canary(place, "charter")] = ("charter", place, None)
    world.canaries[canary("unlisted", "podname")] = ("podname", "unlisted", None)
    world.canaries[canary("unlisted", "description")] = ("podname", "unlisted", None)
    world.canaries[canary("author", "bio")] = ("trusted_field", None, None)
    world.canaries[canary("author", "pet")] = ("trusted_field", None, None)
    _conversation(world)
    for obj in world.posts:
        for what in ("post", "comment", "poll"):
            world.canaries[canary(obj.place, obj.kind, what)] = ("content", obj.place, obj.kind)
    return world
