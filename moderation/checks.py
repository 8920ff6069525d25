"""The rule check every posting service calls (Commons, pods, comments, API, websockets): one place.

`content_check` decides before anything is saved; `content_check_record` stores the rule hits after.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError


class ContentBlocked(ValidationError):
    """A rule refused the text. The message names the rule and why; the author keeps their text."""


@dataclass
class CheckOutcome:
    status: str = "published"  # or "held"
    body: str = ""  # the text to store (a "replace" rule may have changed it)
    flagged: bool = False
    hits: list = field(default_factory=list)  # rule hits to record once the content exists


def content_check(*, actor, pod, kind: str, body: str, has_links: bool, has_images: bool,
                  editing: bool = False) -> CheckOutcome:
    """Apply the rules of the content's scope and every scope above it.

    `kind` is "post" or "comment"; `pod` is None for the Commons. Raises ContentBlocked.
    `editing=True` for an edit of existing content: text rules, links and mutes apply, but not the
    volume rules (slow mode, daily caps, new-member approval), which count new content only.
    """
    from .rules import evaluate  # the rules engine; imported late to keep this module import-light

    return evaluate(actor=actor, pod=pod, kind=kind, body=body, has_links=has_links, has_images=has_images,
                    editing=editing)


def content_check_record(*, outcome: CheckOutcome, post=None, comment=None) -> None:
    from .rules import record_hits  # as above: the engine imports this module for CheckOutcome

    record_hits(outcome=outcome, post=post, comment=comment)
