"""Pods (list, search, join, ask, leave, members), profiles with per-field visibility, notifications,
and the stewards', moderators' and managers' endpoints."""

import csv

import pytest
from django.contrib.auth.models import Group

from communities.models import ContentStatus, Notification, Pet, Tag
from microgroups.models import Invite, JoinRequest, Membership
from moderation.models import QueueItem, ScopeKind
from tests.factories import PodFactory, PostFactory, UserFactory, join

from .conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


def test_pod_list_searches_and_hides_unlisted_pods(api):
    PodFactory(name="Senior Cats", slug="senior-cats")
    PodFactory(name="Puppy School", slug="puppy-school")
    PodFactory(name="Secret Cats", slug="secret-cats", privacy="invite", is_unlisted=True)
    assert [p["slug"] for p in api.get("/pods").json()["items"]] == ["puppy-school", "senior-cats"]
    assert [p["slug"] for p in api.get("/pods", q="cats").json()["items"]] == ["senior-cats"]
    assert api.get("/pods/secret-cats").status_code == 404


def test_join_open_ask_to_join_request_pod_and_refuse_invite_only(api, member):
    open_pod = PodFactory(privacy="open")
    asking = PodFactory(privacy="request", question="Your cat's name?")
    invite_only = PodFactory(privacy="invite")
    assert api.post(f"/pods/{open_pod.slug}/join", {"charter_version": 0}).json() == {"status": "joined",
                                                                                   "position": None}
    assert Membership.objects.filter(pod=open_pod, member=member, status="active").exists()
    unanswered = api.post(f"/pods/{asking.slug}/join", {"charter_version": 0})
    assert unanswered.status_code == 400 and unanswered.json()["errors"][0]["field"] == "answer"
    asked = api.post(f"/pods/{asking.slug}/join", {"charter_version": 0, "answer": "Mog"})
    assert asked.json()["status"] == "requested"
    assert JoinRequest.objects.get(pod=asking).answer == "Mog"
    assert api.post(f"/pods/{invite_only.slug}/join", {"charter_version": 0}).status_code == 403
    assert api.post(f"/pods/{open_pod.slug}/leave").status_code == 200
    assert not Membership.objects.filter(pod=open_pod, member=member, status="active").exists()


def test_pod_members_are_for_those_who_may_read_the_pod(api, member):
    pod = PodFactory(privacy="request")
    join(UserFactory(username="steward_sam"), pod, role="steward")
    assert api.get(f"/pods/{pod.slug}/members").status_code == 403
    join(member, pod)
    members = api.get(f"/pods/{pod.slug}/members").json()
    assert [(m["member"]["username"], m["role"]) for m in members] == [("steward_sam", "steward"),
                                                                      (member.username, "member")]


def test_profile_fields_follow_their_visibility(api, member):
    cat = Tag.objects.create(kind="species", slug="cat", name="Cat")
    owner = UserFactory(username="owner", bio="Loves naps", bio_visibility="trusted", pets_visibility="members",
                        region_visibility="trusted")
    Pet.objects.create(owner=owner, name="Mog", species=cat)
    seen = api.get("/members/owner").json()
    assert seen["bio"] is None and seen["region"] is None
    assert [p["name"] for p in seen["pets"]] == ["Mog"]
    pod = PodFactory()
    join(owner, pod), join(member, pod, rung="trusted")
    assert ApiClient(token_for(member)).get("/members/owner").json()["bio"] == "Loves naps"
    assert api.get("/members/nobody-here").status_code == 404


def test_notifications_list_and_mark_read_only_ones_own(api, member):
    mine = Notification.objects.create(recipient=member, kind="reply", verb="replied to you", url="/")
    theirs = Notification.objects.create(recipient=UserFactory(), kind="reply", verb="x", url="/")
    page = api.get("/notifications").json()
    assert [n["id"] for n in page["items"]] == [mine.pk] and page["unread"] == 1
    assert api.post(f"/notifications/{theirs.pk}/read").status_code == 404
    assert api.post(f"/notifications/{mine.pk}/read").status_code == 200
    assert api.get("/notifications").json()["unread"] == 0


def test_stewards_see_requests_decide_and_manage_invites_others_get_403(member):
    pod = PodFactory(privacy="request")
    steward = UserFactory()
    join(steward, pod, role="steward")
    asker = UserFactory()
    jr = JoinRequest.objects.create(pod=pod, member=asker, answer="please")
    as_steward = ApiClient(token_for(steward, scopes=["read", "moderate"]))
    as_member = ApiClient(token_for(member, scopes=["read", "moderate"]))
    join(member, pod)
    assert as_member.get(f"/pods/{pod.slug}/join-requests").status_code == 403
    assert [r["id"] for r in as_steward.get(f"/pods/{pod.slug}/join-requests").json()] == [jr.pk]
    decided = as_steward.post(f"/pods/{pod.slug}/join-requests/{jr.pk}", {"approve": True})
    assert decided.json()["status"] == "joined"
    invite = as_steward.post(f"/pods/{pod.slug}/invites", {"expires_in_days": 7, "max_uses": 3})
    assert invite.status_code == 201 and invite.json()["max_uses"] == 3
    assert as_steward.send("DELETE", f"/pods/{pod.slug}/invites/{invite.json()['id']}").status_code == 200
    assert Invite.objects.get(pk=invite.json()["id"]).revoked_at is not None
    assert as_steward.get(f"/pods/{pod.slug}/settings").json()["privacy"] == "request"
    assert ApiClient(token_for(steward, scopes=["read"])).get(f"/pods/{pod.slug}/settings").status_code == 403


def test_moderators_claim_and_act_on_their_queue(member):
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    post = PostFactory(status=ContentStatus.HELD)
    item = QueueItem.objects.create(kind="held", post=post, subject=post.author, reason="rule",
                                    scope_kind=ScopeKind.COMMONS)
    mod = ApiClient(token_for(manager, scopes=["moderate"]))
    assert [i["id"] for i in mod.get("/moderation/queue").json()["items"]] == [item.pk]
    assert mod.post(f"/moderation/queue/{item.pk}/claim").json()["claimed_by"]["username"] == manager.username
    assert mod.post(f"/moderation/queue/{item.pk}/act", {"action": "approve"}).status_code == 200
    post.refresh_from_db()
    assert post.status == ContentStatus.PUBLISHED
    outsider = ApiClient(token_for(member, scopes=["moderate"]))
    assert outsider.get("/moderation/queue").status_code == 403
    assert outsider.get(f"/moderation/queue/{item.pk}").status_code == 404


def test_managers_read_the_same_figures_as_the_csv(client, member):
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    figures = ApiClient(token_for(manager, scopes=["metrics"])).get("/metrics/figures", table="figures",
                                                                     period="week")
    assert figures.status_code == 200
    client.force_login(manager)
    csv_text = client.get("/metrics/", {"format": "csv", "table": "figures", "period": "week"}).content.decode()
    assert [figures.json()["columns"], *figures.json()["rows"]] == list(csv.reader(csv_text.splitlines()))
    assert ApiClient(token_for(member, scopes=["metrics"])).get("/metrics/figures").status_code == 403
    assert ApiClient(token_for(manager, scopes=["read"])).get("/metrics/figures").status_code == 403
