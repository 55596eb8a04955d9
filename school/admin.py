"""The school administration: one place where a principal or school administrator manages
their school's structure.

It is Django's admin rather than Wagtail's because every admin view loads its objects through
`ModelAdmin.get_queryset`, which we scope to the schools the user manages: a pk typed into the
address bar of another school's pupil is a 404 (Wagtail's generic views load by pk directly).
Lessons will live in Wagtail's admin, linked from here.
"""

from django import forms as forms_module
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from school import access, forms, import_admin, names
from school.managers import enrolled
from school.models import (
    ClassGroup,
    ClassroomDevice,
    DataAccess,
    Department,
    DepartmentMembership,
    Enrolment,
    Guardian,
    GuardianLinkRequest,
    Guardianship,
    PeriodTime,
    PracticalExemption,
    Room,
    School,
    SchoolYear,
    StaffMembership,
    Student,
    Subject,
    SubjectGroup,
    TeachingAssignment,
    Term,
    TermEvent,
    TimetableSlot,
)
from school.terms import close_term, reopen_term


def _manages_any_school(request) -> bool:
    if not hasattr(request, "_manages_any_school"):
        request._manages_any_school = request.user.is_active and (
            request.user.is_superuser or access.manages_any_school(request.user)
        )
    return request._manages_any_school


class SchoolAdminSite(admin.AdminSite):
    site_header = _("Trường Số – school administration")
    site_title = _("Trường Số")
    index_title = _("School structure")

    def has_permission(self, request) -> bool:
        return _manages_any_school(request)


admin_site = SchoolAdminSite(name="admin")


# Foreign keys whose choices are limited to the managed schools, by the path to the school.
_SCHOOL_PATHS = {
    School: "",
    SchoolYear: "school",
    Term: "school_year__school",
    SubjectGroup: "school",
    Subject: "school",
    Room: "school",
    ClassGroup: "school",
    Student: "school",
}


# A filter by a related row lists only the rows the admin's own (scoped) rows point to: the
# plain filter would list every school of the installation by name.
_ONLY_SCOPED = admin.RelatedOnlyFieldListFilter


def _scope(queryset, request, school_path: str):
    if request.user.is_superuser:
        return queryset
    managed = School.objects.managed_by(request.user)
    return queryset.filter(**{f"{school_path}__in" if school_path else "pk__in": managed})


def _staff_users(request):
    users = User.objects.filter(memberships__is_active=True).distinct()
    if request.user.is_superuser:
        return users
    return users.filter(memberships__school__in=School.objects.managed_by(request.user))


def _guardians(request):
    """Guardians of the managed schools' pupils: those the guardian autocomplete finds."""
    if request.user.is_superuser:
        return Guardian.objects.all()
    managed = School.objects.managed_by(request.user)
    links = Guardianship.objects.filter(student__school__in=managed)
    return Guardian.objects.filter(id__in=links.values("guardian_id"))


def _limit_choices(db_field, request, kwargs: dict) -> None:
    """Offer only the managed schools' rows in a foreign-key field (their staff as people).
    The same queryset checks a posted id, autocomplete fields included, so an id of another
    school's row is a form error. A related model not listed here offers nothing to a
    school's manager: a new foreign key must say how it is scoped before it can be used."""
    related = db_field.related_model
    if related in _SCHOOL_PATHS:
        kwargs["queryset"] = _scope(related.objects.all(), request, _SCHOOL_PATHS[related])
    elif related is Guardian:
        kwargs["queryset"] = _guardians(request)
    elif related is User:
        kwargs["queryset"] = _staff_users(request).order_by("full_name")
    elif not request.user.is_superuser:
        kwargs["queryset"] = related.objects.none()


