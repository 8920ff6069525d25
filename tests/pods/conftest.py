"""Pods test helpers: pods made through the service (steward, charter v1), and joined members."""

import pytest

from microgroups.models import Membership, Pod
from microgroups.services.membership import pod_join
from microgroups.services.pods import pod_create
from tests.factories import TagFactory, UserFactory, join


@pytest.fixture
def steward(db):
    return UserFactory(username="stella", display_name="Stella")


@pytest.fixture
def make_pod(steward):
    def make(*, actor=None, name="Senior cats", charter="Be kind.", **kwargs):
        return pod_create(actor=actor or steward, name=name, charter=charter, **kwargs)
    return make


@pytest.fixture
def pod(make_pod) -> Pod:
    return make_pod()


def member_of(pod: Pod, **kwargs):
    """A new member joined through the service (open pods) or the factory helper (others)."""
    user = UserFactory(**kwargs)
    if pod.privacy == Pod.Privacy.OPEN:
        pod_join(actor=user, pod=pod, charter_version=pod.charter_version)
        pod.refresh_from_db()
    else:
        join(user, pod)
        Membership.objects.filter(pod=pod, member=user).update(charter_version_acknowledged=pod.charter_version)
    return user


def tag(kind: str, slug: str, name: str | None = None):
    return TagFactory(kind=kind, slug=slug, name=name or slug)
