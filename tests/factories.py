"""factory_boy factories shared by every test module."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from communities.models import Comment, Pet, Place, Post, Tag, User
from communities.rendering import render_markdown
from microgroups.models import Membership, Pod


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    name = factory.Sequence(lambda n: f"Place {n}")
    slug = factory.Sequence(lambda n: f"place-{n}")
    kind = Place.Kind.CITY


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("kind", "slug")

    kind = Tag.Kind.TOPIC
    slug = factory.Sequence(lambda n: f"tag-{n}")
    name = factory.LazyAttribute(lambda o: o.slug)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    password = factory.django.Password("pw-for-tests-123")
    onboarded_at = factory.LazyFunction(timezone.now)
    # Active just now, as after signing up: a test's first request writes no activity time (which would
    # make the member's pages render afresh once more, communities.auth_backend).
    last_active_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Members are verified unless the test says verified=False."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class PetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pet

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Pet{n}")
    species = factory.SubFactory(TagFactory, kind=Tag.Kind.SPECIES, slug="cat", name="Cat")


class PodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pod

    name = factory.Sequence(lambda n: f"Pod {n}")
    slug = factory.Sequence(lambda n: f"pod-{n}")
    privacy = Pod.Privacy.OPEN


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    pod = factory.SubFactory(PodFactory)
    member = factory.SubFactory(UserFactory)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Post body number {n}")
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment {n}")
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))


def join(member, pod, *, rung="newcomer", role="member") -> Membership:
    """An active membership with the pod's counter kept right (what pod_join would leave behind)."""
    m = Membership.objects.create(pod=pod, member=member, rung=rung, role=role,
                                  charter_version_acknowledged=pod.charter_version)
    Pod.objects.filter(pk=pod.pk).update(member_count=pod.memberships.filter(status="active").count())
    pod.refresh_from_db()
    for attr in ("_pod_roles",):
        if hasattr(member, attr):
            delattr(member, attr)
    return m


def forget_kept_pages(member_id: int) -> None:
    """The member's next page or API feed answer renders: a query-count test counts a render, and their
    kept page (communities.memberpages) would answer a repeated request with one query."""
    from django.test import TestCase

    from communities import memberpages

    with TestCase.captureOnCommitCallbacks(execute=True):
        memberpages.forget(member_id)
