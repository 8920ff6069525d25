"""The benchmark dataset's bulk: members, pods, posts, comments, reactions and impressions written with
PostgreSQL COPY (psycopg 3's `cursor.copy`) from a deterministic generator (one seeded `Random`).

The demo code (`seed_demo`) first makes a small core the way the product does: vocabulary, places, the
manager and moderators, a few dozen pods with charters, announcements, polls, rules and a moderation
queue. Everything past that core is generated here, row by row as COPY text, with the same shapes:
Zipf-like member activity, Pareto pod sizes, a third of posts in pods (a few big open pods get extra),
comments and reactions from members who can see the post, impressions favouring popular posts and
active members, most of them in the days after posting. Counters (reaction and comment counts, hot
score, pod post counts) are written consistent with the rows, so no repair pass is needed.

While loading, the bulk tables' secondary indexes, unique and foreign-key constraints are dropped and
then rebuilt once (one sorted index build beats ten million index insertions); the foreign keys come
back NOT VALID, since the generator only ever refers to rows it wrote.
"""

import json
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random

from django.apps import apps
from django.db import connection
from django.utils.text import slugify

DAY_SECONDS = 86400
CHUNK_ROWS = 20_000  # COPY lines buffered per write
TEXTS = 3000  # distinct post bodies (each rendered once)


def _log(msg: str) -> None:
    print(f"  [data] {msg}", flush=True)


def _esc(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    elif isinstance(value, (datetime, date)):
        return value.isoformat()
    value = str(value)
    if any(c in value for c in "\\\t\n\r"):
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


class Table:
    """COPY into one model's table: the caller gives some columns per row, every other column gets the
    model field's default (so a field added to a model later does not break the generator)."""

    def __init__(self, label: str, columns: list[str]):
        model = apps.get_model(label)
        self.name = model._meta.db_table
        self.columns = columns
        rest, values = [], []
        for f in model._meta.concrete_fields:
            if f.column in columns or f.primary_key:
                continue
            if f.has_default():
                default = f.get_default()
            elif f.null:
                default = None
            elif f.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField", "URLField",
                                           "FileField", "ImageField"):
                default = ""
            else:
                raise ValueError(f"{self.name}.{f.column} needs a value from the generator")
            rest.append(f.column)
            values.append(_esc(default))
        quoted = ", ".join('"' + c + '"' for c in columns + rest)
        self.sql = f"COPY {self.name} ({quoted}) FROM STDIN"
        self.suffix = ("\t" + "\t".join(values)) if values else ""
        self.lines: list[str] = []
        self.count = 0
        self._copy = None
        self._ctx = None

    def row(self, *values: str) -> None:
        """Values already in COPY text (see _esc); kept as strings so the hot loops format once."""
        self.lines.append("\t".join(values) + self.suffix + "\n")
        if len(self.lines) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        if _writer is not None:
            _writer.put(self.sql, "".join(self.lines))
        else:
            with connection.cursor() as cursor, cursor.cursor.copy(self.sql) as copy:
                copy.write("".join(self.lines))
        self.count += len(self.lines)
        self.lines = []


class Writer:
    """COPY on a second connection in a thread, so PostgreSQL ingests one chunk while Python builds the
    next (the two cores each do one half). Autocommit: every chunk is durable when written."""

    def __init__(self):
        import psycopg

        db = connection.settings_dict
        self.conn = psycopg.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
                                    host=db["HOST"] or None, port=db["PORT"] or None, autocommit=True)
        self.queue: queue.Queue = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bench-copy", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is None:
                try:
                    with self.conn.cursor() as cursor, cursor.copy(item[0]) as copy:
                        copy.write(item[1])
                except BaseException as exc:  # noqa: BLE001 - re-raised in the generating thread
                    self.error = exc

    def put(self, sql: str, data: str) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((sql, data))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self.conn.close()
        if self.error is not None:
            raise self.error


_writer: Writer | None = None


def start_writer() -> None:
    global _writer
    _writer = Writer()


def stop_writer() -> None:
    """Wait for every queued chunk to be written."""
    global _writer
    if _writer is not None:
        writer, _writer = _writer, None
        writer.close()


@dataclass
class Ids:
    """The next free id per table (the generator sets ids itself, then moves the sequences past them)."""

    next: dict = field(default_factory=dict)

    def take(self, table: str) -> int:
        if table not in self.next:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 - model tables
                self.next[table] = cursor.fetchone()[0]
        value = self.next[table]
        self.next[table] = value + 1
        return value


