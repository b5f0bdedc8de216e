"""companySettings and updateCompanySettings: staff read, admins write, ranges checked."""

from __future__ import annotations

from typing import Any

import pytest

from models import company, users
from models.permissions import Role
from tests.client import GraphQLClient, assert_forbidden, assert_unauthenticated, assert_user_error
from tests.factories import make_account, portal_contact, staff
from tests.ids import gid

SETTINGS_FIELDS = """
serviceRequestsEnabled
managersMayCreateOnBehalf
defaultSlaHours
maxPhotoBytes
allowedPhotoTypes
maxPhotosPerRequest
creditTeam { id name }
"""

COMPANY_SETTINGS = f"query {{ companySettings {{ {SETTINGS_FIELDS} }} }}"

UPDATE_SETTINGS = f"""
mutation UpdateCompanySettings($input: UpdateCompanySettingsInput!) {{
  updateCompanySettings(input: $input) {{
    companySettings {{ {SETTINGS_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

DEFAULTS = {
    "serviceRequestsEnabled": True,
    "managersMayCreateOnBehalf": False,
    "defaultSlaHours": None,
    "maxPhotoBytes": 15 * 1024 * 1024,
    "allowedPhotoTypes": ["image/jpeg", "image/png", "image/webp", "image/heic"],
    "maxPhotosPerRequest": 50,
    "creditTeam": None,
}


async def update(gql: GraphQLClient, token: str, **changes: Any) -> dict[str, Any]:
    data = await gql(UPDATE_SETTINGS, {"input": changes}, token=token)
    payload: dict[str, Any] = data["updateCompanySettings"]
    return payload


# --- reading ---------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
async def test_staff_read_the_defaults(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)

    # when
    data = await gql(COMPANY_SETTINGS, token=viewer.token)

    # then
    assert data["companySettings"] == DEFAULTS


async def test_anonymous_cannot_read_settings(gql: GraphQLClient) -> None:
    assert_unauthenticated(await gql.raw(COMPANY_SETTINGS))


PORTAL_SETTINGS = "{ companySettings { serviceRequestsEnabled creditTeam { name } } }"


async def test_portal_contact_reads_the_switches_but_not_the_credit_team(
    gql: GraphQLClient,
) -> None:
    # given a credit team (staff business)
    admin = await staff(Role.ADMIN)
    team = await gql(
        'mutation { createTeam(input: {name: "Credit"}) { team { id } } }', token=admin.token
    )
    await gql(
        "mutation($id: ID!) { updateCompanySettings(input: {creditTeamId: $id}) "
        "{ userErrors { code } } }",
        {"id": team["createTeam"]["team"]["id"]},
        token=admin.token,
    )
    contact = await portal_contact(await make_account())
    # when
    data = await gql(PORTAL_SETTINGS, token=contact.token)
    # then the portal can hide its button, and learns nothing of the staff side
    assert data["companySettings"] == {"serviceRequestsEnabled": True, "creditTeam": None}


# --- who may change them ---------------------------------------------------------


async def test_anonymous_cannot_update_settings(gql: GraphQLClient) -> None:
    body = await gql.raw(UPDATE_SETTINGS, {"input": {"serviceRequestsEnabled": False}})
    assert_unauthenticated(body)
    assert (await company.get_settings()).service_requests_enabled is True


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
async def test_only_admins_update_settings(gql: GraphQLClient, role: Role) -> None:
    # given
    viewer = await staff(role)

    # when
    body = await gql.raw(
        UPDATE_SETTINGS, {"input": {"serviceRequestsEnabled": False}}, token=viewer.token
    )

    # then
    assert_forbidden(body)
    assert (await company.get_settings()).service_requests_enabled is True


async def test_portal_contact_cannot_update_settings(gql: GraphQLClient) -> None:
    contact = await portal_contact(await make_account())
    body = await gql.raw(
        UPDATE_SETTINGS, {"input": {"serviceRequestsEnabled": False}}, token=contact.token
    )
    assert_forbidden(body)


# --- changing them ---------------------------------------------------------------


async def test_admin_changes_switches_and_limits(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    payload = await update(
        gql,
        admin.token,
        serviceRequestsEnabled=False,
        managersMayCreateOnBehalf=True,
        defaultSlaHours=48,
        maxPhotoBytes=2048,
        allowedPhotoTypes=["image/png", "image/jpeg", "image/png"],
        maxPhotosPerRequest=10,
    )

    # then
    assert payload["userErrors"] == []
    expected = DEFAULTS | {
        "serviceRequestsEnabled": False,
        "managersMayCreateOnBehalf": True,
        "defaultSlaHours": 48,
        "maxPhotoBytes": 2048,
        "allowedPhotoTypes": ["image/jpeg", "image/png"],
        "maxPhotosPerRequest": 10,
    }
    assert payload["companySettings"] == expected
    assert (await gql(COMPANY_SETTINGS, token=admin.token))["companySettings"] == expected


async def test_fields_left_out_stay_as_they_are(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    await update(gql, admin.token, defaultSlaHours=8, serviceRequestsEnabled=False)

    # when
    payload = await update(gql, admin.token, maxPhotosPerRequest=5)

    # then
    settings = payload["companySettings"]
    assert settings["defaultSlaHours"] == 8
    assert settings["serviceRequestsEnabled"] is False
    assert settings["maxPhotosPerRequest"] == 5


async def test_null_clears_default_sla_hours(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    await update(gql, admin.token, defaultSlaHours=8)
    payload = await update(gql, admin.token, defaultSlaHours=None)
    assert payload["companySettings"]["defaultSlaHours"] is None


async def test_credit_team_is_set_by_team_id_and_cleared_with_null(gql: GraphQLClient) -> None:
    # given
    admin = await staff(Role.ADMIN)
    team = await users.Team.create(name="Credit")
    team_id = gid("Team", team.id)

    # when
    chosen = await update(gql, admin.token, creditTeamId=team_id)
    kept = await update(gql, admin.token, maxPhotosPerRequest=3)
    cleared = await update(gql, admin.token, creditTeamId=None)

    # then
    assert chosen["userErrors"] == []
    assert chosen["companySettings"]["creditTeam"] == {"id": team_id, "name": "Credit"}
    assert kept["companySettings"]["creditTeam"] == {"id": team_id, "name": "Credit"}
    assert cleared["companySettings"]["creditTeam"] is None
    assert (await company.get_settings()).credit_team_id is None


async def test_deleting_the_credit_team_clears_it(gql: GraphQLClient) -> None:
    admin = await staff(Role.ADMIN)
    team = await users.Team.create(name="Credit")
    await update(gql, admin.token, creditTeamId=gid("Team", team.id))
    await team.delete()
    data = await gql(COMPANY_SETTINGS, token=admin.token)
    assert data["companySettings"]["creditTeam"] is None


@pytest.mark.parametrize("kind", ["missing", "user"])
async def test_unknown_credit_team_is_not_found(gql: GraphQLClient, kind: str) -> None:
    # given
    admin = await staff(Role.ADMIN)
    team_id = gid("Team", 999_999) if kind == "missing" else gid("User", admin.id)

    # when
    payload = await update(gql, admin.token, creditTeamId=team_id, serviceRequestsEnabled=False)

    # then
    assert payload["companySettings"] is None
    assert_user_error(payload, "NOT_FOUND", ["input", "creditTeamId"])
    assert (await company.get_settings()).service_requests_enabled is True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("defaultSlaHours", 0),
        ("defaultSlaHours", -5),
        ("defaultSlaHours", 24 * 365 + 1),
        ("maxPhotoBytes", 1023),
        ("maxPhotoBytes", 100 * 1024 * 1024 + 1),
        ("maxPhotosPerRequest", 0),
        ("maxPhotosPerRequest", 1001),
        ("allowedPhotoTypes", []),
        ("allowedPhotoTypes", ["image/png", "text/html"]),
    ],
)
async def test_out_of_range_values_are_invalid(gql: GraphQLClient, field: str, value: Any) -> None:
    # given
    admin = await staff(Role.ADMIN)

    # when
    payload = await update(gql, admin.token, **{field: value, "managersMayCreateOnBehalf": True})

    # then
    assert payload["companySettings"] is None
    assert_user_error(payload, "INVALID", ["input", field])
    assert (await gql(COMPANY_SETTINGS, token=admin.token))["companySettings"] == DEFAULTS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("defaultSlaHours", 1),
        ("defaultSlaHours", 24 * 365),
        ("maxPhotoBytes", 1024),
        ("maxPhotoBytes", 100 * 1024 * 1024),
        ("maxPhotosPerRequest", 1),
        ("maxPhotosPerRequest", 1000),
    ],
)
async def test_range_bounds_are_accepted(gql: GraphQLClient, field: str, value: int) -> None:
    admin = await staff(Role.ADMIN)
    payload = await update(gql, admin.token, **{field: value})
    assert payload["userErrors"] == []
    assert payload["companySettings"][field] == value
