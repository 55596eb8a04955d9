"""lms in Wagtail: who may open a served page or document, what choosers and reports show,
and the "give to classes" button on a lesson."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.widgets import Button
from wagtail.models import Page
from wagtail.permissions import policy_registry

from lms import access
from lms.admin_api import SchoolDocumentsAPIViewSet, SchoolImagesAPIViewSet
from lms.models import (
    CourseContentPage,
    CoursePage,
    LessonPage,
    LibraryIndexPage,
    SchoolLibraryPage,
    UnitPage,
)


@hooks.register("before_serve_page")
def check_page_access(page, request, serve_args, serve_kwargs):
    """A lesson: those lms.access allows; a library, course or unit page: the school's staff;
    anything else served under /hoc-lieu/: nobody. 404 for not allowed, as for missing."""
    if isinstance(page, LessonPage):
        allowed = access.can_view_lesson(request.user, page)
    elif isinstance(page, (CoursePage, SchoolLibraryPage, CourseContentPage)):
        allowed = access.can_view_school_library(request.user, page.school_id)
    elif isinstance(page, LibraryIndexPage):
        allowed = access.staff_schools(request.user).exists()
    else:
        allowed = request.user.is_superuser
    if not allowed:
        raise Http404("No such page")


@hooks.register("before_serve_document")
def check_document_access(document, request):
    if not access.can_view_material(request.user, document):
        raise Http404("No such document")


def _explorable(user):
    return policy_registry.get_by_type(Page).explorable_instances(user)


@hooks.register("construct_page_chooser_queryset")
def only_explorable_pages_in_chooser(pages, request):
    """Wagtail's page chooser lists every page by default: keep it to the user's own tree, so
    no other school's (or other subject's) lesson titles show in a link dialog."""
    if request.user.is_superuser:
        return pages
    return pages.filter(pk__in=_explorable(request.user).values("pk"))


@hooks.register("construct_admin_api", order=100)  # after Wagtail's images and documents
def scope_admin_api(router):
    router.register_endpoint("images", SchoolImagesAPIViewSet)
    router.register_endpoint("documents", SchoolDocumentsAPIViewSet)


@hooks.register("construct_reports_menu")
def hide_cross_school_reports(request, menu_items):
    """"Page types usage" names the last edited page of each type, whatever its school."""
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name != "page-types-usage"]


@hooks.register("before_move_page")
def keep_pages_in_their_course(request, page, destination):
    """Denormalised school, subject and year (lms/models.py) follow the course: a unit or
    lesson moves only within its course, a course only within its school's library."""
    page = page.specific
    destination = destination.specific
    if isinstance(page, (UnitPage, LessonPage)):
        target = destination if isinstance(destination, CoursePage) else getattr(destination, "course", None)
        ok = target is not None and target.pk == page.course_id
    elif isinstance(page, CoursePage):
        ok = isinstance(destination, SchoolLibraryPage) and destination.school_id == page.school_id
    else:
        ok = True
    if not ok:
        messages.error(request, _("A page can only be moved within its own course."))
        from django.shortcuts import redirect

        return redirect("wagtailadmin_explore", page.get_parent().pk)


@hooks.register("register_page_header_buttons")
def give_to_classes_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, LessonPage) and page.live:
        yield Button(
            _("Give to classes"), reverse("lms:assign", args=[page.pk]), icon_name="group",
            priority=80,
        )
