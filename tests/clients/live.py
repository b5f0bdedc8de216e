"""A live `docket serve` process for the client tests, and the data they need,
made through the CLI and the GraphQL API as an operator and an admin would."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.clients.tools import REPO

ADMIN_EMAIL = "admin@clients.docket.test"
PASSWORD = "client tests passphrase 42"
REQUESTS = 5  # account requests seeded: pages of 2 need three fetches


class DocketServe:
    """`python -m api.cli serve` in its own process, its own var dir, and on the run's
    backends: its own SQLite file on the embedded run, TEST_DATABASE_URL and
    TEST_REDIS_URL on the services run (schema reset and migrated by the `server`
    fixture first)."""

    def __init__(
        self,
        var_dir: Path,
        port: int,
        *,
        database_url: str | None,
        broker_url: str | None,
        spa_ports: tuple[int, int],
    ) -> None:
        self.port = port
        # Two origins for a browser SPA: the first in CORS_ORIGINS, the other not.
        self.spa_ports = spa_ports
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/graphql"
        self.log_path = var_dir / "serve.log"
        self.env = {
            **os.environ,
            "DOCKET_ENV": "development",
            "VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url or f"sqlite://{var_dir}/docket.sqlite3",
            "BROKER_URL": broker_url or "memory://",
            "STORAGE_URL": f"file://{var_dir}/uploads",
            "SECRET_KEY": "client-tests-secret-key-not-for-production",
            "SMTP_URL": "",
            "MAIL_WORKER": "false",
            "CORS_ORIGINS": f"http://127.0.0.1:{spa_ports[0]}",
            # Every answer of the fast paths is compared with standard execution.
            "EXECUTION_CHECK": "true",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO),
        }
        self.cwd = var_dir
        self.process: asyncio.subprocess.Process | None = None

    async def cli(self, *args: str) -> str:
        """Run a `docket` command with this server's settings; its output."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "api.cli",
            *args,
            env=self.env,
            cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output = (await asyncio.wait_for(process.communicate(), 120))[0].decode()
        assert process.returncode == 0, f"docket {' '.join(args)}: {output}"
        return output

    async def start(self) -> None:
        await self.cli("migrate")  # a no-op on the services run, whose schema is migrated
        with self.log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "api.cli",
                "serve",
                "--port",
                str(self.port),
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        async with httpx.AsyncClient(timeout=2) as client:
            for _ in range(300):  # 30 s at most
                if self.process.returncode is not None:
                    raise AssertionError(f"docket serve exited:\n{self.log()}")
                try:
                    if (await client.get(f"{self.url}/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"docket serve did not become ready in 30 s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


@dataclass
class Login:
    email: str
    password: str
    id: str = ""
    name: str = ""


@dataclass
class Seed:
    """What one test made: people who sign in, an account and its requests."""

    admin: Login
    dispatcher: Login
    technician: Login
    account_id: str = ""
    account_name: str = ""
    type_id: str = ""
    request_ids: list[str] = field(default_factory=list)
    request_numbers: list[int] = field(default_factory=list)

    def as_input(self) -> dict[str, Any]:
        """The part of the seed a Node script reads."""
        return {
            "admin": vars(self.admin),
            "dispatcher": vars(self.dispatcher),
            "technician": vars(self.technician),
            "accountId": self.account_id,
            "accountName": self.account_name,
            "typeId": self.type_id,
            "requestIds": self.request_ids,
            "requestNumbers": self.request_numbers,
        }


class Api:
    """GraphQL over HTTP against the live server, each call checked."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def payload(
        self, mutation: str, name: str, variables: dict[str, Any], token: str
    ) -> dict[str, Any]:
        """A mutation's payload, which must carry no userErrors."""
        result: dict[str, Any] = (await self(mutation, variables, token))[name]
        assert result["userErrors"] == [], result["userErrors"]
        return result

    async def login(self, who: Login) -> str:
        data = await self(LOGIN, {"email": who.email, "password": who.password})
        assert data["login"]["userErrors"] == [], data["login"]["userErrors"]
        token: str = data["login"]["token"]
        return token


LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token userErrors { code message } }
}
"""
CREATE_USER = """
mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) { user { id name } userErrors { code field message } }
}
"""
CREATE_ACCOUNT = """
mutation CreateAccount($input: CreateAccountInput!) {
  createAccount(input: $input) { account { id name } userErrors { code field message } }
}
"""
CREATE_TYPE = """
mutation CreateType($input: CreateAccountRequestTypeInput!) {
  createAccountRequestType(input: $input) {
    accountRequestType { id }
    userErrors { code field message }
  }
}
"""
CREATE_REQUEST = """
mutation CreateRequest($input: CreateAccountRequestInput!) {
  createAccountRequest(input: $input) {
    accountRequest { id number }
    userErrors { code field message }
  }
}
"""


async def seed(server: DocketServe) -> Seed:
    """An admin (the CLI), a dispatcher and a technician, an account with REQUESTS
    unassigned requests (the API). Names carry a fresh tag: on the embedded run the
    server's database lives as long as the module."""
    tag = uuid.uuid4().hex[:8]
    identity = ("--email", ADMIN_EMAIL, "--password", PASSWORD, "--name", "Ada Admin")
    await server.cli("create-admin", *identity)
    made = Seed(
        admin=Login(ADMIN_EMAIL, PASSWORD),
        dispatcher=Login(f"dispatch-{tag}@clients.docket.test", PASSWORD),
        technician=Login(f"tech-{tag}@clients.docket.test", PASSWORD),
    )
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        api = Api(http)
        admin = await api.login(made.admin)
        for who, name, role in (
            (made.dispatcher, f"Dana Dispatch {tag}", "DISPATCHER"),
            (made.technician, f"Theo Tech {tag}", "TECHNICIAN"),
        ):
            user_input = {"name": name, "email": who.email, "password": who.password}
            created = await api.payload(
                CREATE_USER, "createUser", {"input": {**user_input, "roles": [role]}}, admin
            )
            who.id, who.name = created["user"]["id"], created["user"]["name"]
        account = await api.payload(
            CREATE_ACCOUNT, "createAccount", {"input": {"name": f"Acme {tag}"}}, admin
        )
        made.account_id, made.account_name = account["account"]["id"], account["account"]["name"]
        kind = await api.payload(
            CREATE_TYPE, "createAccountRequestType", {"input": {"name": f"Repair {tag}"}}, admin
        )
        made.type_id = type_id = kind["accountRequestType"]["id"]
        for n in range(REQUESTS):
            fields = {"accountId": made.account_id, "typeId": type_id, "note": f"Leak {n} {tag}"}
            created = await api.payload(
                CREATE_REQUEST, "createAccountRequest", {"input": fields}, admin
            )
            made.request_ids.append(created["accountRequest"]["id"])
            made.request_numbers.append(created["accountRequest"]["number"])
    return made
