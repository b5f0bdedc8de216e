"""DataLoaders, built fresh for every operation so no resolver queries per row.

`Loaders` gathers each domain's loaders as attributes; they are scoped by the
viewer, so a loader never returns a row its viewer may not see.

A domain's loaders are built when one of them is first used: a subscription
event or a small query touches one or two domains, and building all thirty
loaders for each of a thousand subscribers per event was a measured share of
the fan-out's CPU.

Whether a loader of rows by ID reads its whole table for this viewer (the JSON lane
then writes those rows inside the page's own statement) is answered by
`whole_table` without building it: from the test its visibility function makes
before answering `Model.all()`, declared beside the loader (`WHOLE_TABLES`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise.models import Model

from loaders.account_requests import AccountRequestLoaders
from loaders.accounts import AccountLoaders
from loaders.base import WholeTable
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


def _whole_tables(domains: tuple[type, ...]) -> dict[str, WholeTable]:
    """Every domain's loaders that may read a whole table, by attribute."""
    found: dict[str, WholeTable] = {}
    for domain in domains:
        found.update(getattr(domain, "WHOLE_TABLES", {}))
    return found


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

    def whole_table(self, name: str) -> type[Model] | None:
        """The model of which loader `name` reads every row for this viewer, if it does
        and has loaded nothing yet; None otherwise (`fastpath.json_lane`). A dict look-up
        and a permission test: the loader is not built for it, nor is its query."""
        found = _WHOLE.get(name)
        if found is None:
            return None
        built = self.__dict__.get(name)
        if built is not None and not built.untouched():
            return None
        model, sees_every_row = found
        return model if sees_every_row(self.viewer) else None

    if not TYPE_CHECKING:  # mypy keeps checking attribute names against the domains

        def __getattr__(self, name: str) -> Any:
            domain = _OWNER.get(name)
            if domain is None:
                raise AttributeError(name)
            domain.__init__(self, self.viewer)
            return self.__dict__[name]


_OWNER = _owners(Loaders.__bases__)  # the domains are Loaders' own bases
_WHOLE = _whole_tables(Loaders.__bases__)
