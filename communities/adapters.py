"""allauth customised through its adapter (never forked): where members land, which names are free."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.urls import reverse

RESERVED_PREFIXES = ("deleted-",)  # account_delete renames accounts to deleted-<id>


class AccountAdapter(DefaultAccountAdapter):
    def get_signup_redirect_url(self, request):
        # New members land on onboarding: pets, region and interests drive pod suggestions.
        return reverse("communities:onboarding")

    def get_login_redirect_url(self, request):
        # A member who verified their email after signing up (or left onboarding half-way) finishes it
        # first; an explicit ?next= still wins, as allauth gives it precedence over this.
        if request.user.onboarded_at is None:
            return reverse("communities:onboarding")
        return super().get_login_redirect_url(request)

    def clean_username(self, username, shallow=False):
        if username.lower().startswith(RESERVED_PREFIXES):
            raise forms.ValidationError("Usernames starting with “deleted-” are reserved.")
        return super().clean_username(username, shallow=shallow)
