"""Places: the manager-maintained list members and pods are located in."""

from django.db import models


class Place(models.Model):
    """The manager-maintained place list: country › region › city/area."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        REGION = "region", "Region"
        CITY = "city", "City or area"

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="place_unique_name_in_parent")]

    def __str__(self) -> str:
        return self.name

    @property
    def region(self) -> "Place | None":
        """The region this place sits in (itself when it is a region); moderation scopes hang off it."""
        if self.kind == self.Kind.REGION:
            return self
        if self.kind == self.Kind.CITY and self.parent_id:
            return self.parent
        return None
