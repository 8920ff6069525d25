"""Community managers open every admin list of this app: read-only where the product's pages and
services make the changes, so the admin never bypasses a check or the moderation log."""

from django.db import migrations

from petcommunity.permission_grants import grant, revoke

GROUP = "Community managers"
GRANTS = {
    "metrics": {"metricrollup": ["view"], "retentioncohort": ["view"], "pulsesurvey": ["view"],
                "pulseresponse": ["view"]},
}


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0002_dirtyday"),
        ("communities", "0005_community_managers_group"),
    ]

    operations = [migrations.RunPython(lambda apps, _: grant(apps, GROUP, GRANTS),
                                       lambda apps, _: revoke(apps, GROUP, GRANTS))]
