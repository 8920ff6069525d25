"""Posts about a pet: the nullable `Post.pet`, then a backfill of existing posts where it is certain
which pet a post is about.

A post gets a pet only when, for a species the post is tagged with (a typed `#cat`), its author has
exactly one pet of that species AND the post's text names that pet (the whole name, any case, as a word:
"Biscuit's bowl" names Biscuit, "Biscuits" does not). A post that would match two pets (a `#cat #dog`
post naming both the cat and the dog) is left alone, as is every post that already has a pet, whose
author has two pets of the species, or whose text does not name the pet. A matched post also gets the
pet's breed tag (it already has the species tag: that is how it matched), as the post service does.

The reverse drops the column (the backfill has nothing to undo once it is gone).
"""

import re
from collections import Counter

import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000


def _names(text: str, name: str) -> bool:
    return bool(re.search(rf"(?<!\w){re.escape(name.strip())}(?!\w)", text, re.IGNORECASE)) if name.strip() else False


def backfill_post_pets(apps, schema_editor=None) -> int:
    """Set the pet of existing posts per the rule above; returns how many posts got one."""
    Post = apps.get_model("communities", "Post")
    Pet = apps.get_model("communities", "Pet")
    through = Post.tags.through

    per_kind = Counter()
    pets = {}
    for pet in Pet.objects.values("id", "owner_id", "species_id", "breed_id", "name").iterator(chunk_size=BATCH):
        key = (pet["owner_id"], pet["species_id"])
        per_kind[key] += 1
        pets[key] = pet
    only_pet = {key: pet for key, pet in pets.items() if per_kind[key] == 1}
    if not only_pet:
        return 0

    # post id → the pets it could be about: for each species tag, the author's only pet of that species.
    candidates: dict[int, dict[int, dict]] = {}
    rows = (through.objects.filter(tag__kind="species", post__pet__isnull=True)
            .values_list("post_id", "post__author_id", "tag_id").order_by("post_id"))
    for post_id, author_id, species_id in rows.iterator(chunk_size=BATCH):
        pet = only_pet.get((author_id, species_id))
        if pet is not None:
            candidates.setdefault(post_id, {})[pet["id"]] = pet

    changed = 0
    ids = sorted(candidates)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        updates, breed_links = [], []
        for post_id, body in Post.objects.filter(pk__in=chunk).values_list("pk", "body"):
            named = [pet for pet in candidates[post_id].values() if _names(body, pet["name"])]
            if len(named) != 1:
                continue
            pet = named[0]
            updates.append(Post(pk=post_id, pet_id=pet["id"]))
            if pet["breed_id"]:
                breed_links.append(through(post_id=post_id, tag_id=pet["breed_id"]))
        Post.objects.bulk_update(updates, ["pet"], batch_size=BATCH)
        through.objects.bulk_create(breed_links, batch_size=BATCH, ignore_conflicts=True)
        changed += len(updates)
    return changed


def forwards(apps, schema_editor):
    backfill_post_pets(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("communities", "0010_webhook_delivery_plural"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="pet",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="posts", to="communities.pet"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
