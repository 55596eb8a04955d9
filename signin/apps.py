from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = _("Signing in")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from signin import sessions, twofactor

        user_logged_in.connect(sessions.record_sign_in, dispatch_uid="signin.record_sign_in")
        user_logged_in.connect(twofactor.on_sign_in, dispatch_uid="signin.twofactor.on_sign_in")
        user_logged_out.connect(sessions.forget_sign_out, dispatch_uid="signin.forget_sign_out")
