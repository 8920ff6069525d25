"""Pages around the API: personal access tokens in the account settings, and the API's own 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from common.forms import form_apply_service

from .errors import problem
from .forms import TokenForm
from .models import AccessToken
from .selectors import token_list
from .services import token_create, token_revoke


@login_required
def tokens(request):
    """List and create tokens. A new token is shown on this response only: it is never stored in clear."""
    form, created = TokenForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        result = form_apply_service(form, lambda data: token_create(actor=request.user, **data))
        created = result[1] if result else None
    return render(request, "api/tokens.html", {
        "form": TokenForm() if created else form, "created": created, "tokens": token_list(member=request.user),
        "settings_tab": "tokens"}, status=400 if form.is_bound and not created else 200)


@login_required
@require_POST
def token_revoke_view(request, token_id: int):
    token = get_object_or_404(AccessToken, pk=token_id, member=request.user, revoked_at__isnull=True)
    token_revoke(actor=request.user, token=token)
    messages.success(request, f"“{token.name}” is revoked: it stopped working now.")
    return redirect("api_tokens")


def not_found(request):
    return problem(404, "Not found.")
