"""Wagtail's user editor (/cms/users/edit/…, the operator's) can set another person's password:
the sessions opened with the old one are then ended, not only refused. (Editing oneself is
handled with every other own-password change, in signin.activity.)"""

from wagtail import hooks

from signin import sessions


@hooks.register("after_edit_user")
def end_sessions_of_old_password(request, user) -> None:
    if user.pk != request.user.pk:
        sessions.end_stale_sessions(user)
