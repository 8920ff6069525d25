"""Counts in rule and rate-limit messages agree with their nouns: one second, two seconds."""

from django.template.loader import render_to_string

from communities.models import WebhookDelivery
from moderation.rulekinds import describe
from moderation.rules import daily_cap_message, slow_mode_message


def test_slow_mode_message_says_second_or_seconds():
    assert slow_mode_message("post", 1, 1) == "slow mode is on: one post every second; try again in 1 second."
    assert slow_mode_message("comment", 2, 2) == (
        "slow mode is on: one comment every 2 seconds; try again in 2 seconds.")


def test_daily_cap_message_says_post_or_posts():
    assert daily_cap_message("post", 1) == "at most 1 post a day here; try again tomorrow."
    assert daily_cap_message("post", 2) == "at most 2 posts a day here; try again tomorrow."


def test_rule_summaries_count_their_nouns():
    assert describe("new_member", {"first_n": 1}) == "first post held"
    assert describe("new_member", {"first_n": 2}) == "first 2 posts held"


def test_rate_limit_message_counts_seconds_and_minutes():
    def text(after):
        return " ".join(render_to_string("includes/rate_limited.html",
                                         {"retry_after": after, "retry_minutes": -(-after // 60)}).split())

    assert "wait 1 second and" in text(1)
    assert "wait 2 seconds and" in text(2)
    assert "about 1 minute and" in text(60)
    assert "about 2 minutes and" in text(120)


def test_webhook_deliveries_are_named_in_plural():
    assert str(WebhookDelivery._meta.verbose_name_plural) == "webhook deliveries"
