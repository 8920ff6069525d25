"""The moderator's desk: row actions (htmx and without JavaScript), removal reasons per scope, notes,
each row's author history in a fixed number of queries, timed bans, log filters, and the badge and the
list agreeing (count and order)."""

import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import ContentStatus, Post
from microgroups.models import Membership
from microgroups.services.membership import is_banned
from moderation import selectors
from moderation.models import ModerationLogEntry, ModeratorAssignment, ModeratorNote, QueueItem, RemovalReason
from moderation.scopes import COMMONS, scope_for_pod
from moderation.services import actions
from moderation.services.bans import bans_lift_expired
from moderation.services.notes import moderator_note_create, moderator_note_delete
from moderation.services.queue import queue_item_claim, queue_item_open
from moderation.services.reasons import removal_reason_create, removal_reason_delete, removal_reason_update
from moderation.services.reports import report_create
from moderation.tasks import bans_lift
from tests.factories import PodFactory, PostFactory, UserFactory, join

from .conftest import fresh

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def held(pod, *, author=None, age_minutes=0):
    if author is None:
        author = UserFactory()
        join(author, pod)
    post = PostFactory(pod=pod, author=author, status=ContentStatus.HELD, body=f"Held words {author.username}")
    item = queue_item_open(kind="held", scope=scope_for_pod(pod), subject=author, post=post)[0]
    if age_minutes:
        QueueItem.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(minutes=age_minutes))
        item.refresh_from_db()
    return item


@pytest.fixture
def other_steward(other_pod):
    user = UserFactory(username="otherstew")
    join(user, other_pod, rung="trusted", role="steward")
    return user


@pytest.fixture
def region_mod(manager, region):
    user = UserFactory(username="regionmod")
    ModeratorAssignment.objects.create(member=user, scope_kind="region", region=region)
    return user


# --- removal reasons: per scope, inherited downward ------------------------------------------------------------

def test_reasons_are_offered_in_their_scope_and_beneath_it_only(manager, steward, pod, pod_scope, region_scope,
                                                                other_pod):
    commons = removal_reason_create(actor=manager, scope=COMMONS, title="Spam", text="This is spam.")
    regional = removal_reason_create(actor=manager, scope=region_scope, title="Local rules", text="Not here.")
    mine = removal_reason_create(actor=steward, scope=pod_scope, title="Dog politics", text="Off topic here.")
    elsewhere = removal_reason_create(actor=manager, scope=scope_for_pod(other_pod), title="Cats only",
                                      text="This pod is about cats.")
    item = held(pod)
    foreign = held(other_pod)
    offered = selectors.reasons_for_items([item, foreign])
    assert [r.pk for r in offered[item.pk]] == [commons.pk, regional.pk, mine.pk]
    assert [r.pk for r in offered[foreign.pk]] == [commons.pk, elsewhere.pk]
    with pytest.raises(PermissionDenied):  # a steward writes reasons for their pod, not the Commons
        removal_reason_create(actor=steward, scope=COMMONS, title="Mine", text="Everywhere")
    with pytest.raises(PermissionDenied):  # inherited from above: read-only for the pod's steward
        removal_reason_update(actor=steward, reason=commons, title="Changed", text="Changed")
    removal_reason_update(actor=steward, reason=mine, title="Dog politics", text="Keep politics out.")
    assert RemovalReason.objects.get(pk=mine.pk).text == "Keep politics out."
    with pytest.raises(Http404):  # another pod's reason does not exist for this steward
        removal_reason_delete(actor=steward, reason=elsewhere)
    removal_reason_delete(actor=steward, reason=mine)
    assert not RemovalReason.objects.filter(pk=mine.pk).exists()


def test_reason_validation_names_the_field(steward, pod_scope):
    with pytest.raises(ValidationError) as empty:
        removal_reason_create(actor=steward, scope=pod_scope, title="  ", text="")
    assert set(empty.value.message_dict) == {"title", "text"}
    with pytest.raises(ValidationError) as long:
        removal_reason_create(actor=steward, scope=pod_scope, title="Fine", text="x" * 501)
    assert long.value.message_dict["text"] == ["Keep the reason to 500 characters (it has 501)."]


