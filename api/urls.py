from django.urls import path, re_path
from django.views.generic import RedirectView

from . import views
from .v1 import api

urlpatterns = [
    path("api/v1/", RedirectView.as_view(url="/api/v1/docs/")),  # before ninja's root, a bare 404
    path("api/v1/", api.urls),
    re_path(r"^api/", views.not_found),  # a path no operation matches: the API's 404, not the HTML page
    path("settings/tokens/", views.tokens, name="api_tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="api_token_revoke"),
]
