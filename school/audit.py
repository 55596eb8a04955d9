"""The record of who opened or exported pupils' data (school.models.DataAccess): one row per
report card opened, batch of cards downloaded, class summary or school statistics exported.
Views call `record` once the access check has passed, before the data leaves."""

from django.http import HttpRequest

from school.models import ClassGroup, DataAccess, Student


def record(
    request: HttpRequest,
    action: str,
    *,
    school_id: int,
    class_group: ClassGroup | None = None,
    student: Student | None = None,
    pupils: int = 0,
    detail: str = "",
) -> DataAccess:
    user = request.user
    return DataAccess.objects.create(
        user=user,
        user_name=user.full_name or str(user),
        action=action,
        school_id=school_id,
        class_group=class_group,
        student=student,
        pupils=pupils or (1 if student is not None else 0),
        detail=detail[:200],
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )
