"""Recent posts on a profile: the post's sanitised HTML (as saved), clipped, never its raw Markdown."""

import pytest

from communities.rendering import clip_html, render_markdown
from communities.services.posts import post_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_recent_posts_render_as_sanitised_html_not_markdown(client):
    author = UserFactory(username="ella", display_name="Ella")
    post_create(actor=author, body="**Biscuit** is home!\n\n- slept all day\n- ate *everything*\n\n"
                                   "<script>alert(1)</script> [vet notes](javascript:alert(2))")
    html = client.get("/members/ella/").content.decode()
    assert "<strong>Biscuit</strong> is home!" in html
    assert "<li>slept all day</li>" in html and "<em>everything</em>" in html
    assert "**Biscuit**" not in html and "- slept all day" not in html
    assert "<script>alert(1)" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # typed HTML is shown as text, as on the post


def test_a_long_post_is_clipped_with_its_markup_closed(client):
    author = UserFactory(username="ella")
    words = " ".join(f"word{n}" for n in range(200))
    post = post_create(actor=author, body=f"> **Quote** {words}")
    html = client.get("/members/ella/").content.decode()
    # 280 characters of text: "Quote" and word0 to word39, cut after a whole word.
    assert '<div class="post-body"><blockquote>\n<p><strong>Quote</strong> word0 word1 word2' in html
    assert " word38 word39…</p></blockquote></div>" in html and "word40" not in html
    assert f'<a href="/posts/{post.pk}/"><time' in html  # the whole post is a click away


def test_clip_html_keeps_tags_balanced_and_cuts_on_a_word():
    source = render_markdown("Hello **brave new** world, [a link](https://example.com) and more text")
    assert clip_html(source, 12) == "<p>Hello <strong>brave…</strong></p>"
    assert clip_html(source, 15) == "<p>Hello <strong>brave new</strong>…</p>"
    assert clip_html(source, 1000) == source  # short enough: unchanged
    assert clip_html(source, 28) == ('<p>Hello <strong>brave new</strong> world, <a href="https://example.com" '
                                     'rel="nofollow ugc noopener noreferrer">a…</a></p>')
    assert clip_html('<p onclick="x()">Hi<script>bad()</script></p>', 10) == "<p>Hi</p>"
