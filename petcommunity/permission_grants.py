"""Model permissions for a named group, granted from data migrations.

Each app grants its own models to the group in its own migration, so an app never reaches into the
permissions of an app above it. Django creates permissions after all migrations have run; a grant makes
sure they exist first.
"""

from django.contrib.auth.management import create_permissions

# app label → {model name → actions}
Grants = dict[str, dict[str, list[str]]]


def _permissions(apps, grants: Grants) -> list:
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    wanted = [(app, f"{action}_{model}") for app, models in grants.items()
              for model, actions in models.items() for action in actions]
    return [perm for app, code in wanted
            for perm in Permission.objects.filter(content_type__app_label=app, codename=code)]


def grant(apps, group_name: str, grants: Grants) -> None:
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=group_name)
    group.permissions.add(*_permissions(apps, grants))


def revoke(apps, group_name: str, grants: Grants) -> None:
    group = apps.get_model("auth", "Group").objects.filter(name=group_name).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps, grants))
