from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Lessons and materials")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lms import signals  # noqa: F401  (connects the permission sync)
