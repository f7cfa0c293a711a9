"""Register, log in, who am I."""

from __future__ import annotations

import httpx
import jwt
import pytest

from masu.bootstrap import Container
from tests.factories import CUSTOMER, login


async def test_register_login_and_me(client: httpx.AsyncClient) -> None:
    registered = await client.post(
        "/api/v1/auth/register",
        json={
            "name": "Rivka Ben-David",
            "phone": "054-7654321",
            "password": "a long password",
            "language": "en",
        },
    )
    assert registered.status_code == 201, registered.text
    user = registered.json()["user"]
    assert (user["phone"], user["roles"], user["language"]) == ("+972547654321", ["customer"], "en")
    assert "password" not in registered.text.lower()

    for phone in ("0547654321", "+972547654321", "054-7654321"):
        token = await client.post("/api/v1/auth/login", json={"phone": phone, "password": "a long password"})
        assert token.status_code == 200
        body = token.json()
        assert (body["tokenType"], body["expiresIn"], body["user"]["id"]) == ("bearer", 12 * 3600, user["id"])
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['accessToken']}"})
    assert me.json() == {
        "id": user["id"],
        "name": "Rivka Ben-David",
        "phone": "+972547654321",
        "phoneVerified": False,
        "email": None,
        "roles": ["customer"],
        "language": "en",
    }


async def test_a_phone_registers_once(client: httpx.AsyncClient) -> None:
    again = await client.post(
        "/api/v1/auth/register", json={"name": "Someone", "phone": "+972520000001", "password": "whatever123"}
    )
    assert (again.status_code, again.json()["code"]) == (409, "phone_taken")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "A", "phone": "0547654321", "password": "long enough"}, "name"),
        (
            {
                "name": "WIN 5000 NIS! claim at http://evil.example/x",
                "phone": "0547654321",
                "password": "long enough",
            },
            "name",
        ),
        ({"name": "\u202eAdmin", "phone": "0547654321", "password": "long enough"}, "name"),
        ({"name": "Dana\u0007Levi", "phone": "0547654321", "password": "long enough"}, "name"),
        ({"name": "\u200b\u200b", "phone": "0547654321", "password": "long enough"}, "name"),
        ({"name": "Abe", "phone": "12345", "password": "long enough"}, "phone"),
        ({"name": "Abe", "phone": "0547654321", "password": "short"}, "password"),
        ({"name": "Abe", "phone": "0547654321", "password": "long enough", "email": "x@"}, "email"),
        ({"name": "Abe", "phone": "0547654321", "password": "long enough", "language": "fr"}, "language"),
        ({"name": "Abe", "phone": "0547654321", "password": "long enough", "roles": ["admin"]}, "roles"),
    ],
    ids=[
        "name",
        "advert",
        "bidi override",
        "control",
        "zero-width",
        "phone",
        "password",
        "email",
        "language",
        "self-granted role",
    ],
)
async def test_registration_validation(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    ("phone", "password"),
    [(CUSTOMER[0], "wrong password"), ("0529999999", "customer-demo-pass"), ("not a phone", "x")],
    ids=["wrong password", "unknown phone", "garbage phone"],
)
async def test_bad_credentials_are_401_without_saying_which(
    client: httpx.AsyncClient, phone: str, password: str
) -> None:
    response = await client.post("/api/v1/auth/login", json={"phone": phone, "password": password})
    assert response.status_code == 401
    assert response.json()["detail"] == "wrong phone number or password"


async def test_me_needs_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/me")).status_code == 401
    assert (await client.get("/api/v1/me", headers=await login(client, CUSTOMER))).status_code == 200


@pytest.mark.parametrize("expiry", ["abc", [1], None, True, {"at": 1}])
async def test_a_signed_token_with_a_malformed_expiry_is_401(
    client: httpx.AsyncClient, container: Container, expiry: object
) -> None:
    headers = await login(client, CUSTOMER)
    real = jwt.decode(headers["Authorization"].removeprefix("Bearer "), options={"verify_signature": False})
    forged = jwt.encode(
        {**real, "exp": expiry},
        container.settings.SECRET_KEY,
        algorithm="HS256",
    )
    answer = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
