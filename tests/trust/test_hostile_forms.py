"""Property-based tests on every form (through its view) and the JSON/websocket inputs: generated input
never answers 5xx, and fields outside a form's declared ones are never written.

Each example posts random values for the form's declared fields PLUS fields a forger would add
(`is_staff`, `author`, `status`, `pod`, `member_count`, …) carrying sentinel values; inside the same
savepoint the invariants check no sentinel landed anywhere, then the request is rolled back.
"""

import re

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communities import forms as account_forms
from communities import segments
from communities.forms import posts as post_forms
from communities.models import Comment, Notification, Pet, Post, User
from metrics import forms as metric_forms
from microgroups import forms as pod_forms
from microgroups.models import DEFAULT_LADDER, Membership, Pod
from moderation import forms as mod_forms
from tests.factories import UserFactory

from .world import build_world

pytestmark = pytest.mark.django_db

EXAMPLES = 60  # per endpoint; ~35 endpoints → a couple of thousand generated requests per run
NASTY = [
    "", " ", "0", "-1", "1", "2", "3", "7", "500", "99999999999999999999", "1e309", "NaN", "-0", "on", "off",
    "true", "null", "None", "[]", "{}", "2026-02-30", "9999-12-31", "0001-01-01", "2026-01-01T25:61",
    "open", "request", "invite", "everyone", "members", "trusted", "steward", "regular", "newcomer", "approve",
    "decline", "remove", "ban", "rung", "handover", "region", "niche", "commons", "pod:1", "region:1", "pod:999",
    "watched_word", "slow_mode", "regex", "word", "phrase", "block", "hold", "flag", "replace", "(a+)+$",
    "((a*)*)*b", "(x|x)*y", "\\1", "[", "*", "a{99999}", "<script>alert(1)</script>", "javascript:alert(1)",
    "../../etc/passwd", "\x00", "a\x00b", "'; DROP TABLE communities_post; --", "%s%s%n", "{{ 7*7 }}",
    "a" * 5000, "\U0001f43e" * 300, "\u202eevil", "matrix-open", "matrix-unlisted", "UTC", "Mars/Olympus",
    "paw", "heart", "cat", "week", "day", "28d", "csv", "@t_member", "#topic",
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120)
VALUE = st.one_of(st.sampled_from(NASTY), TEXT, st.integers(-10**12, 10**12).map(str))
VALUES = st.one_of(VALUE, st.lists(VALUE, max_size=4))


def _fields(form_class, *extra: str) -> list[str]:
    return [*form_class.base_fields, *extra]


