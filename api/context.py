"""The per-request GraphQL context: settings, the viewer, and fresh loaders."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from api.settings import Settings
from loaders import Loaders
from models import auth
from models.viewer import ANONYMOUS, Viewer

# Loaders live per operation, not per connection: a WebSocket runs many
# operations on one context, each in its own task, and must never see another
# operation's cached rows.
_operation_loaders: ContextVar[Loaders | None] = ContextVar("docket_loaders", default=None)

# `Context.extra`'s key for what a request's viewer was remembered as, where it started
# from memory (`api.remembered_queries`): the same object for every such request.
REMEMBERED = "remembered_viewer"


@dataclass
class Context:
    """What every resolver gets as `info.context`."""

    settings: Settings
    request: Request | WebSocket
    response: Response | WebSocket | None = None
    viewer: Viewer = ANONYMOUS
    connection_params: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def loaders(self) -> Loaders:
        loaders = _operation_loaders.get()
        if loaders is None or loaders.viewer is not self.viewer:
            loaders = self.start_operation()
        return loaders

    async def refresh_viewer(self) -> None:
        """Re-check a socket's token: sockets outlive logouts and deactivations."""
        token = self.extra.get("socket_token")
        if token is not None:
            viewer = await auth.authenticate(token, secret=self.settings.secret())
            self.viewer = viewer or ANONYMOUS

    def start_operation(self) -> Loaders:
        loaders = Loaders(self.viewer)
        _operation_loaders.set(loaders)
        return loaders


def forget_cached_rows() -> None:
    """After a write, later reads of this operation must see it: empty the loaders."""
    loaders = _operation_loaders.get()
    if loaders is not None:
        loaders.reset()


Info: TypeAlias = StrawberryInfo[Context, None]
