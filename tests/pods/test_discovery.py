import pytest

from microgroups.models import PodSuggestion
from microgroups.permissions import pod_roles_forget
from microgroups.selectors import DiscoverFilters, pod_discover, pods_for_you
from microgroups.services.membership import pod_join
from microgroups.services.suggestions import suggestions_refresh, suggestions_refresh_for
from tests.factories import PetFactory, PlaceFactory, UserFactory, join

from .conftest import tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def vocab():
    return {"cat": tag("species", "cat", "Cat"), "dog": tag("species", "dog", "Dog"),
            "senior": tag("need", "senior", "senior"), "reactive": tag("need", "reactive", "reactive"),
            "agility": tag("interest", "agility", "agility")}


def _owner_of_senior_cat(vocab, **kwargs):
    owner = UserFactory(**kwargs)
    pet = PetFactory(owner=owner, name="Biscuit", species=vocab["cat"])
    pet.needs.add(vocab["senior"])
    return owner


def test_suggestions_rank_by_niche_and_say_why(make_pod, vocab, settings):
    settings.PODS_PER_MEMBER_LIMIT = 10
    senior = make_pod(name="Senior cats", tags=[vocab["cat"], vocab["senior"]])
    cats = make_pod(name="Cat chat", tags=[vocab["cat"]])
    make_pod(name="Reactive dogs", tags=[vocab["dog"], vocab["reactive"]])
    owner = _owner_of_senior_cat(vocab)
    assert suggestions_refresh_for(owner.pk) == 2
    rows = list(PodSuggestion.objects.filter(member=owner))
    assert [r.pod for r in rows] == [senior, cats]
    assert rows[0].reason == "because Biscuit is a senior cat"
    assert rows[1].reason == "because Biscuit is a cat"


def test_suggestions_weigh_region_and_skip_hidden_and_joined_pods(make_pod, vocab, settings):
    settings.PODS_PER_MEMBER_LIMIT = 10
    leeds = PlaceFactory(name="Leeds", slug="leeds")
    local = make_pod(name="Leeds cats", tags=[vocab["cat"]], region=leeds)
    joined = make_pod(name="Cat chat", tags=[vocab["cat"]])
    make_pod(name="Secret cats", tags=[vocab["cat"]], privacy="invite", is_unlisted=True)
    owner = _owner_of_senior_cat(vocab, region=leeds)
    pod_join(actor=owner, pod=joined, charter_version=1)
    suggestions_refresh()
    rows = list(PodSuggestion.objects.filter(member=owner))
    assert [(r.pod, r.reason) for r in rows] == [(local, "because Biscuit is a cat · near you in Leeds")]


def test_pods_for_you_reads_stored_rows_in_one_query(make_pod, vocab, django_assert_num_queries, settings):
    settings.PODS_PER_MEMBER_LIMIT = 10
    for i in range(4):
        make_pod(name=f"Cats {i}", tags=[vocab["cat"]])
    owner = _owner_of_senior_cat(vocab)
    suggestions_refresh_for(owner.pk)
    pod_roles_forget(owner)
    with django_assert_num_queries(2):  # the member's roles, then the suggestions with their pods
        found = pods_for_you(user=owner)
    assert len(found) == 4 and all(s.reason == "because Biscuit is a cat" for s in found)


def test_joined_pod_leaves_pods_for_you_before_the_next_refresh(make_pod, vocab):
    pod = make_pod(name="Cats", tags=[vocab["cat"]])
    owner = _owner_of_senior_cat(vocab)
    suggestions_refresh_for(owner.pk)
    pod_join(actor=owner, pod=pod, charter_version=1)
    assert pods_for_you(user=owner) == []


