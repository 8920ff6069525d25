"""Community managers open every admin list of this app: read-only where the product's pages and
services make the changes, so the admin never bypasses a check or the moderation log."""

from django.db import migrations

from petcommunity.permission_grants import grant, revoke

GROUP = "Community managers"
GRANTS = {
    "auth": {"group": ["view"]},
    "account": {"emailaddress": ["view"]},
    "communities": {"notification": ["view"]},
    "outbox": {"parkedtask": ["view"]},
}


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0008_commons_feed_indexes"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(lambda apps, _: grant(apps, GROUP, GRANTS),
                                       lambda apps, _: revoke(apps, GROUP, GRANTS))]
