"""Co-stewards in a pod's settings, and invitations to steward: a manager invites (an existing pod of a
niche, or a new pod prefilled with it), the member alone sees it and accepts or declines; it expires."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from communities.models import Notification
from metrics.dashboards import influencer_table
from metrics.models import InfluencerRollup, PeriodKind
from metrics.selectors import latest_complete_start
from microgroups.models import Membership, Pod, StewardInvitation
from microgroups.services.stewards import (
    steward_invitation_accept,
    steward_invitation_create,
    steward_invitation_decline,
    steward_invitations_expire,
)
from tests.factories import UserFactory, join

from .conftest import member_of, tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    user = UserFactory(username="boss", display_name="Boss", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    return user


def _login(client, user):
    client.force_login(user)
    return client


def _roles(pod):
    return dict(Membership.objects.filter(pod=pod, status="active").values_list("member__username", "role"))


# --- co-stewards in the pod's settings ------------------------------------------------------------------

def test_a_steward_adds_and_removes_a_co_steward_with_a_reason(client, pod, steward):
    helper = member_of(pod, username="hal")
    _login(client, steward)
    added = client.post(f"/pods/{pod.slug}/settings/stewards/", {"action": "add", "add-member": helper.pk,
                                                                 "add-reason": "Runs the Monday thread"})
    assert added.status_code == 302
    assert _roles(pod)["hal"] == "steward"
    assert Notification.objects.filter(recipient=helper, verb=f"You are now a steward of {pod.name}").exists()
    removed = client.post(f"/pods/{pod.slug}/settings/stewards/", {"action": "remove", "remove-member": helper.pk,
                                                                   "remove-reason": "Too busy this term"})
    assert removed.status_code == 302
    assert _roles(pod)["hal"] == "member"
    events = list(pod.membership_events.filter(kind="role").order_by("pk").values_list("to_value", "reason"))
    assert events == [("steward", "Runs the Monday thread"), ("member", "Too busy this term")]


def test_the_last_steward_cannot_be_revoked_and_is_told_why(client, pod, steward, manager):
    member_of(pod)
    for who in (steward, manager):
        response = _login(client, who).post(f"/pods/{pod.slug}/settings/stewards/", {
            "action": "remove", "remove-member": steward.pk, "remove-reason": "bye"})
        assert response.status_code == 400
        assert "the last steward of Senior cats, and a pod needs a steward" in response.content.decode()
        assert _roles(pod)["stella"] == "steward"


def test_a_too_long_reason_is_told_at_the_field_and_kept(client, pod, steward):
    helper = member_of(pod, username="hal")
    response = _login(client, steward).post(f"/pods/{pod.slug}/settings/stewards/", {
        "action": "add", "add-member": helper.pk, "add-reason": "y" * 301})
    assert response.status_code == 400
    assert "at most 300 characters" in response.context["add"].errors["reason"][0]
    assert "y" * 301 in response.content.decode()
    assert _roles(pod)["hal"] == "member"


def test_the_stewards_section_is_for_the_pods_stewards(client, pod, steward):
    outsider, member = UserFactory(), member_of(pod)
    assert _login(client, outsider).get(f"/pods/{pod.slug}/settings/stewards/").status_code == 403
    assert _login(client, member).post(f"/pods/{pod.slug}/settings/stewards/", {
        "action": "add", "add-member": member.pk}).status_code == 403
    assert _login(client, steward).get(f"/pods/{pod.slug}/settings/stewards/").status_code == 200
    assert _roles(pod)[member.username] == "member"


# --- invitations to steward --------------------------------------------------------------------------

def test_a_manager_invites_and_the_member_gets_a_notification_and_an_email(manager, pod,
                                                                          django_capture_on_commit_callbacks):
    """The email goes out even though the member never opted in to email for pod news: it is theirs alone."""
    max_ = UserFactory(username="max", display_name="Max")
    assert max_.email_notification_kinds == []
    with django_capture_on_commit_callbacks(execute=True):
        invitation = steward_invitation_create(actor=manager, member=max_, pod=pod, message="You'd be great")
    note = Notification.objects.get(recipient=max_)
    assert (note.verb, note.url) == ("Boss invites you to steward Senior cats",
                                     f"/pods/steward-invitations/{invitation.pk}/")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [max_.email]
    body = mail.outbox[0].body
    assert f"{settings.SITE_URL.rstrip('/')}/pods/steward-invitations/{invitation.pk}/" in body
    assert "addressed to you alone" in body
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)


def test_only_managers_invite_and_nobody_is_invited_twice_at_once(manager, pod, steward):
    max_ = UserFactory()
    with pytest.raises(PermissionDenied):
        steward_invitation_create(actor=steward, member=max_, pod=pod)
    steward_invitation_create(actor=manager, member=max_, pod=pod)
    with pytest.raises(ValidationError, match="already waiting for their answer"):
        steward_invitation_create(actor=manager, member=max_, pod=pod)
    with pytest.raises(ValidationError, match="already stewards"):
        steward_invitation_create(actor=manager, member=steward, pod=pod)
    with pytest.raises(ValidationError, match="under 500"):
        steward_invitation_create(actor=manager, member=UserFactory(), pod=pod, message="m" * 501)
    assert StewardInvitation.objects.count() == 1


def test_the_invite_page_lists_the_niches_pods_and_sends(client, manager, make_pod, steward):
    adoption = tag("topic", "adoption")
    about = make_pod(name="Adoption stories", tags=[adoption])
    make_pod(name="Unrelated", actor=UserFactory())
    max_ = UserFactory(username="max")
    _login(client, manager)
    page = client.get(f"/pods/steward-invitations/new/?member=max&niche={adoption.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and "Adoption stories" in html and "Unrelated" not in html
    assert "A new pod about #adoption" in html
    sent = client.post("/pods/steward-invitations/new/", {"member": "max", "niche": adoption.pk,
                                                          "target": str(about.pk), "message": "Please?"})
    assert sent.status_code == 302
    invitation = StewardInvitation.objects.get()
    assert (invitation.member, invitation.pod, invitation.message) == (max_, about, "Please?")
    new_pod = client.post("/pods/steward-invitations/new/", {"member": "max", "niche": adoption.pk,
                                                             "target": "new"})
    assert new_pod.status_code == 302
    assert StewardInvitation.objects.filter(pod__isnull=True, niche=adoption).count() == 1


def test_the_invite_page_keeps_the_message_and_says_what_is_wrong(client, manager, pod):
    UserFactory(username="max")
    response = _login(client, manager).post("/pods/steward-invitations/new/", {
        "member": "max", "target": "new", "message": "z" * 501})
    assert response.status_code == 400
    assert "at most 500 characters" in response.context["form"].errors["message"][0]
    assert "z" * 501 in response.content.decode()
    unknown = client.get("/pods/steward-invitations/new/?member=ghost")
    assert unknown.status_code == 400 and "No active member has that username." in unknown.content.decode()


def test_the_invite_page_is_for_managers(client, pod, steward):
    assert _login(client, steward).get("/pods/steward-invitations/new/").status_code == 403
    assert _login(client, steward).post("/pods/steward-invitations/new/", {
        "member": steward.username, "target": "new"}).status_code == 403
    assert not StewardInvitation.objects.exists()


def test_only_the_invitee_sees_the_invitation(client, manager, pod, steward):
    max_ = UserFactory()
    invitation = steward_invitation_create(actor=manager, member=max_, pod=pod)
    url = f"/pods/steward-invitations/{invitation.pk}/"
    assert _login(client, max_).get(url).status_code == 200
    nowhere = client.get("/pods/steward-invitations/987654/")
    for other in (manager, steward, UserFactory()):
        response = _login(client, other).get(url)
        assert response.status_code == 404
        assert response.content == nowhere.content.replace(b"987654", str(invitation.pk).encode()) \
            or response.status_code == nowhere.status_code
        assert _login(client, other).post(url, {"action": "accept", "version": 1,
                                                "acknowledge": "on"}).status_code == 404
    assert _roles(pod) == {"stella": "steward"}


def test_accepting_makes_them_steward_of_an_invite_only_pod_they_were_not_in(client, manager, make_pod):
    pod = make_pod(name="Quiet corner", privacy=Pod.Privacy.INVITE)
    max_ = UserFactory(username="max", display_name="Max")
    invitation = steward_invitation_create(actor=manager, member=max_, pod=pod)
    _login(client, max_)
    no_ack = client.post(f"/pods/steward-invitations/{invitation.pk}/", {"action": "accept", "version": 1})
    assert no_ack.status_code == 400 and "acknowledge" in no_ack.context["accept"].errors
    accepted = client.post(f"/pods/steward-invitations/{invitation.pk}/", {"action": "accept", "version": 1,
                                                                           "acknowledge": "on"})
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/pods/quiet-corner/"
    assert _roles(pod)["max"] == "steward"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.result_pod) == ("accepted", pod)
    assert Notification.objects.filter(recipient=manager, verb="Max accepted your invitation: they now steward "
                                                               "Quiet corner").exists()
    assert client.get(f"/pods/{pod.slug}/settings/").status_code == 200  # stewards run the settings
    again = client.post(f"/pods/steward-invitations/{invitation.pk}/", {"action": "decline"})
    assert again.status_code == 400 and "already answered" in again.content.decode()


def test_accepting_a_new_pod_invitation_starts_it_prefilled_with_the_niche(client, manager, settings):
    settings.PODS_PER_MEMBER_LIMIT = 0  # the manager's invitation stands in for the per-member limit
    hydro = tag("topic", "hydrotherapy")
    max_ = UserFactory(username="max", display_name="Max", verified=False)
    invitation = steward_invitation_create(actor=manager, member=max_, niche=hydro)
    _login(client, max_)
    page = client.get(f"/pods/steward-invitations/{invitation.pk}/").content.decode()
    assert 'value="Hydrotherapy"' in page and "#hydrotherapy" in page
    created = client.post(f"/pods/steward-invitations/{invitation.pk}/", {
        "action": "accept", "name": "Hydrotherapy", "topics": "#hydrotherapy", "privacy": "open",
        "member_cap": 50, "split_offer_waitlist": 5, "charter": "Vets first."})
    assert created.status_code == 302, created.context["accept"].errors
    pod = Pod.objects.get(name="Hydrotherapy")
    assert _roles(pod) == {"max": "steward"} and list(pod.tags.values_list("slug", flat=True)) == ["hydrotherapy"]
    assert StewardInvitation.objects.get().result_pod == pod


def test_a_bad_new_pod_keeps_what_was_typed(client, manager, pod):
    max_ = UserFactory(username="max")
    invitation = steward_invitation_create(actor=manager, member=max_, niche=tag("topic", "hydro"))
    response = _login(client, max_).post(f"/pods/steward-invitations/{invitation.pk}/", {
        "action": "accept", "name": "My pod", "slug": pod.slug, "privacy": "open", "member_cap": 50,
        "split_offer_waitlist": 5, "charter": "Kindness."})
    assert response.status_code == 400
    assert "is taken" in response.context["accept"].errors["slug"][0]
    assert 'value="My pod"' in response.content.decode()
    assert StewardInvitation.objects.get().status == "pending"


def test_declining_tells_the_manager(client, manager, pod):
    max_ = UserFactory(username="max", display_name="Max")
    invitation = steward_invitation_create(actor=manager, member=max_, pod=pod)
    long = _login(client, max_).post(f"/pods/steward-invitations/{invitation.pk}/", {
        "action": "decline", "answer": "n" * 301})
    assert long.status_code == 400 and "n" * 301 in long.content.decode()
    done = client.post(f"/pods/steward-invitations/{invitation.pk}/", {"action": "decline",
                                                                       "answer": "Not this year"})
    assert done.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.status, invitation.answer) == ("declined", "Not this year")
    assert Notification.objects.get(recipient=manager).verb == ('Max declined your invitation to steward '
                                                                'Senior cats: "Not this year"')
    assert "max" not in _roles(pod)


def test_invitations_expire_and_the_manager_hears_so(client, manager, pod):
    max_ = UserFactory(username="max", display_name="Max")
    invitation = steward_invitation_create(actor=manager, member=max_, pod=pod)
    StewardInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = _login(client, max_).post(f"/pods/steward-invitations/{invitation.pk}/", {
        "action": "accept", "version": 1, "acknowledge": "on"})
    assert page.status_code == 400 and "has expired" in page.content.decode()
    assert steward_invitations_expire() == 1 and steward_invitations_expire() == 0
    invitation.refresh_from_db()
    assert invitation.status == "expired"
    assert Notification.objects.filter(recipient=manager, verb="Your invitation to Max to steward Senior cats "
                                                               "expired without an answer").count() == 1
    with pytest.raises(ValidationError, match="already answered"):
        steward_invitation_accept(actor=max_, invitation=invitation, charter_version=1)
    assert "max" not in _roles(pod)


def test_a_full_pod_keeps_the_invitation_open(manager, make_pod):
    pod = make_pod(name="Tiny", member_cap=3)
    for _ in range(2):
        join(UserFactory(), pod)
    max_ = UserFactory()
    invitation = steward_invitation_create(actor=manager, member=max_, pod=pod)
    with pytest.raises(ValidationError, match="full right now"):
        steward_invitation_accept(actor=max_, invitation=invitation, charter_version=1)
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_declining_someone_elses_invitation_is_a_404(manager, pod):
    from django.http import Http404

    invitation = steward_invitation_create(actor=manager, member=UserFactory(), pod=pod)
    with pytest.raises(Http404):
        steward_invitation_decline(actor=manager, invitation=invitation)


def test_the_expiry_task_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["pod-steward-invitations"]
    assert entry["task"] == "microgroups.tasks.steward_invitations_expire"


def test_the_micro_influencer_table_links_to_the_invitation(manager):
    adoption, max_ = tag("topic", "adoption"), UserFactory(username="max", display_name="Max")
    start = latest_complete_start(PeriodKind.WEEK, timezone.localdate())
    InfluencerRollup.objects.create(period=PeriodKind.WEEK, start=start, tag=adoption, member=max_, reach=40,
                                    engagers=12, rank=1)
    table = influencer_table(timezone.localdate(), PeriodKind.WEEK)
    text, url = table.rows[0][-1]
    assert text == "Invite Max to steward a pod about #adoption"
    assert url == f"/pods/steward-invitations/new/?member=max&niche={adoption.pk}"
