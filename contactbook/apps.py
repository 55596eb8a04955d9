from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactbookConfig(AppConfig):
    name = "contactbook"
    verbose_name = _("Contact book")