class ScopedAdmin(admin.ModelAdmin):
    """An admin whose rows, choices and permissions are those of the schools the user manages.
    Our roles (StaffMembership) are the permission model, not Django's per-model permissions."""

    school_path = "school"
    superuser_only_add = False

    def get_queryset(self, request):
        return _scope(super().get_queryset(request), request, self.school_path)

    def has_module_permission(self, request) -> bool:
        return _manages_any_school(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _manages_any_school(request)

    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_add_permission(self, request) -> bool:
        if self.superuser_only_add:
            return request.user.is_superuser
        return _manages_any_school(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedInline(admin.TabularInline):
    """An inline whose foreign-key choices are scoped like ScopedAdmin's and read once per
    request, not once per row (Django evaluates a select's queryset for every inline form).
    With a `school_path`, its rows too are only the managed schools' (a parent row shared
    between schools, e.g. a guardian, shows and deletes only this school's links)."""

    extra = 0
    school_path = None

    def get_queryset(self, request):
        # Each row's title (str(obj)) reads its foreign keys: load them with the rows.
        relations = [f.name for f in self.model._meta.concrete_fields if f.is_relation]
        rows = super().get_queryset(request).select_related(*relations)
        return rows if self.school_path is None else _scope(rows, request, self.school_path)

    def has_view_permission(self, request, obj=None) -> bool:
        return _manages_any_school(request)

    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_add_permission(self, request, obj=None) -> bool:
        return _manages_any_school(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _limit_choices(db_field, request, kwargs)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name not in self.autocomplete_fields:
            cache = request.__dict__.setdefault("_inline_choices", {})
            key = (self.model, db_field.name)
            if key not in cache:
                cache[key] = list(field.choices)
            field.choices = cache[key]
        return field


class DepartmentMembershipInline(admin.TabularInline):
    """The department's officers (the operator's alone, like the department itself)."""

    model = DepartmentMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Department, site=admin_site)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "code"]
    inlines = [DepartmentMembershipInline]

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    has_change_permission = has_add_permission = has_delete_permission = has_view_permission


class SubjectGroupInline(ScopedInline):
    model = SubjectGroup


class PeriodTimeInline(ScopedInline):
    model = PeriodTime


@admin.register(School, site=admin_site)
class SchoolAdmin(ScopedAdmin):
    school_path = ""
    superuser_only_add = True
    list_display = ["name", "code", "level", "area", "department"]
    inlines = [SubjectGroupInline, PeriodTimeInline]

    def get_readonly_fields(self, request, obj=None):
        # The area groups schools for the department (its dashboard's filter): the operator
        # sets it, as the department and the type, not the school itself.
        return [] if request.user.is_superuser else ["department", "code", "level", "area"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


class TermInline(ScopedInline):
    model = Term
    fields = ["number", "start_date", "end_date", "closed_at"]
    readonly_fields = ["closed_at"]
    show_change_link = True  # closing and reopening are actions of the term's own admin


@admin.register(SchoolYear, site=admin_site)
class SchoolYearAdmin(ScopedAdmin):
    list_display = ["name", "school", "start_date", "end_date", "is_current"]
    list_filter = [("school", _ONLY_SCOPED)]
    inlines = [TermInline]


@admin.register(Subject, site=admin_site)
class SubjectAdmin(ScopedAdmin):
    list_display = ["name", "code", "assessment", "periods_per_year", "group", "school"]
    list_select_related = ["group", "school"]
    list_filter = [("school", _ONLY_SCOPED), "assessment"]
    search_fields = ["name", "code"]


class AddByPhoneMixin:
    """On "add", a person is given by name and phone (see school.forms.PersonForm); afterwards
    the account is shown read-only."""

    add_form = None

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            # The form decides which existing accounts it may take by who is adding.
            kwargs["form"] = type(self.add_form.__name__, (self.add_form,), {"manager": request.user})
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["full_name", "phone", "email", *self.add_form._meta.fields]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []


@admin.register(StaffMembership, site=admin_site)
class StaffMembershipAdmin(AddByPhoneMixin, ScopedAdmin):
    add_form = forms.NewStaffForm
    list_display = ["user", "role", "subject_group", "is_group_head", "is_active", "school"]
    list_filter = [("school", _ONLY_SCOPED), "role", "is_group_head", "is_active"]
    search_fields = ["user__full_name", "user__phone", "user__email"]
    list_select_related = ["user", "subject_group", "school"]


@admin.register(Room, site=admin_site)
class RoomAdmin(ScopedAdmin):
    list_display = ["name", "building", "capacity", "is_smart", "school"]
    list_filter = [("school", _ONLY_SCOPED), "is_smart"]
    search_fields = ["name"]


class TeachingAssignmentInline(ScopedInline):
    model = TeachingAssignment


@admin.register(ClassGroup, site=admin_site)
class ClassGroupAdmin(ScopedAdmin):
    list_display = ["class_name", "grade", "school_year", "homeroom_teacher", "size", "class_page"]
    list_filter = [("school", _ONLY_SCOPED), ("school_year", _ONLY_SCOPED), "grade"]
    search_fields = ["name"]
    inlines = [TeachingAssignmentInline]

    @admin.display(description=_("name"), ordering="sort_key")
    def class_name(self, obj) -> str:
        """The name, sorted by the natural key when its column is clicked (10A2 before 10A10)."""
        return obj.name

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("school_year", "homeroom_teacher")
            .annotate(size=Count("enrolments", filter=enrolled(current=False)))  # any year's class
        )

    @admin.display(description=_("pupils"), ordering="size")
    def size(self, obj) -> int:
        return obj.size

    @admin.display(description=_("class page"))
    def class_page(self, obj) -> str:
        url = reverse("school:class_detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open"))


