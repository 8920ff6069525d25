"""Profiles, the member directory and onboarding."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from common.forms import form_apply_service

from ..forms import OnboardingForm, PetForm
from ..segments import SegmentForm
from ..selectors import directory_page, profile_get
from ..services.pets import pet_create
from ..services.profiles import onboarding_complete

FOLLOW_BUTTON = "communities/_follow_button_fragment.html"  # the fragment behind {% follow_button member %}


def _optional_template(name: str) -> str | None:
    """A partial another part of the app provides; the page works without it."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


def profile(request, username: str):
    return render(request, "communities/profile.html", {
        "profile": profile_get(viewer=request.user, username=username), "nav_section": "profile",
        "follow_button": _optional_template(FOLLOW_BUTTON) if request.user.is_authenticated else None,
    })


@login_required
def directory(request):
    form = SegmentForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    page = directory_page(viewer=request.user, filters=filters, cursor=request.GET.get("cursor"))
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "communities/directory.html",
                  {"form": form, "page": page, "query": query.urlencode(), "nav_section": "members"})


@login_required
def onboarding(request):
    """Three structured steps on one page: add pets (any number), then where you are and interests."""
    user = request.user
    pet_form = PetForm(prefix="pet")
    about_form = OnboardingForm(initial={"region": user.region.slug if user.region_id else "",
                                         "interests": [t.slug for t in user.interests.all()]})
    if request.method == "POST" and "add_pet" in request.POST:
        pet_form = PetForm(request.POST, request.FILES, prefix="pet")
        if pet_form.is_valid() and form_apply_service(pet_form, lambda d: pet_create(actor=user, **d)):
            messages.success(request, f"{pet_form.cleaned_data['name']} is on your profile.")
            return redirect("communities:onboarding")
    elif request.method == "POST":
        about_form = OnboardingForm(request.POST)
        if about_form.is_valid() and form_apply_service(
                about_form, lambda d: onboarding_complete(actor=user, **d)):
            return redirect("communities:onboarding_done")
    pets = user.pets.select_related("species", "breed")
    return render(request, "communities/onboarding.html",
                  {"pet_form": pet_form, "about_form": about_form, "pets": pets, "nav_section": "profile"})


@login_required
def onboarding_done(request):
    return render(request, "communities/onboarding.html", {"done": True, "nav_section": "profile"})