# (name, actor role, method, url builder, declared fields, invariants this endpoint may legitimately move)
ENDPOINTS = [
    ("composer", "member", "POST", lambda w: "/posts/new/", _fields(post_forms.PostForm), ()),
    ("pod composer", "trusted", "POST", lambda w: "/pods/matrix-open/post/", _fields(post_forms.PostForm), ()),
    ("edit", "author", "POST", lambda w: f"/posts/{w.fresh_post.pk}/edit/", _fields(post_forms.PostEditForm), ()),
    ("comment", "member", "POST", lambda w: f"/posts/{w.post('commons', 'public').post.pk}/comments/",
     _fields(post_forms.CommentForm), ()),
    ("react", "member", "POST", lambda w: f"/posts/{w.post('commons', 'public').post.pk}/react/",
     _fields(post_forms.ReactionForm, "next"), ()),
    ("vote", "member", "POST", lambda w: f"/polls/{w.post('commons', 'public').poll.pk}/vote/", ["choices"], ()),
    ("announcement", "manager", "POST", lambda w: "/announcements/new/", _fields(post_forms.AnnouncementForm),
     ("announcement",)),
    ("notification prefs", "member", "POST", lambda w: "/notifications/preferences/",
     ["announcement_emails", "in_app", "email", "muted", "reply", "mention", "reaction"], ()),
    ("onboarding", "member", "POST", lambda w: "/welcome/", _fields(account_forms.OnboardingForm), ()),
    ("onboarding pet", "member", "POST", lambda w: "/welcome/",
     ["add_pet", *(f"pet-{f}" for f in account_forms.PetForm.base_fields)], ()),
    ("profile", "member", "POST", lambda w: "/settings/profile/", _fields(account_forms.ProfileForm), ()),
    ("pets", "member", "POST", lambda w: "/settings/pets/", _fields(account_forms.PetForm), ()),
    ("delete account", "member", "POST", lambda w: "/settings/delete/", _fields(account_forms.AccountDeleteForm), ()),
    ("directory", "member", "GET", lambda w: "/members/", _fields(segments.SegmentForm, "cursor"), ()),
    ("feed", "member", "GET", lambda w: "/", ["sort", "t", "topic", "species", "cursor"], ()),
    ("discover", "member", "GET", lambda w: "/pods/", ["q", "species", "need", "region", "privacy", "room",
                                                     "cursor"], ()),
    ("catchup", "member", "GET", lambda w: "/catchup/pods/matrix-open/", ["after"], ()),
    ("pod new", "member", "POST", lambda w: "/pods/new/", _fields(pod_forms.PodCreateForm), ("steward",)),
    ("pod details", "steward", "POST", lambda w: "/pods/matrix-open/settings/", _fields(pod_forms.PodDetailsForm), ()),
    ("charter", "steward", "POST", lambda w: "/pods/matrix-open/settings/charter/", _fields(pod_forms.CharterForm),
     ()),
    ("ladder", "steward", "POST", lambda w: "/pods/matrix-open/settings/ladder/", list(DEFAULT_LADDER), ()),
    ("invites", "steward", "POST", lambda w: "/pods/matrix-invite/settings/invites/", _fields(pod_forms.InviteForm),
     ()),
    ("members", "steward", "POST", lambda w: "/pods/matrix-open/settings/members/",
     ["action", "member", "rung", "reason", "days"], ("steward",)),
    ("requests", "steward", "POST", lambda w: "/pods/matrix-request/settings/requests/", ["request", "decision"],
     ()),
    ("waitlist", "steward", "POST", lambda w: "/pods/matrix-open/settings/waitlist/", ["member"], ()),
    ("split", "steward", "POST", lambda w: "/pods/matrix-open/settings/split/", ["basis", "fingerprint"], ()),
    ("webhooks", "steward", "POST", lambda w: "/pods/matrix-open/settings/webhooks/",
     _fields(pod_forms.WebhookForm), ()),
    ("join", "member", "POST", lambda w: "/pods/matrix-request/join/", _fields(pod_forms.RequestForm, "mode"), ()),
    ("acknowledge", "newcomer", "POST", lambda w: "/pods/matrix-open/acknowledge/",
     _fields(pod_forms.AcknowledgeForm), ()),
    ("invite link", "member", "POST", lambda w: "/pods/join/matrix-invite-invite/",
     _fields(pod_forms.AcknowledgeForm), ()),
    ("report", "member", "POST", lambda w: f"/moderation/report/post/{w.post('commons', 'public').post.pk}/",
     _fields(mod_forms.ReportForm, "next"), ()),
    ("appeal", "author", "POST", lambda w: f"/moderation/appeal/post/{w.post('commons', 'removed').post.pk}/",
     _fields(mod_forms.AppealForm), ()),
    ("rule new", "manager", "POST", lambda w: "/moderation/rules/new/", _fields(mod_forms.RuleForm), ()),
    ("rule edit", "manager", "POST", lambda w: f"/moderation/rules/{w.rules['open'].pk}/",
     _fields(mod_forms.RuleForm), ()),
    ("queue filters", "manager", "GET", lambda w: "/moderation/queue/", _fields(mod_forms.QueueFilterForm, "after"),
     ()),
    ("bulk", "manager", "POST", lambda w: "/moderation/queue/bulk/", _fields(mod_forms.BulkForm), ()),
    ("item act", "manager", "POST", lambda w: f"/moderation/queue/{w.post('open', 'held').item.pk}/act/",
     _fields(mod_forms.ItemActionForm, "action"), ()),
    ("team assign", "manager", "POST", lambda w: "/moderation/team/", _fields(mod_forms.AssignForm), ()),
    ("team move or revoke", "manager", "POST", lambda w: f"/moderation/team/{w.assignment.pk}/",
     ["action", "move-scope", "move-reason", "revoke-reason"], ()),
    ("steward invite", "manager", "POST", lambda w: "/pods/steward-invitations/new/",
     ["member", "niche", *pod_forms.StewardInviteForm.base_fields], ()),
    ("steward invitation", "author", "POST", lambda w: f"/pods/steward-invitations/{w.steward_invitation.pk}/",
     ["action", "version", "acknowledge", "answer", *pod_forms.PodCreateForm.base_fields], ("steward",)),
    ("stewards", "steward", "POST", lambda w: "/pods/matrix-open/settings/stewards/",
     ["action", "add-member", "add-reason", "remove-member", "remove-reason"], ("steward",)),
    ("log", "manager", "GET", lambda w: "/moderation/log/", _fields(mod_forms.LogFilterForm, "before"), ()),
    ("removal reason new", "steward", "POST", lambda w: "/moderation/reasons/", _fields(mod_forms.RemovalReasonForm),
     ()),
    ("removal reason edit", "manager", "POST", lambda w: f"/moderation/reasons/{w.reasons['open'].pk}/",
     _fields(mod_forms.RemovalReasonForm), ()),
    ("moderator note", "steward", "POST", lambda w: f"/moderation/members/{w.author.username}/notes/",
     _fields(mod_forms.ModeratorNoteForm), ()),
    ("metrics range", "manager", "GET", lambda w: "/metrics/", _fields(metric_forms.RangeForm, "format", "table"),
     ()),
    ("insights range", "steward", "GET", lambda w: "/pods/matrix-open/insights/",
     _fields(metric_forms.RangeForm, "format", "table"), ()),
    ("pulse", "regular", "POST", lambda w: "/pods/matrix-open/pulse/", _fields(metric_forms.PulseForm), ()),
]


