"""DataLoaders, built fresh for every operation so no resolver queries per row.

`Loaders` gathers each domain's loaders as attributes; they are scoped by the
viewer, so a loader never returns a row its viewer may not see.

A domain's loaders are built when one of them is first used: a subscription
event or a small query touches one or two domains, and building all thirty
loaders for each of a thousand subscribers per event was a measured share of
the fan-out's CPU.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loaders.account_requests import AccountRequestLoaders
from loaders.accounts import AccountLoaders
from loaders.credit_accounts import CreditLoaders
from loaders.linked_items import LinkedItemLoaders
from loaders.photos import PhotoLoaders
from loaders.service_requests import ServiceRequestLoaders
from loaders.users import UserLoaders
from loaders.webhooks import WebhookLoaders
from models.viewer import ANONYMOUS, Viewer


def _owners(domains: tuple[type, ...]) -> dict[str, type]:
    """Which domain builds which loader attribute (read once from a throwaway build)."""
    owners: dict[str, type] = {}
    for domain in domains:
        probe: Any = object.__new__(domain)
        domain.__init__(probe, ANONYMOUS)  # type: ignore[misc]
        owners.update(dict.fromkeys(vars(probe), domain))
    return owners


class Loaders(
    AccountLoaders,
    UserLoaders,
    AccountRequestLoaders,
    ServiceRequestLoaders,
    LinkedItemLoaders,
    CreditLoaders,
    PhotoLoaders,
    WebhookLoaders,
):
    """All loaders of one operation; `loaders.accounts_by_id.load(3)` and so on."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    def reset(self) -> None:
        """Fresh, empty loaders: mutations of one operation run in turn, and a write
        may touch rows beyond its own (a deactivation cascades), so forget them all."""
        viewer = self.viewer
        self.__dict__.clear()
        self.viewer = viewer

    if not TYPE_CHECKING:  # mypy keeps checking attribute names against the domains

        def __getattr__(self, name: str) -> Any:
            domain = _OWNER.get(name)
            if domain is None:
                raise AttributeError(name)
            domain.__init__(self, self.viewer)
            return self.__dict__[name]


_OWNER = _owners(Loaders.__bases__)  # the domains are Loaders' own bases
