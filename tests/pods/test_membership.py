from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from communities.policy import can_read_pod, pod_roles
from communities.streams import pod_group, user_group
from microgroups.models import Invite, JoinRequest, Membership, MembershipEvent, WaitlistEntry
from microgroups.services.invites import invite_create, invite_redeem
from microgroups.services.membership import (
    PodFull,
    join_request_decide,
    member_ban,
    member_remove,
    pod_join,
    pod_leave,
    pod_request_join,
    waitlist_accept,
    waitlist_join,
    waitlist_offers_expire,
)
from tests.factories import UserFactory

from .conftest import member_of

pytestmark = pytest.mark.django_db


def test_open_join_needs_the_current_charter_acknowledged(pod):
    user = UserFactory()
    with pytest.raises(ValidationError) as exc:
        pod_join(actor=user, pod=pod, charter_version=None)
    assert "tick the box" in exc.value.message_dict["acknowledge"][0]
    with pytest.raises(ValidationError):
        pod_join(actor=user, pod=pod, charter_version=0)
    result = pod_join(actor=user, pod=pod, charter_version=1)
    pod.refresh_from_db()
    assert (result.status, pod.member_count) == ("joined", 2)
    assert pod_roles(user).is_member(pod.pk)
    assert pod_join(actor=user, pod=pod, charter_version=1).status == "already"


def test_request_and_invite_pods_refuse_plain_joins(make_pod):
    with pytest.raises(PermissionDenied):
        pod_join(actor=UserFactory(), pod=make_pod(name="Req", privacy="request"), charter_version=1)
    with pytest.raises(PermissionDenied):
        pod_join(actor=UserFactory(), pod=make_pod(name="Inv", privacy="invite"), charter_version=1)


def test_sequential_joins_beyond_the_cap_admit_exactly_the_cap(make_pod):
    """Embedded-mode (SQLite) version of the concurrency test: the cap holds, the rest are told it's full."""
    pod = make_pod(name="Tiny", member_cap=5)
    outcomes = []
    for _ in range(9):
        try:
            outcomes.append(pod_join(actor=UserFactory(), pod=pod, charter_version=1).status)
        except PodFull:
            outcomes.append("full")
    pod.refresh_from_db()
    assert outcomes.count("joined") == 4 and outcomes.count("full") == 5
    assert pod.memberships.filter(status="active").count() == pod.member_count == 5


def test_full_open_pod_keeps_a_waitlist_and_admits_the_first_when_someone_leaves(make_pod):
    pod = make_pod(name="Tiny", member_cap=3)
    leaver = member_of(pod)
    member_of(pod)
    first, second = UserFactory(), UserFactory()
    with pytest.raises(ValidationError):
        waitlist_join(actor=first, pod=make_pod(name="Roomy"), charter_version=1)  # room: join instead
    assert waitlist_join(actor=first, pod=pod, charter_version=1).position == 1
    assert waitlist_join(actor=second, pod=pod, charter_version=1).position == 2
    pod_leave(actor=leaver, pod=pod)
    pod.refresh_from_db()
    assert Membership.objects.get(pod=pod, member=first).status == "active"
    assert Membership.objects.get(pod=pod, member=first).charter_version_acknowledged == 0  # reads it first
    assert list(WaitlistEntry.objects.filter(pod=pod).values_list("member", flat=True)) == [second.pk]
    assert pod.member_count == 3
    assert first.notifications.filter(verb__startswith="A place opened in Tiny: you're in").exists()


def test_request_pod_holds_a_freed_place_for_the_first_waiting(make_pod, steward):
    pod = make_pod(name="Asking", privacy="request", member_cap=3, question="Why?")
    leaver, _ = member_of(pod), member_of(pod)
    waiting, sneaky = UserFactory(), UserFactory()
    pod_request_join(actor=waiting, pod=pod, answer="Because", charter_version=1)
    jr = JoinRequest.objects.get(member=waiting)
    result = join_request_decide(actor=steward, join_request=jr, approve=True)
    assert (result.status, result.position) == ("waitlisted", 1)
    pod_leave(actor=leaver, pod=pod)
    assert WaitlistEntry.objects.get(pod=pod, member=waiting).offered_at is not None
    pod_request_join(actor=sneaky, pod=pod, answer="Me too", charter_version=1)
    result = join_request_decide(actor=steward, join_request=JoinRequest.objects.get(member=sneaky), approve=True)
    assert (result.status, result.position) == ("waitlisted", 2)  # the freed place is held for the first
    assert waitlist_accept(actor=waiting, pod=pod, charter_version=1).status == "joined"
    assert Membership.objects.get(pod=pod, member=waiting).answer == "Because"


def test_expired_offer_passes_to_the_next_person(make_pod, steward):
    pod = make_pod(name="Inv", privacy="invite", member_cap=3)
    leaver, _ = member_of(pod), member_of(pod)
    a, b = UserFactory(), UserFactory()
    for person in (a, b):
        WaitlistEntry.objects.create(pod=pod, member=person)
    pod_leave(actor=leaver, pod=pod)
    WaitlistEntry.objects.filter(member=a).update(offered_at=timezone.now() - timedelta(hours=73))
    assert waitlist_offers_expire() == 1
    assert not WaitlistEntry.objects.filter(member=a).exists()
    assert WaitlistEntry.objects.get(member=b).offered_at is not None
    assert a.notifications.filter(verb__contains="passed to the next person").exists()


