"""Writes of the school app that touch several rows: guardian links asked of an account's
holder (GuardianLinkRequest). The pupil import (school/imports.py) is its own module."""

from django.db import transaction

from accounts.models import User
from school import access
from school.models import Guardian, Guardianship, GuardianLinkRequest


def accept_link_request(*, user: User, request_id) -> Guardianship:
    """The holder of the request's number accepts it: they become the pupil's guardian.
    The request is locked and decided with the link in one transaction, so a double click
    makes one link. Http404 unless the request is waiting for `user`."""
    with transaction.atomic():
        link_request = access.get_link_request_for_holder(user, request_id, for_update=True)
        guardian, _ = Guardian.objects.get_or_create(user=user)
        guardianship, _ = Guardianship.objects.get_or_create(
            guardian=guardian, student=link_request.student,
            defaults={"relationship": link_request.relationship},
        )
        link_request.decide(accepted=True)
    return guardianship


def decline_link_request(*, user: User, request_id) -> None:
    """The holder declines: the request is kept as declined (see GuardianLinkRequest) and
    nothing else changes. Http404 unless the request is waiting for `user`."""
    with transaction.atomic():
        access.get_link_request_for_holder(user, request_id, for_update=True).decide(accepted=False)


def ask_guardian_link(
    *, student, phone: str, relationship: str, by: User, direct: bool
) -> GuardianLinkRequest:
    """Record that the school asked to link the holder of `phone` to `student`. With
    `direct` (the account is the school's alone, access.LINK_DIRECTLY: the caller checked)
    the link is made at once and the request stands as accepted; otherwise it waits for
    the holder. The caller has refused operators' and staff accounts."""
    with transaction.atomic():
        holder = User.objects.get(phone=phone)
        link_request = GuardianLinkRequest.objects.create(
            school_id=student.school_id, student=student, phone=phone, holder=holder,
            relationship=relationship, requested_by=by,
        )
        if direct:
            guardian, _ = Guardian.objects.get_or_create(user=holder)
            Guardianship.objects.get_or_create(
                guardian=guardian, student=student, defaults={"relationship": relationship}
            )
            link_request.decide(accepted=True)
    return link_request
