"""Input validation for pod pages. The rules live in the services; their ValidationErrors are put
back next to the matching field with `common.forms.form_add_service_error`, so nothing typed is lost."""

from django import forms

from communities.models import Place, Tag, Webhook
from communities.rendering import extract_hashtags
from communities.webhooks import url_refusal

from .models import DEFAULT_LADDER, LADDER_BOOL_KEYS, LADDER_RUNG_KEYS, Pod, Rung
from .services.webhooks import POD_EVENTS

DEFAULT_CHARTER = (
    "1. Be kind: everyone here is doing their best for their animal.\n"
    "2. Share experience, not diagnoses: see a vet for medical questions.\n"
    "3. What is shared in the pod stays in the pod."
)


def _tags(kind: str):
    return Tag.objects.filter(kind=kind).order_by("name")


class PodDetailsForm(forms.Form):
    name = forms.CharField(max_length=80)
    slug = forms.SlugField(label="Address", max_length=80, required=False,
                           help_text="Letters, numbers and hyphens. Left empty: made from the name.")
    description = forms.CharField(max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    privacy = forms.ChoiceField(choices=Pod.Privacy.choices, initial=Pod.Privacy.OPEN, widget=forms.RadioSelect)
    is_unlisted = forms.BooleanField(label="Unlisted: only members know it exists (invite-only pods)",
                                     required=False)
    member_cap = forms.IntegerField(label="Member cap", min_value=3, max_value=500, initial=50,
                                    help_text="Pods stay intimate: between 3 and 500. A full pod keeps a waitlist.")
    question = forms.CharField(label="Question for people asking to join", max_length=200, required=False,
                               help_text="Request pods ask it. Answers are shared in the weekly welcome thread.")
    welcome_message = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    prompt_text = forms.CharField(label="Weekly prompt", max_length=300, required=False,
                                  help_text="Posted every week on the day below, e.g. “Share a photo of your week”.")
    prompt_weekday = forms.TypedChoiceField(label="Prompt day", choices=[("", "No weekly prompt")]
                                            + list(Pod.Weekday.choices), coerce=int, empty_value=None,
                                            required=False)
    region = forms.ModelChoiceField(queryset=Place.objects.exclude(kind=Place.Kind.COUNTRY).order_by("name"),
                                    required=False, empty_label="Anywhere")
    species = forms.ModelMultipleChoiceField(queryset=_tags("species"), required=False,
                                             widget=forms.CheckboxSelectMultiple)
    breeds = forms.ModelMultipleChoiceField(queryset=_tags("breed"), required=False)
    needs = forms.ModelMultipleChoiceField(queryset=_tags("need"), required=False, widget=forms.CheckboxSelectMultiple)
    interests = forms.ModelMultipleChoiceField(queryset=_tags("interest"), required=False,
                                               widget=forms.CheckboxSelectMultiple)
    topics = forms.CharField(label="Topics", max_length=300, required=False,
                             help_text="Hashtags this pod is about, e.g. #hydrotherapy #senior-dogs")
    split_offer_waitlist = forms.IntegerField(label="Offer a split when this many are waiting", min_value=1,
                                              max_value=500, initial=5)

    TAG_FIELDS = ("species", "breeds", "needs", "interests")

    def clean_is_unlisted(self):
        unlisted = self.cleaned_data["is_unlisted"]
        if unlisted and self.data.get(self.add_prefix("privacy")) != Pod.Privacy.INVITE:
            raise forms.ValidationError("Only invite-only pods can be unlisted.")
        return unlisted

    def tag_list(self) -> list[Tag]:
        tags = [t for f in self.TAG_FIELDS for t in self.cleaned_data.get(f) or []]

        for slug in sorted(extract_hashtags(" ".join(f"#{w.lstrip('#')}" for w in
                                                    (self.cleaned_data.get("topics") or "").split()))):
            tag, _ = Tag.objects.get_or_create(kind=Tag.Kind.TOPIC, slug=slug[:60], defaults={"name": slug[:60]})
            tags.append(tag)
        return tags

    def details(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("name", "slug", "description", "privacy", "is_unlisted", "member_cap", "question",
                                  "welcome_message", "prompt_text", "prompt_weekday", "region",
                                  "split_offer_waitlist")}

    @classmethod
    def initial_for(cls, pod: Pod) -> dict:
        initial = {f: getattr(pod, f) for f in ("name", "slug", "description", "privacy", "is_unlisted",
                                                "member_cap", "question", "welcome_message", "prompt_text",
                                                "prompt_weekday", "region", "split_offer_waitlist")}
        tags = list(pod.tags.all())
        for field, kind in (("species", "species"), ("breeds", "breed"), ("needs", "need"), ("interests", "interest")):
            initial[field] = [t for t in tags if t.kind == kind]
        initial["topics"] = " ".join(f"#{t.slug}" for t in tags if t.kind == Tag.Kind.TOPIC)
        return initial


class PodCreateForm(PodDetailsForm):
    charter = forms.CharField(max_length=10000, initial=DEFAULT_CHARTER, widget=forms.Textarea(attrs={"rows": 6}),
                              help_text="How members treat each other here. Joining means agreeing to it.")


class CharterForm(forms.Form):
    body = forms.CharField(label="Charter", max_length=10000, widget=forms.Textarea(attrs={"rows": 10}),
                           help_text="Saving a change asks every member to read and acknowledge it again.")


class AcknowledgeForm(forms.Form):
    """Joining (or re-acknowledging) means agreeing to the charter version shown."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    acknowledge = forms.BooleanField(label="I have read the charter and agree to it",
                                     error_messages={"required": "Please read the charter and tick the box to "
                                                                 "agree to it."})


class RequestForm(AcknowledgeForm):
    answer = forms.CharField(label="Your answer", max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["answer", "acknowledge", "version"]


class InviteForm(forms.Form):
    expires_in_days = forms.IntegerField(label="Expires after (days)", min_value=1, max_value=365, initial=14,
                                         required=False, help_text="Empty: never expires.")
    max_uses = forms.IntegerField(label="Number of uses", min_value=1, max_value=500, required=False,
                                  help_text="Empty: any number of people.")
    email = forms.EmailField(label="Only for this email (optional)", required=False)


POD_EVENT_CHOICES = [(value, label) for value, label in Webhook.Event.choices if value in POD_EVENTS]


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What it feeds, e.g. “Our Discord” or “Volunteer CRM”.")
    url = forms.URLField(label="Payload URL", max_length=500, assume_scheme="https",
                         help_text="Where we POST each event, signed with the hook's secret. Public addresses "
                                   "only: loopback, link-local, private and metadata addresses are refused.")
    events = forms.MultipleChoiceField(choices=POD_EVENT_CHOICES, widget=forms.CheckboxSelectMultiple,
                                       initial=["post.created"],
                                       help_text="Posts are sent without trusted-only ones, which never leave.")

    def clean_url(self):
        url = self.cleaned_data["url"]
        refusal = url_refusal(url)
        if refusal:
            raise forms.ValidationError(refusal)
        return url


class LadderForm(forms.Form):
    """One field per DEFAULT_LADDER key, so the form follows the model's defaults."""

    LABELS = {
        "regular_active_days": "Regular: days active", "regular_contributions": "Regular: posts and comments",
        "trusted_member_days": "Trusted: days as a member", "trusted_active_days_30": "Trusted: days active of 30",
        "trusted_contributions": "Trusted: posts and comments",
        "trusted_distinct_reactors": "Trusted: different members reacting",
        "trusted_clean_days": "Trusted: days without an upheld moderation action",
        "demote_after_silent_days": "Step down a rung after this many silent days",
        "links_min_rung": "Links allowed from", "images_min_rung": "Images allowed from",
        "pace_adjust": "Measure activity against this pod's own pace",
    }

    def __init__(self, *args, pod: Pod, **kwargs):
        super().__init__(*args, **kwargs)
        for key, default in DEFAULT_LADDER.items():
            label, initial = self.LABELS.get(key, key), pod.ladder_setting(key)
            if key in LADDER_RUNG_KEYS:
                self.fields[key] = forms.ChoiceField(label=label, choices=Rung.choices, initial=initial)
            elif key in LADDER_BOOL_KEYS:
                self.fields[key] = forms.BooleanField(label=label, required=False, initial=initial)
            else:
                self.fields[key] = forms.IntegerField(label=label, min_value=0, max_value=365, initial=initial,
                                                      help_text=f"Default {default}.")


class RungForm(forms.Form):
    rung = forms.ChoiceField(choices=[*Rung.choices, ("auto", "Let the ladder decide")])
    reason = forms.CharField(max_length=300, required=False)


class BanForm(forms.Form):
    days = forms.IntegerField(label="Ban for (days)", min_value=1, max_value=3650, required=False,
                              help_text="Empty: until a steward lifts it.")
    reason = forms.CharField(max_length=300, required=False)


class HandOverForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, label="Hand the steward role to")

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class StewardInviteForm(forms.Form):
    """A manager's invitation to steward: one of the listed pods, or a new pod (about the niche, if any)."""

    target = forms.ChoiceField(label="Steward", widget=forms.RadioSelect)
    message = forms.CharField(label="A word from you (optional)", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="They read it on the invitation page.")

    def __init__(self, *args, options=(), niche=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(p.pk), f"{p.name} ({p.member_count} members, {p.steward_count} "
                               f"steward{'s' if p.steward_count != 1 else ''})") for p in options]
        choices.append(("new", f"A new pod about #{niche.slug}, started by them" if niche else
                        "A new pod, started by them"))
        self.fields["target"].choices = choices

    def pod_id(self) -> int | None:
        target = self.cleaned_data["target"]
        return None if target == "new" else int(target)


class DeclineForm(forms.Form):
    answer = forms.CharField(label="Why not? (optional; the manager who asked reads it)", max_length=300,
                             required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StewardAddForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, label="Make a co-steward", empty_label="Choose a member")
    reason = forms.CharField(max_length=300, required=False, label="Reason (optional; in the pod's history)")

    def __init__(self, *args, members, **kwargs):
        kwargs.setdefault("prefix", "add")
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class StewardRemoveForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=300, required=False, label="Reason (optional; in the pod's history)")

    def __init__(self, *args, stewards, **kwargs):
        kwargs.setdefault("prefix", "remove")
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = stewards


def niche_initial(niche) -> dict:
    """A new pod prefilled from a niche tag: its name, and the tag in the field of its kind."""
    if niche is None:
        return {}
    fields = {"species": "species", "breed": "breeds", "need": "needs", "interest": "interests"}
    initial = {"name": niche.name.capitalize()[:80]}
    if niche.kind in fields:
        initial[fields[niche.kind]] = [niche]
    else:
        initial["topics"] = f"#{niche.slug}"
    return initial
