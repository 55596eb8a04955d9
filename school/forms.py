from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.phones import normalize_phone
from school import names
from school.models import Guardian, StaffMembership


class PersonForm(forms.ModelForm):
    """Adds a person by phone number: the account is found by its phone or created, so the
    school secretary never has to create an account first and look it up afterwards."""

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

    def clean(self):
        cleaned = super().clean()
        phone, school = cleaned.get("phone"), cleaned.get("school")
        if phone and school and StaffMembership.objects.filter(user__phone=phone, school=school).exists():
            raise forms.ValidationError(_("This person is already on the school's staff."))
        return cleaned


class NewGuardianForm(PersonForm):
    class Meta:
        model = Guardian
        fields = []

    def clean_phone(self) -> str:
        phone = super().clean_phone()
        if Guardian.objects.filter(user__phone=phone).exists():
            raise forms.ValidationError(_("A guardian with this phone number already exists."))
        return phone