BULK_TABLES = ["communities_user", "account_emailaddress", "communities_user_interests", "communities_pet",
               "microgroups_pod", "microgroups_pod_tags", "microgroups_charter", "microgroups_membership",
               "microgroups_membershipevent", "communities_post", "communities_post_tags", "communities_comment",
               "communities_reaction", "metrics_impression", "metrics_activityday"]


def drop_constraints(tables: list[str]) -> list[str]:
    """Drop the secondary indexes, unique and foreign-key constraints of `tables`; return the DDL that
    restores them."""
    restore_indexes, restore_constraints, drops = [], [], []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')", [table])
            constraint_names = set()
            for name, kind, definition in cursor.fetchall():
                constraint_names.add(name)
                suffix = " NOT VALID" if kind == "f" else ""
                restore_constraints.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}{suffix}')
                drops.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            cursor.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
                           "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype = 'p')",
                           [table])
            for name, definition in cursor.fetchall():
                if name in constraint_names:
                    continue
                restore_indexes.append(definition)
                drops.append(f'DROP INDEX "{name}"')
        # Foreign keys of other tables pointing into these would need the unique keys dropped here; only
        # primary keys are referenced, and those stay.
        for statement in drops:
            cursor.execute(statement)
    return restore_indexes + restore_constraints


