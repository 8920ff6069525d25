"""Profile field visibility: each field × each kind of viewer, on the service and on the page."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Place, Tag, Visibility
from communities.policy import can_see_field
from communities.selectors import profile_get
from tests.factories import PetFactory, PlaceFactory, PodFactory, TagFactory, UserFactory, join

pytestmark = pytest.mark.django_db
FIELDS = ("bio", "region", "pets", "interests")


@pytest.fixture
def people():
    member = UserFactory(username="owner", bio="I foster greyhounds.")
    pod, other_pod = PodFactory(), PodFactory()
    join(member, pod)
    trusted = UserFactory(username="trusted")
    join(trusted, pod, rung="trusted")
    steward = UserFactory(username="steward")
    join(steward, pod, role="steward")
    regular = UserFactory(username="regular")
    join(regular, pod, rung="regular")
    elsewhere = UserFactory(username="elsewhere")  # trusted, but in a pod the member is not in
    join(elsewhere, other_pod, rung="trusted")
    manager = UserFactory(username="mgr", is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    return {"member": member, "anonymous": AnonymousUser(), "stranger": UserFactory(username="stranger"),
            "regular": regular, "elsewhere": elsewhere, "trusted": trusted, "steward": steward,
            "self": member, "manager": manager}


EXPECTED = {
    # viewer kind: (everyone, members, trusted)
    "anonymous": (True, False, False),
    "stranger": (True, True, False),
    "regular": (True, True, False),
    "elsewhere": (True, True, False),
    "trusted": (True, True, True),
    "steward": (True, True, True),
    "self": (True, True, True),
    "manager": (True, True, True),
}


@pytest.mark.parametrize("viewer_kind", list(EXPECTED))
def test_can_see_field_matrix(people, viewer_kind):
    viewer, member = people[viewer_kind], people["member"]
    got = tuple(can_see_field(viewer, member, v) for v in (Visibility.EVERYONE, Visibility.MEMBERS,
                                                              Visibility.TRUSTED))
    assert got == EXPECTED[viewer_kind]


def test_trusted_membership_that_ended_no_longer_counts(people):
    people["member"].pod_memberships.update(status="left")
    viewer = UserFactory()
    assert can_see_field(people["trusted"], people["member"], Visibility.TRUSTED) is False
    assert can_see_field(viewer, people["member"], Visibility.TRUSTED) is False


def _setup_fields(member, visibility):
    leeds = PlaceFactory(name="Leeds", slug="leeds", kind=Place.Kind.CITY)
    member.region = leeds
    for f in FIELDS:
        setattr(member, f"{f}_visibility", visibility)
    member.save()
    member.interests.add(TagFactory(kind=Tag.Kind.INTEREST, slug="hiking", name="hiking"))
    pet = PetFactory(owner=member, name="Bramble")
    pet.needs.add(TagFactory(kind=Tag.Kind.NEED, slug="senior", name="senior"))


@pytest.mark.parametrize("visibility", [Visibility.EVERYONE, Visibility.MEMBERS, Visibility.TRUSTED])
@pytest.mark.parametrize("viewer_kind", list(EXPECTED))
def test_profile_shows_each_field_only_to_allowed_viewers(people, visibility, viewer_kind):
    member = people["member"]
    _setup_fields(member, visibility)
    allowed = EXPECTED[viewer_kind][[Visibility.EVERYONE, Visibility.MEMBERS, Visibility.TRUSTED].index(visibility)]
    profile = profile_get(viewer=people[viewer_kind], username="owner")
    assert profile.bio == ("I foster greyhounds." if allowed else None)
    assert profile.region == ("Leeds" if allowed else None)
    assert profile.interests == (["hiking"] if allowed else None)
    assert ([p.name for p in profile.pets] if profile.pets is not None else None) == (["Bramble"] if allowed else None)
    if allowed:
        assert profile.pets[0].needs == ["senior"]


@pytest.mark.parametrize("viewer_kind", ["anonymous", "stranger", "trusted"])
def test_profile_page_html_never_contains_hidden_fields(client, people, viewer_kind):
    member = people["member"]
    _setup_fields(member, Visibility.TRUSTED)
    if viewer_kind != "anonymous":
        client.force_login(people[viewer_kind])
    html = client.get("/members/owner/").content.decode()
    shown = viewer_kind == "trusted"
    for text in ("I foster greyhounds.", "Leeds", "hiking", "Bramble", "senior"):
        assert (text in html) is shown, text
    assert "Owner" in html  # the display name is always public


def test_profile_trust_check_is_one_query_per_page(people):
    member = people["member"]
    _setup_fields(member, Visibility.TRUSTED)
    viewer = people["trusted"]
    with CaptureQueriesContext(connection) as ctx:
        profile_get(viewer=viewer, username="owner")
    membership_queries = [q for q in ctx.captured_queries if "microgroups_membership" in q["sql"]]
    # pod_roles (for readable posts) + the trusted circle, however many fields are "trusted".
    assert len(membership_queries) == 2


def test_unknown_and_deleted_members_are_404(client, people):
    client.force_login(people["stranger"])
    assert client.get("/members/nobody/").status_code == 404
    gone = UserFactory(username="gone", deleted_at="2024-01-01T00:00:00Z", is_active=False)
    assert client.get(f"/members/{gone.username}/").status_code == 404
