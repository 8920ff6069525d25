from django import forms
from django.contrib.auth import get_user_model

from .models import MAX_PARTICIPANTS


class ConversationForm(forms.Form):
    to = forms.CharField(label="To", max_length=400, help_text="Usernames, separated by commas (up to 7).")
    body = forms.CharField(label="Message", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    about_moderation = forms.BooleanField(label="About a moderation matter", required=False)

    def __init__(self, *args, moderator: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not moderator:
            del self.fields["about_moderation"]

    def clean_to(self):
        names = [n.strip().lstrip("@") for n in self.cleaned_data["to"].split(",") if n.strip()]
        if not names:
            raise forms.ValidationError("Name at least one member.")
        if len(names) >= MAX_PARTICIPANTS:
            raise forms.ValidationError(f"A conversation holds up to {MAX_PARTICIPANTS} people, you included.")
        found = {u.username.lower(): u for u in get_user_model().objects.filter(
            username__in=names + [n.lower() for n in names], is_active=True, deleted_at__isnull=True)}
        missing = [n for n in names if n.lower() not in found]
        if missing:
            raise forms.ValidationError(f"No member called {', '.join(missing)}.")
        return [found[n.lower()] for n in names]


class MessageForm(forms.Form):
    body = forms.CharField(label="Reply", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class MessageSettingsForm(forms.Form):
    accepts_messages = forms.BooleanField(label="Let members message me", required=False)
    email_new_messages = forms.BooleanField(label="Email me when a message arrives", required=False)


class ReportForm(forms.Form):
    reason = forms.CharField(label="What is wrong with this message?", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))
