"""Credit accounts: requests decided by the credit team, balances, and limit alerts."""

from models.credit_accounts.balances import ZERO, Balance, balances, check_credit, level_of
from models.credit_accounts.decisions import accept, reject, request_credit
from models.credit_accounts.delegation import assign, may_delegate
from models.credit_accounts.lists import CreditRequestFilter, filter_credit_requests
from models.credit_accounts.payments import PaymentData, record_payment
from models.credit_accounts.tables import (
    CreditAccountRequest,
    CreditLevel,
    CreditRequestStatus,
    CreditStanding,
    InvoicePayment,
)
from models.credit_accounts.team import credit_team_ids
from models.credit_accounts.visibility import (
    credit_requests_by_role,
    may_decide,
    may_view,
    visible_credit_requests,
)

__all__ = [
    "ZERO",
    "Balance",
    "CreditAccountRequest",
    "CreditLevel",
    "CreditRequestFilter",
    "CreditRequestStatus",
    "CreditStanding",
    "InvoicePayment",
    "PaymentData",
    "accept",
    "assign",
    "balances",
    "check_credit",
    "credit_requests_by_role",
    "credit_team_ids",
    "filter_credit_requests",
    "level_of",
    "may_decide",
    "may_delegate",
    "may_view",
    "record_payment",
    "reject",
    "request_credit",
    "visible_credit_requests",
]
