"""schemathesis against the live schema, as a member and as a manager: 0 server errors and 0 answers
outside the schema (status, content type, body). Run by `make api-fuzz`, not by the test suite (the
file name keeps it out of collection: it takes a couple of minutes).

Each run must actually test: every operation tested and a floor on generated cases, so a run that
silently tests nothing (a broken schema URL, a filter matching nothing) fails. Path ids are pinned to
real rows of a small world so generated cases reach the services, not just the 404s.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.contrib.auth.models import Group

from communities.models import ContentStatus, Notification, Pet, Poll, PollChoice, Tag, Webhook, WebhookDelivery
from microgroups.models import Invite, JoinRequest
from moderation.models import QueueItem, ScopeKind
from tests.factories import CommentFactory, PodFactory, PostFactory, UserFactory, join

from .conftest import token_for

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
MIN_OPERATIONS = 30
MIN_CASES = 400  # per role; a healthy run generates well over a thousand
ALL_SCOPES = ("read", "write", "moderate", "metrics")


def _world() -> dict:
    pod = PodFactory(slug="fuzz-pod", privacy="request", question="Why?")
    member, steward, manager = UserFactory(username="fuzz_member"), UserFactory(), UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    join(member, pod), join(steward, pod, role="steward")
    post = PostFactory(pod=pod, author=steward)
    poll = Poll.objects.create(post=post, question="Walks?")
    choice = PollChoice.objects.create(poll=poll, text="One")
    PollChoice.objects.create(poll=poll, text="Two")
    comment = CommentFactory(post=post, author=steward)
    held = PostFactory(status=ContentStatus.HELD)
    item = QueueItem.objects.create(kind="held", post=held, subject=held.author, reason="fuzz",
                                    scope_kind=ScopeKind.COMMONS)
    notification = Notification.objects.create(recipient=member, kind="reply", verb="replied", url="/")
    asker = UserFactory()
    request_row = JoinRequest.objects.create(pod=pod, member=asker, answer="please")
    invite = Invite.objects.create(pod=pod, code="fuzz-invite")
    # Loopback: a redelivery (eager Celery in the live server) is refused by the address guard, never sent.
    hook = Webhook.objects.create(name="fuzz", url="http://127.0.0.1:9/hook", secret="s" * 64, pod=pod,
                                  events=["pod.full"])
    delivery = WebhookDelivery.objects.create(webhook=hook, event="pod.full", event_key="pod.full:1",
                                              status="gave_up", attempts=8, payload={"scope": {"pod": pod.slug}})
    cat = Tag.objects.get_or_create(kind="species", slug="cat", defaults={"name": "Cat"})[0]
    pet = Pet.objects.create(owner=member, name="Mog", species=cat)
    return {"slug": pod.slug, "post_id": post.pk, "comment_id": comment.pk, "poll_id": poll.pk,
            "item_id": item.pk, "notification_id": notification.pk, "request_id": request_row.pk,
            "invite_id": invite.pk, "choice": choice.pk, "webhook_id": hook.pk, "delivery_id": delivery.pk,
            "pet_id": pet.pk,
            "tokens": {"member": token_for(member, ALL_SCOPES), "manager": token_for(manager, ALL_SCOPES)}}


def _config(path: Path, world: dict) -> None:
    names = ("slug", "post_id", "comment_id", "poll_id", "item_id", "notification_id", "request_id", "invite_id",
             "webhook_id", "delivery_id", "pet_id")
    lines = ["[parameters]"] + [f'"path.{n}" = {json.dumps(world[n])}' for n in names]
    path.write_text("\n".join(lines) + "\n")


def _run(base: str, token: str, config: Path, report: Path) -> subprocess.CompletedProcess:
    schemathesis = str(Path(sys.executable).with_name("schemathesis"))
    return subprocess.run(
        [schemathesis, "--config-file", str(config), "run", f"{base}/api/v1/openapi.json",
         "-H", f"Authorization: Bearer {token}", "--checks", CHECKS, "--max-examples",
         os.environ.get("API_FUZZ_EXAMPLES", "3"), "--seed", "1", "--workers", "1", "--no-shrink",
         "--phases", "examples,coverage,fuzzing", "--request-timeout", "30", "--wait-for-schema", "60",
         "--report", "json", "--report-json-path", str(report)],
        capture_output=True, text=True, timeout=850)


@pytest.mark.timeout(900)  # a busy machine is slow, not wrong; CI on its own takes a minute or two per role
@pytest.mark.parametrize("role", ["member", "manager"])
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(role, live_server, settings, tmp_path):
    settings.RATE_LIMITS_ENABLED = False  # 429s are tested on their own; here writes must reach the services
    world = _world()
    config, report = tmp_path / "schemathesis.toml", tmp_path / "report.json"
    _config(config, world)
    httpx.get(f"{live_server.url}/api/v1/openapi.json", timeout=60).raise_for_status()  # warm: the first build
    done = _run(live_server.url, world["tokens"][role], config, report)
    assert report.exists(), done.stdout[-6000:] + done.stderr[-3000:]
    summary = json.loads(report.read_text())
    assert summary["operations"] and summary["test_cases"], done.stdout[-6000:] + done.stderr[-3000:]
    cases, operations = summary["test_cases"], summary["operations"]
    print(f"\nschemathesis as {role}: {cases['generated']} cases over {operations['tested']}/{operations['total']} "
          f"operations, {cases['with_failures']} with failures, {cases['errored']} errored")
    assert done.returncode == 0, done.stdout[-6000:]
    assert summary["failures"] == [] and summary["errors"] == []
    assert operations["tested"] == operations["total"] >= MIN_OPERATIONS
    assert cases["generated"] >= MIN_CASES
