"""sitemap.xml lists what an anonymous visitor can open, and nothing else: every listed URL answers them
200, and no private, unlisted, trusted-only, held, removed or deleted content appears in it."""

import re

import pytest
from django.test import Client

from . import matrix
from .world import build_world

pytestmark = pytest.mark.django_db


def test_the_sitemap_lists_exactly_the_public_pages():
    world = build_world()
    anonymous = Client(raise_request_exception=False)
    response = anonymous.get("/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    body = response.content.decode()
    tally = matrix.Tally()
    matrix.scan_canaries(world, "anonymous", body, "sitemap.xml", tally)
    assert tally.failures == []

    paths = re.findall(r"<loc>http://testserver(/[^<]*)</loc>", body)
    for path in paths:  # each listed page opens for a signed-out visitor
        assert anonymous.get(path).status_code == 200, path

    listed_posts = {int(n) for n in re.findall(r"/posts/(\d+)/", " ".join(paths))}
    public = {p.post.pk for p in world.posts if p.kind == "public" and p.place in ("commons", "open")}
    assert listed_posts == public
    listed_pods = set(re.findall(r"/pods/([\w-]+)/", " ".join(paths)))
    assert listed_pods == {pod.slug for pod in [*world.pods.values(), world.other_pod] if pod.privacy == "open"}
    assert not listed_pods & {world.pods[place].slug for place in ("request", "invite", "unlisted")}
    assert f"/members/{world.author.username}/" in paths


def test_robots_points_crawlers_at_the_sitemap_and_away_from_member_pages():
    body = Client().get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /settings/" in body and "Disallow: /moderation/" in body
