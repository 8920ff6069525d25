"""Account settings: profile, pets, account deletion; and the throttled admin login."""

from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from common.forms import form_apply_service

from ..forms import AccountDeleteForm, PetForm, ProfileForm
from ..models import Pet
from ..services.accounts import account_delete
from ..services.pets import pet_create, pet_delete, pet_update
from ..services.profiles import profile_update
from ..throttle import admin_login_blocked_for, admin_login_failed

VISIBILITY_KEYS = ("bio_visibility", "region_visibility", "pets_visibility", "interests_visibility")


def _save_profile(user, data: dict):
    visibilities = {k: data.pop(k) for k in VISIBILITY_KEYS}
    return profile_update(actor=user, visibilities=visibilities, **data)


@login_required
def profile_edit(request):
    form = ProfileForm(initial=ProfileForm.initial_for(request.user))
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid() and form_apply_service(form, lambda d: _save_profile(request.user, dict(d))):
            messages.success(request, "Your profile is saved.")
            return redirect("communities:profile_edit")
    return render(request, "communities/profile_edit.html", {"form": form, "settings_tab": "profile"})


@login_required
def pets(request):
    form = PetForm()
    if request.method == "POST":
        form = PetForm(request.POST, request.FILES)
        if form.is_valid() and form_apply_service(form, lambda d: pet_create(actor=request.user, **d)):
            messages.success(request, f"{form.cleaned_data['name']} is on your profile.")
            return redirect("communities:pets")
    pet_list = request.user.pets.select_related("species", "breed").prefetch_related("needs")
    return render(request, "communities/pet_form.html", {"form": form, "pets": pet_list, "settings_tab": "pets"})


@login_required
def pet_edit(request, pet_id: int):
    pet = get_object_or_404(Pet.objects.select_related("species", "breed"), pk=pet_id, owner=request.user)
    form = PetForm(initial=PetForm.initial_for(pet), with_clear=bool(pet.photo))
    if request.method == "POST":
        form = PetForm(request.POST, request.FILES, with_clear=bool(pet.photo))
        if form.is_valid() and form_apply_service(form, lambda d: pet_update(actor=request.user, pet=pet, **d)):
            messages.success(request, f"{pet.name} is updated.")
            return redirect("communities:pets")
    return render(request, "communities/pet_form.html", {"form": form, "pet": pet, "settings_tab": "pets"})


@login_required
@require_POST
def pet_remove(request, pet_id: int):
    pet = get_object_or_404(Pet, pk=pet_id, owner=request.user)
    pet_delete(actor=request.user, pet=pet)
    messages.success(request, f"{pet.name} is no longer on your profile.")
    return redirect("communities:pets")


@login_required
def delete_account(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        account_delete(actor=request.user)
        logout(request)
        messages.success(request, "Your account is deleted. Your posts remain, signed “deleted member”.")
        return redirect("home")
    return render(request, "communities/account_delete.html", {"form": form, "settings_tab": "delete"})


def admin_login(request, **kwargs):
    """The admin's login, refusing with 429 after repeated failures from one IP address."""
    if request.method == "POST":
        retry_after = admin_login_blocked_for(request)
        if retry_after:
            response = HttpResponse(render_to_string("429.html", request=request), status=429)
            response["Retry-After"] = str(retry_after)
            return response
    response = admin.site.login(request, **kwargs)
    # The admin answers a failed POST by re-rendering the form (200); success is a redirect.
    if request.method == "POST" and response.status_code == 200:
        admin_login_failed(request)
    return response
