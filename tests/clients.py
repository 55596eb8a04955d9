"""The test client of our tests (the `client` fixture, tests/conftest.py).

`force_login` stands for a whole sign-in, as it always has: the password and, for staff, the
second factor (signin/twofactor.py), so a test of the grade book need not type a code. The
second factor's own tests sign in through the login form instead and type the code like a
person (tests/signin/test_twofactor.py)."""

import django.test
from django_otp import DEVICE_ID_SESSION_KEY

from signin import twofactor

FORCED_DEVICE = "tests.force_login/0"


class Client(django.test.Client):
    def force_login(self, user, backend=None) -> None:
        super().force_login(user, backend)
        session = self.session
        session.pop(twofactor.STATE_KEY, None)
        session[DEVICE_ID_SESSION_KEY] = FORCED_DEVICE
        session.save()
