"""The benchmark dataset's bulk: members, pods, posts, comments, reactions, impressions and activity days
written with PostgreSQL COPY (psycopg 3's `cursor.copy`) from a deterministic generator (seeded `Random`s).

The demo code (`seed_demo`) first makes a small core the way the product does: vocabulary, places, the
manager and moderators, a few dozen pods with charters, announcements, polls, rules and a moderation
queue. Everything past that core is generated here, row by row as COPY text, with the same shapes:
Zipf-like member activity, Pareto pod sizes, a third of posts in pods (a few big open pods get extra),
comments and reactions from members who can see the post, impressions favouring popular posts and
active members, most of them in the days after posting, and an activity day per member, scope and day
seen. Counters (reaction and comment counts, hot score, pod post counts) are written consistent with the
rows, so no repair pass is needed.

Members and pods come from one `Random` in this process. Posts and everything hanging off them are
generated in RANGES ranges of pods, each with its own seed and its own ids, by worker processes that COPY
on connections of their own (`generate_range`): the rows are the same whichever process runs a range and
when. The hot loops format COPY text from pieces made once (post and comment texts with their HTML and
sentiment, the model defaults of the columns left out, each day's date, each second's time of day), so a
row is one f-string and no datetime; lines are written CHUNK_ROWS at a time as bytes.

While loading, the bulk tables' secondary indexes, unique and foreign-key constraints are dropped and
then rebuilt once (one sorted index build beats ten million index insertions), SESSIONS builds at a time;
the foreign keys come back NOT VALID, since the generator only ever refers to rows it wrote.
"""
import json
import math
import os
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random

from django.apps import apps
from django.db import connection
from django.utils.text import slugify

DAY_SECONDS = 86400
CHUNK_ROWS = 50_000  # COPY lines buffered per write
RANGES = 4  # the posts' ranges, each with its own seed: the data depends on this, not on PROCESSES
PROCESSES = 2  # worker processes generating the ranges (this machine's cores)
UNIX_ORDINAL = date(1970, 1, 1).toordinal()
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

    def block(self, table: str, n: int) -> int:
        """The first of `n` consecutive ids."""
        first = self.take(table)
        self.next[table] = first + n
        return first


BULK_TABLES = ["communities_user", "account_emailaddress", "communities_user_interests", "communities_pet",
               "microgroups_pod", "microgroups_pod_tags", "microgroups_charter", "microgroups_membership",
               "microgroups_membershipevent", "communities_post", "communities_post_tags", "communities_comment",
               "communities_reaction", "metrics_impression", "metrics_activityday"]


def drop_constraints(tables: list[str]) -> list[str]:
    """Drop the secondary indexes, unique and foreign-key constraints of `tables`, and the primary keys
    no foreign key refers to; return the DDL that restores them. (Two processes write interleaved ids into
    one table: a primary key kept while loading would split its pages in the middle, and end up bigger.)"""
    restore_indexes, restore_constraints, drops = [], [], []
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'")
        referenced = {row[0] for row in cursor.fetchall()}
        for table in tables:
            kinds = ["f", "u"] if table in referenced else ["f", "u", "p"]
            cursor.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = %s::regclass AND contype::text = ANY(%s)", [table, kinds])
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


SESSIONS = 2  # index builds and vacuums at once, one per core