class GuardianshipInline(ScopedInline):
    model = Guardianship
    autocomplete_fields = ["guardian", "student"]
    school_path = "student__school"


class LinkStateMixin:
    @admin.display(description=_("state"))
    def state(self, obj) -> str:
        return obj.state if obj.pk else ""


class GuardianLinkRequestInline(LinkStateMixin, ScopedInline):
    """Guardians linked by the phone number of an existing account (school.forms
    .LinkRequestForm). Shows the number the school typed and the state, never the account's
    name or e-mail: a request is the holder's to answer, not the school's to read."""

    model = GuardianLinkRequest
    form = forms.LinkRequestForm
    school_path = "school"
    fields = ["phone", "relationship", "state", "created_at"]
    readonly_fields = ["state", "created_at"]
    verbose_name = _("guardian asked by phone number")
    verbose_name_plural = _("guardians asked by phone number")

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # answered by the holder, not edited; delete and ask again instead

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is not None and super().has_add_permission(request, obj)  # needs the school

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"manager": request.user})
        return formset


class EnrolmentInline(ScopedInline):
    model = Enrolment
    fields = ["class_group", "start_date", "end_date", "status"]


class ClassFilter(admin.SimpleListFilter):
    title = _("class")
    parameter_name = "class_group"

    def lookups(self, request, model_admin):
        classes = _scope(ClassGroup.objects.filter(school_year__is_current=True), request, "school")
        return [(c.pk, c.name) for c in classes.order_by("sort_key")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(enrolled(current=False), enrolments__class_group=self.value())
        return queryset


@admin.register(Student, site=admin_site)
class StudentAdmin(ScopedAdmin):
    list_display = ["full_name", "student_code", "date_of_birth", "sex", "school"]
    list_filter = [ClassFilter, "sex", ("school", _ONLY_SCOPED)]
    search_fields = ["search_name", "student_code"]
    inlines = [EnrolmentInline, GuardianshipInline, GuardianLinkRequestInline]
    change_list_template = "admin/school/student/change_list.html"

    def get_search_results(self, request, queryset, search_term):
        """Search ignores tone marks: "nguyen van an" finds "Nguyễn Văn An"."""
        return super().get_search_results(request, queryset, names.fold(search_term))

    def get_urls(self):
        import_view = self.admin_site.admin_view(self.import_view)
        return [path("nhap/", import_view, name="school_student_import"), *super().get_urls()]

    def import_view(self, request):
        return import_admin.import_view(self, request)


class AccountGuardMixin:
    """Changing or deleting a row that stands for an account (the account itself, or the
    guardian profile that carries all its schools' links) is for those who may change the
    account (school.access.can_manage_account); others see it read-only. Django refuses a
    POST to a page without change or delete permission with 403; the bulk delete action is
    refused through get_deleted_objects, which asks only once for the whole model."""

    def account_of(self, obj) -> User:
        raise NotImplementedError

    def may_change_account(self, request, obj) -> bool:
        return obj is None or access.can_manage_account(request.user, self.account_of(obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self.may_change_account(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(not self.may_change_account(request, obj) for obj in objs):
            perms_needed = {*perms_needed, str(self.model._meta.verbose_name)}
        return deleted, counts, perms_needed, protected

    def delete_queryset(self, request, queryset) -> None:
        if any(not self.may_change_account(request, obj) for obj in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)


@admin.register(Guardian, site=admin_site)
class GuardianAdmin(AccountGuardMixin, AddByPhoneMixin, ScopedAdmin):
    """A guardian may have children at several schools: the page shows and changes only
    the managed schools' links (GuardianshipInline.school_path); deleting the guardian,
    which would remove every school's links, only when the account is the school's alone."""

    add_form = forms.NewGuardianForm
    school_path = "students__school"
    list_display = ["__str__", "phone"]
    search_fields = ["user__full_name", "user__phone"]
    ordering = ["user__full_name", "pk"]  # a stable order, so the list's pages do not overlap
    inlines = [GuardianshipInline]

    def account_of(self, obj) -> User:
        return obj.user

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").distinct()

    @admin.display(description=_("phone number"))
    def phone(self, obj) -> str:
        return obj.user.phone or ""


@admin.register(GuardianLinkRequest, site=admin_site)
class GuardianLinkRequestAdmin(LinkStateMixin, ScopedAdmin):
    """The school's requests, pending ones first: the phone it typed and the state only.
    Made on a pupil's page or by the import; answered by the holder; deleted to withdraw."""

    list_display = ["phone", "student", "relationship", "state", "created_at"]
    list_filter = ["accepted"]
    search_fields = ["phone", "student__search_name"]
    list_select_related = ["student"]
    ordering = ["-decided_at", "-created_at"]
    fields = ["school", "student", "phone", "relationship", "state", "created_at", "requested_by"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User, site=admin_site)
class UserAdmin(AccountGuardMixin, ScopedAdmin):
    """People of the managed schools: staff and the guardians of its pupils. A school's
    manager changes (phone, e-mail, locked) or deletes only accounts of their schools alone;
    the others are shown read-only. New accounts come with a staff place or a guardian
    (the add forms of those pages), so only the operator adds bare accounts here."""

    superuser_only_add = True
    list_display = ["full_name", "phone", "email", "is_active"]
    search_fields = ["full_name", "phone", "email"]

    def get_queryset(self, request):
        users = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return users
        managed = School.objects.managed_by(request.user)
        return users.filter(
            Q(memberships__school__in=managed) | Q(guardian__students__school__in=managed)
        ).distinct()

    def account_of(self, obj) -> User:
        return obj

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self.may_change_account(request, obj)

    def get_fields(self, request, obj=None):
        fields = ["full_name", "phone", "email", "is_active"]
        return fields + ["is_staff", "is_superuser"] if request.user.is_superuser else fields

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            # New accounts get no usable password until the person sets one.
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)


@admin.register(TimetableSlot, site=admin_site)
class TimetableSlotAdmin(ScopedAdmin):
    school_path = "class_group__school"
    list_display = ["class_group", "weekday", "session", "period", "subject", "teacher", "room"]
    list_filter = ["weekday", "session", ("class_group__school", _ONLY_SCOPED)]
    search_fields = ["class_group__name", "subject__name"]
    list_select_related = ["class_group", "subject", "teacher", "room"]


@admin.register(ClassroomDevice, site=admin_site)
class ClassroomDeviceAdmin(ScopedAdmin):
    list_display = [
        "name", "kind", "room", "online", "last_seen_at", "clock", "firmware_version",
        "battery_percent", "token_prefix", "revoked_at",
    ]
    list_filter = ["kind", ("school", _ONLY_SCOPED)]
    readonly_fields = [
        "token_prefix", "token_issued_at", "revoked_at", "last_seen_at", "firmware_version",
        "battery_percent", "clock_skew_seconds",
    ]
    actions = ["rotate_token", "revoke_token"]

    @admin.display(description=_("online"), boolean=True)
    def online(self, obj) -> bool:
        return obj.is_online

    @admin.display(description=_("clock"))
    def clock(self, obj) -> str:
        if obj.clock_skew_seconds is None:
            return "—"
        label = f"{obj.clock_skew_seconds:+d} s"
        return format_html('<strong style="color:#a4161a">⚠ {}</strong>', label) if obj.clock_drifts else label

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            self._show_token(request, obj, obj.issue_token())

    def _show_token(self, request, device, token: str) -> None:
        messages.warning(
            request,
            _("Token for %(device)s (shown once, copy it into the device now): %(token)s")
            % {"device": device, "token": token},
        )

    @admin.action(description=_("Issue a new token (the old one stops working)"))
    def rotate_token(self, request, queryset) -> None:
        for device in queryset:
            self._show_token(request, device, device.issue_token())

    @admin.action(description=_("Revoke the token"))
    def revoke_token(self, request, queryset) -> None:
        for device in queryset:
            device.revoke()
        messages.success(request, _("Tokens revoked: %(n)d") % {"n": len(queryset)})


# Terms: closing freezes a term's grade book; reopening needs a reason. Both go through
# school/terms.py's services, which check again that the user manages the school and
# record a TermEvent.


class TermEventInline(admin.TabularInline):
    model = TermEvent
    fields = ["action", "by", "at", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("closing or reopening")
    verbose_name_plural = _("closings and reopenings")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return _manages_any_school(request)


class ReopenTermForm(forms_module.Form):
    reason = forms_module.CharField(
        label=_("Reason for reopening"), max_length=300,
        widget=forms_module.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept with the term's history, e.g. “correcting a wrongly entered score”."),
    )


@admin.register(Term, site=admin_site)
class TermAdmin(ScopedAdmin):
    school_path = "school_year__school"
    list_display = [
        "__str__", "school", "start_date", "end_date", "state", "closed_at", "closed_by",
    ]
    list_filter = ["school_year__is_current"]  # no school filter: it would list every school
    list_select_related = ["school_year__school", "closed_by"]
    fields = ["school_year", "number", "start_date", "end_date", "closed_at", "closed_by"]
    readonly_fields = ["closed_at", "closed_by"]
    inlines = [TermEventInline]
    actions = ["close_terms", "reopen_terms"]

    @admin.display(description=_("school"), ordering="school_year__school__name")
    def school(self, obj) -> str:
        return obj.school_year.school.name

    @admin.display(description=_("state"), ordering="closed_at")
    def state(self, obj) -> str:
        return _("closed") if obj.is_closed else _("open")

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser  # a term holds grades: deleting it is not a school's call

    @admin.action(description=_("Close the term (freezes its grade book)"))
    def close_terms(self, request, queryset) -> None:
        closed = [term for term in queryset if close_term(user=request.user, term=term)]
        if closed:
            names = ", ".join(map(str, closed))
            messages.success(request, _("Terms closed: %(terms)s") % {"terms": names})
        else:
            messages.info(request, _("The chosen terms were already closed."))

    @admin.action(description=_("Reopen the term (with a reason)"))
    def reopen_terms(self, request, queryset):
        """Asks for the reason on an intermediate page, then reopens (recorded as a TermEvent)."""
        form = ReopenTermForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            reopened = [
                term for term in queryset
                if reopen_term(user=request.user, term=term, reason=reason)
            ]
            if reopened:
                names = ", ".join(map(str, reopened))
                messages.success(request, _("Terms reopened: %(terms)s") % {"terms": names})
            else:
                messages.info(request, _("The chosen terms were not closed."))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reopen terms"),
            "opts": self.model._meta,
            "terms": list(queryset.select_related("school_year__school")),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "contactbook/gradebook/admin_reopen_term.html", context)


@admin.register(DataAccess, site=admin_site)
class DataAccessAdmin(ScopedAdmin):
    """The record of who opened or exported pupils' data: read only, for the school's managers."""

    list_display = [
        "at", "user_name", "action", "class_group", "student", "pupils", "detail", "ip_address",
    ]
    list_filter = ["action", ("school", _ONLY_SCOPED)]
    search_fields = [
        "user_name", "student__family_name", "student__given_name", "class_group__name",
    ]
    date_hierarchy = "at"
    list_select_related = ["class_group", "student"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PracticalExemption, site=admin_site)
class PracticalExemptionAdmin(ScopedAdmin):
    """The principal's exemptions from the practical part of physical and defence education
    (Circular 22/2021, Article 10): for a term or the year, with the decision's number and
    date. The model's clean() refuses another subject, a term of another year and overlaps."""

    school_path = "student__school"
    list_display = ["student", "subject", "school_year", "period", "decision_number",
                    "decision_date"]
    list_filter = [("school_year", _ONLY_SCOPED)]
    list_select_related = ["student", "subject", "school_year", "term"]
    search_fields = ["student__search_name", "student__student_code", "decision_number"]
    autocomplete_fields = ["student"]
    fields = ["student", "school_year", "subject", "term", "decision_number", "decision_date",
              "reason"]

    @admin.display(description=_("exempted for"), ordering="term__number")
    def period(self, obj) -> str:
        return obj.period_words

    def get_search_results(self, request, queryset, search_term):
        """Names are searched folded, as on the pupils' list."""
        return super().get_search_results(request, queryset, names.fold(search_term))
