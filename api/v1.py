"""The JSON API, version 1: django-ninja builds the routes and the OpenAPI 3.1 schema from the code."""

from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from . import errors
from .auth import AUTH
from .routes import members, metrics, moderation, pets, pods, posts, saved, search, stewards, webhooks


def _problem_media_types(schema: dict) -> dict:
    """Error answers are application/problem+json; ninja names every answer application/json."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for code, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if str(code).startswith(("4", "5")) and "application/json" in content:
                    answer["content"] = {errors.PROBLEM_TYPE: content.pop("application/json")}
    return schema


class VendoredRedoc(DocsBase):
    """The docs page: Redoc served from our static files (static/vendor/redoc), no CDN."""

    def render_page(self, request, api, **kwargs):
        return render(request, "api/docs.html", {"schema_url": self.get_openapi_url(api, kwargs)})


class ProblemAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        return _problem_media_types(super().get_openapi_schema(**kwargs))


api = ProblemAPI(
    title="PetCommunity API", version="1", urls_namespace="api-v1", auth=AUTH, docs=VendoredRedoc(),
    docs_url="/docs/", openapi_url="/openapi.json",
    description="Feeds, posts, saved posts, pods, search, profiles and pets, notifications, and stewards' pod "
                "settings and webhooks, with the same rules as the pages. "
                "Authenticate with a personal access token (`Authorization: Bearer pct_…`, made at "
                "/settings/tokens/) or, from this site's pages, the session cookie with its CSRF token. "
                "Errors are RFC 9457 problem details.",
)
errors.install(api)
api.add_router("", posts.router)
api.add_router("", saved.router)
api.add_router("", pods.router)
api.add_router("", members.router)
api.add_router("", pets.router)
api.add_router("", search.router)
api.add_router("", stewards.router)
api.add_router("", webhooks.router)
api.add_router("", moderation.router)
api.add_router("", metrics.router)