def _in_sessions(statements: list[str], settings: list[str]) -> None:
    """Run `statements` on SESSIONS connections of their own, each taking the next one as it finishes
    (longest first, as the caller orders them, so no big one is left for last)."""
    from concurrent.futures import ThreadPoolExecutor

    import psycopg

    def run(pending: queue.Queue) -> None:
        with psycopg.connect(**conninfo(), autocommit=True) as conn:
            for setting in settings:
                conn.execute(setting)
            done, session_cpu = 0, backend_cpu(conn)
            while True:
                try:
                    statement = pending.get_nowait()
                except queue.Empty:
                    _log(f"session: {done} statements, {backend_cpu(conn) - session_cpu:.1f}s CPU (its parallel "
                         "workers' not counted)")
                    return
                done += 1
                began, cpu = time.monotonic(), backend_cpu(conn)
                conn.execute(statement)
                if time.monotonic() - began > 3:
                    _log(f"{time.monotonic() - began:.0f}s ({backend_cpu(conn) - cpu:.0f}s CPU in the session): "
                         f"{statement[:100]}")

    pending: queue.Queue = queue.Queue()
    for statement in statements:
        pending.put(statement)
    with ThreadPoolExecutor(SESSIONS) as pool:
        for future in [pool.submit(run, pending) for _ in range(SESSIONS)]:
            future.result()


def _table_sizes() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relkind = 'r' "
                       "AND relnamespace = 'public'::regnamespace")
        return dict(cursor.fetchall())


