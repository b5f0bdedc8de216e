"""The user documents tests send, and changing staff as an admin does for tests that start there."""

from __future__ import annotations

from typing import Any

from models.permissions import Role
from tests.client import GraphQLClient
from tests.factories import Person
from tests.ids import gid

UPDATE_ROLES = """mutation($id: ID!, $roles: [Role!]) {
  updateUser(input: {id: $id, roles: $roles}) { userErrors { code } }
}"""


async def set_roles(gql: GraphQLClient, admin: Person, person: Person, *roles: Role) -> None:
    """`admin` gives `person` exactly these roles."""
    variables = {"id": gid("User", person.id), "roles": [role.value for role in roles]}
    data = await gql(UPDATE_ROLES, variables, token=admin.token)
    assert data["updateUser"]["userErrors"] == []


USER_FIELDS = "id name email login employeeId phone mobile isActive roles"


CREATE_USER = f"""
mutation CreateUser($input: CreateUserInput!) {{
  createUser(input: $input) {{
    user {{ {USER_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""


UPDATE_USER = f"""
mutation UpdateUser($input: UpdateUserInput!) {{
  updateUser(input: $input) {{
    user {{ {USER_FIELDS} managedAccounts {{ totalCount }} }}
    userErrors {{ code field message }}
  }}
}}
"""


USER_NODE = f"query Node($id: ID!) {{ node(id: $id) {{ ... on User {{ {USER_FIELDS} }} }} }}"


STRONG = "tall green ladder 7"


def new_user(**changes: Any) -> dict[str, Any]:
    """createUser variables for a new technician; `changes` replace input fields."""
    fields: dict[str, Any] = {
        "name": "Nina New",
        "email": "nina@example.com",
        "password": STRONG,
        "roles": ["TECHNICIAN"],
    }
    return {"input": fields | changes}
