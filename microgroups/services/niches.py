"""Emerging niches: Commons topics (and pairs of topics) that a growing number of distinct members
write about, with no listed pod covering them. A task stores them; `/pods/` and the admin show them;
when someone starts a pod covering one, the members who wrote about it are told."""

from collections import defaultdict
from datetime import timedelta
from itertools import combinations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from communities.models import ContentStatus, Post, Tag

from ..models import EmergingNiche, Pod
from ._common import notify

WINDOW = timedelta(days=28)
MIN_AUTHORS = 5
MAX_NICHES = 20
MAX_TAGS_PER_POST = 6  # pairs grow quadratically; a post with more tags is noise for niches


def _authors_by_key(since, until, tag_ids=None) -> dict[tuple[int, ...], set[int]]:
    """For each topic tag and pair of topic tags: the distinct Commons authors who used it."""
    rows = Post.tags.through.objects.filter(
        post__pod__isnull=True, post__segment__isnull=True, post__status=ContentStatus.PUBLISHED,
        post__created_at__gte=since, post__created_at__lt=until, tag__kind=Tag.Kind.TOPIC,
    )
    if tag_ids is not None:
        rows = rows.filter(tag_id__in=tag_ids)
    per_post: dict[int, tuple[int, set[int]]] = {}
    for post_id, tag_id, author_id in rows.values_list("post_id", "tag_id", "post__author_id"):
        per_post.setdefault(post_id, (author_id, set()))[1].add(tag_id)
    found: dict[tuple[int, ...], set[int]] = defaultdict(set)
    for author_id, tags in per_post.values():
        tags = sorted(tags)[:MAX_TAGS_PER_POST]
        for t in tags:
            found[(t,)].add(author_id)
        for pair in combinations(tags, 2):
            found[pair].add(author_id)
    return found


def _covered_slug_sets() -> list[set[str]]:
    sets = defaultdict(set)
    for pod_id, slug in Pod.tags.through.objects.filter(pod__is_unlisted=False).values_list("pod_id", "tag__slug"):
        sets[pod_id].add(slug)
    return list(sets.values())


def _key(slugs) -> str:
    return "+".join(sorted(slugs))[:130]


@transaction.atomic
def niches_refresh(*, now=None) -> list[EmergingNiche]:
    """Recompute the emerging niches (the daily task). A re-run replaces the uncovered rows."""
    now = now or timezone.now()
    current = _authors_by_key(now - WINDOW, now)
    previous = _authors_by_key(now - 2 * WINDOW, now - WINDOW)
    tags = Tag.objects.in_bulk({t for key in current for t in key})
    covered = _covered_slug_sets()
    growing = {key: authors for key, authors in current.items()
               if len(authors) >= MIN_AUTHORS and len(authors) > len(previous.get(key, ()))}
    chosen = []
    for key, authors in sorted(growing.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        slugs = {tags[t].slug for t in key}
        if any(slugs <= pod_slugs for pod_slugs in covered):
            continue
        if len(key) == 2 and any((t,) in growing for t in key):
            continue  # the pair adds nothing when one of its topics is emerging on its own
        chosen.append((key, slugs, authors))
        if len(chosen) == MAX_NICHES:
            break
    keep = []
    for key, slugs, authors in chosen:
        label = " + ".join(tags[t].name.replace("-", " ") for t in key)
        niche, _ = EmergingNiche.objects.update_or_create(
            key=_key(slugs), defaults={"label": label[:200], "author_count": len(authors), "computed_at": now,
                                       "previous_author_count": len(previous.get(key, ())), "covered_by": None})
        niche.tags.set([tags[t] for t in key])
        keep.append(niche.pk)
    EmergingNiche.objects.filter(covered_by__isnull=True).exclude(pk__in=keep).delete()
    return list(EmergingNiche.objects.filter(pk__in=keep))


def niche_authors(niche: EmergingNiche, *, now=None) -> list[int]:
    now = now or timezone.now()
    tag_ids = sorted(niche.tags.values_list("pk", flat=True))
    return sorted(_authors_by_key(now - WINDOW, now, tag_ids).get(tuple(tag_ids), set()))


def niches_cover(*, pod: Pod) -> list[EmergingNiche]:
    """Mark the niches a new (listed) pod covers and tell the members who wrote about them. An
    unlisted pod covers nothing: announcing it would reveal it."""
    if pod.is_unlisted:
        return []
    slugs = set(pod.tags.values_list("slug", flat=True))
    covered = []
    for niche in EmergingNiche.objects.filter(covered_by__isnull=True).prefetch_related("tags"):
        if not slugs or not {t.slug for t in niche.tags.all()} <= slugs:
            continue
        niche.covered_by, niche.covered_at = pod, timezone.now()
        niche.save(update_fields=["covered_by", "covered_at"])
        for author in get_user_model().objects.filter(pk__in=niche_authors(niche)).exclude(pk=pod.created_by_id):
            notify(recipient=author, pod=pod, actor=pod.created_by,
                   verb=f"You wrote about {niche.label}: someone started a pod for it, {pod.name}")
        covered.append(niche)
    return covered