def test_request_needs_an_answer_and_notifies_stewards_and_then_the_member(make_pod, steward):
    pod = make_pod(name="Asking", privacy="request", question="What brings you?")
    user = UserFactory()
    with pytest.raises(ValidationError) as exc:
        pod_request_join(actor=user, pod=pod, answer=" ", charter_version=1)
    assert exc.value.message_dict == {"answer": ["Please answer the pod's question."]}
    assert pod_request_join(actor=user, pod=pod, answer="My old cat", charter_version=1).status == "requested"
    assert pod_request_join(actor=user, pod=pod, answer="again", charter_version=1).status == "requested"
    assert steward.notifications.get(kind="pod").verb == f"{user.name} asked to join Asking"
    join_request_decide(actor=steward, join_request=JoinRequest.objects.get(member=user), approve=False)
    assert user.notifications.get(kind="pod").verb == "Your request to join Asking was declined"
    assert not Membership.objects.filter(pod=pod, member=user).exists()
    with pytest.raises(ValidationError):
        join_request_decide(actor=steward, join_request=JoinRequest.objects.get(member=user), approve=True)


def test_invite_of_two_uses_admits_exactly_two(make_pod, steward):
    pod = make_pod(name="Inv", privacy="invite")
    inv = invite_create(actor=steward, pod=pod, max_uses=2)
    users = [UserFactory() for _ in range(3)]
    assert invite_redeem(actor=users[0], code=inv.code, charter_version=1).status == "joined"
    assert invite_redeem(actor=users[0], code=inv.code, charter_version=1).status == "already"
    assert invite_redeem(actor=users[1], code=inv.code, charter_version=1).status == "joined"
    with pytest.raises(ValidationError) as exc:
        invite_redeem(actor=users[2], code=inv.code, charter_version=1)
    assert exc.value.message_dict == {"code": ["This invite has been used up. Ask a steward for a new one."]}
    assert Invite.objects.get(pk=inv.pk).uses == 2


def test_invites_expire_get_withdrawn_and_can_be_bound_to_one_email(make_pod, steward):
    pod = make_pod(name="Inv", privacy="invite")
    expired = invite_create(actor=steward, pod=pod, expires_in_days=1)
    Invite.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="expired"):
        invite_redeem(actor=UserFactory(), code=expired.code, charter_version=1)
    bound = invite_create(actor=steward, pod=pod, email="Friend@Example.com")
    with pytest.raises(ValidationError) as exc:
        invite_redeem(actor=UserFactory(), code=bound.code, charter_version=1)
    assert exc.value.message_dict == {"code": ["This invite is for another email address."]}
    friend = UserFactory(email="friend@example.com")
    assert invite_redeem(actor=friend, code=bound.code, charter_version=1).status == "joined"


def test_invite_into_a_full_pod_queues_and_uses_the_invite(make_pod, steward):
    pod = make_pod(name="Inv", privacy="invite", member_cap=3)
    member_of(pod), member_of(pod)
    inv = invite_create(actor=steward, pod=pod, max_uses=1)
    result = invite_redeem(actor=UserFactory(), code=inv.code, charter_version=1)
    assert (result.status, result.position) == ("waitlisted", 1)
    assert Invite.objects.get(pk=inv.pk).uses == 1


def _listen(user_id):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user_id), channel)
    return lambda: async_to_sync(layer.receive)(channel)


@pytest.mark.parametrize("how", ["leave", "remove", "ban"])
def test_leave_removal_and_ban_cut_access_at_once_and_close_streams(make_pod, steward, how, settings,
                                                                    django_capture_on_commit_callbacks):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    pod = make_pod(name="Req", privacy="request")
    member = member_of(pod)
    assert can_read_pod(member, pod)
    receive = _listen(member.pk)
    with django_capture_on_commit_callbacks(execute=True):
        if how == "leave":
            pod_leave(actor=member, pod=pod)
        elif how == "remove":
            member_remove(actor=steward, pod=pod, member=member)
        else:
            member_ban(actor=steward, pod=pod, member=member, reason="spam")
    assert not can_read_pod(member, pod)  # the same user object: roles were forgotten
    frame = receive()
    assert frame["type"] == "stream.close"
    assert frame["groups"] == [pod_group(pod.pk), pod_group(pod.pk, trusted=True)]
    pod.refresh_from_db()
    assert pod.member_count == 1
    assert MembershipEvent.objects.filter(pod=pod, member=member).latest("pk").kind == {
        "leave": "left", "remove": "removed", "ban": "banned"}[how]


def test_banned_member_cannot_rejoin_until_the_ban_ends(pod, steward):
    member = member_of(pod)
    member_ban(actor=steward, pod=pod, member=member, until=timezone.now() + timedelta(days=2))
    with pytest.raises(PermissionDenied):
        pod_join(actor=member, pod=pod, charter_version=1)
    Membership.objects.filter(pod=pod, member=member).update(banned_until=timezone.now() - timedelta(minutes=1))
    assert pod_join(actor=member, pod=pod, charter_version=1).status == "joined"


def test_stewards_cannot_remove_each_other(pod, steward):
    co = member_of(pod)
    Membership.objects.filter(pod=pod, member=co).update(role="steward")
    with pytest.raises(PermissionDenied):
        member_remove(actor=steward, pod=pod, member=co)


def test_joining_emits_pod_webhooks_to_the_pods_own_hooks_only(make_pod, steward):
    from communities.models import Webhook, WebhookDelivery

    pod = make_pod(name="Tiny", member_cap=3)
    hook = Webhook.objects.create(name="pod hook", url="https://example.com/h", secret="s", pod=pod,
                                  events=["pod.member_joined", "pod.full"])
    Webhook.objects.create(name="commons hook", url="https://example.com/c", secret="s",
                           events=["pod.member_joined"])
    member_of(pod), member_of(pod)
    events = sorted(WebhookDelivery.objects.values_list("webhook_id", "event"))
    assert events == [(hook.pk, "pod.full"), (hook.pk, "pod.member_joined"), (hook.pk, "pod.member_joined")]
