"""Keeping "last seen" of signed-in sessions, signing staff out after inactivity, and ending
the other sessions when a person changes their own password."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, logout
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import ngettext

from signin import sessions


class SessionActivityMiddleware:
    """Below MessageMiddleware (and so below AuthenticationMiddleware). Adds no query to an ordinary request: "last seen" is a
    timestamp in the session (already loaded to find the user); only when it is older than
    sessions.SEEN_EVERY is it rewritten (the session is saved, and one UPDATE of our row).

    Staff (marked at sign-in, signin.sessions.record_sign_in) not seen for
    STAFF_SESSION_IDLE_MINUTES are signed out and sent to sign in again, back to where they
    were. Parents have no idle limit. Requests without a session (devices' tokens, anonymous
    visitors) pass untouched.

    After the view: if the person's own auth hash changed in this request (any view that calls
    update_session_auth_hash after a new password: ours, Django admin's, Wagtail's), their
    other sessions are ended here, in one place for every such view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if not session.session_key or not request.user.is_authenticated:
            return self.get_response(request)
        now = timezone.now().timestamp()  # the clock the sign-in used (sessions.record_sign_in)
        seen = session.get(sessions.SEEN_KEY)
        limit = settings.STAFF_SESSION_IDLE_MINUTES * 60
        if limit and seen and session.get(sessions.STAFF_KEY) and now - seen > limit:
            return self._signed_out(request)
        if seen is None or now - seen > sessions.SEEN_EVERY:
            session[sessions.SEEN_KEY] = now
            sessions.mark_seen(session.session_key, timezone.now())
        before = (session.session_key, session.get(SESSION_KEY), session.get(HASH_SESSION_KEY))
        response = self.get_response(request)
        self._after_own_password_change(request, before)
        return response

    def _signed_out(self, request):
        """Sign out, say why on the sign-in page, come back here after. (Below MessageMiddleware
        and ClearSiteDataOnSignOutMiddleware: they keep the message and clear the saved pages,
        as for every other sign-out.)"""
        next_url = request.get_full_path()
        logout(request)
        minutes = settings.STAFF_SESSION_IDLE_MINUTES
        messages.info(request, ngettext(
            "You were signed out after %(n)d minute without activity. Sign in again to go on.",
            "You were signed out after %(n)d minutes without activity. Sign in again to go on.",
            minutes,
        ) % {"n": minutes})
        return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_url})}")

    def _after_own_password_change(self, request, before) -> None:
        old_key, user_id, old_hash = before
        session = request.session
        new_hash = session.get(HASH_SESSION_KEY)
        if (
            not old_hash or not new_hash or new_hash == old_hash
            or session.get(SESSION_KEY) != user_id or not request.user.is_authenticated
        ):
            return  # no change, a sign-in, or a sign-out
        new_key = session.session_key
        if new_key != old_key:
            sessions.adopt_new_key(request.user, old_key=old_key, new_key=new_key)
        sessions.end_sessions(request.user, keep=new_key)
