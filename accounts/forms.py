from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Phone number or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "email"}),
    )

    error_messages = {
        "invalid_login": _("The phone number, e-mail or password is not right. Please try again."),
        "inactive": _("This account is locked. Please contact the school."),
    }
