"""A rule changed in one process is applied by another on its next check, with no cache shared between them."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from moderation.scopes import COMMONS
from moderation.services.rules import rule_toggle, rule_update
from tests.factories import UserFactory

from .test_rules import watch

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def other_process(services_required):
    member = UserFactory()
    command = [sys.executable, "-m", "tests.moderation.rule_checker", connection.settings_dict["NAME"], str(member.pk)]
    process = subprocess.Popen(command,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               cwd=Path(__file__).resolve().parents[2])

    def check(body: str) -> str:
        process.stdin.write(body + "\n")
        process.stdin.flush()
        return process.stdout.readline().strip()

    yield check
    process.stdin.close()
    process.wait(timeout=30)


def test_a_rule_made_here_is_applied_there_on_the_next_check(other_process, manager):
    assert other_process("Selling crypto cheap") == "published"  # the other process has cached its rule set
    rule = watch(manager, COMMONS, "crypto", "block", reason="No scams.")
    assert other_process("Selling crypto cheap") == "blocked"
    rule_update(actor=manager, rule=rule, title=rule.title, enabled=True,
                settings={**rule.settings, "action": "hold"})
    assert other_process("Selling crypto cheap") == "held"
    rule_toggle(actor=manager, rule=rule)  # disabled
    assert other_process("Selling crypto cheap") == "published"