def test_removing_with_a_reusable_reason_sends_its_text(steward, manager, pod, pod_scope, other_pod):
    reason = removal_reason_create(actor=steward, scope=pod_scope, title="Selling", text="No selling animals here.")
    foreign = removal_reason_create(actor=manager, scope=scope_for_pod(other_pod), title="Cats", text="Cats only.")
    item = held(pod)
    with pytest.raises(ValidationError) as wrong:
        actions.item_remove(actor=steward, item_id=item.pk, reason="", reason_id=foreign.pk)
    assert "template" in wrong.value.message_dict
    actions.item_remove(actor=steward, item_id=item.pk, reason="", reason_id=reason.pk)
    post = Post.objects.get(pk=item.post_id)
    assert (post.status, post.removal_reason) == ("removed", "No selling animals here.")
    assert ModerationLogEntry.objects.get(action="remove").reason == "No selling animals here."
    second = held(pod)
    actions.item_remove(actor=steward, item_id=second.pk, reason="Own words win", reason_id=reason.pk)
    assert Post.objects.get(pk=second.post_id).removal_reason == "Own words win"


# --- row actions: htmx and without JavaScript ---------------------------------------------------------------------

def test_row_approve_over_htmx_drops_the_row_and_says_so(client, steward, pod):
    item = held(pod)
    client.force_login(steward)
    response = client.post(f"/moderation/queue/{item.pk}/act/", {"desk": "row", "action": "approve"}, **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="queue-item-{item.pk}"' not in body  # the swap leaves nothing where the row was
    assert 'id="desk-status"' in body and f"Approved: item #{item.pk}." in body and "data-hx-swap-oob" in body
    assert QueueItem.objects.get(pk=item.pk).resolution == "approved"
    assert Post.objects.get(pk=item.post_id).status == "published"


def test_row_remove_with_a_template_over_htmx(client, steward, pod, pod_scope):
    reason = removal_reason_create(actor=steward, scope=pod_scope, title="Spam", text="Spam is removed.")
    item = held(pod)
    client.force_login(steward)
    page = client.get("/moderation/queue/").content.decode()
    assert f'<option value="{reason.pk}">Spam</option>' in page  # the row offers the pod's reasons
    assert f'data-hx-post="/moderation/queue/{item.pk}/act/"' in page and 'action="/moderation/queue/' in page
    response = client.post(f"/moderation/queue/{item.pk}/act/", {"desk": "row", "action": "remove",
                                                                  "remove_template": str(reason.pk),
                                                                  "remove_reason": ""}, **HX)
    assert response.status_code == 200 and "Removed: item" in response.content.decode()
    assert Post.objects.get(pk=item.post_id).removal_reason == "Spam is removed."


def test_row_escalate_without_javascript_redirects_back_to_the_queue(client, steward, pod, region):
    item = held(pod)
    client.force_login(steward)
    response = client.post(f"/moderation/queue/{item.pk}/act/", {"desk": "row", "action": "escalate",
                                                                  "escalate_reason": "Needs the region"})
    assert response.status_code == 302 and response.url == "/moderation/queue/"
    item.refresh_from_db()
    assert (item.scope_kind, item.region_id) == ("region", region.pk)
    assert f"Escalated: item #{item.pk}." in client.get("/moderation/queue/").content.decode()


def test_row_remove_without_javascript_works(client, steward, pod):
    item = held(pod)
    client.force_login(steward)
    response = client.post(f"/moderation/queue/{item.pk}/act/", {"desk": "row", "action": "remove",
                                                                  "remove_reason": "Spam"})
    assert response.status_code == 302
    assert Post.objects.get(pk=item.post_id).status == "removed"


@pytest.mark.parametrize("htmx", [True, False])
def test_an_empty_removal_reason_gets_a_message_at_the_field(client, steward, pod, htmx):
    item = held(pod)
    client.force_login(steward)
    response = client.post(f"/moderation/queue/{item.pk}/act/", {"desk": "row", "action": "remove",
                                                                  "remove_reason": "  "}, **(HX if htmx else {}))
    body = response.content.decode()
    assert response.status_code == (200 if htmx else 400)
    error = re.search(rf'id="q{item.pk}-remove_reason_error"><p>([^<]+)</p>', body)
    assert error and error.group(1) == "Give the author a reason: they will see it."
    assert Post.objects.get(pk=item.post_id).status == "held"


@pytest.mark.parametrize("htmx", [True, False])
def test_a_too_long_removal_reason_is_refused_and_the_text_kept(client, steward, pod, htmx):
    item = held(pod)
    text = "Too long " + "x" * 500
    client.force_login(steward)
    response = client.post(f"/moderation/queue/{item.pk}/act/", {"desk": "row", "action": "remove",
                                                                  "remove_reason": text}, **(HX if htmx else {}))
    body = response.content.decode()
    assert response.status_code == (200 if htmx else 400)
    assert "Ensure this value has at most 500 characters (it has 509)." in body
    assert f'id="q{item.pk}-remove_reason_error"' in body
    assert f"{text}</textarea>" in body  # what they typed is still there to shorten
    assert QueueItem.objects.get(pk=item.pk).status == "open"


def test_reason_page_keeps_the_text_on_bad_input(client, steward, pod):
    client.force_login(steward)
    long_text = "y" * 501
    response = client.post("/moderation/reasons/", {"scope": f"pod:{pod.pk}", "title": "", "text": long_text})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_title_error"><p>This field is required.</p>' in body
    assert 'id="id_text_error"><p>Ensure this value has at most 500 characters (it has 501).</p>' in body
    assert f"{long_text}</textarea>" in body
    ok = client.post("/moderation/reasons/", {"scope": f"pod:{pod.pk}", "title": "Spam", "text": "It is spam."})
    assert ok.status_code == 302 and RemovalReason.objects.get().pod_id == pod.pk


def test_live_row_fetches_the_viewers_own_desk(client, steward, pod, other_steward, other_pod):
    item = held(pod)
    client.force_login(steward)
    body = client.get(f"/moderation/queue/{item.pk}/row/", **HX).content.decode()
    assert body.strip().startswith(f'<li class="card desk-row" id="queue-item-{item.pk}"')
    assert "csrfmiddlewaretoken" in body
    assert client.get(f"/moderation/queue/{held(other_pod).pk}/row/", **HX).status_code == 404
    actions.item_approve(actor=steward, item_id=item.pk)
    assert client.get(f"/moderation/queue/{item.pk}/row/", **HX).content == b""  # decided: the row goes


# --- author history and notes -------------------------------------------------------------------------------------

def test_each_row_shows_the_authors_history_in_my_scopes(steward, pod, member, other_pod, manager):
    first = held(pod, author=member)
    actions.item_remove(actor=steward, item_id=first.pk, reason="Spam")
    warn_item = held(pod, author=member)
    actions.item_warn(actor=steward, item_id=warn_item.pk, message="Calm down")
    actions.item_mute(actor=steward, item_id=warn_item.pk, hours=2, reason="Cool off")
    join(member, other_pod)
    elsewhere = held(other_pod, author=member)
    actions.item_remove(actor=manager, item_id=elsewhere.pk, reason="Not in your pod")  # not the steward's log
    Membership.objects.filter(pod=pod, member=member).update(rung="regular")
    row = selectors.queue_desk(fresh(steward), [QueueItem.objects.get(pk=warn_item.pk)])[0]
    h = row.history
    assert (h.removals, h.warnings, h.mutes, h.bans, h.rung, h.pod_status) == (1, 1, 1, 0, "regular", "active")
    everywhere = selectors.queue_desk(fresh(manager), [QueueItem.objects.get(pk=warn_item.pk)])[0].history
    assert everywhere.removals == 2


def test_reports_against_a_member_count_in_their_history(steward, pod, member):
    posts = [PostFactory(pod=pod, author=member) for _ in range(2)]
    for post in posts:
        for _ in range(2 if post is posts[0] else 1):
            someone = UserFactory(date_joined=timezone.now() - timedelta(days=30))
            join(someone, pod)
            report_create(actor=someone, post=post, reason="spam")
    item = QueueItem.objects.get(post=posts[0])
    assert selectors.queue_desk(steward, [item])[0].history.reports == 3


def test_queue_page_queries_do_not_grow_with_rows(client, steward, manager, pod, pod_scope, city,
                                                  django_assert_num_queries):
    second_pod = PodFactory(name="Second", slug="second", region=city)
    join(steward, second_pod, rung="trusted", role="steward")
    removal_reason_create(actor=manager, scope=COMMONS, title="Spam", text="Spam.")
    removal_reason_create(actor=steward, scope=pod_scope, title="Local", text="Local.")

    def rows(n):
        for i in range(n):
            item = held(pod if i % 2 else second_pod)
            moderator_note_create(actor=steward, member=item.subject, scope=scope_for_pod(item.pod), text=f"n{i}")
            ModerationLogEntry.objects.create(actor=steward, action="warn", subject=item.subject,
                                              scope_kind="pod", pod=item.pod, region_id=item.region_id,
                                              content_pod=item.pod)

    rows(2)
    client.force_login(steward)
    client.get("/moderation/queue/")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/moderation/queue/").status_code == 200
    rows(18)
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get("/moderation/queue/").content.decode()
    assert body.count('class="card desk-row" id="queue-item-') == 20
    assert body.count('data-history="warnings">1 warning<') == 20 and body.count("<span class=\"pill\">Note") == 20


def test_notes_are_for_the_moderators_of_their_scope_and_above(client, steward, member, pod, pod_scope,
                                                               other_steward, region_mod, manager):
    note = moderator_note_create(actor=steward, member=member, scope=pod_scope, text="Sells puppies in DMs")
    assert [n.pk for n in selectors.notes_visible(fresh(steward))] == [note.pk]
    assert [n.pk for n in selectors.notes_visible(fresh(region_mod))] == [note.pk]  # the region above
    assert [n.pk for n in selectors.notes_visible(fresh(manager))] == [note.pk]
    assert list(selectors.notes_visible(fresh(other_steward))) == []
    client.force_login(steward)
    assert "Sells puppies in DMs" in client.get(f"/moderation/members/{member.username}/").content.decode()
    client.force_login(other_steward)
    assert "Sells puppies" not in client.get(f"/moderation/members/{member.username}/").content.decode()
    assert client.post(f"/moderation/notes/{note.pk}/delete/").status_code == 404
    assert client.post("/moderation/notes/987654/delete/").status_code == 404
    client.force_login(region_mod)
    assert client.post(f"/moderation/notes/{note.pk}/delete/").status_code == 403  # sees it, not theirs
    with pytest.raises(PermissionDenied):  # a pod's steward writes no Commons notes
        moderator_note_create(actor=steward, member=member, scope=COMMONS, text="x")
    moderator_note_delete(actor=steward, note=note)
    assert not ModeratorNote.objects.exists()


def test_note_form_checks_length_and_keeps_the_text(client, steward, member, pod):
    client.force_login(steward)
    text = "z" * 1001
    response = client.post(f"/moderation/members/{member.username}/notes/", {"scope": f"pod:{pod.pk}",
                                                                             "text": text})
    body = response.content.decode()
    assert response.status_code == 400 and "at most 1000 characters" in body and f"{text}</textarea>" in body
    ok = client.post(f"/moderation/members/{member.username}/notes/", {"scope": f"pod:{pod.pk}", "text": "Watch"})
    assert ok.status_code == 302
    note = ModeratorNote.objects.get()
    assert (note.scope_kind, note.pod_id, note.author_id, note.text) == ("pod", pod.pk, steward.pk, "Watch")


# --- timed bans ---------------------------------------------------------------------------------------------------

def test_a_timed_ban_ends_by_itself_and_the_lift_is_logged(steward, pod, member):
    item = held(pod, author=member)
    start = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=start):
        actions.item_ban(actor=steward, item_id=item.pk, reason="Cool off", days=3)
    membership = Membership.objects.get(pod=pod, member=member)
    assert membership.status == "banned" and membership.banned_until == start + timedelta(days=3)
    assert is_banned(pod, member, now=start + timedelta(days=3, seconds=-1))
    assert not is_banned(pod, member, now=start + timedelta(days=3, seconds=1))  # read: over when `until` passes
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(days=2)):
        assert bans_lift_expired() == 0
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(days=3, minutes=1)):
        assert bans_lift.delay().get() == 1
    membership.refresh_from_db()
    assert (membership.status, membership.banned_until) == ("left", None)
    lift = ModerationLogEntry.objects.get(action="ban_lifted")
    assert (lift.actor_id, lift.subject_id, lift.content_pod_id, lift.scope_kind) == (None, member.pk, pod.pk, "pod")
    assert ModerationLogEntry.objects.get(action="ban").after.startswith("banned until ")


