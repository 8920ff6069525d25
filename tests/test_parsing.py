import pytest

from petcommunity.parsing import parse_id


@pytest.mark.parametrize(("raw", "expected"), [
    ("42", 42), (" 7 ", 7), ("0", 0), ("", None), (None, None), ("¹", None), ("٣", None), ("-3", None),
    ("4.2", None), ("1e3", None), ("9" * 18, int("9" * 18)), ("9" * 19, None),
])
def test_parse_id_accepts_ascii_database_ids_only(raw, expected):
    assert parse_id(raw) == expected


@pytest.mark.django_db
def test_moderation_log_cursor_of_unicode_digits_is_ignored_not_a_500(client):
    from tests.factories import UserFactory

    manager = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(manager)
    assert client.get("/moderation/log/", {"before": "¹"}).status_code == 200
    assert client.get("/catchup/commons/", {"after": "¹"}, HTTP_HX_REQUEST="true").status_code == 400


@pytest.mark.django_db
def test_searches_with_nul_characters_answer_normally(client):
    from tests.factories import PodFactory, UserFactory

    PodFactory(name="Senior cats")
    client.force_login(UserFactory())
    assert client.get("/pods/", {"q": "\x00"}).status_code == 200
    response = client.get("/pods/?q=Senior%00cats")
    assert response.status_code == 200
    assert client.get("/members/", {"q": "a\x00b"}).status_code == 200
