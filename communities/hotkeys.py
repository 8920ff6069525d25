"""The cache keys every page load reads, held by each process while Redis says they have not changed
(petcommunity.mirror): the places' page versions (communities.pagecache) and a member's navigation bar
with its versions (communities.navcache). One mirror for both, so that a page reads whatever it lacks
of them in one round trip and each process keeps one tracking connection."""

from petcommunity.mirror import KeyMirror

PAGE_VERSION = "pv:"  # + a place
NAV_ENTRY = "nav:"  # + a member's id, or the queue's version
NAV_VERSION = "navv:"  # + a member's id

mirror = KeyMirror([PAGE_VERSION, NAV_ENTRY, NAV_VERSION])
