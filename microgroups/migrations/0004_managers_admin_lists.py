"""Community managers open every admin list of this app: read-only where the product's pages and
services make the changes, so the admin never bypasses a check or the moderation log."""

from django.db import migrations

from petcommunity.permission_grants import grant, revoke

GROUP = "Community managers"
GRANTS = {
    "microgroups": {"membershipevent": ["view"], "joinrequest": ["view"], "invite": ["view"],
                    "waitlistentry": ["view"], "podsuggestion": ["view"], "emergingniche": ["view"]},
}


class Migration(migrations.Migration):
    dependencies = [
        ("microgroups", "0003_system_account"),
        ("communities", "0005_community_managers_group"),
    ]

    operations = [migrations.RunPython(lambda apps, _: grant(apps, GROUP, GRANTS),
                                       lambda apps, _: revoke(apps, GROUP, GRANTS))]
