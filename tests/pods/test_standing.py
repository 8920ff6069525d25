"""Where you stand in a pod (`/pods/<slug>/standing/`): the waitlist and invite flows of an unlisted pod
land on a page that says where the member stands, never on a 404 for someone who holds an invite or an
offer; people who hold nothing still get the unlisted pod's 404. Email-bound invites opened by the wrong
account say so without naming the address."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from communities.models import Notification
from communities.policy import can_see_standing, holds_place
from microgroups.models import Membership, WaitlistEntry
from microgroups.services.invites import invite_create, invite_redeem
from microgroups.services.membership import pod_leave, waitlist_offers_expire, waitlist_remove
from tests.factories import UserFactory, join

pytestmark = pytest.mark.django_db

INVITED = "nina@example.com"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def full_garden(make_pod, steward):
    """An unlisted pod at its cap of 3 (the steward and two members)."""
    pod = make_pod(name="Quiet garden", description="Grieving a pet, together.", privacy="invite",
                   is_unlisted=True, member_cap=3, charter="What is said here stays here.")
    first, second = UserFactory(username="wes"), UserFactory(username="olga")
    join(first, pod), join(second, pod)
    return pod, first, second


@pytest.fixture
def nina(db):
    return UserFactory(username="nina", email=INVITED)


def _without_tokens(response) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1-", response.content.decode())


def _redeem_through_the_page(client, code, pod):
    return client.post(f"/pods/join/{code}/", {"version": pod.charter_version, "acknowledge": "on"})


def test_an_email_bound_invite_to_a_full_unlisted_pod_lands_on_where_you_stand(full_garden, steward, nina):
    pod, *_ = full_garden
    WaitlistEntry.objects.create(pod=pod, member=UserFactory(username="early"))  # someone already waiting
    invite = invite_create(actor=steward, pod=pod, email=INVITED)
    c = client_for(nina)
    assert "You're invited to Quiet garden" in c.get(f"/pods/join/{invite.code}/").content.decode()

    response = _redeem_through_the_page(c, invite.code, pod)
    assert response.status_code == 302 and response["Location"] == "/pods/quiet-garden/standing/"
    page = c.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Quiet garden is full: you&#x27;re number 2 on the waitlist." in html  # the flash message
    assert "Quiet garden: where you stand" in html
    assert "You're number <strong>2</strong> of 2 waiting. Quiet garden is full (3 members)." in html
    assert "Leave the waitlist" in html
    assert "What is said here stays here." not in html  # no offer yet: nothing of the pod beyond its card
    # Typing the pod's address leads there too, never to a 404.
    detail = c.get("/pods/quiet-garden/")
    assert detail.status_code == 302 and detail["Location"] == "/pods/quiet-garden/standing/"
    assert c.get("/pods/quiet-garden/join/")["Location"] == "/pods/quiet-garden/standing/"


def test_the_place_opened_notification_links_to_the_offer_which_can_be_taken(full_garden, steward, nina):
    pod, wes, _ = full_garden
    invite = invite_create(actor=steward, pod=pod, email=INVITED)
    assert invite_redeem(actor=nina, code=invite.code, charter_version=1).status == "waitlisted"
    before = timezone.now()
    pod_leave(actor=wes, pod=pod)

    note = Notification.objects.get(recipient=nina)
    assert note.verb == "A place opened in Quiet garden: it's held for you for 3 days."
    assert note.url == "/pods/quiet-garden/standing/"
    c = client_for(nina)
    page = c.get(note.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "A place is held for you" in html
    expires = WaitlistEntry.objects.get(pod=pod, member=nina).offered_at + timedelta(hours=72)
    assert expires - before >= timedelta(hours=72)
    assert f'<time datetime="{timezone.localtime(expires).replace(microsecond=0).isoformat()}">' in html
    assert "What is said here stays here." in html  # the charter to agree to
    assert 'action="/pods/quiet-garden/join/"' in html

    taken = c.post("/pods/quiet-garden/join/", {"mode": "accept", "version": 1, "acknowledge": "on"})
    assert taken.status_code == 302 and taken["Location"] == "/pods/quiet-garden/"
    assert Membership.objects.get(pod=pod, member=nina).status == "active"
    assert c.get("/pods/quiet-garden/").status_code == 200
    assert c.get("/pods/quiet-garden/standing/")["Location"] == "/pods/quiet-garden/"


def test_the_join_page_of_an_offer_in_an_unlisted_pod_goes_back_to_the_standing_page(full_garden, steward, nina):
    pod, wes, _ = full_garden
    invite_redeem(actor=nina, code=invite_create(actor=steward, pod=pod, email=INVITED).code, charter_version=1)
    pod_leave(actor=wes, pod=pod)
    html = client_for(nina).get("/pods/quiet-garden/join/").content.decode()
    assert "Take your place in Quiet garden" in html
    assert 'href="/pods/quiet-garden/standing/">Back</a>' in html


def test_people_who_hold_nothing_get_the_unlisted_pods_404(full_garden, steward, nina):
    pod, *_ = full_garden
    stranger = client_for(UserFactory(username="stranger"))
    nowhere = stranger.get("/pods/no-such-pod/standing/")
    assert nowhere.status_code == 404
    for url in ("/pods/quiet-garden/standing/", "/pods/quiet-garden/", "/pods/quiet-garden/join/"):
        response = stranger.get(url)
        assert response.status_code == 404, url
        assert "Quiet garden" not in response.content.decode()
    assert _without_tokens(stranger.get("/pods/quiet-garden/standing/")) == _without_tokens(nowhere)
    assert stranger.post("/pods/quiet-garden/waitlist/leave/").status_code == 404
    assert Client().get("/pods/quiet-garden/standing/")["Location"].startswith("/accounts/login/")


def test_an_invite_bound_to_you_is_a_place_you_hold(full_garden, steward, nina):
    pod, *_ = full_garden
    assert not holds_place(nina, pod) and not can_see_standing(nina, pod)
    invite = invite_create(actor=steward, pod=pod, email="Nina@Example.com", expires_in_days=7)
    assert holds_place(nina, pod) and can_see_standing(nina, pod)
    html = client_for(nina).get("/pods/quiet-garden/standing/").content.decode()
    assert "You're invited" in html and f'href="/pods/join/{invite.code}/"' in html
    # An unverified address, an expired or withdrawn invite: nothing held.
    EmailAddress.objects.filter(user=nina).update(verified=False)
    assert not holds_place(nina, pod)
    EmailAddress.objects.filter(user=nina).update(verified=True)
    invite.expires_at = timezone.now() - timedelta(seconds=1)
    invite.save()
    assert not holds_place(nina, pod)
    assert client_for(nina).get("/pods/quiet-garden/standing/").status_code == 404


def test_leaving_the_waitlist_of_an_unlisted_pod_works_and_then_it_is_gone(full_garden, steward, nina):
    pod, *_ = full_garden
    invite = invite_create(actor=steward, pod=pod, email=INVITED, max_uses=1)
    invite_redeem(actor=nina, code=invite.code, charter_version=1)  # the one use: waitlisted
    c = client_for(nina)
    response = c.post("/pods/quiet-garden/waitlist/leave/")
    assert response.status_code == 302 and response["Location"] == "/pods/"
    assert not WaitlistEntry.objects.filter(pod=pod, member=nina).exists()
    assert c.get("/pods/quiet-garden/standing/").status_code == 404


def test_notifications_of_a_lost_place_link_nowhere_secret(full_garden, steward, nina):
    pod, wes, _ = full_garden
    invite_redeem(actor=nina, code=invite_create(actor=steward, pod=pod, email=INVITED).code, charter_version=1)
    pod_leave(actor=wes, pod=pod)
    WaitlistEntry.objects.filter(member=nina).update(offered_at=timezone.now() - timedelta(hours=73))
    assert waitlist_offers_expire() == 1
    assert Notification.objects.filter(recipient=nina).latest("pk").url == "/pods/"
    other = UserFactory()
    WaitlistEntry.objects.create(pod=pod, member=other)
    waitlist_remove(actor=steward, pod=pod, member=other)
    assert Notification.objects.get(recipient=other).url == "/pods/"


def test_an_email_bound_invite_opened_by_the_wrong_account_says_so_without_the_address(full_garden, steward, nina):
    pod, *_ = full_garden
    invite = invite_create(actor=steward, pod=pod, email=INVITED)
    work_account = UserFactory(username="nina_work", email="nina@work.example")
    other = client_for(work_account)
    for response in (other.get(f"/pods/join/{invite.code}/"), _redeem_through_the_page(other, invite.code, pod)):
        html = response.content.decode()
        assert response.status_code == 403
        assert "This invite is for another email address." in html
        assert INVITED not in html and "nina@" not in html
        assert "Quiet garden" not in html and "Grieving" not in html  # the unlisted pod stays unnamed
    assert not WaitlistEntry.objects.filter(pod=pod).exists()
    # Verifying the address on this account makes it theirs.
    EmailAddress.objects.create(user=work_account, email=INVITED.upper(), verified=True)
    assert _redeem_through_the_page(other, invite.code, pod)["Location"] == "/pods/quiet-garden/standing/"


def test_a_member_bound_unlisted_invite_stays_a_404_for_anyone_else(full_garden, steward, nina):
    pod, *_ = full_garden
    invite = invite_create(actor=steward, pod=pod, for_member=nina)
    assert client_for(UserFactory()).get(f"/pods/join/{invite.code}/").status_code == 404


def test_the_wrong_account_on_a_listed_pods_email_invite_sees_the_pod_and_the_reason(make_pod, steward):
    pod = make_pod(name="Inner circle", privacy="invite")
    invite = invite_create(actor=steward, pod=pod, email=INVITED)
    response = client_for(UserFactory()).get(f"/pods/join/{invite.code}/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You're invited to Inner circle" in html and "This invite is for another email address." in html
    assert INVITED not in html


def test_the_pod_page_says_your_waitlist_position_and_when_a_held_place_expires(make_pod):
    pod = make_pod(name="Tiny", member_cap=3)
    join(UserFactory(), pod), join(UserFactory(), pod)
    first, second = UserFactory(), UserFactory()
    WaitlistEntry.objects.create(pod=pod, member=first)
    WaitlistEntry.objects.create(pod=pod, member=second)
    assert "You're number 2 on the waitlist." in client_for(second).get("/pods/tiny/").content.decode()
    offered = timezone.now()
    WaitlistEntry.objects.filter(member=first).update(offered_at=offered)
    html = client_for(first).get("/pods/tiny/").content.decode()
    expires = timezone.localtime(offered + timedelta(hours=72)).replace(microsecond=0).isoformat()
    assert f'A place is held for you until <time datetime="{expires}">' in html
