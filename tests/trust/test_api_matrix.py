"""The API leg of the authorization matrix: every API operation × role × object state, called with the
role's personal access token (every scope, so the policy decides, not the token), against the same
policy facts as the pages; 404s byte-identical to "does not exist"; no canary in any body its reader
may not see."""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from api.services import token_create
from microgroups.models import JoinRequest

from . import matrix, policy
from .world import build_world

pytestmark = pytest.mark.django_db

ALL_SCOPES = ["read", "write", "moderate", "metrics"]


def _clients(world) -> dict[str, Client]:
    out = {}
    for role, user in world.users.items():
        headers = {}
        if user is not None:
            raw = token_create(actor=user, name="matrix", scopes=ALL_SCOPES, expires_in_days=None)[1] \
                if role != "suspended" else _suspended_token(user)
            headers = {"Authorization": f"Bearer {raw}"}
        out[role] = Client(raise_request_exception=False, headers=headers)
    return out


def _suspended_token(user) -> str:
    """A token made before the suspension (suspended members cannot make new ones)."""
    until, user.suspended_until = user.suspended_until, None
    raw = token_create(actor=user, name="matrix", scopes=ALL_SCOPES, expires_in_days=None)[1]
    user.suspended_until = until if until else timezone.now()
    return raw


def _request(client: Client, method: str, url: str, data: dict):
    if method == "GET":  # a GET row's data is its query string
        return matrix.request_any(client, method, f"{url}?{urlencode(data)}" if data else url, None)
    return matrix.request_any(client, method, url, json.dumps(data))


def _fill(data: dict, kwargs: dict) -> dict:
    def one(value):
        if isinstance(value, list):
            return [one(v) for v in value]
        return kwargs.get(value, value) if isinstance(value, str) else value
    return {k: one(v) for k, v in data.items()}


def _world():
    world = build_world()
    for place, pod in world.pods.items():  # a pending request in every pod, for the stewards' rows
        world.invites[f"request:{place}"] = JoinRequest.objects.create(pod=pod, member=world.users["member"])
    return world


def _cells(world, row):
    for obj, kwargs in matrix.objects_for(world, row):
        if row.obj == "pod":
            kwargs = {**kwargs, "request_id": world.invites[f"request:{obj}"].pk}
        yield matrix.url_of(row.route, kwargs), kwargs, obj


def test_every_api_operation_has_a_row_and_every_row_a_live_operation():
    routes = {r for r in matrix.walk_routes() if r.startswith("api/")}
    assert routes == policy.API_ROUTES


@pytest.mark.parametrize("objs", [("none", "member", "notification", "item", "pet"), ("pod",), ("post",),
                                  ("comment", "poll")])
def test_api_authorization_matrix(objs):
    world = _world()
    clients = _clients(world)
    tally, nowhere = matrix.Tally(), {}
    for row in [r for r in policy.API_ROWS if r.obj in objs]:
        for url, kwargs, obj in _cells(world, row):
            for role, client in clients.items():
                data = _fill(row.data, kwargs)
                response = _request(client, row.method, url, data)
                got, want = matrix.classify(response), policy.api_expected(row, role, obj)
                tally.cells += 1
                where = f"{row.method} {url} as {role}"
                if not matrix.matches(want, got):
                    tally.fail(f"{where}: expected {want}, got {got} ({response.status_code}) "
                               f"{response.content[:200]!r}")
                matrix.scan_canaries(world, role, response.content.decode("utf-8", "replace"), where, tally)
                if got == policy.NOT_FOUND and row.obj != "none":
                    key = (row.route, row.method, role)
                    if key not in nowhere:
                        gone = _request(client, row.method, matrix.url_of(row.route, matrix.nowhere_kwargs(row)),
                                        data)
                        assert gone.status_code == 404, f"{row.route} for nothing answered {gone.status_code}"
                        nowhere[key] = gone.content
                    tally.not_found_compared += 1
                    if response.content != nowhere[key]:
                        tally.fail(f"{where}: the 404 differs from the one for a nonexistent object")
    print(f"\napi matrix{objs}: {tally.cells} cells, {tally.not_found_compared} 404s compared, "
          f"{tally.bodies_scanned} bodies scanned for canaries")
    assert tally.failures == [], f"{len(tally.failures)} of {tally.cells} cells failed:\n" + "\n".join(
        tally.failures[:200])
    assert tally.cells >= 100
