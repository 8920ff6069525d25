"""The API's typed shapes: pydantic models that are both the validation and the OpenAPI schema."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Path, Schema

Sort = Literal["new", "hot", "top"]
Window = Literal["day", "week", "month", "all"]
ReactionKindName = Literal["paw", "heart", "helpful", "hug"]
# A row id in a path: a database integer; anything else is refused at the field (400), never a 500.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


class MemberRef(Schema):
    username: str
    name: str


class Reactions(Schema):
    paw: int
    heart: int
    helpful: int
    hug: int
    total: int
    mine: list[str] = Field(description="The kinds the caller gave.")


class PollChoiceOut(Schema):
    id: int
    text: str
    votes: int | None = Field(description="Shown once the caller voted or the poll closed.")
    mine: bool


class PollOut(Schema):
    id: int
    question: str
    multiple: bool
    closes_at: datetime | None
    closed: bool
    voters: int
    voted: bool
    choices: list[PollChoiceOut]


class PetRef(Schema):
    id: int
    name: str
    species: str = Field(description="The species tag's slug, e.g. `cat`.")
    breed: str | None = Field(description="The breed tag's slug; null when the pet has none.")
    photo: str | None = Field(description="The pet's photo URL; null when it has none.")


class PostOut(Schema):
    id: int
    author: MemberRef
    pod: str | None = Field(description="The pod's slug; null for the Commons.")
    pet: PetRef | None = Field(description="The author's pet the post is about (its species and breed are in "
                                           "`tags`); null when it is about no pet in particular.")
    body: str = Field(description="Markdown as written.")
    body_html: str = Field(description="Rendered and sanitised.")
    audience: Literal["everyone", "trusted"]
    status: Literal["published", "held", "removed", "deleted"]
    created_at: datetime
    edited_at: datetime | None
    comment_count: int
    pinned: bool
    tags: list[str] = Field(description="Tag slugs, each once: topics, and the species and breed of a pet.")
    reactions: Reactions
    poll: PollOut | None
    saved: bool = Field(description="Whether the caller saved this post (see /saved).")


class FeedPage(Schema):
    items: list[PostOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")


class CommentOut(Schema):
    id: int
    post: int
    parent: int | None
    author: MemberRef | None = Field(description="Null for a deleted comment kept for its replies.")
    body: str
    body_html: str
    status: Literal["published", "held", "removed", "deleted"]
    created_at: datetime
    edited_at: datetime | None = Field(description="When the text last changed; null if never edited.")
    edit_pending: bool = Field(description="The caller's own edit waits for a moderator (the published text "
                                           "shows until then); always false on others' comments.")
    reactions: Reactions
    replies: list["CommentOut"] = Field(default=[], description="On a top-level comment, its first 10 replies "
                                        "(every reply when the page was asked for with `comment` in its thread).")
    more_replies: int = Field(default=0, description="Replies the caller may read beyond `replies`: ask "
                                                     "/posts/{id}/comments with `comment` set to this one for all.")


class CommentsPage(Schema):
    items: list[CommentOut] = Field(description="Top-level comments, oldest first, 50 a page, with their replies.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")
    more: int = Field(description="Top-level comments after this page that the caller may read.")


class PostDetail(Schema):
    post: PostOut
    comments: CommentsPage = Field(description="The first page of comments; /posts/{id}/comments pages on.")
    can_edit: bool
    can_delete: bool


class PostIn(Schema):
    body: str = Field(min_length=1, max_length=20000)
    audience: Literal["everyone", "trusted"] = "everyone"
    pet: int | None = Field(default=None, ge=1, le=2**63 - 1,
                            description="The id of one of the caller's own pets the post is about (their profile "
                                        "lists them); adds its species and breed tags.")
    poll_question: str | None = Field(default=None, max_length=200)
    poll_choices: list[str] = Field(default=[], max_length=10)
    poll_multiple: bool = False


class PostEditIn(Schema):
    body: str = Field(min_length=1, max_length=20000)


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=10000)
    parent: int | None = Field(default=None, ge=1, le=2**63 - 1)


class CommentEditIn(Schema):
    body: str = Field(min_length=1, max_length=10000)


class SavedItem(Schema):
    saved_at: datetime
    post: PostOut


class SavedPage(Schema):
    items: list[SavedItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")
    count: int = Field(description="Every saved post the caller may still read (not only this page's).")


class SavedResult(Schema):
    saved: bool = Field(description="True when the post is now saved, false when it is not.")


class ReactionIn(Schema):
    kind: ReactionKindName


class ReactionResult(Schema):
    active: bool = Field(description="True when the reaction is now given, false when it was taken back.")
    reactions: Reactions


class VoteIn(Schema):
    choices: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(min_length=1, max_length=10)


class PodOut(Schema):
    slug: str
    name: str
    description: str
    privacy: Literal["open", "request", "invite"]
    region: str | None
    member_count: int
    member_cap: int
    has_room: bool
    tags: list[str]


class PodPage(Schema):
    items: list[PodOut]
    next_cursor: str | None


class PodDetail(PodOut):
    readable: bool
    charter_version: int
    my_role: Literal["member", "steward"] | None
    my_rung: Literal["newcomer", "regular", "trusted"] | None
    needs_ack: bool
    pending_request: bool
    waitlisted: bool


class PodMemberOut(Schema):
    member: MemberRef
    role: Literal["member", "steward"]
    rung: Literal["newcomer", "regular", "trusted"]
    joined_at: datetime


class JoinIn(Schema):
    charter_version: int = Field(ge=0, le=2**31 - 1, description="The charter version the member read.")


class JoinRequestIn(JoinIn):
    answer: str = Field(default="", max_length=1000)


class JoinOut(Schema):
    status: Literal["joined", "waitlisted", "requested", "already"]
    position: int | None = None


class Done(Schema):
    ok: bool = True


class PetOut(Schema):
    id: int
    name: str
    species: str
    breed: str
    age: str
    needs: list[str]


class ProfileOut(Schema):
    username: str
    name: str
    bio: str | None = Field(description="Null when hidden from the caller (or empty).")
    region: str | None
    interests: list[str] | None
    pets: list[PetOut] | None
    recent_posts: list[int]


class NotificationOut(Schema):
    id: int
    kind: str
    verb: str
    actor: MemberRef | None
    actor_count: int
    post: int | None
    comment: int | None
    url: str
    created_at: datetime
    updated_at: datetime
    read: bool


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class Count(Schema):
    count: int


class PodSettingsOut(Schema):
    slug: str
    name: str
    description: str
    privacy: Literal["open", "request", "invite"]
    unlisted: bool
    member_cap: int
    question: str
    welcome_message: str
    charter_version: int
    prompt_text: str
    prompt_weekday: int | None = Field(description="0 = Monday … 6 = Sunday; null: no weekly prompt.")
    split_offer_waitlist: int


class PodSettingsIn(Schema):
    """Only the fields sent change. Null leaves a field as it is, except `prompt_weekday`, where null
    turns the weekly prompt off. The address (slug), region and tags change on the settings page."""

    name: str | None = Field(default=None, min_length=1, max_length=80)
    description: str | None = Field(default=None, max_length=1000)
    privacy: Literal["open", "request", "invite"] | None = None
    unlisted: bool | None = Field(default=None, description="Invite-only pods only.")
    member_cap: int | None = Field(default=None, ge=3, le=500)
    question: str | None = Field(default=None, max_length=200)
    welcome_message: str | None = Field(default=None, max_length=2000)
    prompt_text: str | None = Field(default=None, max_length=300)
    prompt_weekday: int | None = Field(default=None, ge=0, le=6)
    split_offer_waitlist: int | None = Field(default=None, ge=1, le=500)


class BanOut(Schema):
    member: MemberRef
    banned_at: datetime | None
    banned_until: datetime | None = Field(description="Null: until a steward lifts it.")


class JoinRequestOut(Schema):
    id: int
    member: MemberRef
    answer: str
    created_at: datetime


class DecisionIn(Schema):
    approve: bool


class InviteOut(Schema):
    id: int
    code: str
    created_at: datetime
    expires_at: datetime | None
    max_uses: int | None
    uses: int
    revoked: bool


class InviteIn(Schema):
    expires_in_days: int | None = Field(default=14, ge=1, le=365)
    max_uses: int | None = Field(default=None, ge=1, le=500)


class QueueItemOut(Schema):
    id: int
    kind: str
    status: str
    reason: str
    post: int | None
    comment: int | None
    subject: MemberRef | None
    report_count: int
    claimed_by: MemberRef | None
    created_at: datetime


class QueuePage(Schema):
    items: list[QueueItemOut]
    next_cursor: str | None


class ActIn(Schema):
    action: Literal["approve", "remove", "warn", "escalate"]
    reason: str = Field(default="", max_length=500, description="The note, removal reason, warning or escalation.")


class FigureTable(Schema):
    table: str
    title: str
    period: str
    start: str
    end: str
    columns: list[str]
    rows: list[list[str]] = Field(description="The same cells as the dashboard's CSV download.")
    tables: list[str] = Field(description="Every table name this scope offers.")


PodEventName = Literal["post.created", "pod.member_joined", "pod.full", "rung.promoted"]


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    active: bool = Field(description="False while paused: nothing is recorded or sent.")
    created_at: datetime
    last_delivery_at: datetime | None
    failing_count: int = Field(description="Deliveries failed or given up.")


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Shown once: receivers verify X-PetCommunity-Signature with it.")


class WebhookIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    url: str = Field(min_length=1, max_length=500, description="A public http(s) URL: loopback, link-local, "
                     "private and metadata addresses are refused.")
    events: list[PodEventName] = Field(min_length=1, max_length=4)


class WebhookPatchIn(Schema):
    active: bool = Field(description="false pauses the hook, true resumes it.")


class SecretOut(Schema):
    secret: str = Field(description="The new secret, shown once; the old one signs nothing from now on.")


class DeliveryOut(Schema):
    id: int
    event: str
    status: Literal["pending", "delivered", "failed", "gave_up"]
    response_code: int | None = Field(description="The receiver's HTTP status; null when it did not answer.")
    attempts: int
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


class SearchCounts(Schema):
    posts: int
    comments: int
    pods: int
    members: int


class SearchHitOut(Schema):
    kind: Literal["post", "comment", "pod", "member"]
    url: str
    snippet_html: str = Field(description="Escaped text with the matching words in <mark>.")
    post: int | None = Field(description="The post found, or the found comment's post.")
    comment: int | None
    pod: str | None = Field(description="The pod found, or the post's pod (slug); null for the Commons.")
    pod_name: str | None
    member: MemberRef | None = Field(description="The author, or the member found.")
    created_at: datetime | None


class SearchOut(Schema):
    counts: SearchCounts = Field(description="Results per scope, whichever scope this page shows; at most "
                                             "200 (ten pages), past which the scope is listed in `capped`.")
    capped: list[Literal["posts", "comments", "pods", "members"]] = Field(
        description="Scopes with more than 200 results: show their count as \"200+\".")
    items: list[SearchHitOut]
    page: int
    has_next: bool


class MyPetOut(PetOut):
    species_slug: str
    breed_slug: str | None
    birth_year: int | None
    need_slugs: list[str]


class PetIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    species: str = Field(min_length=1, max_length=60, description="A species tag's slug, e.g. `cat`.")
    breed: str | None = Field(default=None, max_length=60, description="A breed of that species (slug).")
    birth_year: int | None = Field(default=None, ge=1950, le=2100)
    needs: list[Annotated[str, Field(max_length=60)]] = Field(default=[], max_length=20,
                                                              description="Need tags' slugs, e.g. `senior`.")


class PetPatchIn(Schema):
    """Only the fields sent change; `breed` and `birth_year` may be set to null."""

    name: str | None = Field(default=None, min_length=1, max_length=60)
    species: str | None = Field(default=None, min_length=1, max_length=60)
    breed: str | None = Field(default=None, max_length=60)
    birth_year: int | None = Field(default=None, ge=1950, le=2100)
    needs: list[Annotated[str, Field(max_length=60)]] | None = Field(default=None, max_length=20)


SearchScope = Literal["posts", "comments", "pods", "members"]
SearchDate = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2999, 12, 31))]
