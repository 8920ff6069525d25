"""The XSS corpus (tests/trust/xss.py, 600+ payloads) through every Markdown field (posts, comments,
charter), every name (display name, pet name, pod name), bios and pod descriptions, checked in the
pages and emails that render them by parsing their HTML."""

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client

from communities.models import Pet, Tag, Visibility
from communities.rendering import render_markdown
from communities.services.comments import comment_create
from communities.services.digests import DigestSection
from communities.services.posts import post_create
from microgroups.models import Charter, Pod
from tests.factories import PostFactory, UserFactory, join

from .xss import html_problems, payloads

pytestmark = pytest.mark.django_db
PAYLOADS = payloads()


@pytest.fixture
def stage():
    """A Commons writer, a reader, a pod with a charter, and a pet: the fields the payloads go into."""
    writer = UserFactory(username="xsswriter")
    reader = UserFactory(username="xssreader")
    pod = Pod.objects.create(name="Stage", slug="stage", privacy="open", charter_version=1)
    join(reader, pod)
    species, _ = Tag.objects.get_or_create(kind="species", slug="cat", defaults={"name": "Cat"})
    pet = Pet.objects.create(owner=writer, name="Tom", species=species)
    client = Client(raise_request_exception=False)
    client.force_login(reader)
    return writer, reader, pod, pet, client


def test_the_corpus_has_at_least_500_distinct_payloads():
    assert len(PAYLOADS) >= 500


def test_the_checker_finds_what_a_browser_would_run():
    bad = ('<a href=" JaVa\tscript:alert(1)">x</a><img src=x onerror=y><script>z</script>'
           '<p style="background:url(javascript:alert(1))">s</p><iframe src="data:text/html,x"></iframe>')
    assert len(html_problems(bad)) == 6
    assert html_problems('<script src="/static/js/app.js" defer></script><a href="/posts/1/">ok</a>') == []


def _page(client, url: str, problems: list, label: str):
    response = client.get(url)
    assert response.status_code == 200, f"{label}: {response.status_code}"
    found = html_problems(response.content.decode())
    if found:
        problems.append(f"{label} at {url}: {found[:3]}")


def test_markdown_fields_never_render_executable_markup(stage):
    """Every payload through the renderer and the charter template; every third through the posting and
    commenting services and its post page; every tenth as the charter on the pod page."""
    writer, reader, pod, pet, client = stage
    problems, pages = [], 0
    for i, payload in enumerate(PAYLOADS):
        body_html = render_markdown(payload)
        Charter.objects.update_or_create(pod=pod, version=1, defaults={"body": payload, "body_html": body_html})
        block = render_to_string("microgroups/_charter_block.html", {"pod": pod, "charter": pod.charters.get()})
        for html in (body_html, block):
            if html_problems(html):
                problems.append(f"payload {i} rendered as {html_problems(html)[:2]}")
        if i % 3 == 0:
            post = post_create(actor=writer, body=payload)
            comment_create(actor=reader, post=post, body=payload)
            _page(client, f"/posts/{post.pk}/", problems, f"post and comment payload {i}")
            pages += 1
        if i % 10 == 0:
            _page(client, f"/pods/{pod.slug}/", problems, f"charter payload {i}")
            pages += 1
    _page(client, "/", problems, "Commons feed")
    _page(client, f"/members/{writer.username}/", problems, "profile (posts by)")
    print(f"\nXSS markdown: {len(PAYLOADS)} payloads x 3 fields, {pages + 2} pages")
    assert problems == []


def test_names_bios_and_descriptions_never_render_executable_markup(stage):
    writer, reader, pod, pet, client = stage
    writer.bio_visibility = writer.pets_visibility = Visibility.EVERYONE
    post = PostFactory(author=writer, pod=pod, body="hello")
    problems, pages = [], 0
    for i, payload in enumerate(PAYLOADS):
        type(writer).objects.filter(pk=writer.pk).update(display_name=payload[:60], bio=payload[:500],
                                                         bio_visibility="everyone", pets_visibility="everyone")
        Pet.objects.filter(pk=pet.pk).update(name=payload[:60])
        Pod.objects.filter(pk=pod.pk).update(name=payload[:80], description=payload[:1000])
        page = ("/members/xsswriter/", f"/pods/{pod.slug}/", f"/posts/{post.pk}/", "/pods/")[i % 4]
        _page(client, page, problems, f"names payload {i}")
        pages += 1
    print(f"\nXSS names: {len(PAYLOADS)} payloads x 5 fields, {pages} pages")
    assert problems == []


def test_emails_never_carry_executable_markup(stage, django_capture_on_commit_callbacks):
    """The digest's HTML part, and the notification emails (plain text, checked as HTML anyway)."""
    writer, reader, pod, pet, client = stage
    reader.email_notification_kinds = ["mention", "reply"]
    reader.save(update_fields=["email_notification_kinds"])
    problems = []
    for i, payload in enumerate(PAYLOADS):
        type(writer).objects.filter(pk=writer.pk).update(display_name=payload[:60])
        writer.refresh_from_db()
        post = PostFactory(author=writer, pod=pod, body=payload, body_html=render_markdown(payload))
        Pod.objects.filter(pk=pod.pk).update(name=payload[:80])
        pod.refresh_from_db()
        html = render_to_string("communities/email/digest.html", {
            "member": reader, "frequency": "daily", "site_url": "http://testserver",
            "sections": [DigestSection(pod.name, "http://testserver/pods/stage/", [post])]})
        if html_problems(html):
            problems.append(f"digest payload {i}: {html_problems(html)[:2]}")
    with django_capture_on_commit_callbacks(execute=True):
        for payload in PAYLOADS[::20]:
            comment_create(actor=writer, post=PostFactory(author=reader), body=f"{payload} @xssreader")
    assert len(mail.outbox) >= len(PAYLOADS[::20])
    for message in mail.outbox:
        for part in [message.body] + [alt[0] for alt in getattr(message, "alternatives", [])]:
            if html_problems(part):
                problems.append(f"email {message.subject!r}: {html_problems(part)[:2]}")
    assert problems == []
