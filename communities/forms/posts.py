"""Input validation for posts, comments, polls, reactions and announcements.

Forms only parse and validate shapes; the rules (who may post where, rule checks, image contents)
live in the services, whose ValidationErrors are put back on these forms' fields by
`common.forms.form_add_service_error`.
"""

from django import forms

from ..models import Post, ReactionKind, Visibility
from ..policy import ComposerUnlocks, policy_for
from ..segments import SegmentForm
from ..services.polls import PollSpec


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input; each is checked (and re-encoded) by the post service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class PostForm(forms.Form):
    """The composer, for the Commons and pods. The poll is optional: a question plus choices, one per line.

    Given the member (`user`), it offers their own pets (`pet`, pre-selected when they have exactly one and
    do not keep their pets for trusted members)
    and only what their rung allows in the place (`offer`, from the policy's `composer_unlocks`), with a
    one-line hint at what is still locked (`offer.hint`). The locked fields stay on the form, unrendered:
    a stale page that still sends them gets the service's refusal at that field, never a silent change
    (a trusted-only post published to everyone)."""

    body = forms.CharField(label="Your post", max_length=20000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="Markdown works. #hashtags become topics; @username notifies someone.")
    pet = forms.TypedChoiceField(label="About", required=False, coerce=int, empty_value=None,
                                 help_text="Shows your pet's name and photo on the post to everyone who can read "
                                           "it, and adds their species and breed, so species filters find it.")
    audience = forms.ChoiceField(label="Who can see it", choices=Post.Audience.choices, initial="everyone",
                                 required=False)
    images = MultipleImageField(label="Photos", required=False, help_text="Up to 4 photos, 5 MB each.")
    image_alt = forms.CharField(label="Describe the photos", max_length=200, required=False,
                                help_text="For members using screen readers.")
    poll_question = forms.CharField(label="Poll question", max_length=200, required=False)
    poll_choices = forms.CharField(label="Poll choices", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text="One choice per line (2 to 10).")
    poll_multiple = forms.BooleanField(label="Members may pick more than one", required=False)
    poll_closes_at = forms.DateTimeField(label="Poll closes (optional)", required=False,
                                         widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, pod=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if pod is None:  # trusted-only posts exist in pods only
            del self.fields["audience"]
        signed_in = getattr(user, "is_authenticated", False)
        self.offer = policy_for(user).composer_unlocks(pod) if signed_in else ComposerUnlocks()
        pets = list(user.pets.select_related("species").order_by("name", "pk")) if signed_in else []
        if not pets:
            del self.fields["pet"]
            return
        self.fields["pet"].choices = [("", "No pet in particular"),
                                      *((p.pk, f"{p.name} ({p.species.name.lower()})") for p in pets)]
        # A member who shows their pets only to members who trust them chooses a pet per post: a pet chosen
        # for them would show its name and photo to every reader of every post they write.
        if len(pets) == 1 and user.pets_visibility != Visibility.TRUSTED:
            self.fields["pet"].initial = pets[0].pk

    def clean(self):
        data = super().clean()
        has_choices = bool((data.get("poll_choices") or "").strip())
        if has_choices and not (data.get("poll_question") or "").strip():
            self.add_error("poll_question", "Ask a question for your poll.")
        return data

    def poll_spec(self) -> PollSpec | None:
        d = self.cleaned_data
        if not (d.get("poll_question") or "").strip():
            return None
        return PollSpec(question=d["poll_question"], choices=(d.get("poll_choices") or "").splitlines(),
                        multiple=d.get("poll_multiple", False), closes_at=d.get("poll_closes_at"))


class PostEditForm(forms.Form):
    body = forms.CharField(label="Your post", max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))


class CommentForm(forms.Form):
    body = forms.CharField(label="Your comment", max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CommentEditForm(forms.Form):
    body = forms.CharField(label="Your comment", max_length=10000, widget=forms.Textarea(attrs={"rows": 5}),
                           help_text="Markdown works. Everyone sees that it was edited.")


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=ReactionKind.choices)


class PollVoteForm(forms.Form):
    choices = forms.TypedMultipleChoiceField(coerce=int, label="Your vote", error_messages={
        "required": "Pick one of the choices."})

    def __init__(self, *args, poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].choices = [(c.pk, c.text) for c in poll.choices.all()]
        self.fields["choices"].widget = (forms.CheckboxSelectMultiple() if poll.multiple else forms.RadioSelect())


class AnnouncementForm(SegmentForm):
    """A manager's announcement: the text, and optionally a segment (the directory's filters)."""

    body = forms.CharField(label="Announcement", max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))
    pin = forms.BooleanField(label="Pin it to the top of the Commons", required=False, initial=True)
    field_order = ["body", "pin"]

    def segment(self) -> dict:
        filters = self.filters()
        filters.pop("body", None)
        filters.pop("pin", None)
        return filters
