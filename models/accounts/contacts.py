"""Adding and changing the contacts of an account, and their portal access."""

from __future__ import annotations

from dataclasses import dataclass

from models import auth
from models.accounts.visibility import editable_account, visible_contacts
from models.directory.accounts import Contact
from models.directory.users import User, signs_in_as
from models.errors import DomainError, ErrorCode, not_found
from models.passwords import check_strength, hash_password
from models.validation import clean_email, clean_text, optional_text
from models.viewer import Viewer, require_staff


@dataclass
class ContactData:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    portal_access: bool | None = None
    password: str | None = None


async def _portal_email_taken(email: str, contact_id: int | None) -> bool:
    clash = Contact.filter(portal_email=email)
    if contact_id is not None:
        clash = clash.exclude(id=contact_id)
    # Staff sign in by e-mail or login name and are looked up first, so either
    # would shadow the contact's portal login.
    return await clash.exists() or await User.filter(signs_in_as(email)).exists()


async def _apply_contact(contact: Contact, data: ContactData) -> bool:
    """Apply changes; True when existing portal sessions must end."""
    if data.name is not None:
        contact.name = clean_text(data.name, "name", 200)
    if data.email is not None:
        contact.email = clean_email(data.email, "email") if data.email.strip() else None
    if data.phone is not None:
        contact.phone = optional_text(data.phone, "phone", 50) or None
    if data.title is not None:
        contact.title = optional_text(data.title, "title", 100) or None
    end_sessions = False
    if data.password is not None:
        check_strength(data.password, email=contact.email or "")
        contact.password_hash = await hash_password(data.password)
        end_sessions = True
    if data.portal_access is not None:
        end_sessions = end_sessions or (contact.portal_access and not data.portal_access)
        contact.portal_access = data.portal_access
    if contact.portal_access:
        if not contact.email:
            raise DomainError(ErrorCode.REQUIRED, "Portal access needs an e-mail.", "email")
        # Without a password the contact signs in once invited (inviteContact) and has
        # chosen one.
        if await _portal_email_taken(contact.email, contact.id):
            raise DomainError(
                ErrorCode.DUPLICATE, "This e-mail already signs in to Docket.", "email"
            )
        end_sessions = end_sessions or (
            contact.portal_email is not None and contact.portal_email != contact.email
        )
        contact.portal_email = contact.email
    else:
        contact.portal_email = None
    return end_sessions


async def create_contact(viewer: Viewer, account_id: int, data: ContactData) -> Contact:
    account = await editable_account(viewer, account_id, "accountId")
    if data.name is None:
        raise DomainError(ErrorCode.REQUIRED, "name is required.", "name")
    contact = Contact(account_id=account.id, name="")
    await _apply_contact(contact, data)
    await contact.save()
    return contact


async def update_contact(viewer: Viewer, contact_id: int, data: ContactData) -> Contact:
    require_staff(viewer)
    contact = await visible_contacts(viewer).select_for_update().get_or_none(id=contact_id)
    if contact is None:
        raise not_found("id", "contact")
    await editable_account(viewer, contact.account_id, "id")
    end_sessions = await _apply_contact(contact, data)
    await contact.save()
    if end_sessions:
        await auth.revoke_tokens(contact_id=contact.id)
    return contact
