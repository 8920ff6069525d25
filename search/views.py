"""The search page: parse the query string, ask the selector, render."""

from urllib.parse import urlencode

from django.shortcuts import render

from petcommunity.parsing import parse_id

from .forms import SearchForm
from .selectors import SCOPES, search


def search_page(request):
    form = SearchForm(request.GET)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        page = parse_id(request.GET.get("page")) or 1
        results = search(user=request.user, filters=form.filters(), page=page)
    base = {k: v for k, v in request.GET.items() if k not in ("page", "scope") and v}
    ctx = {"form": form, "results": results, "scopes": SCOPES, "base_qs": urlencode(base)}
    return render(request, "search/results.html", ctx)