def test_a_ban_without_days_does_not_end_and_bad_days_are_refused(steward, pod, member):
    item = held(pod, author=member)
    with pytest.raises(ValidationError) as bad:
        actions.item_ban(actor=steward, item_id=item.pk, reason="x", days=0)
    assert "days" in bad.value.message_dict
    actions.item_ban(actor=steward, item_id=item.pk, reason="For good")
    assert Membership.objects.get(pod=pod, member=member).banned_until is None
    assert bans_lift_expired(now=timezone.now() + timedelta(days=4000)) == 0


# --- the log's filters --------------------------------------------------------------------------------------------

def test_log_filters_by_moderator_action_scope_and_date(client, manager, steward, pod, other_pod, member):
    def entry(actor, action, pod_, day):
        return ModerationLogEntry.objects.create(
            actor=actor, action=action, subject=member, scope_kind="pod" if pod_ else "commons", pod=pod_,
            content_pod=pod_, created_at=timezone.make_aware(timezone.datetime(2026, 3, day, 12)))

    a = entry(steward, "remove", pod, 1)
    b = entry(steward, "warn", pod, 5)
    c = entry(manager, "remove", other_pod, 5)
    d = entry(None, "ban_lifted", pod, 9)
    e = entry(manager, "approve", None, 10)

    def ids(**kw):
        return [x.pk for x in selectors.log_page(user=manager, filters=selectors.LogFilters(**kw)).entries]

    assert ids() == [e.pk, d.pk, c.pk, b.pk, a.pk]
    assert ids(actor_id=steward.pk) == [b.pk, a.pk]
    assert ids(actor_id=0) == [d.pk]
    assert ids(action="remove") == [c.pk, a.pk]
    assert ids(scope=f"pod:{pod.pk}") == [d.pk, b.pk, a.pk]
    assert ids(scope="commons") == [e.pk]
    assert ids(since=date(2026, 3, 5), until=date(2026, 3, 9)) == [d.pk, c.pk, b.pk]
    assert ids(actor_id=manager.pk, action="remove", since=date(2026, 3, 2)) == [c.pk]
    assert [x.pk for x in selectors.log_page(user=steward).entries] == [d.pk, b.pk, a.pk]  # own scope only
    client.force_login(manager)
    body = client.get("/moderation/log/", {"moderator": steward.pk, "action": "warn"}).content.decode()
    assert re.findall(r'data-log-entry="(\d+)"', body) == [str(b.pk)]
    bad = client.get("/moderation/log/", {"since": "2026-03-09", "until": "2026-03-01"})
    assert bad.status_code == 400 and "The end date comes before the start date." in bad.content.decode()