def _smuggled(world, declared) -> dict:
    victim, other = world.victim.pk, world.other_pod.pk
    forged = {
        "is_staff": "on", "is_superuser": "on", "is_active": "", "author": victim, "author_id": victim,
        "owner": victim, "created_by": victim, "recipient": victim, "user": victim, "status": "removed",
        "pod": other, "pod_id": other, "member_count": "999", "post_count": "999", "role": "steward",
        "is_announcement": "on", "pinned_at": "2020-01-01", "suspended_until": "", "username": "t_hijacked",
        "email": "hijack@example.com", "charter_version": "99", "rung_set_by_hand": "on",
    }
    return {k: v for k, v in forged.items() if k not in declared}


class _Rollback(Exception):
    pass


def _baseline(world) -> dict:
    return {
        "staff": User.objects.filter(is_staff=True).count(),
        "superusers": User.objects.filter(is_superuser=True).count(),
        "removed": Post.objects.filter(status="removed").count(),
        "announcements": Post.objects.filter(is_announcement=True).count(),
        "stewards": Membership.objects.filter(role="steward").count(),
    }


def _check_invariants(world, base: dict, actor, allowed) -> None:
    victim = world.victim
    assert User.objects.filter(is_staff=True).count() == base["staff"]
    assert User.objects.filter(is_superuser=True).count() == base["superusers"]
    assert not User.objects.filter(username="t_hijacked").exists()
    assert not Post.objects.filter(author=victim).exists() and not Comment.objects.filter(author=victim).exists()
    assert not Pet.objects.filter(owner=victim).exists() and not Membership.objects.filter(member=victim).exists()
    assert not Notification.objects.filter(recipient=victim).exists()
    assert not Post.objects.filter(pod=world.other_pod).exists()
    assert not Pod.objects.filter(member_count=999).exists() and not Pod.objects.filter(post_count=999).exists()
    assert not Pod.objects.filter(charter_version=99).exists()
    assert Post.objects.filter(status="removed").count() == base["removed"]
    if "announcement" not in allowed:
        assert Post.objects.filter(is_announcement=True).count() == base["announcements"]
        assert not Post.objects.filter(pinned_at__isnull=False).exists()
    if "steward" not in allowed:
        assert Membership.objects.filter(role="steward").count() == base["stewards"]
    if actor is not None:
        fresh = User.objects.get(pk=actor.pk)
        assert fresh.is_staff == actor.is_staff and fresh.is_active and fresh.email == actor.email


