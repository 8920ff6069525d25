from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from microgroups import tasks
from microgroups.models import EmergingNiche, JoinRequest, Membership, Pod, PodSuggestion
from tests.factories import PetFactory, PostFactory, UserFactory

from .conftest import member_of, tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_every_pod_model_and_flags_pods_without_a_steward(admin_client, pod):
    orphan = Pod.objects.create(name="Orphan pod", slug="orphan")
    for name in ("pod", "membership", "membershipevent", "joinrequest", "invite", "waitlistentry", "podsuggestion",
                 "emergingniche"):
        assert admin_client.get(f"/admin/microgroups/{name}/").status_code == 200, name
    html = admin_client.get("/admin/microgroups/pod/?steward=none").content.decode()
    assert "Orphan pod" in html and pod.name not in html
    assert admin_client.get(f"/admin/microgroups/pod/{orphan.pk}/change/").status_code == 200


def test_admin_actions_call_the_services(admin_client, make_pod, steward):
    pod = make_pod(name="Asking", privacy="request")
    user = UserFactory()
    jr = JoinRequest.objects.create(pod=pod, member=user, charter_version=1)
    admin_client.post("/admin/microgroups/joinrequest/", {"action": "approve", "_selected_action": [jr.pk]})
    assert Membership.objects.get(pod=pod, member=user).status == "active"
    assert user.notifications.filter(verb__contains="was approved").exists()
    Pod.objects.filter(pk=pod.pk).update(member_count=9)
    admin_client.post("/admin/microgroups/pod/", {"action": "recount_members", "_selected_action": [pod.pk]})
    pod.refresh_from_db()
    assert pod.member_count == 2


def test_tasks_and_the_maintenance_command_run_the_services(make_pod, capsys):
    cat = tag("species", "cat", "Cat")
    pod = make_pod(name="Cats", tags=[cat])
    member = member_of(pod)
    for d in (1, 2, 3):
        PostFactory(pod=pod, author=member, created_at=timezone.now() - timedelta(days=d))
    owner = UserFactory()
    PetFactory(owner=owner, species=cat, name="Tom")
    assert tasks.rungs_recompute() == 1  # the task body, in-process (no worker in tests)
    assert Membership.objects.get(pod=pod, member=member).rung == "regular"
    assert tasks.suggestions_refresh_member(owner.pk) == 1
    assert PodSuggestion.objects.get(member=owner).reason == "because Tom is a cat"
    for _ in range(5):
        PostFactory(author=UserFactory(), body="#raw").tags.add(tag("topic", "raw"))
    call_command("pods_maintenance", "niches", "counters")
    assert "niches: 1 emerging niches" in capsys.readouterr().out
    assert EmergingNiche.objects.get().label == "raw"


def test_recount_members_recounts_only_the_selected_pods(admin_client, make_pod):
    chosen, other = make_pod(name="Chosen"), make_pod(name="Other")
    Pod.objects.filter(pk__in=[chosen.pk, other.pk]).update(member_count=9)
    admin_client.post("/admin/microgroups/pod/", {"action": "recount_members", "_selected_action": [chosen.pk]})
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert (chosen.member_count, other.member_count) == (1, 9)
