"""What the load needs from the dataset: the members to sign in as, the big pod, deep-page cursors."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q

from .sessions import session_for

UNUSABLE = "!"  # the prefix of unusable passwords: the pods' system account is no member to sign in as

FEED_PAGE = 20


@dataclass
class Fixtures:
    size_name: str
    depth: int  # the "deep page" number for the Commons feed (page 1 is the newest)
    pod: object  # the biggest open pod (anyone may read it)
    pod_depth: int
    member: object  # an ordinary member of that pod
    manager: object
    cursors: dict = field(default_factory=dict)  # (place, sort) → cursor of page `depth`
    _sessions: dict = field(default_factory=dict)

    @classmethod
    def build(cls, size) -> "Fixtures":
        from communities.models import User
        from microgroups.models import Membership, Pod

        pod = (Pod.objects.filter(privacy="open")
               .annotate(n=Count("posts", filter=Q(posts__status="published"))).order_by("-n", "pk").first())
        members = Membership.objects.filter(pod=pod, status="active", role="member").values("member_id")
        member = User.objects.filter(is_staff=False, pk__in=members).order_by("pk").first()
        manager = User.objects.get(username="manager")
        depth = {"S": 1000, "L": 10000}[size.name]
        fx = cls(size_name=size.name, depth=depth, pod=pod, pod_depth=max(2, min(depth, pod.n // FEED_PAGE - 2)),
                 member=member, manager=manager)
        fx._cursors()
        return fx

    def _cursors(self) -> None:
        """Cursors that open page `depth`: the next_cursor after (depth − 1) pages, from the real selector."""
        from communities.selectors import feed

        anon = AnonymousUser()
        for sort in ("new", "hot", "top"):
            for place, pod, depth, exclude_pinned in (("commons", None, self.depth, True),
                                                      ("pod", self.pod, self.pod_depth, False)):
                cursor, page, left = None, None, depth - 1
                # Walk in big steps: one query per step, whatever the depth. A step past the end (fewer
                # posts readable anonymously than the pod's count, e.g. trusted-only ones) is halved until
                # it fits, so the cursor opens the deepest page there is rather than none (page 1).
                while left > 0:
                    step = min(left, 2000)
                    page = feed(user=anon, pod=pod, sort=sort, cursor=cursor, page_size=step * FEED_PAGE,
                                exclude_pinned=exclude_pinned)
                    while page.next_cursor is None and step > 1:
                        step //= 2
                        page = feed(user=anon, pod=pod, sort=sort, cursor=cursor, page_size=step * FEED_PAGE,
                                    exclude_pinned=exclude_pinned)
                    if page.next_cursor is None:
                        break
                    cursor, left = page.next_cursor, left - step
                self.cursors[(place, sort)] = (cursor, depth - 1 - left)  # (cursor, pages skipped)

    def session(self, user) -> dict:
        if user.pk not in self._sessions:
            self._sessions[user.pk] = session_for(user)
        return self._sessions[user.pk]

    def members(self, n: int) -> list:
        """n ordinary members (not staff, not the pods' system account), in id order, skipping the Zipf
        head: the demo's most active posters may already be at the Commons' daily posting cap."""
        from communities.models import User

        qs = (User.objects.filter(is_staff=False, is_active=True).exclude(password__startswith=UNUSABLE)
              .exclude(username__startswith="moderator").order_by("pk"))
        skip = min(2000, max(qs.count() - n, 0))
        return list(qs[skip: skip + n])
