from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from communities.models import Comment, ContentStatus, Notification, Post, Reaction
from communities.ranking import hot_score
from communities.services import comments as comment_services
from communities.services.comments import comment_create, comment_delete
from communities.services.counters import counters_sync, recent_counters_refresh
from communities.services.notifications import notification_mark_all_read
from communities.services.posts import post_create
from communities.services.reactions import reaction_toggle
from communities.streams import COMMONS_GROUP
from moderation.checks import CheckOutcome
from tests.factories import PodFactory, PostFactory, UserFactory, join

pytestmark = pytest.mark.django_db


def test_reply_to_a_reply_attaches_to_the_top_level_comment(member, other):
    post = post_create(actor=member, body="Question", audience="everyone")
    top = comment_create(actor=other, post=post, body="Answer")
    reply = comment_create(actor=member, post=post, body="Thanks", parent=top)
    deeper = comment_create(actor=other, post=post, body="Welcome", parent=reply)
    assert reply.parent_id == top.pk and deeper.parent_id == top.pk


def test_comment_counts_scores_and_notifies_post_and_parent_authors(member, other):
    third = UserFactory(username="cara")
    post = post_create(actor=member, body="Question", audience="everyone")
    before = Post.objects.get(pk=post.pk).hot_score
    top = comment_create(actor=other, post=post, body="Answer **bold**")
    comment_create(actor=third, post=post, body="Me too @ben", parent=top)
    post.refresh_from_db()
    assert post.comment_count == 2
    assert post.hot_score == pytest.approx(hot_score(reaction_count=0, comment_count=2, created_at=post.created_at))
    assert post.hot_score > before
    assert "<strong>bold</strong>" in Comment.objects.get(pk=top.pk).body_html
    got = sorted(Notification.objects.values_list("recipient__username", "kind", "verb"))
    assert got == [
        ("ben", "reply", "Cara replied to your comment"),  # the reply notice covers the mention too
        ("maya", "reply", "Ben commented on your post"),
        ("maya", "reply", "Cara commented on your post"),
    ]


def test_comment_delete_moves_counters_back(member, other):
    post = post_create(actor=member, body="Q", audience="everyone")
    comment = comment_create(actor=other, post=post, body="A")
    with pytest.raises(PermissionDenied):
        comment_delete(actor=member, comment=comment)
    comment_delete(actor=other, comment=comment)
    post.refresh_from_db()
    assert post.comment_count == 0 and Comment.objects.get(pk=comment.pk).status == ContentStatus.DELETED


def test_comment_in_a_private_pod_is_404_for_outsiders_and_checked_by_rules(member, other, monkeypatch):
    pod = PodFactory(privacy="invite")
    join(member, pod)
    post = post_create(actor=member, pod=pod, body="inside", audience="everyone")
    with pytest.raises(Http404):
        comment_create(actor=other, post=post, body="peek")
    seen = {}
    monkeypatch.setattr(comment_services, "content_check",
                        lambda **kw: seen.update(kw) or CheckOutcome(status="held", body=kw["body"]))
    held = comment_create(actor=member, post=post, body="hmm")
    assert seen["kind"] == "comment" and seen["pod"] == pod
    assert held.status == ContentStatus.HELD
    post.refresh_from_db()
    assert post.comment_count == 0  # held comments count once published


def test_reaction_toggles_and_moves_counters_and_score(member, other):
    post = post_create(actor=member, body="Cute", audience="everyone")
    assert reaction_toggle(actor=other, kind="paw", post=post) is True
    assert reaction_toggle(actor=other, kind="heart", post=post) is True
    post.refresh_from_db()
    assert (post.paw_count, post.heart_count, post.reaction_count) == (1, 1, 2)
    assert post.hot_score == pytest.approx(hot_score(reaction_count=2, comment_count=0, created_at=post.created_at))
    assert reaction_toggle(actor=other, kind="paw", post=post) is False
    post.refresh_from_db()
    assert (post.paw_count, post.heart_count, post.reaction_count) == (0, 1, 1)
    assert Reaction.objects.filter(member=other, post=post).count() == 1


