"""The community managers' admin, one module per noun. Actions call the services, so the admin never
bypasses a rule. Importing the modules registers their ModelAdmins."""

from . import members, posts, vocabularies, webhooks  # noqa: F401
