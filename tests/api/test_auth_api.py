"""Logging in and out, the session cookie, CSRF, and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

from api_testkit import PASSWORD, Api, Owner

from agentlocator.services.users import SESSION_LIFETIME


async def test_login_sets_an_httponly_cookie_and_returns_the_session(
    api: Api, owner: Owner
) -> None:
    client = api.client()
    response = await client.post(
        "/api/v1/auth/login", json={"email": owner.email.upper(), "password": PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == owner.email
    assert body["business"]["id"] == str(owner.business_id)
    assert body["business"]["timezone"] == "Asia/Jerusalem"
    assert len(body["csrf_token"]) >= 32
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("al_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie


async def test_wrong_password_and_unknown_email_get_the_same_answer(api: Api, owner: Owner) -> None:
    client = api.client()
    wrong_password = await client.post(
        "/api/v1/auth/login", json={"email": owner.email, "password": "not the password"}
    )
    unknown_email = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )

    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert response.json() == {"detail": "invalid_credentials"}
        assert "set-cookie" not in response.headers


async def test_me_answers_the_logged_in_user_and_401_without_a_session(
    api: Api, owner: Owner
) -> None:
    me = await owner.get("/api/v1/auth/me")
    anonymous = await api.client().get("/api/v1/auth/me")

    assert me.status_code == 200
    assert me.json()["user"]["email"] == owner.email
    assert me.json()["csrf_token"] == owner.csrf
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "not_logged_in"}


async def test_a_forged_cookie_is_not_a_session(api: Api, owner: Owner) -> None:
    client = api.client()
    client.cookies.set("al_session", "forged-token-value")

    assert (await client.get("/api/v1/business")).status_code == 401


async def test_logout_ends_the_session_for_good(owner: Owner) -> None:
    stolen = owner.client.cookies["al_session"]

    response = await owner.send("POST", "/api/v1/auth/logout")

    assert response.status_code == 204
    assert (await owner.get("/api/v1/auth/me")).status_code == 401
    # The old cookie value, replayed, is dead too: the session row is gone.
    owner.client.cookies.set("al_session", stolen)
    assert (await owner.get("/api/v1/auth/me")).status_code == 401


async def test_a_session_expires(api: Api, owner: Owner) -> None:
    api.now += SESSION_LIFETIME - timedelta(minutes=1)
    assert (await owner.get("/api/v1/auth/me")).status_code == 200

    api.now += timedelta(minutes=2)
    assert (await owner.get("/api/v1/auth/me")).status_code == 401


async def test_changes_without_the_csrf_header_are_refused(owner: Owner) -> None:
    client = owner.client
    without = await client.patch("/api/v1/business", json={"name": "שם אחר"})
    wrong = await client.patch(
        "/api/v1/business", json={"name": "שם אחר"}, headers={"X-CSRF-Token": "guess"}
    )
    logout = await client.post("/api/v1/auth/logout")

    for response in (without, wrong, logout):
        assert response.status_code == 403
        assert response.json() == {"detail": "csrf"}
    business = await owner.get("/api/v1/business")
    assert business.json()["name"] != "שם אחר"
    assert (await owner.get("/api/v1/auth/me")).status_code == 200


async def test_the_csrf_token_of_one_session_does_not_work_for_another(
    api: Api, owner: Owner, rival: Owner
) -> None:
    response = await owner.client.patch(
        "/api/v1/business", json={"name": "x"}, headers={"X-CSRF-Token": rival.csrf}
    )
    assert response.status_code == 403


async def test_login_validation_names_the_field(api: Api) -> None:
    response = await api.client().post("/api/v1/auth/login", json={"email": "a@b.c"})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["password"]


async def test_openapi_is_served_under_the_api_prefix(api: Api) -> None:
    response = await api.client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/business",
        "/api/v1/business/booking",
        "/api/v1/business/barge-in",
        "/api/v1/appointments",
        "/api/v1/appointments/{appointment_id}",
        "/api/v1/leads/{lead_id}",
        "/api/v1/calls",
        "/api/v1/slots",
    ):
        assert path in paths, path
    schemas = response.json()["components"]["schemas"]
    assert {"AppointmentCreate", "AppointmentPublic", "LeadUpdate", "CallDetail"} <= set(schemas)
