"""`manage.py sync_lms_permissions`: rebuild every school's Wagtail groups, page and collection
permissions, workflows and memberships from the staff and teaching assignments. The signals
keep them in step; this is for repairs (and after bulk imports that bypass signals)."""

from django.core.management.base import BaseCommand

from lms import permissions
from lms.models import SchoolLibraryPage


class Command(BaseCommand):
    help = "Đồng bộ nhóm quyền Wagtail (học liệu) với phân công giảng dạy và cán bộ của mỗi trường."

    def handle(self, *args, **options) -> None:
        for library in SchoolLibraryPage.objects.select_related("school"):
            permissions.sync_school(library.school)
            self.stdout.write(f"{library.school.name}: xong")
