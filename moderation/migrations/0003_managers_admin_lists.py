"""Community managers open every admin list of this app: read-only where the product's pages and
services make the changes, so the admin never bypasses a check or the moderation log."""

from django.db import migrations

from petcommunity.permission_grants import grant, revoke

GROUP = "Community managers"
GRANTS = {
    "moderation": {"moderatorassignment": ["view", "add", "change"], "rule": ["view", "change"],
                   "rulehit": ["view"], "queueitem": ["view"], "report": ["view"], "appeal": ["view"],
                   "mute": ["view"], "moderationlogentry": ["view"]},
}


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_rules_version"),
        ("communities", "0005_community_managers_group"),
    ]

    operations = [migrations.RunPython(lambda apps, _: grant(apps, GROUP, GRANTS),
                                       lambda apps, _: revoke(apps, GROUP, GRANTS))]
