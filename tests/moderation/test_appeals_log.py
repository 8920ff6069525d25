"""Appeals go one scope up, once; the log is append-only and shown to the moderators of its scopes."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from communities.models import ContentStatus, Notification, Post
from moderation import selectors
from moderation.models import Appeal, ModerationLogEntry, QueueItem
from moderation.services import actions
from moderation.services.appeals import appeal_create, appeal_decide
from moderation.services.reports import report_create
from moderation.services.rules import rule_create
from tests.factories import PodFactory, PostFactory, UserFactory, join

pytestmark = pytest.mark.django_db


def _removed(by, post, pod):
    someone = UserFactory(date_joined=timezone.now() - timedelta(days=30))
    join(someone, pod) if pod is not None else None
    report_create(actor=someone, post=post, reason="spam")
    item = QueueItem.objects.get(post=post, status="open")
    actions.item_remove(actor=by, item_id=item.pk, reason="Looks like spam")
    return Post.objects.get(pk=post.pk)


def test_appeal_goes_to_the_scope_above_and_can_be_granted_once(steward, manager, region, pod, member):
    post = _removed(steward, PostFactory(pod=pod, author=member), pod)
    appeal = appeal_create(actor=member, post=post, text="It was a genuine question")
    item = QueueItem.objects.get(kind="appeal")
    assert (item.scope_kind, item.region_id, item.appeal_id) == ("region", region.pk, appeal.pk)
    assert selectors.moderator_queue_count(steward) == 0  # the remover's scope does not judge itself
    with pytest.raises(ValidationError, match="appealed"):
        appeal_create(actor=member, post=post, text="again")
    appeal_decide(actor=manager, item_id=item.pk, grant=True, reason="Fair enough")
    post.refresh_from_db()
    assert post.status == ContentStatus.PUBLISHED and post.removal_reason == ""
    assert Appeal.objects.get().status == "granted"
    assert "granted" in Notification.objects.filter(recipient=member).latest("id").verb
    # A granted appeal cancels the removal for the ladder's clean-record check.
    assert selectors.upheld_actions_since(member.pk, pod.pk, timezone.now() - timedelta(days=1)) == 0


def test_denied_appeal_keeps_the_removal_and_counts(steward, manager, pod, member):
    post = _removed(steward, PostFactory(pod=pod, author=member), pod)
    appeal_create(actor=member, post=post, text="please")
    appeal_decide(actor=manager, item_id=QueueItem.objects.get(kind="appeal").pk, grant=False)
    assert Post.objects.get(pk=post.pk).status == "removed"
    assert selectors.upheld_actions_since(member.pk, pod.pk, timezone.now() - timedelta(days=1)) == 1


def test_whoever_removed_may_not_decide_the_appeal(manager, member):
    post = _removed(manager, PostFactory(author=member), None)
    appeal_create(actor=member, post=post, text="please")
    item = QueueItem.objects.get(kind="appeal")
    assert item.scope_kind == "commons"  # removed in the Commons: the Commons is the top
    with pytest.raises(PermissionDenied, match="another moderator"):
        appeal_decide(actor=manager, item_id=item.pk, grant=True)


def test_only_the_author_appeals_and_only_removals(member, pod):
    post = PostFactory(author=member)
    with pytest.raises(Exception):  # Http404: nothing removed
        appeal_create(actor=member, post=post, text="x")
    other = UserFactory()
    with pytest.raises(Exception):
        appeal_create(actor=other, post=post, text="x")


def test_log_is_append_only():
    entry = ModerationLogEntry.objects.create(action="warn", reason="first")
    entry.reason = "changed"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        ModerationLogEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(ValidationError):
        ModerationLogEntry.objects.all().delete()
    model_admin = admin.site._registry[ModerationLogEntry]
    assert not model_admin.has_change_permission(None) and not model_admin.has_delete_permission(None)
    assert ModerationLogEntry.objects.get().reason == "first"


def test_rule_changes_are_logged_with_before_and_after(steward, pod_scope):
    from moderation.services.rules import rule_update

    rule = rule_create(actor=steward, scope=pod_scope, kind="new_member", title="Check", settings={"first_n": 1})
    rule_update(actor=steward, rule=rule, title="Check", settings={"first_n": 2}, enabled=True)
    entries = list(ModerationLogEntry.objects.order_by("id"))
    assert [e.action for e in entries] == ["rule_create", "rule_update"]
    assert '"first_n": 1' in entries[1].before and '"first_n": 2' in entries[1].after


def test_log_page_shows_moderators_their_scopes_only(steward, manager, pod, member, other_pod):
    _removed(steward, PostFactory(pod=pod, author=member), pod)
    outsider = UserFactory()
    join(outsider, other_pod)
    _removed(manager, PostFactory(pod=other_pod, author=outsider), other_pod)
    mine = selectors.log_page(user=steward).entries
    assert {e.content_pod_id for e in mine} == {pod.pk}
    assert {e.content_pod_id for e in selectors.log_page(user=manager).entries} == {pod.pk, other_pod.pk}


def test_pod_summary_counts_removals_by_rule_without_names(steward, pod_scope, pod, member):
    rule = rule_create(actor=steward, scope=pod_scope, kind="watched_word", title="No selling",
                       settings={"match": "word", "pattern": "sale", "action": "hold"})
    from communities.services.posts import post_create

    held = post_create(actor=member, pod=pod, body="for sale")
    actions.item_remove(actor=steward, item_id=QueueItem.objects.get(post=held).pk, reason="selling")
    _removed(steward, PostFactory(pod=pod, author=member), pod)
    summary = selectors.pod_moderation_summary(pod)
    assert summary["removals"] == [("No selling", 1), ("Other moderator decisions", 1)]
    assert summary["removal_total"] == 2
    assert rule.pk and member.username not in str(summary)


def test_private_pod_log_is_hidden_from_region_moderators_who_cannot_read_it(manager, region, city):
    from moderation.scopes import Scope
    from moderation.services.assignments import moderator_assign

    mod = UserFactory()
    moderator_assign(actor=manager, member=mod, scope=Scope("region", region.pk))
    private = PodFactory(privacy="request", region=city)
    insider = UserFactory()
    join(insider, private)
    _removed(manager, PostFactory(pod=private, author=insider, body="private words"), private)
    from .conftest import fresh

    assert [e for e in selectors.log_page(user=fresh(mod)).entries if e.content_pod_id == private.pk] == []
