"""GraphQL enums of linked items, registered once before any type uses them."""

import strawberry

from models import linked_items as li

strawberry.enum(li.ItemKind, description="The five kinds of items a request can link.")
strawberry.enum(li.TaskStatus, description="OPEN or DONE.")
strawberry.enum(li.AppointmentStatus, description="PENDING, COMPLETED or CANCELLED.")
strawberry.enum(li.InvoiceStatus, description="OPEN, PAID or VOID.")
