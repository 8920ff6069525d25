from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from communities.models import Notification, Post
from microgroups.models import EmergingNiche, Invite, Membership, MembershipEvent, Pod, WaitlistEntry
from microgroups.services.invites import invite_redeem
from microgroups.services.niches import niches_refresh
from microgroups.services.pods import pod_create
from microgroups.services.rituals import cohort_welcome_post, weekly_prompts_post
from microgroups.services.splits import split_confirm, split_offered, split_proposals
from tests.factories import PetFactory, PlaceFactory, PostFactory, UserFactory

from .conftest import member_of, tag

pytestmark = pytest.mark.django_db
THURSDAY = date(2026, 11, 26)


def test_weekly_prompt_posts_once_on_the_stewards_weekday(make_pod, steward):
    pod = make_pod(name="Prompted", prompt_text="Share a photo of your week", prompt_weekday=3)
    assert weekly_prompts_post(today=THURSDAY - timedelta(days=1)) == 0
    assert weekly_prompts_post(today=THURSDAY) == 1
    assert weekly_prompts_post(today=THURSDAY) == 0  # idempotent
    post = Post.objects.get(pod=pod)
    assert (post.author, post.body) == (steward, "**This week's prompt:** Share a photo of your week")
    pod.refresh_from_db()
    assert pod.post_count == 1
    assert weekly_prompts_post(today=THURSDAY + timedelta(days=7)) == 1


def test_prompt_in_a_pod_without_steward_comes_from_the_system_account(make_pod, steward):
    pod = make_pod(name="Orphan", prompt_text="How are you?", prompt_weekday=3)
    Membership.objects.filter(pod=pod).update(status="left")
    weekly_prompts_post(today=THURSDAY)
    assert Post.objects.get(pod=pod).author.username == "petcommunity"


def test_cohort_welcome_introduces_the_weeks_newcomers_once(make_pod, steward):
    pod = make_pod(name="Asking", privacy="request", question="What brings you?")
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    when = timezone.make_aware(timezone.datetime.combine(monday + timedelta(days=2), timezone.datetime.min.time()))
    people = []
    for name, answer in (("Ann", "My old cat"), ("Bo", "Diabetes")):
        user = UserFactory(display_name=name, pets_visibility="members")
        PetFactory(owner=user, name=f"{name}'s pet")
        Membership.objects.create(pod=pod, member=user, answer=answer, joined_at=when, charter_version_acknowledged=1)
        MembershipEvent.objects.create(pod=pod, member=user, kind="joined", created_at=when)
        people.append(user)
    hidden = UserFactory(display_name="Cy", pets_visibility="trusted")
    PetFactory(owner=hidden, name="Secret pet")
    Membership.objects.create(pod=pod, member=hidden, joined_at=when)
    MembershipEvent.objects.create(pod=pod, member=hidden, kind="joined", created_at=when)
    post = cohort_welcome_post(pod=pod, week_start=monday)
    assert post.author == steward
    assert "**Ann**" in post.body and "Ann's pet (cat)" in post.body and "“My old cat”" in post.body
    assert "**Cy**" in post.body and "Secret pet" not in post.body  # pets shown only as their owner allows
    assert "Stella" not in post.body  # stewards aren't newcomers
    assert cohort_welcome_post(pod=pod, week_start=monday) is None


def test_split_is_offered_when_full_and_proposes_groups_by_region(make_pod, steward):
    leeds, york = PlaceFactory(name="Leeds", kind="region"), PlaceFactory(name="York", kind="region")
    pod = make_pod(name="Dogs", member_cap=7)
    steward.region = leeds
    steward.save()
    assert not split_offered(pod)
    for place in (leeds, leeds, york, york, york, None):
        member_of(pod, region=place)
    pod.refresh_from_db()
    assert split_offered(pod)
    proposal = next(p for p in split_proposals(pod) if p.basis == "region")
    # the one member with no region joins the last group (too few for a group of their own)
    assert [(g.label, len(g.member_ids)) for g in proposal.groups] == [("Leeds", 3), ("York", 4)]