def test_discover_filters_species_need_region_and_search_tags(make_pod, vocab, settings):
    settings.PODS_PER_MEMBER_LIMIT = 10
    leeds = PlaceFactory(name="Leeds", slug="leeds")
    a = make_pod(name="Senior cats", tags=[vocab["cat"], vocab["senior"]], region=leeds)
    b = make_pod(name="Reactive dogs", tags=[vocab["dog"], vocab["reactive"]])
    user = UserFactory()

    def names(**kw):
        return [p.name for p in pod_discover(user=user, filters=DiscoverFilters(**kw)).pods]
    assert names(species="cat") == [a.name]
    assert names(need="reactive") == [b.name]
    assert names(region="leeds") == [a.name]
    assert names(query="reactive") == [b.name]  # by tag name too


def test_discover_pages_by_keyset_without_repeats(make_pod, settings):
    settings.PODS_PER_MEMBER_LIMIT = 10
    for i in range(5):
        make_pod(name=f"Pod {i}")
    user = UserFactory()
    first = pod_discover(user=user, page_size=3)
    second = pod_discover(user=user, page_size=3, cursor=first.next_cursor)
    assert [p.name for p in first.pods + second.pods] == [f"Pod {i}" for i in range(5)]
    assert second.next_cursor is None


def test_unlisted_pods_are_absent_from_search_and_lists_for_non_members(make_pod):
    hidden = make_pod(name="Hidden circle", privacy="invite", is_unlisted=True)
    outsider, insider = UserFactory(), UserFactory()
    assert pod_discover(user=outsider, filters=DiscoverFilters(query="circle")).pods == []
    join(insider, hidden)
    found = pod_discover(user=insider, filters=DiscoverFilters(query="circle")).pods
    assert [p.name for p in found] == ["Hidden circle"]


def test_a_pets_needs_count_only_for_pods_of_its_species(make_pod, vocab):
    pod = make_pod(name="Senior cats", tags=[vocab["cat"], vocab["senior"]])
    owner = UserFactory()
    PetFactory(owner=owner, name="Mog", species=vocab["cat"])
    PetFactory(owner=owner, name="Rex", species=vocab["dog"]).needs.add(vocab["senior"])
    suggestions_refresh_for(owner.pk)
    assert [(s.pod, s.reason) for s in PodSuggestion.objects.filter(member=owner)] == [(pod, "because Mog is a cat")]


def test_pods_for_you_suggests_only_pods_the_member_can_join_or_ask_to_join(make_pod, vocab, settings):
    settings.PODS_PER_MEMBER_LIMIT = 10
    open_pod = make_pod(name="Cat chat", tags=[vocab["cat"]])
    asking = make_pod(name="Senior cats", tags=[vocab["cat"], vocab["senior"]], privacy="request")
    make_pod(name="Invited cats", tags=[vocab["cat"], vocab["senior"]], privacy="invite")  # listed, invite-only
    owner = _owner_of_senior_cat(vocab)
    suggestions_refresh_for(owner.pk)
    assert [s.pod for s in pods_for_you(user=owner)] == [asking, open_pod]
    assert not PodSuggestion.objects.filter(pod__privacy="invite").exists()


def test_pods_for_you_drops_a_pod_made_invite_only_or_banned_before_the_next_refresh(make_pod, vocab, steward,
                                                                                       settings):
    from microgroups.models import Pod
    from microgroups.services.membership import member_ban

    settings.PODS_PER_MEMBER_LIMIT = 10
    closing = make_pod(name="Cat chat", tags=[vocab["cat"]])
    banning = make_pod(name="Cat corner", tags=[vocab["cat"]])
    staying = make_pod(name="Cat club", tags=[vocab["cat"]])
    owner = _owner_of_senior_cat(vocab)
    suggestions_refresh_for(owner.pk)
    assert {s.pod for s in pods_for_you(user=owner)} == {closing, banning, staying}
    Pod.objects.filter(pk=closing.pk).update(privacy="invite")
    member_ban(actor=steward, pod=banning, member=owner, reason="spam")
    assert [s.pod for s in pods_for_you(user=owner)] == [staying]