def _restore_plan(statements: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(table, CREATE INDEX) to run side by side, then the ALTER TABLEs to run after them."""
    indexes, constraints = [], []
    for statement in statements:
        unique = re.fullmatch(r'ALTER TABLE (\w+) ADD CONSTRAINT "([^"]+)" (UNIQUE|PRIMARY KEY) (\([^()]*\))',
                              statement)
        if unique:
            table, name, kind, columns = unique.groups()
            indexes.append((table, f'CREATE UNIQUE INDEX "{name}" ON {table} {columns}'))
            constraints.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {kind} USING INDEX "{name}"')
        elif statement.startswith("CREATE"):
            indexes.append((re.search(r" ON (?:\w+\.)?(\w+) ", statement).group(1), statement))
        else:
            constraints.append(statement)
    return indexes, constraints


def restore(statements: list[str]) -> None:
    """The indexes first, several at once (CREATE INDEX takes a SHARE lock, so builds on one table do not
    wait for each other; a UNIQUE constraint is built as its index, then attached); then the constraints,
    which lock whole tables and are cheap (the foreign keys are NOT VALID)."""
    indexes, constraints = _restore_plan(statements)
    sizes = _table_sizes()
    indexes.sort(key=lambda item: -sizes.get(item[0], 0))
    # One parallel worker per build: while both sessions build, the cores are busy anyway; when one
    # session is left with the last big index, its worker takes the idle core.
    _in_sessions([statement for _, statement in indexes],
                 ["SET maintenance_work_mem = '1GB'", "SET max_parallel_maintenance_workers = 1"])
    with connection.cursor() as cursor:
        for statement in constraints:
            cursor.execute(statement)


def vacuum_analyze() -> None:
    """VACUUM ANALYZE every table (visibility map for index-only scans, statistics), biggest first, in
    SESSIONS sessions."""
    sizes = _table_sizes()
    _in_sessions([f'VACUUM (ANALYZE) "{table}"' for table in sorted(sizes, key=lambda t: -sizes[t])], [])


def move_sequences(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            top = f"SELECT coalesce(max(id), 1) FROM {table}"  # noqa: S608 - model tables
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({top}))", [table])


class Generator:
    """One pass over the bulk, deterministic for a seed."""

    def __init__(self, *, seed: int, now: datetime, days: int, core):
        from communities import demo

        self.seed = seed
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

    def content(self, *, posts: int, comments: int, big_pods: int, impressions: int, heavy: int,
                heavy_day: date, processes: int = PROCESSES) -> dict:
        """Posts with their tags, comments and reactions, the impressions of those posts and the activity days
        they imply, generated in RANGES ranges of pods by `processes` worker processes.

        Each range owns every RANGES-th populated pod (all of that pod's posts), an equal share of the
        Commons posts, and its own seeded `Random`; its ids are its own (posts: one block per range; the
        other tables: every RANGES-th id), so the rows do not depend on which process runs a range when.
        The pod each post goes to is drawn here, in one sequence from the generator's `Random` (plan_posts)."""
        from communities import ranking
        from communities.models import ReactionKind

        rng = self.rng
        post_texts, comment_texts = self._texts(rng)
        populated = [p for p in self.pods if p[2]]
        plan, owner = plan_posts(rng, populated, posts=posts, big_pods=big_pods)
        kinds = ["paw", "heart", "helpful", "hug"]  # the Post counter columns' order
        assert set(kinds) == set(ReactionKind.values)
        tables = {
            "post": Table("communities.Post", ["id", "author_id", "pod_id", "body", "body_html", "sentiment",
                                               "audience", "status", "created_at", "last_activity_at", "paw_count",
                                               "heart_count", "helpful_count", "hug_count", "reaction_count",
                                               "comment_count", "hot_score"]),
            "post_tags": Table("communities.Post_tags", ["id", "post_id", "tag_id"]),
            "comment": Table("communities.Comment", ["id", "post_id", "author_id", "body", "body_html", "sentiment",
                                                     "status", "created_at"]),
            "reaction": Table("communities.Reaction", ["id", "post_id", "member_id", "kind", "created_at"]),
            "impression": Table("metrics.Impression", ["id", "member_id", "post_id", "pod_id", "day"]),
            "activity": Table("metrics.ActivityDay", ["id", "member_id", "pod_id", "day"]),
        }
        first_post = self.ids.block("communities_post", posts)
        id_base = {name: self.ids.take(table.name) for name, table in tables.items() if name != "post"}
        common = {
            "seed": self.seed, "ranges": RANGES, "conninfo": conninfo(), "members": self.member_ids,
            "post_texts": [("\t".join(t[:3]), t[3]) for t in post_texts],
            "comment_texts": ["\t".join(t) for t in comment_texts], "kinds": kinds,
            "now": int(self.now.timestamp()), "days": self.days, "heavy_day": _epoch_day(heavy_day),
            "comment_mean": comment_draw_mean(posts, comments),
            "hot": (ranking.COMMENT_WEIGHT, ranking.EPOCH.timestamp(), ranking.HALF_LIFE_SECONDS),
            "tables": {name: (t.sql, t.suffix) for name, t in tables.items()}, "id_base": id_base,
        }
        specs, start = [], first_post
        for k in range(RANGES):
            share = len(plan[k]) / posts
            specs.append({**common, "index": k, "post_start": start, "post_pods": plan[k],
                          "pods": {p[0]: p[2] for p in populated if owner[p[0]] == k},
                          "impressions": round(impressions * share), "heavy": round(heavy * share)})
            start += len(plan[k])
        del plan
        if processes > 1:
            import multiprocessing

            # spawn: a fresh interpreter holds none of this process's connections or threads
            with multiprocessing.get_context("spawn").Pool(processes) as pool:
                results = pool.map(generate_range, specs, chunksize=1)
        else:
            results = [generate_range(spec) for spec in specs]
        counts = {name: sum(r["counts"][name] for r in results) for name in tables}
        if all("cpu" in r for r in results):
            _log(f"ranges' CPU: Python {sum(r['cpu'][0] for r in results):.1f}s, "
                 f"PostgreSQL {sum(r['cpu'][1] for r in results):.1f}s")
        for name, base in id_base.items():
            self.ids.next[tables[name].name] = max([base] + [r["next_ids"][name] for r in results])
        commons = merge_commons(results)
        activity = tables["activity"]
        dates, _ = _dates(common["now"] // DAY_SECONDS, self.days, common["heavy_day"])
        pk, suffix = self.ids.next[activity.name], activity.suffix + "\n"
        for i in range(0, len(commons), CHUNK_ROWS):
            data = "".join([f"{pk + n}\t{key >> 12}\t\\N\t{dates[key & 4095]}{suffix}"
                            for n, key in enumerate(commons[i:i + CHUNK_ROWS], i)])
            with connection.cursor() as cursor, cursor.cursor.copy(activity.sql) as copy:
                copy.write(data.encode())
        self.ids.next[activity.name] = pk + len(commons)
        counts["activity"] += len(commons)
        _log(", ".join(f"{name}: {n:,}" for name, n in counts.items()))
        return counts


def plan_posts(rng: Random, populated: list, *, posts: int, big_pods: int) -> tuple[list[list[int]], dict]:
    """Per range, per post, its pod id (0: the Commons), and the range that owns each pod.

    Every RANGES-th pod (by id) belongs to a range, with all its posts; Commons posts go round the ranges.
    A third of posts go to pods, and the last 15% to the `big_pods` open pods with the most members."""
    big = sorted((p for p in populated if p[1] == "open"), key=lambda p: (-len(p[2]), p[0]))[:big_pods]
    owner = {pod[0]: i % RANGES for i, pod in enumerate(sorted(populated))}
    plan: list[list[int]] = [[] for _ in range(RANGES)]
    random, cut = rng.random, int(posts * 0.85)
    for n in range(posts):
        if n >= cut and big:
            pod_id = big[int(random() * len(big))][0]
        elif populated and random() < 0.35:
            pod_id = populated[int(random() * len(populated))][0]
        else:
            plan[n % RANGES].append(0)
            continue
        plan[owner[pod_id]].append(pod_id)
    return plan, owner


def merge_commons(results: list[dict]) -> list[int]:
    """The Commons is every range's scope: one activity day per member and day, whichever ranges saw it
    (member << 12 | day index, sorted)."""
    return sorted(set().union(*(r["commons"] for r in results)))


def comment_draw_mean(posts: int, comments: int) -> float:
    """The mean of the exponential whose floor averages comments/posts: E⌊X⌋ = 1/(e^(1/mean) − 1)."""
    return 1 / math.log(1 + posts / comments) if comments else 0.0


def conninfo() -> dict:
    db = connection.settings_dict
    return {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"] or None,
            "host": db["HOST"] or None, "port": db["PORT"] or None}


def _epoch_day(day: date) -> int:
    return day.toordinal() - UNIX_ORDINAL


def _dates(today: int, days: int, heavy_day: int) -> tuple[list[str], int]:
    """The ISO text of every day a row can fall on, indexed by days since the first of them."""
    first = min(today - days - 1, heavy_day)
    return [date.fromordinal(d + UNIX_ORDINAL).isoformat() for d in range(first, today + 1)], first


def generate_range(spec: dict, sink=None) -> dict:
    """One range's rows (see Generator.content): COPY on its own connection, or to `sink(sql, data)`."""
    if sink is not None:
        return _range_rows(spec, sink)
    import psycopg

    began, copying = time.monotonic(), [0.0]
    with psycopg.connect(**spec["conninfo"], autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")  # a crash means a rebuild anyway

        def sink(sql: str, data: bytes) -> None:
            start = time.monotonic()
            with conn.cursor() as cursor, cursor.copy(sql) as copy:
                copy.write(data)
            copying[0] += time.monotonic() - start

        python = time.process_time()
        result = _range_rows(spec, sink)
        python = time.process_time() - python
        server = backend_cpu(conn)
    _log(f"range {spec['index']}: {sum(result['counts'].values()):,} rows in {time.monotonic() - began:.1f}s; CPU: "
         f"Python {python:.1f}s, PostgreSQL {server:.1f}s; waited for COPY {copying[0]:.1f}s")
    result["cpu"] = (python, server)
    return result


def backend_cpu(conn) -> float:
    """CPU seconds the connection's server process has used, when the server runs on this machine (the
    wall clock of a shared machine says little; CPU seconds add up the same under any load)."""
    try:
        with open(f"/proc/{conn.info.backend_pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Out:
    """Per table, COPY lines gathered and written CHUNK_ROWS at a time."""

    def __init__(self, tables: dict, sink):
        self.tables, self.sink = tables, sink
        self.lines: dict[str, list[str]] = {name: [] for name in tables}
        self.counts = dict.fromkeys(tables, 0)

    def flush(self, force: bool = False) -> None:
        for name, lines in self.lines.items():
            if lines and (force or len(lines) >= CHUNK_ROWS):
                self.sink(self.tables[name][0], "".join(lines).encode())
                self.counts[name] += len(lines)
                lines.clear()


def _range_rows(spec: dict, sink) -> dict:  # noqa: PLR0915 - one hot loop, kept flat on purpose
    rng = Random(f"{spec['seed']}:range:{spec['index']}")
    random, expo, sample = rng.random, rng.expovariate, rng.sample
    step, k = spec["ranges"], spec["index"]
    out = _Out(spec["tables"], sink)
    lines = out.lines
    posts_l, tags_l, comments_l, reactions_l = (lines[n] for n in ("post", "post_tags", "comment", "reaction"))
    p_sfx, t_sfx, c_sfx, r_sfx, i_sfx, a_sfx = (spec["tables"][n][1] + "\n" for n in
                                                 ("post", "post_tags", "comment", "reaction", "impression",
                                                  "activity"))
    ids = {name: base + k for name, base in spec["id_base"].items()}
    tid, cid, rid = ids["post_tags"], ids["comment"], ids["reaction"]
    members, pods = spec["members"], spec["pods"]
    n_members = len(members)
    texts, ctexts, kinds = spec["post_texts"], spec["comment_texts"], spec["kinds"]
    n_texts, n_ctexts = len(texts), len(ctexts)
    weight_c, epoch, half_life = spec["hot"]
    now, days = spec["now"], spec["days"]
    today = now // DAY_SECONDS
    dates, first_day = _dates(today, days, spec["heavy_day"])
    # "YYYY-MM-DD" by day, " HH:MM:SS+00" by second of the day: a timestamp is two lookups, no datetime.
    clock = [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(DAY_SECONDS)]
    lam = 1 / spec["comment_mean"] if spec["comment_mean"] else None
    span = days * DAY_SECONDS - 60
    log10 = math.log10
    made = []  # per post: (id text, pod id text, pod id, day index, weight)
    pk = spec["post_start"]
    for pod_id in spec["post_pods"]:
        if pod_id:
            audience = pods[pod_id]
            n_aud = len(audience)
            author = audience[int(random() * n_aud)]
            pod_s = str(pod_id)
        else:
            audience = None
            author = members[min(int(rng.paretovariate(1.1)) - 1, n_members - 1)]
            pod_s = "\\N"
        text, tag_ids = texts[int(random() * n_texts)]
        created = now - 60 - int(random() * span)
        last = created
        pk_s = str(pk)
        c = min(int(expo(lam)), 40) if lam else 0
        for _ in range(c):
            who = audience[int(random() * n_aud)] if audience else members[int(random() * n_members)]
            at = created + 180 + 60 * int(random() * 2998)  # 3 to 3000 minutes after the post
            if at > now:
                at = now
            if at > last:
                last = at
            comments_l.append(f"{cid}\t{pk_s}\t{who}\t{ctexts[int(random() * n_ctexts)]}\tpublished\t"
                              f"{dates[at // DAY_SECONDS - first_day]}{clock[at % DAY_SECONDS]}{c_sfx}")
            cid += step
        pool = audience or members
        r = min(len(pool), int(expo(0.5)), 30)
        counts = [0, 0, 0, 0]
        if r:
            for who in sample(pool, r):
                kind = int(random() * 4)
                counts[kind] += 1
                at = created + 60 * (1 + int(random() * 2000))
                if at > now:
                    at = now
                reactions_l.append(f"{rid}\t{pk_s}\t{who}\t{kinds[kind]}\t"
                                   f"{dates[at // DAY_SECONDS - first_day]}{clock[at % DAY_SECONDS]}{r_sfx}")
                rid += step
        audience_s = "trusted" if pod_id and random() < 0.1 else "everyone"
        hot = round(log10(max(r + weight_c * c, 1)) + (created - epoch) / half_life, 7)
        day = created // DAY_SECONDS - first_day
        posts_l.append(f"{pk_s}\t{author}\t{pod_s}\t{text}\t{audience_s}\tpublished\t"
                       f"{dates[day]}{clock[created % DAY_SECONDS]}\t"
                       f"{dates[last // DAY_SECONDS - first_day]}{clock[last % DAY_SECONDS]}\t"
                       f"{counts[0]}\t{counts[1]}\t{counts[2]}\t{counts[3]}\t{r}\t{c}\t{hot!r}{p_sfx}")
        for tag in tag_ids:
            tags_l.append(f"{tid}\t{pk_s}\t{tag}{t_sfx}")
            tid += step
        made.append((pk_s, pod_s, pod_id, day, 1 + 3 * r + 2 * c))
        pk += 1
        if len(comments_l) >= CHUNK_ROWS or len(posts_l) >= CHUNK_ROWS:
            out.flush()
    out.flush(force=True)

    # Impressions: per post in proportion to its engagement, readers by a power law over members, most in
    # the days after posting; unique per (member, post, day) as the table requires. An activity day per
    # (member, scope, day) seen: a pod's are all in this range, the Commons' are merged by the caller.
    imp_l, act_l = lines["impression"], lines["activity"]
    iid, aid = ids["impression"], ids["activity"]
    active = set()  # pod id << 40 | member << 12 | day index
    active_add, imp_append = active.add, imp_l.append
    day_ends = [day + i_sfx for day in dates]
    last_day = today - first_day
    weight_sum = sum(m[4] for m in made) or 1
    scale = spec["impressions"] / weight_sum
    carry = 0.0
    for pk_s, pod_s, pod_id, day0, weight in made:
        carry += weight * scale
        want = int(carry)
        carry -= want
        if not want:
            continue
        seen = set()
        seen_add, scope, middle = seen.add, pod_id << 40, f"\t{pk_s}\t{pod_s}\t"
        for _ in range(want):
            member = members[int(random() ** 2.5 * n_members)]
            day = day0 + int(random() ** 3 * 20)
            if day > last_day:
                day = last_day
            key = member << 12 | day
            if key in seen:
                continue
            seen_add(key)
            active_add(scope | key)
            imp_append(f"{iid}\t{member}{middle}{day_ends[day]}")
            iid += step
        if len(imp_l) >= CHUNK_ROWS:
            out.flush()
    heavy_day = spec["heavy_day"] - first_day
    heavy_s = dates[heavy_day]
    seen = set()
    n_made = len(made)
    for _ in range(spec["heavy"] if n_made else 0):
        member = members[int(random() ** 1.5 * n_members)]
        j = int(random() * n_made)
        key = member * n_made + j
        if key in seen:
            continue
        seen.add(key)
        pk_s, pod_s, pod_id = made[j][:3]
        active.add(pod_id << 40 | member << 12 | heavy_day)
        imp_l.append(f"{iid}\t{member}\t{pk_s}\t{pod_s}\t{heavy_s}{i_sfx}")
        iid += step
        if len(imp_l) >= CHUNK_ROWS:
            out.flush()
    del seen
    commons = []
    for key in sorted(active):
        pod_id = key >> 40
        if not pod_id:
            commons.append(key)
            continue
        act_l.append(f"{aid}\t{key >> 12 & 0xFFFFFFF}\t{pod_id}\t{dates[key & 4095]}{a_sfx}")
        aid += step
        if len(act_l) >= CHUNK_ROWS:
            out.flush()
    out.flush(force=True)
    next_ids = {"post_tags": tid, "comment": cid, "reaction": rid, "impression": iid, "activity": aid}
    return {"counts": out.counts, "commons": commons, "next_ids": {n: i - step + 1 for n, i in next_ids.items()}}


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