def test_split_confirm_creates_children_and_invites_each_member_to_theirs(make_pod, steward):
    leeds, york = PlaceFactory(name="Leeds", kind="region"), PlaceFactory(name="York", kind="region")
    pod = make_pod(name="Dogs", member_cap=6)
    steward.region = leeds
    steward.save()
    members = [member_of(pod, region=p) for p in (leeds, leeds, york, york, york)]
    waiting = UserFactory(region=york)
    WaitlistEntry.objects.create(pod=pod, member=waiting)
    proposal = next(p for p in split_proposals(pod) if p.basis == "region")
    with pytest.raises(ValidationError, match="changed since you looked"):
        split_confirm(actor=steward, pod=pod, basis="region", fingerprint="stale")
    children = split_confirm(actor=steward, pod=pod, basis="region", fingerprint=proposal.fingerprint)
    pod.refresh_from_db()
    assert pod.is_umbrella and sorted(c.name for c in children) == ["Dogs · Leeds", "Dogs · York"]
    york_pod = next(c for c in children if c.region == york)
    invites = Invite.objects.filter(pod=york_pod)
    assert sorted(i.for_member_id for i in invites) == sorted([m.pk for m in members[2:]] + [waiting.pk])
    assert all(i.max_uses == 1 for i in invites)
    note = Notification.objects.get(recipient=waiting, pod=york_pod)
    assert note.verb == "Dogs is splitting: you're invited to Dogs · York"
    code = note.url.split("/")[-2]
    assert invite_redeem(actor=waiting, code=code, charter_version=1).status == "joined"
    with pytest.raises(ValidationError, match="someone else"):
        invite_redeem(actor=members[2], code=code, charter_version=1)


def _commons_posts(topic: str, authors: int, days_ago: int):
    for _ in range(authors):
        post = PostFactory(author=UserFactory(), body=f"#{topic}", created_at=timezone.now() - timedelta(days=days_ago))
        post.tags.add(tag("topic", topic))


def test_emerging_niches_need_a_growing_number_of_authors_and_no_covering_pod(make_pod):
    _commons_posts("hydrotherapy", 6, 3)
    _commons_posts("hydrotherapy", 2, 40)  # fewer last month: growing
    _commons_posts("steady", 6, 3)
    _commons_posts("steady", 7, 40)  # not growing
    _commons_posts("covered", 6, 3)
    make_pod(name="Covered pod", tags=[tag("interest", "covered")])
    found = niches_refresh()
    assert [(n.label, n.author_count, n.previous_author_count) for n in found] == [("hydrotherapy", 6, 2)]
    assert niches_refresh()[0].pk == found[0].pk  # a re-run replaces, never adds
    assert EmergingNiche.objects.count() == 1


def test_starting_a_pod_for_a_niche_tells_its_authors(steward):
    _commons_posts("hydrotherapy", 5, 2)
    niche = niches_refresh()[0]
    hidden = pod_create(actor=steward, name="Secret hydro", charter="c", privacy="invite", is_unlisted=True,
                        tags=[tag("topic", "hydrotherapy")])
    assert Notification.objects.filter(pod=hidden).count() == 0  # an unlisted pod stays unannounced
    pod = pod_create(actor=UserFactory(), name="Hydro dogs", charter="c", tags=[tag("topic", "hydrotherapy")])
    niche.refresh_from_db()
    assert niche.covered_by == pod
    notes = Notification.objects.filter(pod=pod, kind="pod")
    assert notes.count() == 5
    assert notes.first().verb == "You wrote about hydrotherapy: someone started a pod for it, Hydro dogs"
    assert Pod.objects.filter(pk=pod.pk).exists()


def test_the_emerging_niche_link_prefills_name_description_and_tag(client):
    _commons_posts("hydrotherapy", 12, 3)
    niche = niches_refresh()[0]
    client.force_login(UserFactory())
    discover = client.get("/pods/").content.decode()
    assert "12 members wrote about <strong>hydrotherapy</strong> this month" in discover
    link = f'/pods/new/?niche={niche.pk}'
    assert f'href="{link}">start a pod</a>' in discover
    html = client.get(link).content.decode()
    assert '<input type="text" name="name" value="Hydrotherapy"' in html
    assert ("A pod for members who write about hydrotherapy: experiences, questions and tips from people who "
            "live with it every day.</textarea>") in html
    assert 'name="topics" value="#hydrotherapy"' in html
    assert "12 members wrote about <strong>hydrotherapy</strong> this month: the form starts from that niche." in html
    # Submitted as prefilled, the pod covers the niche.
    form = {"name": "Hydrotherapy", "privacy": "open", "member_cap": "50", "charter": "Be kind.",
            "description": "A pod for members who write about hydrotherapy.", "topics": "#hydrotherapy",
            "split_offer_waitlist": "5"}
    assert client.post(link, form).status_code == 302
    niche.refresh_from_db()
    assert niche.covered_by.name == "Hydrotherapy"
    assert list(niche.covered_by.tags.values_list("slug", flat=True)) == ["hydrotherapy"]
