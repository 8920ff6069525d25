"""The definitions shown beside every figure (and in the README). One place, so pages and docs agree.

Each entry: key → (label, definition, format). Formats: "int", "pct" (ratio shown as %), "ratio"
(plain number, two decimals), "score" (sentiment, three decimals), "dur" (seconds shown as h/min).
"""

DEFINITIONS: dict[str, tuple[str, str, str]] = {
    "impressions": ("Impressions", "Posts shown to signed-in members in a feed or on the post's page, counted "
                    "once per member, post and day.", "int"),
    "unique_reach": ("Unique reach", "Distinct members with at least one impression in the period.", "int"),
    "active_members": ("Active members", "Distinct members with activity (any page request or websocket action "
                       "in the scope) in the period.", "int"),
    "dau": ("DAU", "Daily active members, averaged over the period's days.", "ratio"),
    "wau": ("WAU", "Distinct active members in the 7 days ending on the period's last day.", "int"),
    "mau": ("MAU", "Distinct active members in the 28 days ending on the period's last day.", "int"),
    "stickiness": ("Stickiness", "Average DAU ÷ MAU.", "pct"),
    "members_end": ("Members", "Members at the end of the period.", "int"),
    "growth": ("Growth", "Joined − left during the period.", "int"),
    "growth_rate": ("Growth rate", "Growth ÷ members at the start of the period.", "pct"),
    "interactions": ("Interactions", "Posts + comments + reactions.", "int"),
    "engagement_rate": ("Engagement rate", "(Comments + reactions) ÷ impressions.", "pct"),
    "contributors": ("Contributors", "Distinct members with a post or comment.", "int"),
    "participation": ("Participation", "Contributors ÷ active members.", "pct"),
    "contributions_per_active": ("Contributions per active member", "(Posts + comments) ÷ active members.",
                                 "ratio"),
    "inequality": ("Participation inequality", "Share of contributions (posts + comments) made by the top 10% "
                   "of contributors (rounded up; ties broken by member id).", "pct"),
    "reply_rate": ("Reply rate", "Share of the period's posts that received a comment from another member "
                   "within 24 hours.", "pct"),
    "median_reply_seconds": ("Median time to first reply", "Median time from a post to its first comment by "
                             "another member, over the period's posts that received one.", "dur"),
    "retention_w4": ("Retention week 4", "Of the members who joined the scope in one ISO week (a cohort), the "
                     "share active in the scope in the 4th week after; pooled over the cohorts whose week 4 "
                     "ended in the period (for a day: the 7 days ending that day).", "pct"),
    "sentiment_mean": ("Sentiment", "Mean VADER compound score (−1…1) of the period's posts and comments.",
                       "score"),
    "sentiment_positive_share": ("Positive share", "Share of posts and comments scoring above 0.05.", "pct"),
    "sentiment_negative_share": ("Negative share", "Share of posts and comments scoring below −0.05.", "pct"),
    "pulse_mean": ("Pulse score", "Mean answer (1–5) to “How valuable is this pod to you?” in the month's "
                   "pulse.", "ratio"),
    "pulse_rate": ("Pulse response rate", "Answers ÷ members asked (the pod's members when the month's pulse "
                   "opened).", "pct"),
    "rule_hits": ("Rule hits", "Times a moderation rule acted on a post or comment in the scope.", "int"),
}

# What each definition allows: (lowest, highest), None where it sets no limit. Shares of a whole lie in
# 0…1; an engagement rate can pass 1 (several comments and reactions per impression), growth can fall.
BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "impressions": (0, None), "unique_reach": (0, None), "active_members": (0, None), "dau": (0, None),
    "wau": (0, None), "mau": (0, None), "stickiness": (0, 1), "members_end": (0, None), "growth": (None, None),
    "growth_rate": (-1, None), "interactions": (0, None), "engagement_rate": (0, None), "contributors": (0, None),
    "participation": (0, 1), "contributions_per_active": (0, None), "inequality": (0, 1), "reply_rate": (0, 1),
    "median_reply_seconds": (0, None), "retention_w4": (0, 1), "sentiment_mean": (-1, 1),
    "sentiment_positive_share": (0, 1), "sentiment_negative_share": (0, 1), "pulse_mean": (1, 5),
    "pulse_rate": (0, 1), "rule_hits": (0, None),
}