# --- the badge, the list and its order ----------------------------------------------------------------------------

def test_badge_equals_the_list_and_the_list_is_oldest_first(client, steward, pod):
    newest = held(pod, age_minutes=5)
    oldest = held(pod, age_minutes=90)
    middle = held(pod, age_minutes=30)
    client.force_login(steward)
    body = client.get("/moderation/queue/").content.decode()
    badge = re.search(r"data-queue-count>(\d+)<", body).group(1)
    total = re.search(r"data-queue-total>(\d+)<", body).group(1)
    rows = re.findall(r'<li class="card desk-row" id="queue-item-(\d+)"', body)
    assert badge == total == str(len(rows)) == "3"
    assert rows == [str(oldest.pk), str(middle.pk), str(newest.pk)]
    assert "oldest first" in body and 'data-append="yes"' in body


def test_a_later_page_says_newer_items_and_the_total_counts_them_all(client, steward, pod, monkeypatch):
    monkeypatch.setitem(selectors.queue_page.__kwdefaults__, "page_size", 2)
    items = [held(pod, age_minutes=60 - i) for i in range(3)]
    client.force_login(steward)
    body = client.get("/moderation/queue/").content.decode()
    assert re.search(r"data-queue-total>(\d+)<", body).group(1) == "3"
    assert re.findall(r'id="queue-item-(\d+)"', body) == [str(items[0].pk), str(items[1].pk)]
    assert ">Newer items</a>" in body and 'data-append="no"' in body


