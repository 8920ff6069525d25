import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from communities.models import ContentStatus, Post
from communities.services.comments import comment_create
from communities.services.follows import follow_create
from communities.services.polls import PollSpec
from communities.services.posts import post_create
from communities.services.reactions import reaction_toggle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    boss = UserFactory(username="admin", is_staff=True, is_superuser=True)
    boss.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    client.force_login(boss)
    return client


def test_content_changelists_and_change_pages_load(staff_client, member, other):
    post = post_create(actor=member, body="Poll", audience="everyone",
                       poll=PollSpec(question="Q?", choices=["a", "b"]))
    comment = comment_create(actor=other, post=post, body="hi")
    reaction_toggle(actor=other, kind="paw", post=post)
    follow_create(actor=other, followee=member)
    for model in ["post", "comment", "reaction", "poll", "notification", "follow"]:
        url = reverse(f"admin:communities_{model}_changelist")
        assert staff_client.get(url).status_code == 200, model
        assert staff_client.get(url + "?q=maya").status_code == 200, model
    assert staff_client.get(reverse("admin:communities_post_change", args=[post.pk])).status_code == 200
    assert staff_client.get(reverse("admin:communities_comment_change", args=[comment.pk])).status_code == 200


def test_admin_actions_call_the_services(staff_client, member):
    post = post_create(actor=member, body="Tip", audience="everyone")
    url = reverse("admin:communities_post_changelist")
    staff_client.post(url, {"action": "pin", "_selected_action": [post.pk]})
    assert Post.objects.get(pk=post.pk).pinned_at is not None
    Post.objects.filter(pk=post.pk).update(reaction_count=5)
    staff_client.post(url, {"action": "repair_counters", "_selected_action": [post.pk]})
    assert Post.objects.get(pk=post.pk).reaction_count == 0
    staff_client.post(url, {"action": "delete_posts", "_selected_action": [post.pk]})
    post.refresh_from_db()
    assert post.status == ContentStatus.DELETED and post.pinned_at is None


def test_profile_page_carries_the_follow_button(client, member, other):
    client.force_login(member)
    page = client.get(reverse("communities:profile", args=[other.username])).content.decode()
    assert f'action="/members/{other.username}/follow/"' in page
    own = client.get(reverse("communities:profile", args=[member.username])).content.decode()
    assert "/follow/" not in own
