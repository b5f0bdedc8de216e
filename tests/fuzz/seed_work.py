"""The seeded company's work: linked items, photos, service requests, credit requests."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import TYPE_CHECKING

import httpx
from PIL import Image

if TYPE_CHECKING:
    from tests.fuzz.seed import Api


class UploadError(AssertionError):
    """The photo upload handshake failed: the seed cannot go on."""


async def linked_items(
    api: Api,
    users: dict[str, str],
    sites: dict[str, str],
    north: str,
    north_east: str,
    open_request: str,
    busy: str,
) -> None:
    """Tasks, appointments, records, invoices (paid in part, voided) and a credit memo,
    linked to account requests."""
    mutate = api.mutate
    soon = "2030-05-01T09:00:00+02:00"
    task = await mutate(
        "createTask",
        "task { id }",
        accountId=north,
        title="Order part",
        assigneeId=users["TECHNICIAN"],
        dueAt=soon,
    )
    appointment = await mutate(
        "createAppointment",
        "appointment { id }",
        accountId=north,
        startsAt=soon,
        endsAt="2030-05-01T11:00:00+02:00",
        siteId=sites["north"],
        assigneeId=users["TECHNICIAN_2"],
    )
    record = await mutate(
        "createServiceRecord",
        "serviceRecord { id }",
        accountId=north,
        serviceDate="2026-01-15",
        description="Replaced valve",
        siteId=sites["north"],
        performedById=users["TECHNICIAN"],
    )
    past = (date.today() - timedelta(days=60)).isoformat()
    invoice = await mutate(
        "createInvoice",
        "invoice { id }",
        accountId=north,
        number="INV-1",
        issuedOn=past,
        dueOn=(date.today() - timedelta(days=30)).isoformat(),
        total="1200.00",
    )
    voided = await mutate(
        "createInvoice",
        "invoice { id }",
        accountId=north_east,
        number="INV-2",
        issuedOn=past,
        dueOn="2030-01-01",
        total="99.95",
    )
    await mutate("voidInvoice", "invoice { id }", id=voided["invoice"]["id"])
    await mutate(
        "recordInvoicePayment",
        "invoice { id }",
        invoiceId=invoice["invoice"]["id"],
        amount="200.00",
        paidOn=date.today().isoformat(),
    )
    memo = await mutate(
        "createCreditMemo",
        "creditMemo { id }",
        accountId=north,
        number="CM-1",
        issuedOn=past,
        amount="50.00",
        reason="Goodwill",
    )
    await mutate(
        "linkAccountRequestItems",
        "accountRequest { id }",
        accountRequestId=open_request,
        itemIds=[
            task["task"]["id"],
            appointment["appointment"]["id"],
            record["serviceRecord"]["id"],
            invoice["invoice"]["id"],
            memo["creditMemo"]["id"],
        ],
    )
    await mutate(
        "addTaskToAccountRequest",
        "task { id }",
        accountRequestId=busy,
        title="Call back",
        assigneeId=users["DISPATCHER"],
    )
    await mutate(
        "addAppointmentToAccountRequest",
        "appointment { id }",
        accountRequestId=busy,
        startsAt="2030-06-01T08:00:00Z",
        endsAt="2030-06-01T09:00:00Z",
    )


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 200)).save(out, "PNG")
    return out.getvalue()


async def photo(api: Api, request_id: str, token: str, portal: bool) -> None:
    """The upload handshake a client does: create, POST the form, complete."""
    data = _png()
    created = await api.mutate(
        "createPhotoUpload",
        "photo { id } uploadTarget { url fields { name value } }",
        token,
        accountRequestId=request_id,
        filename="leak.png",
        contentType="image/png",
        byteSize=len(data),
        description="Water under the sink",
        displayInPortal=portal,
    )
    target = created["uploadTarget"]
    form = [(item["name"], (None, item["value"])) for item in target["fields"]]
    async with httpx.AsyncClient(timeout=30) as client:
        sent = await client.post(
            target["url"], files=[*form, ("file", ("leak.png", data, "image/png"))]
        )
    if sent.status_code not in (200, 201, 204):
        raise UploadError(f"upload: {sent.status_code} {sent.text[:300]}")
    await api.mutate("completePhotoUpload", "photo { id }", token, photoId=created["photo"]["id"])


async def service_requests(
    api: Api, users: dict[str, str], sites: dict[str, str], portal: str, other: str
) -> None:
    """Pending, approved (with a job, assigned or cancelled) and declined requests."""
    made: list[str] = []
    for n, (site, urgency) in enumerate(
        [("north", "URGENT"), ("north", "NORMAL"), ("north", "NORMAL"), ("north", "URGENT")]
    ):
        result = await api.mutate(
            "submitServiceRequest",
            "serviceRequest { id }",
            portal,
            siteId=sites[site],
            serviceType=["REPAIR", "MAINTENANCE", "INSPECTION", "EMERGENCY"][n],
            description=f"Request {n}",
            urgency=urgency,
            preferredDate=(date.today() + timedelta(days=10)).isoformat(),
        )
        made.append(result["serviceRequest"]["id"])
    await api.mutate(
        "submitServiceRequest",
        "serviceRequest { id }",
        other,
        siteId=sites["contoso"],
        serviceType="OTHER",
        description="Contoso asks",
    )
    approved = await api.mutate(
        "approveServiceRequest",
        "job { id }",
        id=made[0],
        job={"priority": "HIGH", "skills": ["plumbing"], "parts": ["valve"], "assetIds": ["A-1"]},
    )
    await api.mutate(
        "assignJob", "job { id }", id=approved["job"]["id"], assigneeId=users["TECHNICIAN"]
    )
    cancelled = await api.mutate("approveServiceRequest", "job { id }", id=made[1])
    await api.mutate("cancelJob", "job { id }", id=cancelled["job"]["id"], reason="Duplicate")
    await api.mutate(
        "declineServiceRequest", "serviceRequest { id }", id=made[2], reason="Not covered"
    )


async def credit(api: Api, north: str, east: str, contoso: str) -> None:
    """Accepted, rejected and pending credit-account requests."""
    accepted = await api.mutate(
        "requestCreditAccount",
        "creditAccountRequest { id }",
        accountId=north,
        requestedLimit="8000.00",
        note="Growing",
    )
    await api.mutate(
        "acceptCreditAccountRequest",
        "creditAccountRequest { id }",
        id=accepted["creditAccountRequest"]["id"],
        note="OK",
    )
    rejected = await api.mutate(
        "requestCreditAccount", "creditAccountRequest { id }", accountId=contoso, requestedLimit="1"
    )
    await api.mutate(
        "rejectCreditAccountRequest",
        "creditAccountRequest { id }",
        id=rejected["creditAccountRequest"]["id"],
        reason="History",
    )
    await api.mutate(
        "requestCreditAccount", "creditAccountRequest { id }", accountId=east, requestedLimit="50"
    )