def restore(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for statement in statements:
            began = time.monotonic()
            cursor.execute(statement)
            if time.monotonic() - began > 3:
                _log(f"{time.monotonic() - began:.0f}s: {statement[:110]}")


def move_sequences(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            top = f"SELECT coalesce(max(id), 1) FROM {table}"  # noqa: S608 - model tables
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({top}))", [table])


class Generator:
    """One pass over the bulk, deterministic for a seed."""

    def __init__(self, *, seed: int, now: datetime, days: int, core):
        from communities import demo

        self.rng = Random(seed * 7919 + 1)
        self.now, self.days, self.demo = now, days, demo
        self.core = core  # the demo's DemoContext: tags, places, the core members and pods
        self.ids = Ids()
        self.member_ids: list[int] = [m.pk for m in core.members[4:]]
        self.pods: list[tuple[int, str, list[int]]] = []  # (id, privacy, member ids)
        for pod in core.pods:
            members = list(apps.get_model("microgroups.Membership").objects.filter(pod=pod, status="active")
                           .values_list("member_id", flat=True))
            self.pods.append((pod.pk, pod.privacy, members))
        self.posts: list[tuple[int, int, int, int]] = []  # (id, pod id or 0, day ordinal, weight)

    # members -----------------------------------------------------------------------------------------
    def members(self, total: int) -> None:
        demo, rng, now = self.demo, self.rng, self.now
        core_n = len(self.core.members)
        password = _esc(self.core.members[0].password)
        users = Table("communities.User", ["id", "username", "email", "password", "display_name", "region_id",
                                           "date_joined", "onboarded_at", "last_active_at", "bio",
                                           "bio_visibility", "region_visibility", "pets_visibility",
                                           "interests_visibility"])
        emails = Table("account.EmailAddress", ["id", "email", "verified", "primary", "user_id"])
        interests = Table("communities.User_interests", ["id", "user_id", "tag_id"])
        pets = Table("communities.Pet", ["id", "owner_id", "name", "species_id", "breed_id", "birth_year",
                                         "created_at"])
        places = [p.pk for p in self.core.cities + self.core.regions[:1]]
        interest_tags = [t.pk for t in self.core.tags["interest"]]
        species = list(demo.SPECIES_BREEDS)
        species_tag = {t.slug: t.pk for t in self.core.tags["species"]}
        breeds = {sp: [t.pk for t in self.core.tags["breed"] if t.species_id == species_tag[sp]] for sp in species}
        now_s = _esc(now)
        for i in range(core_n, total):
            first, last = demo.FIRST[i % len(demo.FIRST)], demo.LAST[(i // len(demo.FIRST)) % len(demo.LAST)]
            username = f"{first.lower()}{i}"
            email = f"{username}@demo.petcommunity.local"
            pk = self.ids.take("communities_user")
            profile = demo.demo_profile(rng, first)
            region = rng.choice(places) if rng.random() > 0.08 else None
            users.row(str(pk), username, email, password, _esc(f"{first} {last}"), _esc(region),
                      _esc(now - timedelta(days=rng.randint(1, 120))), now_s,
                      _esc(now - timedelta(hours=int(rng.paretovariate(1.2) * 24) % (24 * 120))),
                      _esc(profile["bio"]), profile["bio_visibility"], profile["region_visibility"],
                      profile["pets_visibility"], profile["interests_visibility"])
            emails.row(str(self.ids.take("account_emailaddress")), email, "t", "t", str(pk))
            for tag in rng.sample(interest_tags, rng.randint(0, 4)):
                interests.row(str(self.ids.take("communities_user_interests")), str(pk), str(tag))
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                sp = rng.choices(species, weights=[10, 8, 2, 1, 1])[0]
                pets.row(str(self.ids.take("communities_pet")), str(pk), rng.choice(demo.PET_NAMES),
                         str(species_tag[sp]), str(rng.choice(breeds[sp])), str(now.year - rng.randint(0, 15)),
                         now_s)
            self.member_ids.append(pk)
        for table in (users, emails, interests, pets):
            table.flush()
        _log(f"members: {users.count:,} rows, {pets.count:,} pets")

    # pods --------------------------------------------------------------------------------------------
    def pods_(self, total: int) -> None:
        from microgroups import demo as pod_demo

        rng, now = self.rng, self.now
        pods = Table("microgroups.Pod", ["id", "name", "slug", "description", "privacy", "is_unlisted", "region_id",
                                         "member_cap", "question", "welcome_message", "prompt_text",
                                         "prompt_weekday", "created_by_id", "created_at", "charter_version",
                                         "member_count"])
        pod_tags = Table("microgroups.Pod_tags", ["id", "pod_id", "tag_id"])
        charters = Table("microgroups.Charter", ["id", "pod_id", "version", "body", "body_html", "created_at",
                                                 "created_by_id"])
        memberships = Table("microgroups.Membership", ["id", "pod_id", "member_id", "role", "rung", "joined_at",
                                                       "charter_version_acknowledged", "status"])
        events = Table("microgroups.MembershipEvent", ["id", "pod_id", "member_id", "kind", "created_at"])
        from communities.rendering import render_markdown

        charter_body, charter_html = _esc(pod_demo.CHARTER), _esc(render_markdown(pod_demo.CHARTER))
        tags = {t.slug: t.pk for kind in ("species", "need", "interest") for t in self.core.tags[kind]}
        cities = {p.slug: p.pk for p in self.core.cities}
        privacies = ["open"] * 6 + ["request"] * 3 + ["invite"]
        people = self.member_ids
        for i in range(len(self.core.pods), total):
            base, tag_slugs, city = pod_demo.NICHES[i % len(pod_demo.NICHES)]
            name = f"{base} {i // len(pod_demo.NICHES) + 1}"
            privacy = privacies[i % len(privacies)]
            steward = people[(i * 7) % len(people)]
            created = now - timedelta(days=rng.randint(30, 120))
            size = min(max(3, int(rng.paretovariate(0.9) * 4)), 40, len(people))
            members = [steward] + [m for m in rng.sample(people, size) if m != steward][: size - 1]
            pk = self.ids.take("microgroups_pod")
            prompt = i % 3 == 0
            pods.row(str(pk), _esc(name), slugify(name)[:80], _esc(f"A small, friendly pod for {name.lower()}."),
                     privacy, _esc(privacy == "invite" and i % 20 == 9), _esc(cities.get(city)), "50",
                     "What brings you and your pet here?", _esc(f"Welcome to {name}! Say hello and tell us about "
                                                                f"your pet."),
                     _esc(pod_demo.PROMPTS[i % len(pod_demo.PROMPTS)] if prompt else ""),
                     _esc(i % 7 if prompt else None), str(steward), _esc(created), "1", str(len(members)))
            for slug in tag_slugs:
                if slug in tags:
                    pod_tags.row(str(self.ids.take("microgroups_pod_tags")), str(pk), str(tags[slug]))
            charters.row(str(self.ids.take("microgroups_charter")), str(pk), "1", charter_body, charter_html,
                         _esc(created), str(steward))
            for n, member in enumerate(members):
                joined = _esc(created + timedelta(days=rng.randint(0, 25)))
                rung = "trusted" if n % 5 == 1 or n == 0 else ("regular" if n % 3 == 0 else "newcomer")
                memberships.row(str(self.ids.take("microgroups_membership")), str(pk), str(member),
                                "steward" if n == 0 else "member", rung, joined, "1", "active")
                events.row(str(self.ids.take("microgroups_membershipevent")), str(pk), str(member), "joined", joined)
            self.pods.append((pk, privacy, members))
        for table in (pods, pod_tags, charters, memberships, events):
            table.flush()
        _log(f"pods: {pods.count:,} rows, {memberships.count:,} memberships")

    # posts, comments, reactions ----------------------------------------------------------------------
    def _texts(self, rng: Random):
        from communities.rendering import extract_hashtags, render_markdown
        from communities.services.posts import sentiment_of

        demo = self.demo
        topics = {t.slug: t.pk for t in self.core.tags["topic"]}
        posts, seen = [], set()
        # Up to TEXTS distinct bodies; the demo's pool may hold fewer (its templates x pets x breeds), so
        # the draw stops once new ones stop coming instead of looping for ever.
        for _ in range(TEXTS * 20):
            if len(posts) >= TEXTS:
                break
            text = demo._post_text(rng, self.core)
            if text in seen:
                continue
            seen.add(text)
            tag_ids = [topics[h] for h in extract_hashtags(text) if h in topics]
            posts.append((_esc(text), _esc(render_markdown(text)), _esc(sentiment_of(text)), tag_ids))
        comments = []
        for template in demo.COMMENTS:
            for pet in demo.PET_NAMES:
                for sp in list(demo.SPECIES_BREEDS)[:2]:
                    text = template.format(pet=pet, species=sp)
                    comments.append((_esc(text), _esc(render_markdown(text)), _esc(sentiment_of(text))))
        return posts, comments

    def posts_(self, total: int, comments_total: int, big_pods: int) -> None:
        from communities.models import ReactionKind
        from communities.ranking import hot_score

        rng, now, days = self.rng, self.now, self.days
        post_texts, comment_texts = self._texts(rng)
        posts = Table("communities.Post", ["id", "author_id", "pod_id", "body", "body_html", "sentiment", "audience",
                                           "status", "created_at", "last_activity_at", "paw_count", "heart_count",
                                           "helpful_count", "hug_count", "reaction_count", "comment_count",
                                           "hot_score"])
        post_tags = Table("communities.Post_tags", ["id", "post_id", "tag_id"])
        comments = Table("communities.Comment", ["id", "post_id", "author_id", "body", "body_html", "sentiment",
                                                 "status", "created_at"])
        reactions = Table("communities.Reaction", ["id", "post_id", "member_id", "kind", "created_at"])
        kinds = list(ReactionKind.values)
        members = self.member_ids
        n_members = len(members)
        populated = [p for p in self.pods if p[2]]
        big = sorted((p for p in populated if p[1] == "open"), key=lambda p: (-len(p[2]), p[0]))[:big_pods]
        comment_mean = comments_total / total
        for n in range(total):
            if n >= int(total * 0.85) and big:
                pod = rng.choice(big)
            else:
                pod = rng.choice(populated) if rng.random() < 0.35 else None
            if pod is not None:
                pod_id, audience_ids = pod[0], pod[2]
                author = rng.choice(audience_ids)
            else:
                pod_id, audience_ids = None, None
                author = members[min(int(rng.paretovariate(1.1)) - 1, n_members - 1)]
            body, html, sentiment, tag_ids = post_texts[rng.randrange(len(post_texts))]
            created = now - timedelta(seconds=rng.randint(60, days * DAY_SECONDS))
            pk = self.ids.take("communities_post")
            last = created
            c = min(int(rng.expovariate(1 / comment_mean)), 40)
            for _ in range(c):
                who = rng.choice(audience_ids) if audience_ids else members[rng.randrange(n_members)]
                at = min(created + timedelta(minutes=rng.randint(3, 3000)), now)
                last = max(last, at)
                cb, ch, cs = comment_texts[rng.randrange(len(comment_texts))]
                comments.row(str(self.ids.take("communities_comment")), str(pk), str(who), cb, ch, cs, "published",
                             _esc(at))
            pool = audience_ids or members
            k = min(len(pool), int(rng.expovariate(0.5)), 30)
            counts = dict.fromkeys(kinds, 0)
            for who in set(rng.sample(pool, k)):
                kind = kinds[rng.randrange(4)]
                counts[kind] += 1
                reactions.row(str(self.ids.take("communities_reaction")), str(pk), str(who), kind,
                              _esc(min(created + timedelta(minutes=rng.randint(1, 2000)), now)))
            r = sum(counts.values())
            audience = "trusted" if pod_id is not None and rng.random() < 0.1 else "everyone"
            posts.row(str(pk), str(author), _esc(pod_id), body, html, sentiment, audience, "published",
                      _esc(created), _esc(last), str(counts["paw"]), str(counts["heart"]), str(counts["helpful"]),
                      str(counts["hug"]), str(r), str(c),
                      repr(hot_score(reaction_count=r, comment_count=c, created_at=created)))
            for tag in tag_ids:
                post_tags.row(str(self.ids.take("communities_post_tags")), str(pk), str(tag))
            self.posts.append((pk, pod_id or 0, created.date().toordinal(), 1 + 3 * r + 2 * c))
            if (n + 1) % 100_000 == 0:
                _log(f"posts {n + 1:,}/{total:,}")
        for table in (posts, post_tags, comments, reactions):
            table.flush()
        _log(f"posts: {posts.count:,}, comments: {comments.count:,}, reactions: {reactions.count:,}")

    # impressions -------------------------------------------------------------------------------------
    def impressions(self, target: int, heavy: int, heavy_day: date) -> None:
        """`target` impressions in the posts' lifetimes, per post in proportion to its engagement, readers
        picked with a power law over members; plus `heavy` on one day outside the window. Unique per
        (member, post, day), as the table requires."""
        rng = self.rng
        table = Table("metrics.Impression", ["id", "member_id", "post_id", "pod_id", "day"])
        members, n_members = self.member_ids, len(self.member_ids)
        today = self.now.date().toordinal()
        weight_sum = sum(p[3] for p in self.posts)
        scale = target / weight_sum
        carry = 0.0
        written = 0
        next_log = 2_000_000
        for pk, pod_id, day0, weight in self.posts:
            carry += weight * scale
            want = int(carry)
            carry -= want
            if not want:
                continue
            seen = set()
            pod_s = str(pod_id) if pod_id else r"\N"
            post_s = str(pk)
            for _ in range(want):
                member = members[int(rng.random() ** 2.5 * n_members)]
                day = min(day0 + int(rng.random() ** 3 * 20), today)
                if (member, day) in seen:
                    continue
                seen.add((member, day))
                table.row(str(self.ids.take("metrics_impression")), str(member), post_s, pod_s,
                          date.fromordinal(day).isoformat())
            written += want
            if written >= next_log:
                _log(f"impressions {written:,}/{target:,}")
                next_log += 2_000_000
        heavy_s = heavy_day.isoformat()
        seen = set()
        posts, n_posts = self.posts, len(self.posts)
        for _ in range(heavy):
            member = members[int(rng.random() ** 1.5 * n_members)]
            post = posts[rng.randrange(n_posts)]
            if (member, post[0]) in seen:
                continue
            seen.add((member, post[0]))
            table.row(str(self.ids.take("metrics_impression")), str(member), str(post[0]),
                      str(post[1]) if post[1] else r"\N", heavy_s)
        table.flush()
        _log(f"impressions: {table.count:,} rows")


def activity_days() -> None:
    """A member who saw posts in a place on a day was active there that day (pods and the Commons)."""
    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '1GB'")  # one in-memory hash aggregate, no spill to disk
        cursor.execute("INSERT INTO metrics_activityday (member_id, pod_id, day) SELECT DISTINCT member_id, pod_id, "
                       "day FROM metrics_impression")
        cursor.execute("RESET work_mem")


def finish_counts() -> None:
    """Pod post counters from the rows just written."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE microgroups_pod p SET post_count = s.n, last_post_at = s.last FROM (SELECT pod_id, "
                       "count(*) AS n, max(created_at) AS last FROM communities_post WHERE pod_id IS NOT NULL "
                       "AND status = 'published' GROUP BY pod_id) s WHERE s.pod_id = p.id")


def timed(timings: dict, name: str, fn, *args, **kwargs):
    began = time.monotonic()
    result = fn(*args, **kwargs)
    timings[name] = round(time.monotonic() - began, 1)
    _log(f"{name}: {timings[name]}s")
    return result
