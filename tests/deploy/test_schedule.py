"""The shortened beat schedule (BEAT_SCHEDULE_SCALE) that `make run` and `make prod-smoke` use."""

import subprocess
import sys

from celery.schedules import crontab
from django.conf import settings

from petcommunity.settings.schedule import schedule_period, schedule_scaled


def test_crontab_periods_are_a_week_over_its_runs_per_week():
    assert schedule_period(crontab(minute="*/15")) == 900
    assert schedule_period(crontab(minute=30)) == 3600
    assert schedule_period(crontab(hour=3, minute=15)) == 86400
    assert schedule_period(crontab(hour=9, minute=0, day_of_week=1)) == 7 * 86400
    assert schedule_period(30.0) == 30


def test_scaled_entries_keep_task_and_arguments_and_never_run_more_often_than_every_5_seconds():
    entries = {
        "rollup": {"task": "metrics.tasks.rollup_recent", "schedule": crontab(minute="*/15")},
        "digest": {"task": "communities.tasks.digests_send", "schedule": crontab(hour=7, minute=0), "args": ("daily",)},
        "flush": {"task": "metrics.tasks.impressions_flush", "schedule": 30.0},
    }
    scaled = schedule_scaled(entries, 0.1)
    assert scaled == {
        "rollup": {"task": "metrics.tasks.rollup_recent", "schedule": 90.0},
        "digest": {"task": "communities.tasks.digests_send", "schedule": 8640.0, "args": ("daily",)},
        "flush": {"task": "metrics.tasks.impressions_flush", "schedule": 5.0},
    }
    assert schedule_scaled(entries, 1) is entries


def test_settings_scale_every_beat_entry_from_the_environment():
    code = ("import os, django; django.setup(); from django.conf import settings as s; "
            "print(s.CELERY_BEAT_SCHEDULE['metrics-rollup-recent']['schedule'], len(s.CELERY_BEAT_SCHEDULE))")
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_SETTINGS_MODULE": "petcommunity.settings.dev",
           "BEAT_SCHEDULE_SCALE": "0.1", "VAR_DIR": "/tmp/pc-test-var"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=settings.BASE_DIR, check=True)
    assert done.stdout.split() == ["90.0", str(len(settings.CELERY_BEAT_SCHEDULE))]


def test_only_the_test_settings_run_tasks_eagerly():
    assert settings.CELERY_TASK_ALWAYS_EAGER is not bool(settings.REDIS_URL)
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)")
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_SETTINGS_MODULE": "petcommunity.settings.dev",
           "VAR_DIR": "/tmp/pc-test-var"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=settings.BASE_DIR, check=True)
    assert done.stdout.split() == ["False", "sqla+sqlite:////tmp/pc-test-var/celery-broker.sqlite3"]
