from django.core.management.base import BaseCommand

from search.documents import documents_rebuild


class Command(BaseCommand):
    help = "Rebuild the stored search vectors of every post and comment (PostgreSQL; a no-op elsewhere)."

    def handle(self, *args, **options):
        counts = documents_rebuild()
        self.stdout.write(f"Indexed {counts['post']} posts and {counts['comment']} comments (new or changed).")
