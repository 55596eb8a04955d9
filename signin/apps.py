from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = _("Signing in")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from signin import twofactor

        user_logged_in.connect(twofactor.on_sign_in, dispatch_uid="signin.twofactor.on_sign_in")
