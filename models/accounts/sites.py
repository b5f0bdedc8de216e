"""Adding and changing the sites (service locations) of an account."""

from __future__ import annotations

from dataclasses import dataclass

from models.accounts.visibility import editable_account, visible_sites
from models.directory.accounts import Site
from models.errors import DomainError, ErrorCode, not_found
from models.validation import clean_text, optional_text
from models.viewer import Viewer, require_staff


@dataclass
class SiteData:
    name: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    is_active: bool | None = None


_SITE_LIMITS = {"street": 200, "city": 100, "region": 100, "postal_code": 20}


def _apply_site(site: Site, data: SiteData) -> None:
    if data.name is not None:
        site.name = clean_text(data.name, "name", 200)
    for attr, limit in _SITE_LIMITS.items():
        value = getattr(data, attr)
        if value is not None:
            setattr(site, attr, optional_text(value, _camel(attr), limit))
    if data.country is not None:
        country = data.country.strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise DomainError(ErrorCode.INVALID, "Use a two-letter ISO country code.", "country")
        site.country = country
    if data.is_active is not None:
        site.is_active = data.is_active


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def create_site(viewer: Viewer, account_id: int, data: SiteData) -> Site:
    account = await editable_account(viewer, account_id, "accountId")
    site = Site(account_id=account.id, name="")
    if data.name is None:
        raise DomainError(ErrorCode.REQUIRED, "name is required.", "name")
    _apply_site(site, data)
    await site.save()
    return site


async def update_site(viewer: Viewer, site_id: int, data: SiteData) -> Site:
    require_staff(viewer)
    site = await visible_sites(viewer).select_for_update().get_or_none(id=site_id)
    if site is None:
        raise not_found("id", "site")
    await editable_account(viewer, site.account_id, "id")
    _apply_site(site, data)
    await site.save()
    return site
