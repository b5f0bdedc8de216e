"""DataLoaders, built fresh for every operation so no resolver queries per row.

`Loaders` gathers each domain's loaders as attributes; they are scoped by the
viewer, so a loader never returns a row its viewer may not see.
"""

from __future__ import annotations

from loaders.account_requests import AccountRequestLoaders
from loaders.accounts import AccountLoaders
from loaders.credit_accounts import CreditLoaders
from loaders.linked_items import LinkedItemLoaders
from loaders.photos import PhotoLoaders
from loaders.service_requests import ServiceRequestLoaders
from loaders.users import UserLoaders
from models.viewer import Viewer


class Loaders(
    AccountLoaders,
    UserLoaders,
    AccountRequestLoaders,
    ServiceRequestLoaders,
    LinkedItemLoaders,
    CreditLoaders,
    PhotoLoaders,
):
    """All loaders of one operation; `loaders.accounts_by_id.load(3)` and so on."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.reset()

    def reset(self) -> None:
        """Fresh, empty loaders: mutations of one operation run in turn, and a write
        may touch rows beyond its own (a deactivation cascades), so forget them all."""
        AccountLoaders.__init__(self, self.viewer)
        UserLoaders.__init__(self, self.viewer)
        AccountRequestLoaders.__init__(self, self.viewer)
        ServiceRequestLoaders.__init__(self, self.viewer)
        LinkedItemLoaders.__init__(self, self.viewer)
        CreditLoaders.__init__(self, self.viewer)
        PhotoLoaders.__init__(self, self.viewer)
