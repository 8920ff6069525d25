"""Tags: one vocabulary for species, breeds, needs, interests and topics."""

from django.db import models


class Tag(models.Model):
    """One vocabulary table for species, breeds, needs, interests and post topics."""

    class Kind(models.TextChoices):
        SPECIES = "species", "Species"
        BREED = "breed", "Breed"
        NEED = "need", "Need or condition"
        INTEREST = "interest", "Interest"
        TOPIC = "topic", "Topic"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=60)
    # A breed belongs to one species, so breed pickers can be filtered.
    species = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="breeds",
        limit_choices_to={"kind": "species"},
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="tag_unique_kind_slug")]

    def __str__(self) -> str:
        return self.name
