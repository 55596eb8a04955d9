"""Wagtail's admin JSON API (/cms/api/main/) kept to what the user may see: its images and
documents endpoints list, by default, every collection's files to anyone with admin access.
Registered over Wagtail's own endpoints by lms/wagtail_hooks.py. The pages endpoint already
keeps to the user's explorable pages (Wagtail's PagesAdminAPIViewSet)."""

from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.permissions import policy_registry

# What the choosers show: the files of the collections one may choose from or edit.
SEEN_WITH = ["choose", "change"]


def _visible(queryset, model, user):
    if user.is_superuser:
        return queryset
    policy = policy_registry.get_by_type(model)
    seen = policy.instances_user_has_any_permission_for(user, SEEN_WITH)
    return queryset.filter(pk__in=seen.values("pk"))


class SchoolImagesAPIViewSet(ImagesAdminAPIViewSet):
    def get_queryset(self):
        return _visible(super().get_queryset(), self.model, self.request.user)


class SchoolDocumentsAPIViewSet(DocumentsAdminAPIViewSet):
    def get_queryset(self):
        return _visible(super().get_queryset(), self.model, self.request.user)
