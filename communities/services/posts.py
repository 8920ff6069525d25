"""Writing posts: one path for the Commons, pods, the API and websockets."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from ..models import ContentStatus, Post, Tag
from ..ranking import hot_score
from ..rendering import extract_hashtags, extract_mentions, render_markdown

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


@transaction.atomic
def post_save_new(*, author, body: str, pod=None, audience: str = Post.Audience.EVERYONE,
                  status: str = ContentStatus.PUBLISHED, tags: list[Tag] | None = None,
                  created_at=None) -> Post:
    """Store a post whose checks have passed: render once, tag, score. Callers own the checks."""
    created_at = created_at or timezone.now()
    html, _ = render_body(body)
    post = Post.objects.create(
        author=author, pod=pod, body=body, body_html=html, audience=audience, status=status,
        created_at=created_at, last_activity_at=created_at, sentiment=sentiment_of(body),
        hot_score=hot_score(reaction_count=0, comment_count=0, created_at=created_at),
    )
    post.tags.set(topic_tags_for(body, tags))
    return post
