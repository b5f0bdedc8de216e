"""Account requests: the type, the management list, counts, the editor and the live feed."""

from schema.account_requests.mutations import AccountRequestMutations
from schema.account_requests.queries import AccountRequestQueries
from schema.account_requests.subscriptions import AccountRequestSubscriptions

__all__ = ["AccountRequestMutations", "AccountRequestQueries", "AccountRequestSubscriptions"]
