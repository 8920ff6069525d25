"""Rule kinds: their settings, validation, strictness, and timeout-safe watched-word patterns.

A lower scope may add rules and make inherited ones stricter, never looser; `check_not_looser` says
why a setting is looser than what a scope above already enforces.
"""

import re
import re._parser as sre_parse  # the stdlib parser: walk a pattern's tree to refuse catastrophic shapes

import regex
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from microgroups.models import RUNG_ORDER

PATTERN_MAX = 200
REPLACEMENT_MAX = 60
REASON_MAX = 200
MATCH_TIMEOUT = 0.05  # seconds per rule and text; on timeout the text is held for a person to read
SCAN_MAX = 20000  # characters scanned (the longest post the models allow)

ACTION_STRICTNESS = {"flag": 1, "replace": 2, "hold": 3, "block": 4}
ACTIONS = [("block", "Block (the author sees why and keeps their text)"), ("hold", "Hold for review"),
           ("flag", "Publish and flag for review"), ("replace", "Replace the words")]
MATCHES = [("word", "Word"), ("phrase", "Phrase"), ("regex", "Regular expression")]
RUNGS = ["", "newcomer", "regular", "trusted"]


def _int(settings: dict, key: str, *, low: int = 0, high: int = 10**6, optional: bool = False):
    value = settings.get(key)
    if value in (None, "") and optional:
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationError({key: "Enter a whole number."}) from None
    if not low <= value <= high:
        raise ValidationError({key: f"Enter a number from {low} to {high}."})
    return value


def _nested_repeat(tree, inside_repeat: bool = False) -> bool:
    """True when a repeat (+, *, {m,}) contains another repeat: the shape behind catastrophic backtracking."""
    for op, av in tree:
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
            low, high, sub = av
            unbounded = high == sre_parse.MAXREPEAT or high > 1
            if inside_repeat and unbounded:
                return True
            if _nested_repeat(sub, inside_repeat or unbounded):
                return True
        elif op == sre_parse.SUBPATTERN:
            if _nested_repeat(av[-1], inside_repeat):
                return True
        elif op == sre_parse.BRANCH:
            if any(_nested_repeat(b, inside_repeat) for b in av[1]):
                return True
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            if _nested_repeat(av[1], inside_repeat):
                return True
        elif op == sre_parse.GROUPREF or op == sre_parse.GROUPREF_EXISTS:
            raise ValidationError({"pattern": "Back-references are not allowed in watched words."})
    return False


