"""Input validation for profiles, pets, onboarding and account deletion (the services do the writing).

Choices are slugs from the manager-maintained vocabularies (Tag, Place), the same values the
directory filters use, converted to model instances in clean_*.
"""

import zoneinfo

from django import forms
from django.conf import settings
from django.utils import timezone

from ..images import validate_and_reencode
from ..models import Place, Tag, Visibility
from ..segments import breed_choices, place_choices, tag_choices
from ..services.pets import OLDEST_BIRTH_YEAR

ACCEPT_IMAGES = "image/jpeg,image/png,image/webp,image/gif"


def _image_field(label: str) -> forms.FileField:
    # A plain FileField: Pillow validation happens once, in validate_and_reencode, with our messages.
    limit = settings.AVATAR_MAX_BYTES // (1024 * 1024)
    return forms.FileField(label=label, required=False, help_text=f"JPEG, PNG, WebP or GIF, up to {limit} MB.",
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_IMAGES}))


def _clean_image(upload):
    if not upload:
        return None
    return validate_and_reencode(upload, max_bytes=settings.AVATAR_MAX_BYTES, max_pixels=settings.IMAGE_MAX_PIXELS)


def _tags(slugs, kind: str) -> list[Tag]:
    return list(Tag.objects.filter(kind=kind, slug__in=slugs)) if slugs else []


def _place(slug: str) -> Place | None:
    return Place.objects.filter(slug=slug).first() if slug else None


class RegionInterestsMixin(forms.Form):
    region = forms.ChoiceField(label="Where you are", required=False,
                               help_text="Pick the closest place; it helps us suggest local pods.")
    interests = forms.MultipleChoiceField(label="Interests", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Prefer not to say"), *place_choices()]
        self.fields["interests"].choices = tag_choices(Tag.Kind.INTEREST)

    def clean_region(self):
        return _place(self.cleaned_data.get("region"))

    def clean_interests(self):
        return _tags(self.cleaned_data.get("interests"), Tag.Kind.INTEREST)


class OnboardingForm(RegionInterestsMixin):
    """About you: the structured answers that drive segmentation and pod suggestions."""


class ProfileForm(RegionInterestsMixin):
    display_name = forms.CharField(label="Display name", max_length=60, required=False,
                                   help_text="Shown instead of your username. Everyone can see it.")
    avatar = _image_field("Profile picture")
    avatar_clear = forms.BooleanField(label="Remove my current picture", required=False)
    bio = forms.CharField(label="About you", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                          help_text="Up to 500 characters.")
    time_zone = forms.ChoiceField(label="Time zone", help_text="Times on the site are shown in this zone.")
    bio_visibility = forms.ChoiceField(label="Who may see “About you”", choices=Visibility.choices)
    region_visibility = forms.ChoiceField(label="Who may see where you are", choices=Visibility.choices)
    pets_visibility = forms.ChoiceField(label="Who may see your pets", choices=Visibility.choices)
    interests_visibility = forms.ChoiceField(label="Who may see your interests", choices=Visibility.choices)

    field_order = ["display_name", "avatar", "avatar_clear", "bio", "bio_visibility", "region",
                   "region_visibility", "interests", "interests_visibility", "pets_visibility", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z.replace("_", " ")) for z in sorted(zoneinfo.available_timezones())]

    def clean_avatar(self):
        return _clean_image(self.cleaned_data.get("avatar"))

    @staticmethod
    def initial_for(user) -> dict:
        return {
            "display_name": user.display_name, "bio": user.bio, "time_zone": user.time_zone,
            "region": user.region.slug if user.region_id else "",
            "interests": [t.slug for t in user.interests.all()],
            **{f: getattr(user, f) for f in ("bio_visibility", "region_visibility", "pets_visibility",
                                             "interests_visibility")},
        }


class PetForm(forms.Form):
    name = forms.CharField(label="Name", max_length=60)
    species = forms.ChoiceField(label="Species")
    breed = forms.ChoiceField(label="Breed", required=False, help_text="Breeds are grouped by species.")
    birth_year = forms.IntegerField(label="Year of birth", required=False, min_value=OLDEST_BIRTH_YEAR,
                                    help_text="Roughly is fine.")
    needs = forms.MultipleChoiceField(label="Needs or conditions", required=False,
                                      widget=forms.CheckboxSelectMultiple,
                                      help_text="Helps you find members and pods who have been there too.")
    photo = _image_field("Photo")
    photo_clear = forms.BooleanField(label="Remove the current photo", required=False)

    def __init__(self, *args, with_clear: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["species"].choices = [("", "Choose…"), *tag_choices(Tag.Kind.SPECIES)]
        self.fields["breed"].choices = [("", "Not sure / mixed"), *breed_choices()]
        self.fields["needs"].choices = tag_choices(Tag.Kind.NEED)
        self.fields["birth_year"].max_value = timezone.now().year
        self.fields["birth_year"].widget.attrs["max"] = timezone.now().year
        if not with_clear:
            del self.fields["photo_clear"]

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and year > timezone.now().year:
            raise forms.ValidationError("That year has not happened yet.")
        return year

    def clean_photo(self):
        return _clean_image(self.cleaned_data.get("photo"))

    def clean(self):
        data = super().clean()
        species = Tag.objects.filter(kind=Tag.Kind.SPECIES, slug=data.get("species")).first()
        breed = Tag.objects.filter(kind=Tag.Kind.BREED, slug=data["breed"]).first() if data.get("breed") else None
        if species and breed and breed.species_id != species.pk:
            self.add_error("breed", f"{breed.name} is not a breed of {species.name.lower()}.")
        data["species"], data["breed"] = species, breed
        data["needs"] = _tags(data.get("needs"), Tag.Kind.NEED)
        return data

    @staticmethod
    def initial_for(pet) -> dict:
        return {"name": pet.name, "species": pet.species.slug, "breed": pet.breed.slug if pet.breed_id else "",
                "birth_year": pet.birth_year, "needs": [t.slug for t in pet.needs.all()]}


class AccountDeleteForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    confirm = forms.BooleanField(label="I understand this cannot be undone", required=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password
