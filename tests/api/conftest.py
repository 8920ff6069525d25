import pytest
from django.test import Client

from api.services import token_create
from tests.factories import UserFactory


def token_for(member, scopes=("read", "write"), **kwargs) -> str:
    return token_create(actor=member, name="tests", scopes=list(scopes), expires_in_days=kwargs.get("days"))[1]


class ApiClient:
    """The test client speaking JSON with a bearer token, as a script would."""

    def __init__(self, token: str | None):
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params):
        params = {k: v for k, v in params.items() if v is not None}
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def send(self, method: str, path: str, body: dict | None = None):
        call = getattr(self.client, method.lower())
        return call(f"/api/v1{path}", body or {}, content_type="application/json", headers=self.headers)

    def post(self, path: str, body: dict | None = None):
        return self.send("POST", path, body)


@pytest.fixture
def member(db):
    return UserFactory(username="apimember")


@pytest.fixture
def api(member):
    return ApiClient(token_for(member))
