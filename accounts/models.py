from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.phones import normalize_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, phone, email, password, **extra):
        phone = normalize_phone(phone) if phone else None
        email = self.normalize_email(email) if email else None
        if not phone and not email:
            raise ValueError("A user needs a phone number or an e-mail address.")
        user = self.model(phone=phone, email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, phone=None, password=None, *, email=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(phone, email, password, **extra)

    def create_superuser(self, phone=None, password=None, *, email=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(phone, email, password, **extra)

    def get_by_natural_key(self, username):
        """Find a user by phone number (any common spelling) or by e-mail (any case)."""
        if username and "@" in username:
            return self.get(email__iexact=username.strip())
        phone = normalize_phone(username or "")
        if phone is None:  # never look up phone=None: that would match e-mail-only users
            raise self.model.DoesNotExist
        return self.get(phone=phone)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: staff, parents and the platform's operators.

    Parents mostly have a phone number and no e-mail, so either identifies a user; the phone is
    stored in its national form (see accounts.phones).
    """

    phone = models.CharField(_("phone number"), max_length=16, unique=True, null=True, blank=True)
    email = models.EmailField(_("e-mail address"), null=True, blank=True)
    full_name = models.CharField(_("full name"), max_length=150)
    is_staff = models.BooleanField(
        _("platform operator"),
        default=False,
        help_text=_("Can open the administration of every school. Schools' own staff do not need it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(phone__isnull=False) | models.Q(email__isnull=False),
                name="user_has_phone_or_email",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.phone or self.email or f"#{self.pk}"

    def clean(self) -> None:
        super().clean()
        if self.phone:
            phone = normalize_phone(self.phone)
            if phone is None:
                raise ValidationError({"phone": _("Enter a Vietnamese phone number, e.g. 0912 345 678.")})
            self.phone = phone
        self.phone = self.phone or None
        self.email = self.__class__.objects.normalize_email(self.email) if self.email else None
        if not self.phone and not self.email:
            raise ValidationError(_("Enter a phone number or an e-mail address."))

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        """Vietnamese people are addressed by their given name, the last word."""
        return self.full_name.split()[-1] if self.full_name else str(self)

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's HMAC of the password hash, with the phone in it too: a sign-in code goes
        to the phone, so a changed phone (a lost SIM, a number given to someone else) ends the
        sessions that phone opened, as a changed password does. Django calls this for the
        current key (get_session_auth_hash) and for each of SECRET_KEY_FALLBACKS
        (get_session_auth_fallback_hash), so rotating the key still keeps people signed in.
        Its own salt, so a hash of Django's formula never matches one of this."""
        key_salt = "accounts.User.get_session_auth_hash:password+phone"
        value = f"{self.password}\x00{self.phone or ''}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()
