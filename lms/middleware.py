"""One guard in front of Wagtail's admin views that take a page by its id.

Wagtail checks what a user may *do* to a page, but several of its views render the page (its
title, its parent, whether it is in moderation) before or instead of refusing: a bulk action's
"you may not delete: <title>", a move's confirmation, a chooser's parent, a workflow's
cancellation. Rather than mend each view, every Wagtail admin request naming a page — in its
path (`page_id`, `parent_page_id`, `page_to_move_id`, `destination_id`) or in the `id`
parameters of the page chooser and the pages' bulk actions — answers 404 unless each page is
one the user may explore (their own school's tree and its ancestors). A new Wagtail view with
such an argument is covered without anyone remembering it.
"""

from django.http import Http404
from django.urls import reverse
from wagtail.models import Page
from wagtail.permissions import policy_registry

PAGE_ARGUMENTS = ("page_id", "parent_page_id", "page_to_move_id", "destination_id")
# Wagtail admin paths (below /cms/) whose `id` query parameters are page ids.
PAGE_ID_LISTS = ("choose-page/chosen-multiple/", "bulk/wagtailcore/page/")
# Lists every page of a type with an owner filter naming every school's editors: the operator's,
# like the "page types usage" report it comes from.
OPERATOR_ONLY = ("pages/usage/",)


def _page_ids(request, view_kwargs: dict, below: str) -> list:
    ids = [view_kwargs[name] for name in PAGE_ARGUMENTS if name in view_kwargs]
    if below.startswith(PAGE_ID_LISTS):
        ids += request.GET.getlist("id")
    return ids


def _all_explorable(user, ids: list) -> bool:
    try:
        wanted = {int(str(i)) for i in ids if str(i).isascii()}
    except ValueError:
        return False
    if len(wanted) != len(set(map(str, ids))):
        return False
    explorable = policy_registry.get_by_type(Page).explorable_instances(user)
    return explorable.filter(pk__in=wanted).count() == len(wanted)


class WagtailPageGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if self.prefix is None:
            self.prefix = reverse("wagtailadmin_home")
        user = request.user
        if not request.path.startswith(self.prefix) or user.is_superuser:
            return None
        if not user.has_perm("wagtailadmin.access_admin"):
            return None  # Wagtail's own check sends them to sign in, as for any admin page
        below = request.path[len(self.prefix):]
        if below.startswith(OPERATOR_ONLY):
            raise Http404("No such page")
        ids = _page_ids(request, view_kwargs, below)
        if ids and not _all_explorable(user, ids):
            raise Http404("No such page")
        return None
