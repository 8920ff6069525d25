"""The published schema and its docs page."""

import pytest

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3_1_and_errors_are_problem_details(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"] == "3.1.0"
    feed = schema["paths"]["/api/v1/pods/{slug}/feed"]["get"]["responses"]
    assert sorted(feed) == ["200", "400", "401", "403", "404", "429"]
    assert list(feed["200"]["content"]) == ["application/json"]
    assert list(feed["404"]["content"]) == ["application/problem+json"]
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionCookieAuth"}


def test_docs_page_uses_the_vendored_redoc_and_no_cdn(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<script src="/static/vendor/redoc/redoc.standalone.js">' in html
    assert 'spec-url="/api/v1/openapi.json"' in html
    assert "cdn" not in html.lower()
    assert client.get("/api/v1/").headers["Location"] == "/api/v1/docs/"


def test_unknown_api_paths_answer_problem_details_not_the_html_404(client):
    response = client.get("/api/v1/no-such-operation")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_saved_posts_and_comment_edits_are_in_the_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/saved/{post_id}"]) == {"put", "delete"}
    assert "get" in paths["/api/v1/saved"] and "patch" in paths["/api/v1/comments/{comment_id}"]
    listed = paths["/api/v1/saved"]["get"]["responses"]
    assert sorted(listed) == ["200", "400", "401", "403", "404", "429"]
    assert list(listed["404"]["content"]) == ["application/problem+json"]
    components = schema["components"]["schemas"]
    assert set(components["SavedPage"]["properties"]) == {"items", "next_cursor", "count"}
    assert set(components["SavedItem"]["properties"]) == {"saved_at", "post"}
    assert {"edited_at", "edit_pending"} <= set(components["CommentOut"]["properties"])
    assert "saved" in components["PostOut"]["properties"]
    assert components["CommentEditIn"]["properties"]["body"]["maxLength"] == 10000
