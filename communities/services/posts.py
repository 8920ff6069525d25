"""Writing posts: one path for the Commons, pods, the API and websockets.

Every entry point calls `post_create` / `post_edit` / `post_delete`; they run the same checks in the
same order: may act → may post in this place → images valid → rule check (moderation) → save →
record rule hits → side effects after commit (counters, mentions, live card).
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import ngettext
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from .. import hooks, memberpages, navcache, pagecache
from ..hooks import content_check, content_check_record
from ..models import ContentStatus, Notification, NotificationKind, Pet, Post, PostImage, PostRevision, Tag
from ..policy import can_read_post, check_can_act, check_can_post_in_pod, is_manager
from ..ranking import hot_score
from ..rendering import extract_hashtags, extract_mentions, render_markdown
from ..streams import broadcast, emit, post_groups
from .counters import bump, pod_model
from .notifications import notification_create
from .polls import poll_attach, poll_spec_validate
from .post_images import clean_images
from .webhooks import webhooks_post_published

LINK_RE = re.compile(r"https?://|www\.|mailto:", re.IGNORECASE)
MAX_MENTIONS = 20  # mention notifications per post or comment; more is a mass-ping, not a conversation

_analyzer = SentimentIntensityAnalyzer()


def sentiment_of(text: str) -> float:
    return round(_analyzer.polarity_scores(text)["compound"], 4)


def render_body(body: str) -> tuple[str, set[str]]:
    """HTML for the body and the usernames it mentions that exist."""
    mentioned = extract_mentions(body)
    existing = set()
    if mentioned:
        existing = {
            name.lower()
            for name in get_user_model().objects.filter(username__in=mentioned | {m.title() for m in mentioned},
                                                        deleted_at__isnull=True)
            .values_list("username", flat=True)
        }
    return render_markdown(body, link_mentions=existing), existing


def topic_tags_for(body: str, extra: list[Tag] | None = None) -> list[Tag]:
    """Hashtags become topic tags (created on first use); species hashtags (#cat) tag the species too."""
    names = extract_hashtags(body)
    tags = list(extra or [])
    if names:
        known = {(t.kind, t.slug): t for t in Tag.objects.filter(slug__in=names, kind__in=["topic", "species"])}
        for name in sorted(names):
            if ("species", name) in known:
                tags.append(known[("species", name)])
            topic = known.get(("topic", name))
            if topic is None:
                topic, _ = Tag.objects.get_or_create(kind=Tag.Kind.TOPIC, slug=name[:60], defaults={"name": name})
            tags.append(topic)
    return list({t.pk: t for t in tags}.values())


def pet_tags(pet: Pet | None) -> list[Tag]:
    """What a post about `pet` is tagged with: its species, and its breed when it has one."""
    if pet is None:
        return []
    return [t for t in (pet.species, pet.breed) if t is not None]


def own_pet(actor, pet: Pet | int | None) -> Pet | None:
    """The pet a post is about, which must be the author's own: a Pet or its id from the composer or the
    API. Someone else's pet and a pet that does not exist answer alike (a field error), so an id never
    tells whether a pet exists."""
    if pet is None or pet == "":
        return None
    pet_id = pet.pk if isinstance(pet, Pet) else pet
    found = (Pet.objects.select_related("species", "breed").filter(pk=pet_id, owner_id=actor.pk).first()
             if isinstance(pet_id, int) and not isinstance(pet_id, bool) and 0 < pet_id < 2**63 else None)
    if found is None:
        raise ValidationError({"pet": "Choose one of your own pets."})
    return found


@transaction.atomic
def post_save_new(*, author, body: str, pod=None, audience: str = Post.Audience.EVERYONE,
                  status: str = ContentStatus.PUBLISHED, tags: list[Tag] | None = None,
                  created_at=None, pet: Pet | None = None) -> Post:
    """Store a post whose checks have passed: render once, tag, score. Callers own the checks (a `pet`
    is already the author's own: `own_pet`)."""
    created_at = created_at or timezone.now()
    html, _ = render_body(body)
    post = Post.objects.create(
        author=author, pod=pod, pet=pet, body=body, body_html=html, audience=audience, status=status,
        created_at=created_at, last_activity_at=created_at, sentiment=sentiment_of(body),
        hot_score=hot_score(reaction_count=0, comment_count=0, created_at=created_at),
    )
    post.tags.set(topic_tags_for(body, [*(tags or []), *pet_tags(pet)]))
    hooks.content_written(kind="post", pk=post.pk, text=post.body)
    hooks.contribution(member_id=post.author_id, pod_id=post.pod_id, at=created_at)
    memberpages.forget(post.author_id)  # a held post waits above their feed; the day's posting cap
    return post


def has_links(body: str) -> bool:
    return bool(LINK_RE.search(body))


def clean_body(body: str, *, max_length: int = 20000) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > max_length:
        raise ValidationError({"body": f"Keep it under {max_length:,} characters (this is {len(body):,})."})
    return body


def check_can_post_here(actor, *, pod, audience: str, links: bool, images: bool) -> None:
    """The place rules: the Commons takes everyone-posts from any active member; pods have their ladder."""
    check_can_act(actor)
    if pod is None:
        if audience != Post.Audience.EVERYONE:
            raise ValidationError({"audience": "Commons posts are for everyone; trusted-only posts live in pods."})
        return
    check_can_post_in_pod(actor, pod, audience=audience, has_links=links, has_images=images)


@transaction.atomic
def post_create(*, actor, pod=None, body: str, audience: str = Post.Audience.EVERYONE, images=(), poll=None,
                tags=(), image_alt: str = "", pet: Pet | int | None = None) -> Post:
    """Publish (or hold for review) a post. Raises ValidationError (field errors, ContentBlocked)
    or PermissionDenied / Http404 from the place checks; nothing is saved when it raises.
    `pet` (a Pet or its id): the author's own pet the post is about; it adds the pet's species and
    breed tags."""

    body = clean_body(body)
    images = list(images or [])
    check_can_post_here(actor, pod=pod, audience=audience, links=has_links(body), images=bool(images))
    pet = own_pet(actor, pet)
    cleaned = clean_images(images)
    if poll is not None:
        poll_spec_validate(poll)
    outcome = content_check(actor=actor, pod=pod, kind="post", body=body, has_links=has_links(body),
                            has_images=bool(images))
    post = post_save_new(author=actor, body=outcome.body or body, pod=pod, audience=audience,
                         status=outcome.status, tags=list(tags), pet=pet)
    content_check_record(outcome=outcome, post=post)
    for img in cleaned:  # at most POST_IMAGES_MAX; create() stores each file through the storage
        PostImage.objects.create(post=post, image=img, width=img.width, height=img.height, alt=image_alt[:200])
    if poll is not None:
        poll_attach(post=post, spec=poll)
    if post.status == ContentStatus.PUBLISHED:
        post_published_effects(post=post)
    return post


def post_published_effects(*, post: Post, broadcast_card: bool = True) -> None:
    """What publishing does, also called by moderation when it approves a held post: place
    counters, mention notifications, the `post.created` webhook, and the live card for the place."""
    if post.pod_id:
        pod_model().objects.filter(pk=post.pod_id).update(
            post_count=F("post_count") + 1,
            last_post_at=Greatest(Coalesce(F("last_post_at"), Value(post.created_at)), Value(post.created_at)),
        )
    notify_mentions(actor=post.author, text=post.body, post=post)
    if broadcast_card and post.segment is None:
        emit(post_groups(post), {"type": "post.new", "id": post.pk, "author_id": post.author_id}, about=post)
    webhooks_post_published(post)  # `post.created` webhooks (scope-checked, delivered after commit)


def notify_mentions(*, actor, text: str, post: Post, comment=None, skip_ids=(), only=None) -> list[int]:
    """Notify each mentioned member who may read the post (never leaking a private pod's content)."""

    names = sorted(extract_mentions(text) if only is None else only)[:MAX_MENTIONS]
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(username__iexact=name)
    users = get_user_model().objects.filter(query, is_active=True, deleted_at__isnull=True)
    # Publishing again (a moderator approving a post that reports had hidden) must not notify twice.
    already = set(Notification.objects.filter(kind=NotificationKind.MENTION, post=post, comment=comment)
                  .values_list("recipient_id", flat=True))
    skip_ids = set(skip_ids) | already
    what = "a comment" if comment is not None else "a post"
    url = (comment or post).get_absolute_url()
    notified = []
    for user in users:
        if user.pk == actor.pk or user.pk in skip_ids or not can_read_post(user, post):
            continue
        notification_create(recipient=user, kind=NotificationKind.MENTION, actor=actor, post=post,
                            comment=comment, verb=f"{actor.name} mentioned you in {what}", url=url)
        notified.append(user.pk)
    return notified


def edit_window_open(post: Post) -> bool:
    return timezone.now() <= post.created_at + timedelta(minutes=settings.POST_EDIT_WINDOW_MINUTES)


def can_edit_post(user, post: Post) -> bool:
    return (getattr(user, "pk", None) == post.author_id and post.status in (ContentStatus.PUBLISHED,
                                                                              ContentStatus.HELD)
            and edit_window_open(post))


def can_delete_post(user, post: Post) -> bool:
    if post.status == ContentStatus.DELETED or not getattr(user, "is_authenticated", False):
        return False
    return user.pk == post.author_id or is_manager(user)


@transaction.atomic
def post_edit(*, actor, post: Post, body: str) -> Post:
    """Change the text within the edit window, keeping the previous text as a revision."""
    check_can_act(actor)
    if actor.pk != post.author_id:
        raise PermissionDenied("Only the author can edit a post.")
    if not can_edit_post(actor, post):
        window = settings.POST_EDIT_WINDOW_MINUTES
        raise PermissionDenied(ngettext("Posts can be edited for %(n)d minute after posting.",
                                        "Posts can be edited for %(n)d minutes after posting.", window) % {"n": window})
    body = clean_body(body)
    if body == post.body:
        return post
    images = post.images.exists()
    check_can_post_here(actor, pod=post.pod, audience=post.audience, links=has_links(body), images=images)
    outcome = content_check(actor=actor, pod=post.pod, kind="post", body=body, has_links=has_links(body),
                            has_images=images, editing=True)
    old_body, was_published = post.body, post.status == ContentStatus.PUBLISHED
    # An edit never releases a held post: only a moderator's approval does. It may newly hold one.
    new_status = ContentStatus.PUBLISHED if was_published and outcome.status == "published" else ContentStatus.HELD
    PostRevision.objects.create(post=post, body=old_body)
    post.body = outcome.body or body
    post.body_html, _ = render_body(post.body)
    post.sentiment, post.edited_at, post.status = sentiment_of(post.body), timezone.now(), new_status
    post.save(update_fields=["body", "body_html", "sentiment", "edited_at", "status"])
    pagecache.bump_post(post)
    memberpages.forget(post.author_id)  # an edit may hold it: it moves above their feed
    hooks.content_written(kind="post", pk=post.pk, text=post.body)
    post.tags.set(topic_tags_for(post.body, [t for t in post.tags.all() if t.kind != Tag.Kind.TOPIC]))
    content_check_record(outcome=outcome, post=post)
    if was_published and post.status != ContentStatus.PUBLISHED:
        _unpublished(post)
    elif post.status == ContentStatus.PUBLISHED:
        new_names = extract_mentions(post.body) - extract_mentions(old_body)
        notify_mentions(actor=actor, text=post.body, post=post, only=new_names)
    return post


def _unpublished(post: Post) -> None:
    if post.pod_id:

        pod_model().objects.filter(pk=post.pod_id).update(post_count=bump("post_count", -1))
    broadcast(post_groups(post), {"type": "post.remove", "id": post.pk}, about=post)


@transaction.atomic
def post_delete(*, actor, post: Post) -> None:
    """The author (or a community manager) deletes: the post disappears everywhere, live too."""
    if not can_delete_post(actor, post):
        raise PermissionDenied("Only the author can delete this post.")
    was_published = post.status == ContentStatus.PUBLISHED
    Post.objects.filter(pk=post.pk).update(status=ContentStatus.DELETED, pinned_at=None)
    post.status, post.pinned_at = ContentStatus.DELETED, None
    memberpages.forget(post.author_id)  # a held or removed post leaves the list above their feed
    navcache.queue_changed()  # a held or reported post leaves the queue badges (its item closes later)
    if was_published:
        _unpublished(post)
        hooks.history_change(pod_id=post.pod_id, at=post.created_at, post_id=post.pk)