def test_bulk_bar_defaults_to_no_action(client, steward, pod):
    item = held(pod)
    client.force_login(steward)
    body = client.get("/moderation/queue/").content.decode()
    assert '<option value="" selected>Choose an action…</option>' in body
    assert '<option value="remove" selected' not in body
    response = client.post("/moderation/queue/bulk/", {"items": [item.pk], "reason": "x"})
    assert response.status_code == 302 and QueueItem.objects.get(pk=item.pk).status == "open"


def test_bulk_removal_takes_a_saved_reason_and_skips_items_outside_its_scope(client, manager, pod, pod_scope,
                                                                             other_pod):
    reason = removal_reason_create(actor=manager, scope=pod_scope, title="Selling", text="No selling animals here.")
    mine, another, foreign = held(pod), held(pod), held(other_pod)
    client.force_login(manager)
    body = client.get("/moderation/queue/").content.decode()
    assert f'<option value="{reason.pk}">Selling (Pod: {pod.name})</option>' in body
    response = client.post("/moderation/queue/bulk/", {"items": [mine.pk, another.pk, foreign.pk],
                                                       "action": "remove", "remove_template": reason.pk}, follow=True)
    page = response.content.decode()
    assert "2 items done." in page and f"#{foreign.pk}: Choose one of the reasons offered for this scope." in page
    removed = Post.objects.filter(pk__in=[mine.post_id, another.post_id]).values_list("status", "removal_reason")
    assert sorted(removed) == [("removed", "No selling animals here."), ("removed", "No selling animals here.")]
    assert Post.objects.get(pk=foreign.post_id).status == "held"
    assert QueueItem.objects.get(pk=foreign.pk).status == "open"


