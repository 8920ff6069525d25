from django import forms

from .models import Scope

EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "A year"), ("", "Never")]


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What uses it, e.g. “welcome bot”.")
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple,
                                       initial=[Scope.READ])
    expires_in_days = forms.TypedChoiceField(label="Expires", choices=EXPIRY_CHOICES, coerce=int, empty_value=None,
                                             initial="90", required=False)