def test_reactions_batch_into_one_unread_notification(member):
    post = post_create(actor=member, body="Cute", audience="everyone")
    reactors = [UserFactory() for _ in range(3)]
    for user in reactors:
        reaction_toggle(actor=user, kind="paw", post=post)
    reaction_toggle(actor=reactors[0], kind="hug", post=post)  # same member again: still 3 members
    reaction_toggle(actor=member, kind="paw", post=post)  # own reaction: no notice
    rows = list(Notification.objects.filter(recipient=member, kind="reaction"))
    assert len(rows) == 1
    assert (rows[0].actor_count, rows[0].verb) == (3, "3 members reacted to your post")
    notification_mark_all_read(actor=member)
    reaction_toggle(actor=UserFactory(display_name="Zed"), kind="hug", post=post)
    fresh = Notification.objects.filter(recipient=member, kind="reaction", read_at__isnull=True).get()
    assert (fresh.actor_count, fresh.verb) == (1, "Zed reacted to your post")


def test_comment_reactions_notify_the_comment_author(member, other):
    post = post_create(actor=member, body="Q", audience="everyone")
    comment = comment_create(actor=other, post=post, body="A")
    reaction_toggle(actor=member, kind="helpful", post=None, comment=comment)
    comment.refresh_from_db()
    assert (comment.helpful_count, comment.reaction_count) == (1, 1)
    assert Notification.objects.get(kind="reaction").recipient == other


def test_reacting_in_a_pod_needs_membership(member, other):
    pod = PodFactory()  # open: anyone may read
    join(member, pod)
    post = post_create(actor=member, pod=pod, body="hi", audience="everyone")
    with pytest.raises(PermissionDenied):
        reaction_toggle(actor=other, kind="paw", post=post)


def test_reaction_broadcasts_counts_only(member, other, listen, django_capture_on_commit_callbacks):
    post = post_create(actor=member, body="Cute", audience="everyone")
    listener = listen(COMMONS_GROUP)
    with django_capture_on_commit_callbacks(execute=True):
        reaction_toggle(actor=other, kind="paw", post=post)
    frames = [f for f in listener.frames() if f["type"] == "post.counts"]
    assert len(frames) == 1 and frames[0]["id"] == post.pk
    assert "data-counts-only" in frames[0]["html"] and 'aria-pressed="true"' not in frames[0]["html"]


def test_counters_sync_repairs_drift_and_rescores_only_those_posts(member, other):
    good = post_create(actor=member, body="good", audience="everyone")
    bad = post_create(actor=member, body="bad", audience="everyone")
    reaction_toggle(actor=other, kind="paw", post=good)
    reaction_toggle(actor=other, kind="paw", post=bad)
    Post.objects.filter(pk=bad.pk).update(paw_count=7, reaction_count=9, comment_count=4, hot_score=0)
    good_score = Post.objects.get(pk=good.pk).hot_score
    report = counters_sync()
    assert report.post_ids == [bad.pk]
    bad.refresh_from_db()
    assert (bad.paw_count, bad.reaction_count, bad.comment_count) == (1, 1, 0)
    assert bad.hot_score == pytest.approx(hot_score(reaction_count=1, comment_count=0, created_at=bad.created_at))
    assert Post.objects.get(pk=good.pk).hot_score == good_score


def test_counters_sync_command_reports_repairs(member, capsys):
    post = PostFactory(author=member)
    Post.objects.filter(pk=post.pk).update(heart_count=3, reaction_count=3)
    call_command("counters_sync")
    assert "Repaired 1 post(s)" in capsys.readouterr().out
    assert Post.objects.get(pk=post.pk).reaction_count == 0


def test_hot_rank_refresh_touches_only_recently_active_posts(member, other):
    old = post_create(actor=member, body="old", audience="everyone")
    recent = post_create(actor=member, body="recent", audience="everyone")
    reaction_toggle(actor=other, kind="paw", post=old)
    Reaction.objects.filter(post=old).update(created_at=timezone.now() - timedelta(hours=2))
    Post.objects.filter(pk__in=[old.pk, recent.pk]).update(hot_score=0)  # stale scores on both
    reaction_toggle(actor=other, kind="paw", post=recent)
    Post.objects.filter(pk=recent.pk).update(hot_score=0)
    assert recent_counters_refresh(minutes=15) == 1
    assert Post.objects.get(pk=old.pk).hot_score == 0  # untouched: never re-ranked
    assert Post.objects.get(pk=recent.pk).hot_score > 0
