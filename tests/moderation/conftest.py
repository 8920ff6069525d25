import pytest
from django.contrib.auth.models import Group

from communities.models import Place
from moderation.scopes import COMMONS, Scope
from tests.factories import PlaceFactory, PodFactory, UserFactory, join


@pytest.fixture(autouse=True)
def _no_pending_hits():
    """Blocked hits wait per thread for their transaction to end; a test's must not reach the next test."""
    from moderation.rules import blocked_hits_forget

    blocked_hits_forget()
    yield
    blocked_hits_forget()


@pytest.fixture
def region(db):
    country = PlaceFactory(kind=Place.Kind.COUNTRY, name="Kingdom", slug="kingdom")
    return PlaceFactory(kind=Place.Kind.REGION, name="Northshire", slug="northshire", parent=country)


@pytest.fixture
def city(region):
    return PlaceFactory(kind=Place.Kind.CITY, name="Leedsby", slug="leedsby", parent=region)


@pytest.fixture
def pod(city):
    return PodFactory(name="Reactive dogs", slug="reactive-dogs", region=city)


@pytest.fixture
def other_pod(db):
    return PodFactory(name="Cat people", slug="cat-people")


@pytest.fixture
def manager(db):
    user = UserFactory(username="boss", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    return user


@pytest.fixture
def steward(pod):
    user = UserFactory(username="steward")
    join(user, pod, rung="trusted", role="steward")
    return user


@pytest.fixture
def member(pod):
    user = UserFactory(username="walker")
    join(user, pod)
    return user


@pytest.fixture
def commons():
    return COMMONS


@pytest.fixture
def region_scope(region):
    return Scope("region", region.pk)


@pytest.fixture
def pod_scope(pod, region):
    return Scope("pod", region.pk, pod.pk)


def fresh(user):
    """The same member as a new request would see them (per-request memos dropped)."""
    from communities.models import User

    return User.objects.get(pk=user.pk)
