"""Every moderation page through the test client: permissions (404/403), forms, and query counts."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import ContentStatus, Post
from moderation.models import ModeratorAssignment, QueueItem, Report, Rule
from moderation.scopes import COMMONS, scope_for_pod
from moderation.services import actions
from moderation.services.queue import queue_item_claim, queue_item_open
from moderation.services.reports import report_create
from moderation.services.rules import rule_create
from tests.factories import PodFactory, PostFactory, UserFactory, join

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def held(pod, n=1):
    items = []
    for _ in range(n):
        author = UserFactory()
        join(author, pod)
        post = PostFactory(pod=pod, author=author, status=ContentStatus.HELD)
        items.append(queue_item_open(kind="held", scope=scope_for_pod(pod), subject=author, post=post)[0])
    return items


def test_queue_page_lists_items_and_members_get_403(client, steward, pod, member):
    item = held(pod)[0]
    body = login(client, steward).get("/moderation/queue/").content.decode()
    assert f'id="queue-item-{item.pk}"' in body and 'data-stream="/ws/moderation/queue/"' in body
    assert login(client, member).get("/moderation/queue/").status_code == 403
    client.logout()
    assert client.get("/moderation/queue/").status_code == 302


def test_queue_page_costs_the_same_queries_for_2_or_20_items(client, steward, pod, django_assert_num_queries):
    held(pod, 2)
    login(client, steward)
    client.get("/moderation/queue/")  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get("/moderation/queue/").status_code == 200
    held(pod, 18)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/moderation/queue/")
    assert response.content.decode().count('class="card desk-row" id="queue-item-') == 20


def test_item_page_and_actions_through_the_client(client, steward, pod, other_pod):
    item = held(pod)[0]
    login(client, steward)
    assert client.get(f"/moderation/queue/{item.pk}/").status_code == 200
    response = client.post(f"/moderation/queue/{item.pk}/act/", {"action": "remove", "remove_reason": ""})
    assert response.status_code == 400 and "Give the author a reason" in response.content.decode()
    response = client.post(f"/moderation/queue/{item.pk}/act/", {"action": "remove", "remove_reason": "Spam"})
    assert response.status_code == 302
    assert Post.objects.get(pk=item.post_id).status == "removed"
    foreign = held(other_pod)[0]
    assert client.get(f"/moderation/queue/{foreign.pk}/").status_code == 404
    assert client.post(f"/moderation/queue/{foreign.pk}/act/", {"action": "approve"}).status_code == 404
    assert client.post(f"/moderation/queue/{foreign.pk}/claim/").status_code == 404


def test_claimed_item_shows_who_has_it_and_refuses_others_with_403(client, steward, manager, pod):
    item = held(pod)[0]
    queue_item_claim(actor=steward, item_id=item.pk)
    login(client, manager)
    assert "Steward is handling this" in client.get(f"/moderation/queue/{item.pk}/").content.decode()
    response = client.post(f"/moderation/queue/{item.pk}/act/", {"action": "approve"})
    assert response.status_code == 403 and "is handling this item" in response.content.decode()
    assert client.post(f"/moderation/queue/{item.pk}/claim/").status_code == 302


def test_bulk_form(client, steward, pod):
    items = held(pod, 3)
    login(client, steward)
    response = client.post("/moderation/queue/bulk/", {"items": [i.pk for i in items], "action": "remove",
                                                       "reason": "Spam wave"})
    assert response.status_code == 302
    assert QueueItem.objects.filter(status="resolved").count() == 3


def test_log_page(client, steward, pod):
    item = held(pod)[0]
    actions.item_remove(actor=steward, item_id=item.pk, reason="Spam")
    body = login(client, steward).get("/moderation/log/").content.decode()
    assert "Removed" in body and "Spam" in body


def test_rules_pages_create_edit_toggle_and_errors(client, steward, pod, pod_scope):
    login(client, steward)
    assert client.get("/moderation/rules/").status_code == 200
    assert client.get("/moderation/rules/new/").status_code == 200
    bad = client.post("/moderation/rules/new/", {"scope": f"pod:{pod.pk}", "kind": "watched_word", "title": "Bad",
                                                 "enabled": "on", "match": "regex", "pattern": "(a+)+$",
                                                 "action": "block"})
    body = bad.content.decode()
    assert bad.status_code == 400 and "Nested repeats" in body and 'value="Bad"' in body
    ok = client.post("/moderation/rules/new/", {"scope": f"pod:{pod.pk}", "kind": "watched_word", "title": "Sales",
                                                "enabled": "on", "match": "word", "pattern": "sale", "action": "hold"})
    assert ok.status_code == 302
    rule = Rule.objects.get(title="Sales")
    again = client.post("/moderation/rules/new/", {"scope": f"pod:{pod.pk}", "kind": "watched_word",
                                                   "title": "Dup", "enabled": "on", "match": "word",
                                                   "pattern": "SALE", "action": "block"})
    assert again.status_code == 400 and "Overlaps the rule" in again.content.decode()
    assert client.get(f"/moderation/rules/{rule.pk}/").status_code == 200
    edit = client.post(f"/moderation/rules/{rule.pk}/", {"title": "Sales!", "enabled": "on", "match": "word",
                                                        "pattern": "sale", "action": "block"})
    assert edit.status_code == 302 and Rule.objects.get(pk=rule.pk).settings["action"] == "block"
    assert client.post(f"/moderation/rules/{rule.pk}/toggle/").status_code == 302
    assert not Rule.objects.get(pk=rule.pk).enabled


def test_rules_of_another_pod_are_404_and_inherited_ones_403(client, steward, manager, other_pod, region_scope,
                                                             commons):
    foreign = rule_create(actor=manager, scope=scope_for_pod(other_pod), kind="new_member", title="Theirs",
                          settings={"first_n": 1})
    inherited = rule_create(actor=manager, scope=region_scope, kind="slow_mode", title="Region calm",
                            settings={"seconds": 30})
    login(client, steward)
    assert client.get(f"/moderation/rules/{foreign.pk}/").status_code == 404
    assert client.post(f"/moderation/rules/{foreign.pk}/toggle/").status_code == 404
    assert client.get(f"/moderation/rules/{inherited.pk}/").status_code == 403
    listing = client.get("/moderation/rules/").content.decode()
    assert "Region calm" in listing and "Theirs" not in listing
    response = client.post("/moderation/rules/new/", {"scope": f"pod:{other_pod.pk}", "kind": "new_member",
                                                      "title": "x", "first_n": 2})
    assert response.status_code == 400  # not a scope they may choose


def test_report_page_and_404_for_unreadable(client, pod, member):
    post = PostFactory(pod=pod, author=member)
    reporter = UserFactory(date_joined=timezone.now() - timedelta(days=10))
    join(reporter, pod)
    login(client, reporter)
    assert client.get(f"/moderation/report/post/{post.pk}/").status_code == 200
    response = client.post(f"/moderation/report/post/{post.pk}/?next=/posts/{post.pk}/",
                           {"reason": "other", "text": ""})
    assert response.status_code == 400 and "Tell the moderators" in response.content.decode()
    response = client.post(f"/moderation/report/post/{post.pk}/", {"reason": "spam", "next": f"/posts/{post.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/posts/{post.pk}/"
    assert Report.objects.count() == 1
    hidden = PostFactory(author=member, status=ContentStatus.HELD, body="secret words")
    missing = client.get(f"/moderation/report/post/{hidden.pk}/")
    assert missing.status_code == 404 and "secret words" not in missing.content.decode()
    assert client.get(f"/moderation/report/member/{member.username}/").status_code == 200
    comment_post = PostFactory()
    from tests.factories import CommentFactory

    comment = CommentFactory(post=comment_post)
    assert client.get(f"/moderation/report/comment/{comment.pk}/").status_code == 200
    assert client.get("/moderation/report/post/abc/").status_code == 404


def test_appeal_page(client, steward, pod, member):
    post = PostFactory(pod=pod, author=member)
    report_create(actor=steward, post=post, reason="spam")
    actions.item_remove(actor=steward, item_id=QueueItem.objects.get().pk, reason="Spam")
    login(client, member)
    assert "Spam" in client.get(f"/moderation/appeal/post/{post.pk}/").content.decode()
    assert client.post(f"/moderation/appeal/post/{post.pk}/", {"text": ""}).status_code == 400
    assert client.post(f"/moderation/appeal/post/{post.pk}/", {"text": "Not spam"}).status_code == 302
    assert "already appealed" in client.get(f"/moderation/appeal/post/{post.pk}/").content.decode()
    login(client, steward)
    assert client.get(f"/moderation/appeal/post/{post.pk}/").status_code == 404


def test_report_link_and_pod_summary_includes_render(rf, pod, member):
    from django.template.loader import render_to_string

    from moderation.selectors import pod_moderation_summary

    post = PostFactory(pod=pod, author=member)
    viewer = UserFactory()
    request = rf.get("/")
    html = render_to_string("moderation/_report_link.html", {"post": post, "user": viewer, "request": request})
    assert f"/moderation/report/post/{post.pk}/" in html
    assert render_to_string("moderation/_report_link.html", {"post": post, "user": member, "request": request}) \
        .strip() == ""
    summary = render_to_string("moderation/_pod_summary.html", {"summary": pod_moderation_summary(pod)})
    assert "Nothing removed or stopped lately." in summary


def test_nav_badge_counts_the_queue(client, steward, pod):
    held(pod, 2)
    body = login(client, steward).get("/moderation/rules/").content.decode()
    assert 'data-queue-count>2<' in body


def test_post_page_has_report_links_and_pod_page_the_summary(client, pod, member, steward):
    from tests.factories import CommentFactory

    post = PostFactory(pod=pod, author=member)
    comment = CommentFactory(post=post, author=member)
    actions.item_remove(actor=steward, item_id=held(pod)[0].pk, reason="Spam")
    body = login(client, steward).get(f"/posts/{post.pk}/").content.decode()
    assert f"/moderation/report/post/{post.pk}/" in body and f"/moderation/report/comment/{comment.pk}/" in body
    pod_page = client.get(f"/pods/{pod.slug}/").content.decode()
    assert "Moderation here (last 90 days)" in pod_page and "Other moderator decisions: 1" in pod_page


def test_member_report_link_renders_for_others_only(rf, member):
    from django.template.loader import render_to_string

    viewer = UserFactory()
    ctx = {"member": member, "post": None, "request": rf.get("/")}
    assert f"/moderation/report/member/{member.username}/" in render_to_string(
        "moderation/_report_link.html", {**ctx, "user": viewer})
    assert render_to_string("moderation/_report_link.html", {**ctx, "user": member}).strip() == ""


def _queue_in_every_scope(pod, other_pod, region_scope):
    """55 open items across the Commons, a region, a pod in that region and a pod outside it (one more than
    a page), and a dozen pods with nothing waiting."""
    idle = [PodFactory(name=f"Idle {i:02}", slug=f"idle-{i:02}") for i in range(12)]
    items = []
    for i in range(15):
        author = UserFactory()
        if i % 3:
            post = PostFactory(pod=None, author=author, status=ContentStatus.HELD)
            items.append(queue_item_open(kind="held", scope=COMMONS, subject=author, post=post)[0])
        else:
            items.append(queue_item_open(kind="report", scope=region_scope, subject=author, member=author)[0])
    return items + held(pod, 20) + held(other_pod, 20), idle


def test_manager_queue_costs_the_same_queries_on_page_1_and_deep_pages(client, manager, pod, other_pod,
                                                                        region_scope, django_assert_num_queries):
    items, idle = _queue_in_every_scope(pod, other_pod, region_scope)
    login(client, manager).get("/moderation/queue/")  # warm the session and caches
    # manager group (the session and the member come from the caches); regions, pods; count, page ids,
    # rows; log, reports, rungs, notes; reasons
    with django_assert_num_queries(11):
        first = client.get("/moderation/queue/").content.decode()
    assert first.count('class="card desk-row" id="queue-item-') == 50
    after = re.search(r'after=([^"&]+)"', first).group(1)
    with django_assert_num_queries(11):
        deep = client.get(f"/moderation/queue/?after={after}").content.decode()
    assert deep.count('class="card desk-row" id="queue-item-') == 5
    shown = re.findall(r'class="card desk-row" id="queue-item-(\d+)"', first + deep)
    assert sorted(map(int, shown)) == sorted(i.pk for i in items)
    assert "<span data-queue-total>55</span> waiting" in deep


def test_queue_filter_offers_the_pods_with_items_waiting_not_every_pod(client, manager, pod, other_pod,
                                                                       region, region_scope):
    _, idle = _queue_in_every_scope(pod, other_pod, region_scope)
    body = login(client, manager).get("/moderation/queue/").content.decode()
    options = re.findall(r'<option value="([^"]*)"', body.split('id="id_scope"')[1].split("</select>")[0])
    assert options == ["", "commons", f"region:{region.pk}", f"pod:{other_pod.pk}", f"pod:{pod.pk}"]
    # A pod with nothing waiting still filters (to an empty page), as it did when every pod was listed.
    body = client.get(f"/moderation/queue/?scope=pod:{idle[0].pk}").content.decode()
    assert f'<option value="pod:{idle[0].pk}" selected>Pod: Idle 00</option>' in body
    assert "<span data-queue-total>0</span> waiting (filtered)" in body
    body = client.get(f"/moderation/queue/?scope=region:{region.pk}&kind=report").content.decode()
    assert "<span data-queue-total>5</span> waiting (filtered)" in body


def test_a_stewards_queue_filter_keeps_their_own_pods_and_ignores_other_pods(client, steward, pod, other_pod,
                                                                             region_scope):
    _queue_in_every_scope(pod, other_pod, region_scope)
    quiet = PodFactory(name="Quiet corner", slug="quiet-corner")
    join(steward, quiet, rung="trusted", role="steward")
    body = login(client, steward).get("/moderation/queue/").content.decode()
    options = re.findall(r'<option value="([^"]*)"', body.split('id="id_scope"')[1].split("</select>")[0])
    assert options == ["", f"pod:{quiet.pk}", f"pod:{pod.pk}"]
    # Another pod's key is no choice of theirs: the filters are dropped, as before (their 20 items, no others).
    body = client.get(f"/moderation/queue/?scope=pod:{other_pod.pk}&kind=report").content.decode()
    assert "<span data-queue-total>20</span> waiting, oldest first" in body and "Cat people" not in body


def test_a_region_moderators_queue_filter_lists_their_region_and_its_pods_with_items(client, pod, other_pod, region,
                                                                                    region_scope):
    _queue_in_every_scope(pod, other_pod, region_scope)
    mod = UserFactory(username="regionmod")
    ModeratorAssignment.objects.create(member=mod, scope_kind="region", region=region)
    body = login(client, mod).get("/moderation/queue/").content.decode()
    options = re.findall(r'<option value="([^"]*)"', body.split('id="id_scope"')[1].split("</select>")[0])
    assert options == ["", f"region:{region.pk}", f"pod:{pod.pk}"]
    assert "<span data-queue-total>25</span> waiting, oldest first" in body  # 5 region items, 20 in its pod
