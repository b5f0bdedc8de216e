"""Which photos a viewer may see, and who may add or change them."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models import account_requests as requests
from models import accounts
from models.errors import not_found
from models.permissions import Permission
from models.photos.tables import Photo, PhotoStatus
from models.viewer import Viewer


def visible_photos(viewer: Viewer) -> QuerySet[Photo]:
    """READY photos the viewer may see (DESIGN §4): every one, an account manager's
    accounts' ones, those of the requests assigned to the viewer, or for a portal
    contact those flagged for the portal."""
    ready = Photo.filter(status=PhotoStatus.READY)
    if viewer.can(Permission.VIEW_ALL_PHOTOS):
        return ready
    mine = Q(assignee_id=viewer.user_id) if viewer.user_id is not None else None
    if viewer.can(Permission.VIEW_OWN_ACCOUNT_PHOTOS) and mine is not None:
        managed = requests.AccountRequest.filter(
            Q(account_id__in=Subquery(accounts.managed_accounts(viewer).values("id"))) | mine
        )
        return ready.filter(request_id__in=Subquery(managed.values("id")))
    if viewer.can(Permission.VIEW_ASSIGNED_PHOTOS) and mine is not None:
        assigned = requests.AccountRequest.filter(mine)
        return ready.filter(request_id__in=Subquery(assigned.values("id")))
    if viewer.is_contact:
        own = requests.visible_account_requests(viewer)
        return ready.filter(display_in_portal=True, request_id__in=Subquery(own.values("id")))
    return Photo.filter(id__in=[])


def sees_photos(viewer: Viewer) -> bool:
    return viewer.is_contact or any(
        viewer.can(permission)
        for permission in (
            Permission.VIEW_ALL_PHOTOS,
            Permission.VIEW_OWN_ACCOUNT_PHOTOS,
            Permission.VIEW_ASSIGNED_PHOTOS,
        )
    )


async def may_add(viewer: Viewer, request: requests.AccountRequest) -> bool:
    if viewer.is_contact:
        return True  # the request is visible to them, so it is of their account
    return await requests.may_edit(viewer, request)


async def may_change(viewer: Viewer, photo: Photo, request: requests.AccountRequest) -> bool:
    """Staff who may edit the request; a portal contact, only the photos they added."""
    if viewer.is_contact:
        return viewer.contact is not None and photo.uploaded_by_contact_id == viewer.contact.id
    return await requests.may_edit(viewer, request)


def uploaded_by(viewer: Viewer, photo: Photo) -> bool:
    """Did this viewer start the photo's upload?"""
    if viewer.user_id is not None:
        return photo.uploaded_by_user_id == viewer.user_id
    return viewer.contact is not None and photo.uploaded_by_contact_id == viewer.contact.id


async def visible_request(viewer: Viewer, request_id: int) -> requests.AccountRequest:
    """The request a photo is added to, if the viewer sees it."""
    request = await requests.visible_account_requests(viewer).get_or_none(id=request_id)
    if request is None:
        raise not_found("accountRequestId", "account request")
    return request