SCOPE_DEFINITIONS = {
    "commons": "The Commons: posts outside pods and their comments, reactions and impressions; activity on "
               "Commons pages. Members: every account that is active or was deleted, from `date_joined` until "
               "`deleted_at`; joined = accounts created in the period, left = accounts deleted in it.",
    "pods": "All pods together: everything that happened in any pod, with distinct-member figures counted once "
            "however many pods a member is in. Members: distinct members of at least one pod (from membership "
            "events); joined = members at the end who were in no pod at the start, left = the reverse.",
    "pod": "One pod: its posts, comments, reactions, impressions and activity. Members from its membership "
           "events; joined = members at the end who were not members at the start, left = the reverse.",
    "region": "A region: members whose profile place is the region or a city in it (their current place), and "
              "everything those members did anywhere (Commons and pods). Members, joined and left as for the "
              "Commons, restricted to those members. Members without a place, or with a country, are in no region.",
}

PERIOD_DEFINITIONS = {
    "day": "One UTC day.",
    "week": "An ISO week, Monday to Sunday (UTC).",
    "d28": "28 days: four consecutive ISO weeks, counted from Monday 2024-01-01, so windows never overlap.",
}

RETENTION_DEFINITION = (
    "A cohort is the members who joined the scope in one ISO week (Commons and regions: account created; a pod: "
    "first join of that pod; all pods: first join of any pod). Week-k retention is the share of the cohort "
    "active in the scope during the k-th ISO week after the cohort week (k = 1…8)."
)
POD_EFFECT_DEFINITION = (
    "Commons cohorts split by whether the member joined at least one pod in the same ISO week they signed up; "
    "retention here counts activity anywhere (Commons or any pod), so both groups are measured alike."
)
INFLUENCER_DEFINITION = (
    "Per niche tag: members whose posts with that tag drew comments or reactions from the most distinct other "
    "members relative to their reach (distinct other members who saw those posts or engaged with them: whoever "
    "commented or reacted saw the post), among members with a reach "
    "of at least {min_reach} in the period."
)
ATTENTION_DEFINITION = (
    "Pods with members where, against the previous period: engagement rate fell by a fifth or more (with at "
    "least {min_impressions} impressions in both); mean sentiment fell by {sentiment_drop} or more; or, now: "
    "queue items open longer than {stale_hours} hours; or no steward."
)


# Moderator insights (read from moderation's queue, reports, log and appeals: `metrics.insights`).
MODERATION_DEFINITIONS = {
    "place": "Where a row counts, as in the public transparency report: Everywhere is every scope. A queue item "
             "(and the reports gathered in it) counts in the pod whose queue it is in, else in the Commons, and "
             "in its region; an item escalated out of its pod counts where it went. A decision counts in the pod "
             "its content lives in, else the Commons, and in the region it was taken in. A region column counts "
             "what is scoped to the region or to a pod under it, as the moderation queue's region filter.",
    "actions": "Decisions a person logged in the period: approve, remove, edit out, warn, mute, ban, escalate, "
               "and appeal decisions. Rule changes, moderator assignments and automatic steps (hidden by "
               "reports, automatic slow mode) are not counted. Removals overturned: of this moderator's "
               "removals in the period, those whose appeal was granted (by another moderator).",
    "first_action": "From the moment a queue item was opened (a report, a rule's hold or flag, a join request "
                    "waiting, an appeal) to the first moderator decision on it (as above), over the items "
                    "opened in the period that have one by now. Median: the middle value (the mean of the two "
                    "middle values for an even count). p90: nearest rank, the smallest time within which at "
                    "least 90% of them were decided. Closed without a decision: the content was deleted or the "
                    "join request answered on the pod's page first; still open: no decision yet.",
    "backlog": "Queue items open at the end of each period: opened before it and not resolved by then. Claimed "
               "items are open; an escalated item stays one item.",
    "reasons": "Reports members made in the period, by the reason they picked, counted in the place of what "
               "they reported. Led to removal: the share of those reports whose queue item was resolved by "
               "removing the content (up to now).",
    "appeals": "Decisions: removals made in the period (a removal is the decision an author can appeal, once). "
               "Appealed: the share of them with an appeal filed (up to now). Overturned: the share whose appeal "
               "was granted and the content restored. Upheld: appeals denied. Overturned of decided appeals: "
               "granted ÷ (granted + denied). Every share lies between 0 and 1.",
}


def label(key: str) -> str:
    return DEFINITIONS[key][0]


def explain(key: str) -> str:
    return DEFINITIONS[key][1]
