"""Kept as a migration node (other apps' migrations depend on it). The "PetCommunity" system account it
once created is now made on first use by `microgroups.services._common.system_account`, so a fresh
database has exactly the members someone created."""

from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("microgroups", "0002_pods_engine"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = []
