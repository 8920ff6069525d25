"""Reports and thresholds, the queue's scope isolation, claims, actions, bulk, and live frames."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from communities.models import Comment, ContentStatus, Notification, Post
from microgroups.models import JoinRequest, Membership
from moderation import selectors
from moderation.models import ModerationLogEntry, ModeratorAssignment, Mute, QueueItem, Report
from moderation.scopes import Scope
from moderation.services import actions
from moderation.services.assignments import moderator_assign, moderator_revoke
from moderation.services.automation import queue_sweep
from moderation.services.queue import ClaimConflict, queue_item_claim
from moderation.services.reports import HIDE_THRESHOLD, report_create, report_weight
from tests.factories import CommentFactory, PodFactory, PostFactory, UserFactory, join

from .conftest import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def pod_post(pod, member):
    return PostFactory(pod=pod, author=member, body="A post with a rude bit in the middle")


def reporter(pod=None, rung="newcomer"):
    user = UserFactory(date_joined=timezone.now() - timedelta(days=30))
    if pod is not None:
        join(user, pod, rung=rung)
    return user


# --- reports ------------------------------------------------------------------------------------------------

def test_reports_gather_on_one_open_item_and_hide_past_the_threshold(pod, pod_post):
    first = report_create(actor=reporter(pod), post=pod_post, reason="spam")
    second = report_create(actor=reporter(pod), post=pod_post, reason="harassment")
    item = QueueItem.objects.get()
    assert first.item_id == second.item_id == item.pk
    assert (item.report_count, item.score, item.reasons) == (2, 2.0, {"spam": 1, "harassment": 1})
    pod_post.refresh_from_db()
    assert pod_post.status == ContentStatus.PUBLISHED
    report_create(actor=reporter(pod), post=pod_post, reason="spam")
    pod_post.refresh_from_db()
    assert pod_post.status == ContentStatus.HELD  # 3.0 reached
    assert ModerationLogEntry.objects.filter(action="hide", post=pod_post, actor=None).count() == 1


def test_trusted_reports_weigh_more_and_new_accounts_less(pod, pod_post, steward):
    trusted = reporter(pod, rung="trusted")
    newbie = UserFactory()
    join(newbie, pod)
    assert report_weight(trusted, pod) == 2.0
    assert report_weight(newbie, pod) == 0.5
    assert report_weight(steward, pod) == 3.0
    assert report_weight(reporter(pod), pod) == 1.0
    report_create(actor=trusted, post=pod_post, reason="misinformation")
    report_create(actor=reporter(pod), post=pod_post, reason="misinformation")
    pod_post.refresh_from_db()
    assert QueueItem.objects.get().score == HIDE_THRESHOLD and pod_post.status == ContentStatus.HELD


def test_reporting_twice_is_refused_and_own_content_too(pod, pod_post, member):
    someone = reporter(pod)
    report_create(actor=someone, post=pod_post, reason="spam")
    with pytest.raises(ValidationError, match="already reported"):
        report_create(actor=someone, post=pod_post, reason="spam")
    with pytest.raises(ValidationError, match="your own"):
        report_create(actor=member, post=pod_post, reason="spam")
    with pytest.raises(ValidationError):
        report_create(actor=someone, post=pod_post, reason="other")  # "other" needs words


def test_reporting_needs_read_access(member):
    private = PodFactory(privacy="request")
    insider = UserFactory()
    join(insider, private)
    secret = PostFactory(pod=private, author=insider, body="members only")
    with pytest.raises(Http404):
        report_create(actor=member, post=secret, reason="spam")
    hidden = PostFactory(author=insider, status=ContentStatus.HELD)
    with pytest.raises(Http404):
        report_create(actor=member, post=hidden, reason="spam")


def test_comment_and_member_reports(pod, pod_post, manager):
    comment = CommentFactory(post=pod_post)
    report_create(actor=reporter(pod), comment=comment, reason="harassment")
    target = UserFactory()
    report_create(actor=reporter(), member=target, reason="other", text="Spams every pod")
    items = {i.kind: i for i in QueueItem.objects.all()}
    assert items["report"]
    assert QueueItem.objects.get(comment=comment).scope_kind == "pod"
    member_item = QueueItem.objects.get(member=target)
    assert member_item.scope_kind == "commons" and member_item.subject_id == target.pk


# --- scope isolation ----------------------------------------------------------------------------------------

def test_moderator_of_pod_a_never_sees_or_acts_in_pod_b(steward, other_pod, pod_post, pod):
    outsider = UserFactory()
    join(outsider, other_pod)
    other_post = PostFactory(pod=other_pod, author=outsider)
    report_create(actor=reporter(other_pod), post=other_post, reason="spam")
    report_create(actor=reporter(pod), post=pod_post, reason="spam")
    other_item = QueueItem.objects.get(post=other_post)
    mine = QueueItem.objects.get(post=pod_post)
    assert [i.pk for i in selectors.queue_page(user=steward).items] == [mine.pk]
    assert selectors.moderator_queue_count(steward) == 1
    with pytest.raises(Http404):
        selectors.queue_item_get(user=steward, item_id=other_item.pk)
    with pytest.raises(Http404):
        actions.item_remove(actor=steward, item_id=other_item.pk, reason="no")
    with pytest.raises(Http404):
        queue_item_claim(actor=steward, item_id=other_item.pk)


def test_region_moderator_covers_region_pods_they_can_read_only(manager, region, pod, pod_post, city):
    mod = UserFactory()
    moderator_assign(actor=manager, member=mod, scope=Scope("region", region.pk))
    private = PodFactory(privacy="request", region=city)
    insider = UserFactory()
    join(insider, private)
    secret = PostFactory(pod=private, author=insider)
    report_create(actor=reporter(pod), post=pod_post, reason="spam")
    stranger_item, _ = _held_item(secret)
    visible = [i.pk for i in selectors.queue_page(user=fresh(mod)).items]
    assert QueueItem.objects.get(post=pod_post).pk in visible and stranger_item.pk not in visible
    with pytest.raises(Http404):
        actions.item_approve(actor=fresh(mod), item_id=stranger_item.pk)


def _held_item(post):
    from moderation.scopes import scope_for_pod
    from moderation.services.queue import queue_item_open

    Post.objects.filter(pk=post.pk).update(status=ContentStatus.HELD)
    return queue_item_open(kind="held", scope=scope_for_pod(post.pod), subject=post.author, post=post)


def test_revoking_an_assignment_takes_effect_at_once(manager, region, pod, pod_post,
                                                     django_capture_on_commit_callbacks):
    mod = UserFactory()
    assignment = moderator_assign(actor=manager, member=mod, scope=Scope("region", region.pk))
    report_create(actor=reporter(pod), post=pod_post, reason="spam")
    item = QueueItem.objects.get()
    queue_item_claim(actor=fresh(mod), item_id=item.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        moderator_revoke(actor=manager, assignment=assignment)
    assert callbacks  # the close for their queue sockets is sent after commit
    assert not selectors.user_is_moderator(fresh(mod))
    with pytest.raises(Http404):
        selectors.queue_item_get(user=fresh(mod), item_id=item.pk)
    item.refresh_from_db()
    assert item.claimed_by_id is None
    assert ModeratorAssignment.objects.get().revoked_at is not None


# --- claims -------------------------------------------------------------------------------------------------

def test_claims_keep_two_moderators_apart_until_stale(manager, steward, pod, pod_post):
    report_create(actor=reporter(pod), post=pod_post, reason="spam")
    item = QueueItem.objects.get()
    queue_item_claim(actor=steward, item_id=item.pk)
    with pytest.raises(ClaimConflict):
        queue_item_claim(actor=manager, item_id=item.pk)
    with pytest.raises(ClaimConflict):
        actions.item_remove(actor=manager, item_id=item.pk, reason="spam")
    QueueItem.objects.filter(pk=item.pk).update(claimed_at=timezone.now() - timedelta(minutes=16))
    assert queue_item_claim(actor=manager, item_id=item.pk).claimed_by_id == manager.pk
    actions.item_remove(actor=manager, item_id=item.pk, reason="spam")
    with pytest.raises(ValidationError, match="already been handled"):
        actions.item_approve(actor=steward, item_id=item.pk)


# --- actions ------------------------------------------------------------------------------------------------

def test_approve_publishes_a_held_post_and_notifies(steward, pod, member):
    post = PostFactory(pod=pod, author=member, status=ContentStatus.HELD)
    item, _ = _held_item(post)
    actions.item_approve(actor=steward, item_id=item.pk)
    post.refresh_from_db()
    assert post.status == ContentStatus.PUBLISHED
    assert Notification.objects.get(recipient=member, kind="moderation").verb == "A moderator approved your post."
    assert QueueItem.objects.get(pk=item.pk).status == "resolved"


def test_remove_sets_status_reason_notifies_and_broadcasts(steward, pod, pod_post, member,
                                                          django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("communities.streams._send", lambda groups, message: sent.append((groups, message)))
    someone = reporter(pod)
    report_create(actor=someone, post=pod_post, reason="spam")
    item = QueueItem.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.item_remove(actor=steward, item_id=item.pk, reason="Selling puppies is not allowed")
    pod_post.refresh_from_db()
    assert (pod_post.status, pod_post.removal_reason) == ("removed", "Selling puppies is not allowed")
    assert any(m["frame"] == {"type": "post.remove", "id": pod_post.pk} for _, m in sent)
    assert any(m["frame"] == {"type": "queue.remove", "id": item.pk, "kind": "report",
                              "scopes": [f"pod:{pod.pk}", f"region:{item.region_id}"],
                              "created": int(item.created_at.timestamp())} for _, m in sent)
    verb = Notification.objects.get(recipient=member, kind="moderation").verb
    assert verb == "A moderator removed your post: Selling puppies is not allowed"
    assert Notification.objects.filter(recipient=someone, kind="moderation").exists()
    entry = ModerationLogEntry.objects.get(action="remove")
    assert (entry.actor_id, entry.subject_id, entry.content_pod_id, entry.before) == (steward.pk, member.pk, pod.pk,
                                                                                      "published")
    with pytest.raises(ValidationError):
        actions.item_remove(actor=steward, item_id=item.pk, reason="")


def test_edit_out_replaces_a_span_and_logs_before_after(steward, pod, pod_post):
    report_create(actor=reporter(pod), post=pod_post, reason="harassment")
    item = QueueItem.objects.get()
    with pytest.raises(ValidationError, match="not found"):
        actions.item_edit_out(actor=steward, item_id=item.pk, part="not there", reason="x")
    actions.item_edit_out(actor=steward, item_id=item.pk, part="rude bit", reason="Be kind")
    pod_post.refresh_from_db()
    assert pod_post.body == "A post with a [removed by a moderator] in the middle"
    assert "[removed by a moderator]" in pod_post.body_html
    entry = ModerationLogEntry.objects.get(action="edit_out")
    assert entry.before == "A post with a rude bit in the middle" and entry.after == pod_post.body


def test_warn_mute_and_ban(steward, pod, pod_post, member):
    report_create(actor=reporter(pod), post=pod_post, reason="harassment")
    item = QueueItem.objects.get()
    actions.item_warn(actor=steward, item_id=item.pk, message="Please keep it civil")
    mute = actions.item_mute(actor=steward, item_id=item.pk, hours=24, reason="Cool off")
    assert (mute.scope_kind, mute.pod_id, mute.member_id) == ("pod", pod.pk, member.pk)
    from communities.services.posts import post_create
    from moderation.checks import ContentBlocked

    with pytest.raises(ContentBlocked, match="muted you in this pod"):
        post_create(actor=fresh(member), pod=pod, body="hello")
    assert post_create(actor=fresh(member), body="the Commons is outside the mute").pk
    actions.item_ban(actor=steward, item_id=item.pk, reason="Repeated harassment")
    assert Membership.objects.get(pod=pod, member=member).status == "banned"
    kinds = list(ModerationLogEntry.objects.order_by("id").values_list("action", flat=True))
    assert kinds == ["warn", "mute", "ban"]
    assert Notification.objects.filter(recipient=member, kind="moderation").count() == 2  # warn, mute
    assert Notification.objects.filter(recipient=member, verb=f"You were banned from {pod.name}").count() == 1
    assert selectors.upheld_actions_since(member.pk, pod.pk, timezone.now() - timedelta(days=1)) == 3


def test_ban_needs_a_pod_and_mute_a_sane_duration(manager, pod_post):
    target = UserFactory()
    report_create(actor=reporter(), member=target, reason="other", text="spammer")
    item = QueueItem.objects.get(member=target)
    with pytest.raises(ValidationError, match="Bans are from a pod"):
        actions.item_ban(actor=manager, item_id=item.pk, reason="x")
    with pytest.raises(ValidationError):
        actions.item_mute(actor=manager, item_id=item.pk, hours=0, reason="x")
    actions.item_mute(actor=manager, item_id=item.pk, hours=2, reason="spam")
    assert Mute.objects.get().scope_kind == "commons"


def test_escalate_moves_the_item_to_the_scope_above(steward, manager, region, pod, pod_post):
    report_create(actor=reporter(pod), post=pod_post, reason="misinformation")
    item = QueueItem.objects.get()
    actions.item_escalate(actor=steward, item_id=item.pk, reason="Needs a vet's eye")
    item.refresh_from_db()
    assert (item.scope_kind, item.region_id, item.pod_id, item.claimed_by_id) == ("region", region.pk, None, None)
    assert selectors.moderator_queue_count(fresh(steward)) == 0
    actions.item_escalate(actor=manager, item_id=item.pk, reason="Policy question")
    item.refresh_from_db()
    assert item.scope_kind == "commons"
    with pytest.raises(ValidationError, match="top scope"):
        actions.item_escalate(actor=manager, item_id=item.pk, reason="again")


def test_bulk_remove_for_a_spam_wave(steward, pod, member, other_pod):
    posts = [PostFactory(pod=pod, author=member, status=ContentStatus.HELD) for _ in range(3)]
    ids = [_held_item(p)[0].pk for p in posts]
    stranger = PostFactory(pod=other_pod, status=ContentStatus.HELD)
    foreign = _held_item(stranger)[0].pk
    done, problems = actions.items_bulk(actor=steward, item_ids=ids + [foreign], action="remove", reason="Spam wave")
    assert done == 3 and problems == [f"#{foreign}: not in your queue"]
    assert set(Post.objects.filter(pk__in=[p.pk for p in posts]).values_list("status", flat=True)) == {"removed"}
    assert Post.objects.get(pk=stranger.pk).status == "held"


def test_held_comment_approve_publishes_it(steward, pod, pod_post, member):
    comment = CommentFactory(post=pod_post, author=member, status=ContentStatus.HELD)
    from moderation.scopes import scope_for_pod
    from moderation.services.queue import queue_item_open

    item, _ = queue_item_open(kind="held", scope=scope_for_pod(pod), subject=member, comment=comment)
    actions.item_approve(actor=steward, item_id=item.pk)
    assert Comment.objects.get(pk=comment.pk).status == "published"


def test_new_items_are_sent_live_to_covering_moderators_only(manager, steward, pod, pod_post, other_pod,
                                                            django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("communities.streams._send", lambda groups, message: sent.append((groups, message)))
    other_steward = UserFactory()
    join(other_steward, other_pod, role="steward", rung="trusted")
    with django_capture_on_commit_callbacks(execute=True):
        report_create(actor=reporter(pod), post=pod_post, reason="spam")
    frames = [(g, m["frame"]) for groups, m in sent for g in groups if m["frame"]["type"] == "queue.new"]
    groups = {g for g, _ in frames}
    assert groups == {f"moderation.queue.{manager.pk}", f"moderation.queue.{steward.pk}"}
    item = QueueItem.objects.get()
    assert all(f["id"] == item.pk and f'id="queue-item-{item.pk}"' in f["html"] for _, f in frames)


def test_join_requests_waiting_too_long_enter_the_queue(steward, pod):
    waiting = UserFactory()
    old = JoinRequest.objects.create(pod=pod, member=waiting, created_at=timezone.now() - timedelta(hours=49))
    JoinRequest.objects.create(pod=pod, member=UserFactory())  # fresh: not yet
    assert queue_sweep() == (1, 0)
    assert queue_sweep() == (0, 0)
    assert selectors.moderator_queue_count(steward) == 1
    JoinRequest.objects.filter(pk=old.pk).update(status="approved")
    assert selectors.moderator_queue_count(fresh(steward)) == 0
    assert queue_sweep() == (0, 1)


def test_queue_filters_by_scope_kind_and_age(manager, pod, pod_post, member):
    report_create(actor=reporter(pod), post=pod_post, reason="spam")
    held = PostFactory(author=member, status=ContentStatus.HELD)
    held_item = _held_item(held)[0]
    QueueItem.objects.filter(pk=held_item.pk).update(created_at=timezone.now() - timedelta(hours=30))
    assert [i.pk for i in selectors.queue_page(user=manager, kind="held").items] == [held_item.pk]
    assert [i.kind for i in selectors.queue_page(user=manager, scope=f"pod:{pod.pk}").items] == ["report"]
    assert [i.pk for i in selectors.queue_page(user=manager, age="24h").items] == [held_item.pk]
    assert [i.pk for i in selectors.queue_page(user=manager).items][0] == held_item.pk  # oldest first


def test_appeal_item_cannot_be_approved_as_ordinary(steward, manager, pod, pod_post):
    report_create(actor=reporter(pod), post=pod_post, reason="spam")
    item = QueueItem.objects.get()
    actions.item_remove(actor=steward, item_id=item.pk, reason="spam")
    from moderation.services.appeals import appeal_create

    appeal_create(actor=pod_post.author, post=pod_post, text="It was not spam")
    appeal_item = QueueItem.objects.get(kind="appeal")
    with pytest.raises(ValidationError):
        actions.item_approve(actor=manager, item_id=appeal_item.pk)
    from moderation.services.appeals import appeal_decide

    with pytest.raises(Http404):  # the appeal went to the region above the pod: not the steward's queue
        appeal_decide(actor=steward, item_id=appeal_item.pk, grant=True)
    assert Report.objects.count() == 1
