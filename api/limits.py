"""The pages' abuse limits, counted for API writes too (petcommunity.ratelimit: per member and per IP).

A token acts as its member, so every token of a member and their browser share one window: a member
cannot multiply their rate by minting tokens.
"""

from petcommunity.ratelimit import client_ip, hit


def limit(request, action: str) -> None:
    """Raises RateLimited (answered 429 with Retry-After) when `action`'s window is spent."""
    hit(action, user=request.user, ip=client_ip(request))
