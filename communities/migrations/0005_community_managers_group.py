"""The "Community managers" group: staff in it run the admin (microgroups.permissions.is_manager)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Community managers"
# app label → {model → actions}. Content and members: view + change (deletion goes through services);
# the vocabularies managers maintain (places, tags): everything.
GRANTS = {
    "communities": {
        "user": ["view", "change"], "pet": ["view", "change"],
        "post": ["view", "change"], "comment": ["view", "change"], "postimage": ["view", "change"],
        "postrevision": ["view"], "poll": ["view", "change"], "pollchoice": ["view"], "reaction": ["view"],
        "follow": ["view"], "place": ["view", "add", "change", "delete"], "tag": ["view", "add", "change", "delete"],
    },
    "microgroups": {"pod": ["view", "change"], "membership": ["view", "change"], "charter": ["view"]},
}


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [(app, f"{action}_{model}") for app, models in GRANTS.items()
                 for model, actions in models.items() for action in actions]
    perms = [p for app, code in codenames
             for p in Permission.objects.filter(content_type__app_label=app, codename=code)]
    group.permissions.add(*perms)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("communities", "0004_content_polls_announcements"),
        ("microgroups", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