def test_claims_redraw_the_row_head_for_other_moderators(steward, manager, pod, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("communities.streams._send", lambda groups, message: sent.append((groups, message)))
    item = held(pod)
    with django_capture_on_commit_callbacks(execute=True):
        queue_item_claim(actor=steward, item_id=item.pk)
    frames = [m["frame"] for groups, m in sent if m["frame"]["type"] == "queue.update"]
    assert frames and frames[0]["id"] == item.pk
    assert f'id="queue-item-{item.pk}-head"' in frames[0]["html"] and "claimed by Steward" in frames[0]["html"]
    groups = {g for groups, m in sent if m["frame"]["type"] == "queue.update" for g in groups}
    assert groups == {f"moderation.queue.{manager.pk}", f"moderation.queue.{steward.pk}"}


def test_new_item_frames_carry_what_a_filtered_list_needs(steward, pod, region, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("communities.streams._send", lambda groups, message: sent.append((groups, message)))
    with django_capture_on_commit_callbacks(execute=True):
        item = held(pod)
    frame = next(m["frame"] for _, m in sent if m["frame"]["type"] == "queue.new")
    assert (frame["kind"], frame["scopes"]) == ("held", [f"pod:{pod.pk}", f"region:{region.pk}"])
    assert f'data-hx-get="/moderation/queue/{item.pk}/row/"' in frame["html"]
    assert "csrfmiddlewaretoken" not in frame["html"]  # rendered once for everyone: the row fetches its forms


def test_report_counts_in_a_history_cover_the_viewers_scopes_only(steward, pod, member, other_pod, manager):
    join(member, other_pod)
    for place, n in ((pod, 2), (other_pod, 3)):
        post = PostFactory(pod=place, author=member)
        for _ in range(n):
            someone = UserFactory(date_joined=timezone.now() - timedelta(days=30))
            join(someone, place)
            report_create(actor=someone, post=post, reason="spam")
    item = QueueItem.objects.get(post__pod=pod)
    assert selectors.queue_desk(fresh(steward), [item])[0].history.reports == 2
    assert selectors.queue_desk(fresh(manager), [item])[0].history.reports == 5
