"""What a sign-in needs to know of the person, read once (one query) and shared by the
sign-in's receivers: signin.sessions (staff have an idle limit) and signin.twofactor (type the
app's code, or set one up)."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from school.models import StaffMembership


@dataclass(frozen=True)
class SignInFacts:
    staff: bool  # the operator, or on a school's staff now
    manages: bool  # the operator, or a principal, vice-principal or administrator now
    has_app: bool  # has a confirmed authenticator app


def at_sign_in(request, user: User) -> SignInFacts:
    """The facts of `user` signing in with `request`, read on the first call only."""
    cached = getattr(request, "_signin_facts", None)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    memberships = StaffMembership.objects.filter(user=OuterRef("pk"), is_active=True)
    has_app, manages, member = User.objects.filter(pk=user.pk).values_list(
        Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        Exists(memberships.filter(role__in=StaffMembership.MANAGING_ROLES)),
        Exists(memberships),
    ).get()
    operator = user.is_superuser or user.is_staff
    facts = SignInFacts(staff=operator or member, manages=operator or manages, has_app=has_app)
    request._signin_facts = (user.pk, facts)
    return facts
