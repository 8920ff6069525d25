"""Comment bodies on a post page: one shared HTML per comment (cached, read for the whole page at once), the
viewer's state filled in per page (communities/comment_cards.py), never the viewer's state, their own
comment's controls or a trusted-only post's comments in the cache."""

import re

import pytest
from django.core.cache import cache

from communities.comment_cards import body_key
from communities.models import Comment, Reaction
from communities.services.comments import comment_create
from communities.services.posts import post_create
from communities.services.reactions import reaction_toggle
from tests.factories import PodFactory, UserFactory, join

pytestmark = pytest.mark.django_db

KINDS = ["paw", "heart", "helpful", "hug"]


def _body(page: str, comment: Comment) -> str:
    """The comment's reaction row and what follows up to its reply form or the next comment."""
    return re.search(rf'id="comment-{comment.pk}-reactions">.*?</div>', page, re.S).group(0)


def _pressed(page: str, comment: Comment) -> dict[str, str]:
    return dict(re.findall(r'data-reaction="(\w+)" aria-pressed="(\w+)"', _body(page, comment)))


@pytest.fixture
def reader():
    return UserFactory(username="reader", display_name="Reader")


@pytest.fixture
def thread(member, other):
    post = post_create(actor=member, body="Which harness?", audience="everyone")
    return post, comment_create(actor=other, post=post, body="The padded one.")


def test_a_comment_has_one_reaction_form_with_a_button_per_kind_that_reacts(client, member, thread):
    post, comment = thread
    client.force_login(member)
    row = _body(client.get(f"/posts/{post.pk}/").content.decode(), comment)
    assert row.count(f'action="/comments/{comment.pk}/react/"') == 1
    assert re.findall(r'<button type="submit" name="kind" value="(\w+)"', row) == KINDS
    assert row.count('name="csrfmiddlewaretoken"') == 1

    response = client.post(f"/comments/{comment.pk}/react/", {"kind": "heart"})
    assert response.status_code == 302
    assert list(Reaction.objects.filter(comment=comment).values_list("member_id", "kind")) == [(member.pk, "heart")]
    assert _pressed(client.get(f"/posts/{post.pk}/").content.decode(), comment)["heart"] == "true"


def test_the_shared_body_holds_markers_and_each_viewer_gets_their_own_state(client, member, reader, thread):
    post, comment = thread
    reaction_toggle(actor=member, kind="heart", comment=comment)
    comment.refresh_from_db()
    client.force_login(member)
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert _pressed(page, comment) == {"paw": "false", "heart": "true", "helpful": "false", "hug": "false"}

    stored = cache.get(body_key(comment, signed_in=True))
    assert stored is not None and "The padded one." in stored
    assert f"<@cr {comment.pk} heart>" in stored and "<@csrf>" in stored and "<@creport" in stored
    assert "csrfmiddlewaretoken" not in stored and 'aria-pressed="true"' not in stored
    assert "Delete" not in stored

    client.force_login(reader)
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert _pressed(page, comment)["heart"] == "false"
    assert '<span class="reaction-count">1</span>' in _body(page, comment)
    assert f'/moderation/report/comment/{comment.pk}/?next=/posts/{post.pk}/' in _body(page, comment)
    assert "<@" not in page


def test_the_author_gets_their_controls_and_nobody_else_does(client, other, reader, thread):
    post, comment = thread
    client.force_login(reader)  # warms the shared body first
    reader_row = _body(client.get(f"/posts/{post.pk}/").content.decode(), comment)
    assert "Delete" not in reader_row and "Report" in reader_row

    client.force_login(other)
    author_row = _body(client.get(f"/posts/{post.pk}/").content.decode(), comment)
    assert f'action="/comments/{comment.pk}/delete/"' in author_row and "Report" not in author_row


def test_a_new_reaction_count_is_on_the_next_load(client, member, reader, thread):
    post, comment = thread
    client.force_login(reader)
    assert '<span class="reaction-count">0</span>' in _body(client.get(f"/posts/{post.pk}/").content.decode(), comment)
    reaction_toggle(actor=member, kind="paw", comment=comment)
    row = _body(client.get(f"/posts/{post.pk}/").content.decode(), comment)
    assert re.search(r'value="paw"[^>]*aria-pressed="false">.*?<span class="reaction-count">1</span>', row, re.S)


def test_visitors_get_counts_and_no_forms(client, member, thread):
    post, comment = thread
    reaction_toggle(actor=member, kind="hug", comment=comment)
    row = _body(client.get(f"/posts/{post.pk}/").content.decode(), comment)
    assert "<form" not in row and "Report" not in row
    assert re.findall(r'<span class="reaction"><span aria-hidden="true">', row) and "Hug" in row
    comment.refresh_from_db()
    assert "<form" not in cache.get(body_key(comment, signed_in=False))


def test_comments_on_a_trusted_only_post_are_never_shared(client, member, other):
    pod = PodFactory(slug="inner")
    join(member, pod, rung="trusted")
    join(other, pod, rung="trusted")
    post = post_create(actor=other, pod=pod, body="Just us", audience="trusted")
    comment = comment_create(actor=other, post=post, body="Only trusted eyes")
    client.force_login(member)
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert "Only trusted eyes" in page and _pressed(page, comment)["paw"] == "false"
    comment.refresh_from_db()
    assert cache.get(body_key(comment, signed_in=True)) is None
