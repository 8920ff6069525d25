from django.core.management.base import BaseCommand

from petcommunity.outbox.services import outbox_flush


class Command(BaseCommand):
    help = "Queue the tasks parked while the broker was unreachable (beat does this every minute)."

    def handle(self, *args, **options):
        self.stdout.write(f"queued {outbox_flush()} parked tasks")
