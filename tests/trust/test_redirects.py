"""Open redirects: every view that takes `next` (or a Referer, or a stored link) never sends anyone off-site,
whatever the value. A Location is resolved the way a browser does (backslashes as slashes, tabs and
newlines dropped, relative to the page) before its host is checked."""

from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from communities.models import Notification
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-123"

EVIL = [
    "//evil.com", "https://evil.com", "http://evil.com", "/\\evil.com", "\\\\evil.com", "\\/evil.com",
    "\\evil.com", "///evil.com", "////evil.com", " //evil.com", "\t//evil.com", "/\t/evil.com", "/\n/evil.com",
    "javascript:alert(1)", "JavaScript:alert(document.domain)", " javascript:alert(1)", "data:text/html,<b>x</b>",
    "vbscript:msgbox(1)", "https:evil.com", "http:/evil.com", "https:/\\evil.com", "/%2F%2Fevil.com",
    "%2F%2Fevil.com", "/%5Cevil.com", "%5C%5Cevil.com", "@evil.com", "https://testserver@evil.com",
    "https://evil.com@testserver.evil.com", "//testserver.evil.com", "https://testserver.evil.com/",
    "//evil%E3%80%82com", "//evil\u3002com", "ftp://evil.com", "https://evil.com/?next=/",
    "//google.com%2F@evil.com", "/\x00//evil.com", "http://[::1]@evil.com", "//evil.com#@testserver",
    "https://evil.com\\@testserver", "http://evil.com:80", "0", "home", "..", "../../../evil",
]


def off_site(response, page: str) -> bool:
    """Whether a browser following this response would leave the site."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    location = response["Location"]
    cleaned = "".join(ch for ch in location if ch not in "\t\n\r").replace("\\", "/")
    target = urlsplit(urljoin(f"http://testserver{page}", cleaned.strip()))
    return target.scheme not in ("http", "https") or target.hostname != "testserver"


@pytest.fixture
def member(db):
    return UserFactory(username="walker")


def _login_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_there_are_at_least_30_malicious_values():
    assert len(set(EVIL)) >= 30


@pytest.mark.parametrize("evil", EVIL)
def test_sign_in_and_sign_out_never_redirect_off_site(member, evil):
    cache.clear()  # the sign-in throttle counts attempts per address
    client = Client()
    login = client.post(f"/accounts/login/?next={evil}", {"login": "walker", "password": PASSWORD, "next": evil})
    assert login.status_code == 302 and not off_site(login, "/accounts/login/"), login.get("Location")
    assert not off_site(client.get(f"/accounts/login/?next={evil}"), "/accounts/login/")  # already signed in
    logout = client.post("/accounts/logout/", {"next": evil})
    assert logout.status_code == 302 and not off_site(logout, "/accounts/logout/"), logout.get("Location")
    assert not off_site(Client().get(f"/accounts/signup/?next={evil}"), "/accounts/signup/")


@pytest.mark.parametrize("evil", EVIL)
def test_the_admin_sign_in_never_redirects_off_site(evil):
    cache.clear()
    staff = UserFactory(is_staff=True, is_superuser=True)
    response = Client().post(f"/admin/login/?next={evil}", {"username": staff.username, "password": PASSWORD,
                                                             "next": evil})
    assert response.status_code == 302 and not off_site(response, "/admin/login/"), response.get("Location")


@pytest.mark.parametrize("evil", EVIL)
def test_forms_that_go_back_never_redirect_off_site(member, evil):
    """React and follow go back via `next` or the Referer; reporting goes on to `next`."""
    post = PostFactory()
    client = _login_client(member)
    for url, data in ((f"/posts/{post.pk}/react/", {"kind": "paw"}),
                      (f"/members/{post.author.username}/follow/", {})):
        by_next = client.post(url, {**data, "next": evil})
        by_referer = client.post(url, data, headers={"Referer": evil})
        assert by_next.status_code == by_referer.status_code == 302
        assert not off_site(by_next, url) and not off_site(by_referer, url), (by_next["Location"],
                                                                            by_referer["Location"])
    report = client.post(f"/moderation/report/post/{post.pk}/?next={evil}", {"reason": "spam", "next": evil})
    assert report.status_code == 302 and not off_site(report, "/moderation/report/")


@pytest.mark.parametrize("evil", EVIL)
def test_a_notification_link_never_leaves_the_site(member, evil):
    """Links are made by services, but a stored link is still input: off-site or not a path → the inbox
    (a bare word like "0" used to be read as a view name: 500)."""
    from tests.trust.xss import storable

    notification = Notification.objects.create(recipient=member, kind="reply", verb="replied", url=storable(evil))
    response = _login_client(member).get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302 and not off_site(response, "/notifications/")
    if not evil.startswith("/"):
        assert response["Location"] == "/notifications/"


def test_the_checker_itself_spots_an_off_site_location():
    class R:
        status_code = 302

        def __init__(self, location):
            self.location = location

        def __getitem__(self, key):
            return self.location

    assert off_site(R("//evil.com"), "/") and off_site(R("/\\evil.com"), "/") and off_site(R("javascript:x"), "/")
    assert not off_site(R("/posts/1/"), "/") and not off_site(R("http://testserver/x"), "/")