@pytest.fixture
def hostile_world():
    from django.test import Client

    from communities.services.posts import post_create

    world = build_world()
    world.victim = UserFactory(username="t_victim")
    world.users["author"] = world.author
    world.fresh_post = post_create(actor=world.author, body="Freshly posted, still editable")
    world.clients = {}
    for role, user in world.users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        world.clients[role] = client
    world.base = _baseline(world)
    return world




@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
@given(values=st.data())
def test_generated_input_never_500s_and_never_writes_undeclared_fields(hostile_world, endpoint, values):
    name, role, method, url_of, declared, allowed = endpoint
    world = hostile_world
    chosen = values.draw(st.fixed_dictionaries({}, optional={f: VALUES for f in declared}), label="fields")
    payload = {**chosen, **_smuggled(world, set(declared))}
    client, actor, url = world.clients[role], world.users[role], url_of(world)
    try:
        with transaction.atomic():
            response = client.get(url, payload) if method == "GET" else client.post(url, payload)
            assert response.status_code < 500, f"{name}: {response.status_code} for {payload!r}"
            _check_invariants(world, world.base, actor, allowed)
            raise _Rollback
    except _Rollback:
        pass


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                    max_leaves=12)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frames=st.lists(st.one_of(JSON, st.fixed_dictionaries({"type": st.sampled_from(
    ["ping", "stream.close", "stream.refresh", "stream.frame", "post.new", "subscribe"])}, optional={
    "groups": JSON, "group": TEXT, "frame": JSON, "session": TEXT})), min_size=1, max_size=6),
       raw=st.lists(TEXT.filter(bool), max_size=2))
def test_websocket_frames_from_the_browser_never_break_a_socket_or_reach_a_control_path(frames, raw):
    """Streams are server → browser: whatever JSON (or non-JSON) a client sends, the socket stays up,
    joins nothing new, and still answers a ping; a forged `stream.close` from the client is ignored."""
    from channels.db import database_sync_to_async

    from tests.realtime.conftest import communicator, session_cookie_for

    user = User.objects.filter(username="t_fuzz").first() or UserFactory(username="t_fuzz")

    cache.clear()  # each example is a fresh visitor as far as the frame-rate limit goes

    async def scenario():
        _, session = await database_sync_to_async(session_cookie_for)(user)
        comm = communicator("/ws/feed/commons/", session=session)
        ok, _ = await comm.connect()
        assert ok
        for frame in frames:
            await comm.send_json_to(frame)
        for text in raw:
            await comm.send_to(text_data=text)
        await comm.send_json_to({"type": "ping"})
        answer = await comm.receive_json_from(timeout=2)
        assert answer == {"type": "pong"}
        await comm.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize("raw", ["99999999999999999999", "9223372036854775808", "0"])
def test_every_url_with_an_id_answers_404_for_an_id_beyond_a_database_integer(hostile_world, raw):
    """Path converters accept any digits; a lookup must not overflow the database's integer."""
    from .matrix import url_of, walk_routes

    routes = [r for r in walk_routes() if "<int:" in r]
    assert len(routes) > 15
    kwargs = {"slug": "matrix-open", "pod_slug": "matrix-open"}
    problems = []
    for route in routes:
        url = url_of(route, {**kwargs, **{k: raw for k in re.findall(r"<int:(\w+)>", route)}})
        for method in ("get", "post"):
            code = getattr(hostile_world.clients["manager"], method)(url).status_code
            if code not in (404, 405):
                problems.append(f"{method.upper()} {url}: {code}")
    assert problems == []
