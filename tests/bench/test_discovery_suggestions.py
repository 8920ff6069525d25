"""The discovery module's suggestions figures at L record the inputs a full refresh would, without scoring
everyone: the hourly run it then times must find nothing changed, as after a real full refresh."""

import pytest

from bench import m_discovery
from microgroups.models import PodSuggestion, SuggestionInput
from microgroups.services.suggestions import suggestions_refresh_changed
from tests.factories import PetFactory, PodFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_l_shortcut_leaves_the_state_a_full_refresh_would_for_an_hourly_run(monkeypatch):
    monkeypatch.setattr(m_discovery, "SLICE", 2)
    cat = TagFactory(kind="species", slug="cat", name="Cat")
    senior = TagFactory(kind="need", slug="senior", name="senior")
    members = [UserFactory() for _ in range(5)]
    for member in members:
        PetFactory(owner=member, species=cat).needs.set([senior])
    for i in range(3):
        PodFactory(name=f"Cats {i}").tags.set([cat, senior])

    missing, timings = m_discovery._suggestions(members, at_l=True)

    assert missing is None and set(timings) == {"per_member_ms", "unchanged", "changed", "rewrote"}
    assert timings["rewrote"] == {"settling": 0, "unchanged": 0, "changed": 5}
    assert SuggestionInput.objects.filter(key__startswith="member:").count() == 5
    assert suggestions_refresh_changed() == 0
    # The slice was scored, and so were the members the "100 changed" step refreshed (all five here).
    assert PodSuggestion.objects.filter(member__in=members).count() == 15
