"""Issue a personal access token for a member from the command line (operations, CI's API fuzzing).

Prints the raw token on stdout: it is not stored and cannot be shown again.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.models import Scope
from api.services import token_create


class Command(BaseCommand):
    help = "Issue a personal access token for a member and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--scopes", default="read", help=f"Comma-separated: {', '.join(Scope.values)}")
        parser.add_argument("--days", type=int, default=None, help="Expiry in days (default: none)")

    def handle(self, *args, **opts):
        member = get_user_model().objects.filter(username=opts["username"]).first()
        if member is None:
            raise CommandError(f"No member {opts['username']!r}.")
        scopes = [s.strip() for s in opts["scopes"].split(",") if s.strip()]
        _, raw = token_create(actor=member, name=opts["name"], scopes=scopes, expires_in_days=opts["days"])
        self.stdout.write(raw)
