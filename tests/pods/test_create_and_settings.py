import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from communities.policy import check_can_post_in_pod
from microgroups.models import Charter, Membership, MembershipEvent, Pod
from microgroups.permissions import pod_roles_forget
from microgroups.selectors import pods_without_steward
from microgroups.services.charter import charter_acknowledge, charter_update
from microgroups.services.membership import pod_leave
from microgroups.services.pods import membership_set_role, pod_create, pod_update, steward_hand_over
from tests.factories import UserFactory

from .conftest import member_of

pytestmark = pytest.mark.django_db


def test_pod_create_makes_the_creator_steward_with_charter_version_one(steward):
    pod = pod_create(actor=steward, name="Diabetic cats", charter="1. Be kind", member_cap=12)
    m = Membership.objects.get(pod=pod, member=steward)
    assert (pod.slug, pod.member_count, pod.charter_version) == ("diabetic-cats", 1, 1)
    assert (m.role, m.status, m.charter_version_acknowledged) == ("steward", "active", 1)
    assert Charter.objects.get(pod=pod).body_html == "<ol>\n<li>Be kind</li>\n</ol>\n"
    assert MembershipEvent.objects.filter(pod=pod, member=steward, kind="joined").count() == 1


def test_pod_create_refuses_unverified_members():
    with pytest.raises(PermissionDenied, match="Verify your email"):
        pod_create(actor=UserFactory(verified=False), name="X pod", charter="c")


def test_pod_create_refuses_past_the_per_member_limit(steward, settings):
    settings.PODS_PER_MEMBER_LIMIT = 2
    pod_create(actor=steward, name="One", charter="c")
    pod_create(actor=steward, name="Two", charter="c")
    with pytest.raises(PermissionDenied, match="You have started 2 pods"):
        pod_create(actor=steward, name="Three", charter="c")


def test_pod_create_says_the_slug_is_taken(steward):
    pod_create(actor=steward, name="Senior cats", charter="c")
    with pytest.raises(ValidationError) as exc:
        pod_create(actor=UserFactory(), name="Senior Cats!", charter="c")
    assert exc.value.message_dict == {"slug": ["The address /pods/senior-cats/ is taken. Try another."]}
    with pytest.raises(ValidationError) as exc:
        pod_create(actor=steward, name="New", charter="c")
    assert "slug" in exc.value.message_dict


def test_pod_create_needs_a_charter_and_a_cap_in_range(steward):
    with pytest.raises(ValidationError) as exc:
        pod_create(actor=steward, name="Pod", charter="  ", member_cap=2)
    assert set(exc.value.message_dict) == {"member_cap"}
    with pytest.raises(ValidationError) as exc:
        pod_create(actor=steward, name="Pod", charter="  ")
    assert set(exc.value.message_dict) == {"charter"}


def test_only_invite_pods_may_be_unlisted(steward):
    with pytest.raises(ValidationError) as exc:
        pod_create(actor=steward, name="Pod", charter="c", privacy="open", is_unlisted=True)
    assert exc.value.message_dict["is_unlisted"] == ["Only invite-only pods can be unlisted."]


def test_pod_update_refuses_a_cap_below_current_membership(pod, steward):
    for _ in range(3):
        member_of(pod)
    with pytest.raises(ValidationError) as exc:
        pod_update(actor=steward, pod=pod, member_cap=3)
    assert exc.value.message_dict == {"member_cap": ["The pod has 4 members; the cap can't be lower than that."]}
    assert pod_update(actor=steward, pod=pod, member_cap=4).member_cap == 4


def test_pod_update_is_for_stewards_only(pod):
    with pytest.raises(PermissionDenied):
        pod_update(actor=member_of(pod), pod=pod, name="Mine now")


def test_changed_charter_blocks_posting_until_acknowledged(pod, steward):
    member = member_of(pod)
    check_can_post_in_pod(member, pod, audience="everyone", has_links=False, has_images=False)
    charter_update(actor=steward, pod=pod, body="New rules: be kinder.")
    pod.refresh_from_db()
    assert pod.charter_version == 2
    with pytest.raises(PermissionDenied, match="acknowledge"):
        check_can_post_in_pod(member, pod, audience="everyone", has_links=False, has_images=False)
    with pytest.raises(ValidationError) as exc:
        charter_acknowledge(actor=member, pod=pod, version=1)
    assert "changed while you were reading" in exc.value.message_dict["acknowledge"][0]
    charter_acknowledge(actor=member, pod=pod, version=2)
    check_can_post_in_pod(member, pod, audience="everyone", has_links=False, has_images=False)
    # the steward who wrote it needn't acknowledge; members were told
    check_can_post_in_pod(steward, pod, audience="everyone", has_links=False, has_images=False)
    assert member.notifications.filter(kind="pod", verb__contains="updated charter").count() == 1


def test_unchanged_charter_makes_no_new_version(pod, steward):
    assert charter_update(actor=steward, pod=pod, body="Be kind.") is None
    assert pod.charters.count() == 1


def test_co_steward_and_hand_over_are_logged(pod, steward):
    member = member_of(pod)
    membership_set_role(actor=steward, pod=pod, member=member, role="steward")
    assert Membership.objects.get(pod=pod, member=member).role == "steward"
    membership_set_role(actor=steward, pod=pod, member=member, role="member")
    steward_hand_over(actor=steward, pod=pod, to_member=member)
    roles = dict(Membership.objects.filter(pod=pod).values_list("member_id", "role"))
    assert roles == {steward.pk: "member", member.pk: "steward"}
    kinds = list(MembershipEvent.objects.filter(pod=pod, kind="role").order_by("pk").values_list("to_value",
                                                                                                 flat=True))
    assert kinds == ["steward", "member", "steward", "member"]


def test_last_steward_cannot_step_down_or_leave_without_handing_over(pod, steward):
    member_of(pod)
    with pytest.raises(ValidationError, match="needs a steward"):
        membership_set_role(actor=steward, pod=pod, member=steward, role="member")
    with pytest.raises(ValidationError, match="only steward"):
        pod_leave(actor=steward, pod=pod)


def test_pod_without_steward_is_flagged(pod, steward):
    other = Pod.objects.create(name="Orphan", slug="orphan")
    assert set(pods_without_steward()) == {other}
    Membership.objects.filter(pod=pod, member=steward).update(status="left")
    pod_roles_forget(steward)
    assert set(pods_without_steward()) == {other, pod}
