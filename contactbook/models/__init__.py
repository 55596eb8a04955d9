"""The contact book's models, one module per area; each is imported here so Django finds it."""

from contactbook.models.attendance import (
    Announcement,
    AnnouncementRead,
    AttendanceMark,
    DailyComment,
    LeaveRequest,
)
from contactbook.models.consents import Consent
from contactbook.models.gradebook import (
    ConductRating,
    QualityRating,
    Score,
    TermComment,
)
from contactbook.models.health import BodyMeasurement
from contactbook.models.messaging import (
    Message,
    MessageAttachment,
    MessageThread,
    SummaryAcknowledgement,
    ThreadMute,
    ThreadReadState,
    WeeklySummary,
)
from contactbook.models.notifications import ChannelPreference, Delivery, Notification
from contactbook.models.push import PushSubscription
from contactbook.models.summer import RetestResult, Summer, SummerConduct, SummerEvent
from contactbook.models.transfers import CopiedResult, CopiedTerm, PersonalPlan

__all__ = [
    "Announcement",
    "AnnouncementRead",
    "AttendanceMark",
    "BodyMeasurement",
    "ChannelPreference",
    "ConductRating",
    "Consent",
    "CopiedResult",
    "CopiedTerm",
    "DailyComment",
    "Delivery",
    "LeaveRequest",
    "Message",
    "MessageAttachment",
    "MessageThread",
    "Notification",
    "PersonalPlan",
    "PushSubscription",
    "QualityRating",
    "RetestResult",
    "Score",
    "SummaryAcknowledgement",
    "Summer",
    "SummerConduct",
    "SummerEvent",
    "TermComment",
    "ThreadMute",
    "ThreadReadState",
    "WeeklySummary",
]
