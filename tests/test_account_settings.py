"""The account settings page: name, email, language and message channels, checked and stored."""

from __future__ import annotations

import httpx
import pytest

from masu.bootstrap import Container
from masu.persistence.models import User
from masu.services.account.settings import Preferences, preference_errors
from tests.factories import CUSTOMER, PROFESSIONAL, csrf_of, login, page_login


async def _me(client: httpx.AsyncClient, who: tuple[str, str]) -> dict[str, object]:
    return dict((await client.get("/api/v1/me", headers=await login(client, who))).json())


async def _user(container: Container, user_id: str) -> User:
    async with container.sessions() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


def _form(token: str, **values: str) -> dict[str, str]:
    base = {"csrf_token": token, "name": "Dana Levi", "email": "dana@example.com", "language": "en"}
    return {**base, **values}


async def test_saving_changes_the_user_and_the_page_follows_the_saved_language(
    client: httpx.AsyncClient, container: Container
) -> None:
    await page_login(client, CUSTOMER)
    page = await client.get("/account?lang=en")
    assert page.status_code == 200
    assert '<html lang="en" dir="ltr">' in page.text

    saved = await client.post(
        "/account", data=_form(csrf_of(page.text), language="he", notify_by_email="1", name="Dana Cohen")
    )

    assert saved.status_code == 303
    assert saved.headers["location"] == "/account?saved=1"
    after = await client.get(saved.headers["location"])
    assert '<html lang="he" dir="rtl">' in after.text
    assert "ההגדרות נשמרו." in after.text
    me = await _me(client, CUSTOMER)
    assert (me["language"], me["name"], me["email"]) == ("he", "Dana Cohen", "dana@example.com")
    user = await _user(container, str(me["id"]))
    assert (user.notify_by_sms, user.notify_by_email) == (False, True)


async def test_a_bad_email_is_named_next_to_its_field_and_nothing_changes(
    client: httpx.AsyncClient, container: Container
) -> None:
    before = await _me(client, CUSTOMER)
    await page_login(client, CUSTOMER)
    token = csrf_of((await client.get("/account?lang=en")).text)

    refused = await client.post("/account", data=_form(token, email="not an email", notify_by_sms="1"))
    needs_email = await client.post("/account", data=_form(token, email="", notify_by_email="1"))

    assert refused.status_code == 422
    assert 'aria-describedby="email-error"' in refused.text
    assert "Enter a valid email address or leave it empty." in refused.text
    assert 'value="not an email"' in refused.text  # what was typed comes back to be corrected
    assert needs_email.status_code == 422
    assert "Enter an email address to get messages by email." in needs_email.text
    assert await _me(client, CUSTOMER) == before


async def test_russian_is_kept_for_messages_while_the_page_stays_readable(
    client: httpx.AsyncClient, container: Container
) -> None:
    await page_login(client, PROFESSIONAL)  # professionals have the page too
    token = csrf_of((await client.get("/account?lang=en")).text)
    saved = await client.post("/account", data=_form(token, language="ru", notify_by_sms="1"))
    assert saved.status_code == 303
    assert '<html lang="en" dir="ltr">' in (await client.get("/account")).text
    assert (await _me(client, PROFESSIONAL))["language"] == "ru"


async def test_the_page_needs_a_login_and_its_form_a_csrf_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/account")).headers["location"] == "/login?next=%2Faccount"
    await page_login(client, CUSTOMER)
    assert (await client.post("/account", data={"name": "Dana Levi", "language": "en"})).status_code == 403


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({}, {}),
        ({"name": " D "}, {"name": "name_invalid"}),
        ({"email": "a@b"}, {"email": "email_invalid"}),
        ({"email": "", "notify_by_email": True}, {"email": "email_needed"}),
        ({"email": "", "notify_by_email": False}, {}),
        ({"language": "fr"}, {"language": "language_invalid"}),
        ({"email": "x" * 250 + "@b.co"}, {"email": "email_invalid"}),
    ],
)
def test_the_rules_of_the_settings(changes: dict[str, object], errors: dict[str, str]) -> None:
    values: dict[str, object] = {
        "name": "Dana Levi",
        "email": "dana@example.com",
        "language": "he",
        "notify_by_sms": True,
        "notify_by_email": True,
        **changes,
    }
    assert preference_errors(Preferences(**values)) == errors  # type: ignore[arg-type]
