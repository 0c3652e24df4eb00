"""The supervision service's records, one module per part (see docs/supervision.md)."""

from kmatrix.supervision.models.need import SessionNeed, may_enter_need
from kmatrix.supervision.models.payments import PaymentRun, Statement, StatementLine
from kmatrix.supervision.models.service import ServiceRole, SupervisionService
from kmatrix.supervision.models.sessions import Availability, Booking, Slot, WaitingListEntry
from kmatrix.supervision.models.supervisors import (
    NEVER,
    ReminderRun,
    Supervisor,
    SupervisorModality,
    VettingCheck,
    VettingReminder,
)

__all__ = [
    "NEVER",
    "Availability",
    "Booking",
    "PaymentRun",
    "ReminderRun",
    "ServiceRole",
    "SessionNeed",
    "Slot",
    "Statement",
    "StatementLine",
    "SupervisionService",
    "Supervisor",
    "SupervisorModality",
    "VettingCheck",
    "VettingReminder",
    "WaitingListEntry",
    "may_enter_need",
]
