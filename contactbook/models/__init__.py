"""The contact book's models, one module per area; each is imported here so Django finds it."""

from contactbook.models.attendance import AttendanceMark
from contactbook.models.gradebook import ConductRating, Score, TermComment, TermEvent
from contactbook.models.notifications import ChannelPreference, Delivery, Notification

__all__ = [
    "AttendanceMark",
    "ChannelPreference",
    "ConductRating",
    "Delivery",
    "Notification",
    "Score",
    "TermComment",
    "TermEvent",
]
