from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.phones import normalize_phone
from school import access, names, services
from school.managers import managed_school_ids
from school.models import Guardian, GuardianLinkRequest, Guardianship, StaffMembership

# Said for every account the form may not take, whoever holds it: the message must not tell
# an operator's number from a teacher's of another school.
NOT_LINKABLE = _(
    "This phone number belongs to an account that cannot be linked here; please ask the "
    "system administrator."
)


class PersonForm(forms.ModelForm):
    """Adds a person by phone number: the account is found by its phone or created, so the
    school secretary never has to create an account first and look it up afterwards.

    An existing account is taken only when it is the school's alone (access.account_links):
    otherwise adding it would hand another school's, or the operator's, account to this
    school's managers. The admin sets `manager`, the signed-in user."""

    manager: User | None = None

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    phone = forms.CharField(label=_("Phone number"), max_length=20)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def clean_full_name(self) -> str:
        return names.nfc(self.cleaned_data["full_name"])

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(_("Enter a Vietnamese phone number, e.g. 0912 345 678."))
        return phone

    def link_schools(self):
        """The schools whose accounts alone this form may take (None: the form is invalid)."""
        raise NotImplementedError

    def account_link(self) -> str | None:
        """How the typed phone's account may be linked (access.LINK_*), None for no account."""
        phone, schools = self.cleaned_data.get("phone"), self.link_schools()
        if not phone or schools is None:
            return None
        if self.manager is not None and self.manager.is_superuser:
            exists = User.objects.filter(phone=phone).exists()
            return access.LINK_DIRECTLY if exists else None
        return access.account_links(schools, [phone]).get(phone)

    def person(self) -> User:
        data = self.cleaned_data
        user = User.objects.filter(phone=data["phone"]).first()
        if user is None:
            user = User(phone=data["phone"], full_name=data["full_name"], email=data["email"] or None)
            user.set_unusable_password()  # the person sets a password when they first log in
            user.save()
        return user

    def save(self, commit=True):
        self.instance.user = self.person()
        return super().save(commit)


class NewStaffForm(PersonForm):
    class Meta:
        model = StaffMembership
        fields = ["school", "role", "subject_group", "is_group_head", "is_active"]

    def link_schools(self):
        school = self.cleaned_data.get("school")
        return None if school is None else [school.pk]

    def clean(self):
        cleaned = super().clean()
        phone, school = cleaned.get("phone"), cleaned.get("school")
        if self.account_link() not in (None, access.LINK_DIRECTLY):
            raise forms.ValidationError({"phone": NOT_LINKABLE})
        if phone and school and StaffMembership.objects.filter(user__phone=phone, school=school).exists():
            raise forms.ValidationError(_("This person is already on the school's staff."))
        return cleaned


class NewGuardianForm(PersonForm):
    class Meta:
        model = Guardian
        fields = []

    def link_schools(self):
        return managed_school_ids(self.manager)  # none without a manager: nothing is taken

    def clean(self):
        cleaned = super().clean()
        link = self.account_link()
        if link == access.LINK_REFUSED:
            raise forms.ValidationError({"phone": NOT_LINKABLE})
        if link == access.LINK_PENDING:
            raise forms.ValidationError({"phone": _(
                "This phone number already has an account. Link it on the pupil's page, "
                "under “Guardians asked by phone number”: its holder confirms after signing in."
            )})
        if link and Guardian.objects.filter(user__phone=cleaned["phone"]).exists():
            raise forms.ValidationError({"phone": _(
                "A guardian with this phone number already exists."
            )})
        return cleaned


class LinkRequestForm(forms.ModelForm):
    """On a pupil's page: link a guardian by the phone number of their existing account.
    The school's own accounts are linked at once; another's holder is asked (a pending
    GuardianLinkRequest); operators' and staff accounts are refused. The admin sets
    `manager`; the pupil is the inline's parent (its school decides "the school's alone")."""

    manager: User | None = None

    class Meta:
        model = GuardianLinkRequest
        fields = ["phone", "relationship"]

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(_("Enter a Vietnamese phone number, e.g. 0912 345 678."))
        if self.manager is not None and self.manager.is_superuser:
            self.link = access.LINK_DIRECTLY if User.objects.filter(phone=phone).exists() else None
        else:
            self.link = access.account_links([self.instance.student.school_id], [phone]).get(phone)
        if self.link is None:
            raise forms.ValidationError(_(
                "No account has this phone number yet: add the guardian under Guardians first."
            ))
        if self.link == access.LINK_REFUSED:
            raise forms.ValidationError(NOT_LINKABLE)
        if Guardianship.objects.filter(guardian__user__phone=phone, student=self.instance.student).exists():
            raise forms.ValidationError(_("This person is already a guardian of the pupil."))
        return phone

    def save(self, commit=True):
        return services.ask_guardian_link(
            student=self.instance.student, phone=self.cleaned_data["phone"],
            relationship=self.cleaned_data["relationship"], by=self.manager,
            direct=self.link == access.LINK_DIRECTLY,
        )
