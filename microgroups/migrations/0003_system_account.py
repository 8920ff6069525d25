"""The "PetCommunity" system account: authors weekly prompts and cohort welcomes in pods without a steward."""

from django.conf import settings
from django.db import migrations

SYSTEM_USERNAME = "petcommunity"


def create_system_account(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"display_name": "PetCommunity", "email": "", "password": "!system-account-no-login",
                  "is_active": True, "bio": "Posts the pods' weekly prompts and welcomes."},
    )


def remove_system_account(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    User.objects.filter(username=SYSTEM_USERNAME, posts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("microgroups", "0002_pods_engine"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_system_account, remove_system_account)]
