"""allauth customised through its adapter (never forked): where new members land."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_signup_redirect_url(self, request):
        # New members land on onboarding: pets, region and interests drive pod suggestions.
        return reverse("communities:onboarding")