def validate_regex(pattern: str) -> None:
    try:
        tree = sre_parse.parse(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValidationError({"pattern": f"This is not a valid regular expression: {exc}."}) from None
    if _nested_repeat(tree):
        raise ValidationError({"pattern": "Nested repeats like (a+)+ can make matching take forever; "
                                          "rewrite the pattern without a repeat inside a repeat."})
    if regex.compile(pattern, regex.IGNORECASE).search("", timeout=MATCH_TIMEOUT):
        raise ValidationError({"pattern": "This pattern matches empty text, so it would match every post."})


def compile_pattern(match: str, pattern: str):
    """Words match whole words, phrases match with any spacing; case never matters."""
    if match == "regex":
        source = pattern
    elif match == "phrase":
        source = r"(?<!\w)" + r"\s+".join(regex.escape(w) for w in pattern.split()) + r"(?!\w)"
    else:
        source = r"(?<!\w)" + regex.escape(pattern) + r"(?!\w)"
    return regex.compile(source, regex.IGNORECASE | regex.UNICODE)


def clean_watched_word(s: dict) -> dict:
    match = s.get("match") or "word"
    if match not in dict(MATCHES):
        raise ValidationError({"match": "Choose word, phrase or regular expression."})
    pattern = (s.get("pattern") or "").strip()
    if not pattern:
        raise ValidationError({"pattern": "Enter the word, phrase or pattern to watch for."})
    if len(pattern) > PATTERN_MAX:
        raise ValidationError({"pattern": f"Keep it under {PATTERN_MAX} characters."})
    if match == "word" and len(pattern.split()) > 1:
        raise ValidationError({"pattern": "A word has no spaces; choose Phrase for several words."})
    if match == "regex":
        validate_regex(pattern)
    action = s.get("action") or "flag"
    if action not in ACTION_STRICTNESS:
        raise ValidationError({"action": "Choose block, hold, flag or replace."})
    replacement = (s.get("replacement") or "").strip()[:REPLACEMENT_MAX]
    if action == "replace" and not replacement:
        replacement = "***"
    reason = (s.get("reason") or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep it under {REASON_MAX} characters."})
    return {"match": match, "pattern": pattern, "action": action, "replacement": replacement, "reason": reason}


def clean_links_images(s: dict) -> dict:
    out = {
        "links_min_age_days": _int(s, "links_min_age_days", high=3650, optional=True) or 0,
        "images_min_age_days": _int(s, "images_min_age_days", high=3650, optional=True) or 0,
        "links_min_rung": s.get("links_min_rung") or "",
        "images_min_rung": s.get("images_min_rung") or "",
    }
    for key in ("links_min_rung", "images_min_rung"):
        if out[key] not in RUNGS:
            raise ValidationError({key: "Choose a rung."})
    if not any(out.values()):
        raise ValidationError("Set at least one limit (an account age or a rung).")
    return out


def clean_slow_mode(s: dict) -> dict:
    out = {"seconds": _int(s, "seconds", high=86400, optional=True) or 0, "auto": bool(s.get("auto"))}
    if out["auto"]:
        out["auto_posts_per_hour"] = _int(s, "auto_posts_per_hour", low=1, high=100000)
        out["auto_flags_per_hour"] = _int(s, "auto_flags_per_hour", low=1, high=100000)
        out["auto_seconds"] = _int(s, "auto_seconds", low=1, high=86400)
    elif not out["seconds"]:
        raise ValidationError({"seconds": "Set the seconds between posts, or switch on automatic slow mode."})
    return out


def clean_new_member(s: dict) -> dict:
    return {"first_n": _int(s, "first_n", low=1, high=100)}


def clean_daily_cap(s: dict) -> dict:
    out = {"posts": _int(s, "posts", low=1, high=1000, optional=True),
           "comments": _int(s, "comments", low=1, high=10000, optional=True)}
    if out["posts"] is None and out["comments"] is None:
        raise ValidationError("Set a daily cap for posts, comments or both.")
    return out


CLEANERS = {
    "watched_word": clean_watched_word,
    "links_images": clean_links_images,
    "slow_mode": clean_slow_mode,
    "new_member": clean_new_member,
    "daily_cap": clean_daily_cap,
}


def effective_seconds(settings: dict, auto_active: bool) -> int:
    seconds = settings.get("seconds") or 0
    if auto_active:
        seconds = max(seconds, settings.get("auto_seconds") or 0)
    return seconds


def check_not_looser(kind: str, new: dict, inherited, label: str) -> None:
    """Raise when `new` relaxes what an inherited rule (`inherited`, a Rule) already enforces."""
    old = inherited.settings
    why = f"looser than the inherited rule \u201c{inherited.title}\u201d ({label})"
    if kind == "slow_mode" and (new.get("seconds") or 0) < (old.get("seconds") or 0):
        least = ngettext("At least %(n)d second", "At least %(n)d seconds", old["seconds"]) % {"n": old["seconds"]}
        raise ValidationError({"seconds": f"{least}: anything less is {why}."})
    if kind == "new_member" and new["first_n"] < old["first_n"]:
        raise ValidationError({"first_n": f"At least {old['first_n']}: fewer is {why}."})
    if kind == "daily_cap":
        for key in ("posts", "comments"):
            if old.get(key) is not None and (new.get(key) is None or new[key] > old[key]):
                raise ValidationError({key: f"At most {old[key]} a day: more is {why}."})
    if kind == "links_images":
        for key in ("links_min_age_days", "images_min_age_days"):
            if new[key] < old.get(key, 0):
                raise ValidationError({key: f"At least {old[key]} days: fewer is {why}."})
        for key in ("links_min_rung", "images_min_rung"):
            if RUNG_ORDER.get(new[key], -1) < RUNG_ORDER.get(old.get(key) or "", -1):
                raise ValidationError({key: f"At least {old[key]}: a lower rung is {why}."})


def same_watch(a: dict, b: dict) -> bool:
    return a.get("match") == b.get("match") and a.get("pattern", "").casefold() == b.get("pattern", "").casefold()


def describe(kind: str, s: dict) -> str:
    """A one-line summary of a rule's settings, for lists."""
    if kind == "watched_word":
        extra = f" with \u201c{s.get('replacement')}\u201d" if s.get("action") == "replace" else ""
        return f"{s.get('action', '')}{extra}: {s.get('match', '')} \u201c{s.get('pattern', '')}\u201d"
    if kind == "links_images":
        parts = [f"{what}: {s[f'{what}_min_age_days']}+ days" for what in ("links", "images")
                 if s.get(f"{what}_min_age_days")]
        parts += [f"{what}: {s[f'{what}_min_rung']} rung" for what in ("links", "images") if s.get(f"{what}_min_rung")]
        return ", ".join(parts)
    if kind == "slow_mode":
        text = f"{s.get('seconds') or 0}s between posts"
        if s.get("auto"):
            text += (f"; auto {s['auto_seconds']}s above {s['auto_posts_per_hour']} posts/h or "
                     f"{s['auto_flags_per_hour']} flags/h")
        return text
    if kind == "new_member":
        first_n = s.get("first_n") or 0
        return ngettext("first post held", "first %(n)d posts held", first_n) % {"n": first_n}
    if kind == "daily_cap":
        return ", ".join(f"{s[k]} {k}/day" for k in ("posts", "comments") if s.get(k) is not None)
    return ""
