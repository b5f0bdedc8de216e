"""Tasks, appointments, service records, invoices and credit memos, and linking them."""

from schema.linked_items.mutations import LinkedItemMutations

__all__ = ["LinkedItemMutations"]
