"""Wagtail groups kept in step with the school's staff and teaching (a service module).

Wagtail decides who may do what in its admin from groups: page permissions on a subtree,
collection permissions on a collection, and GroupApprovalTask's groups for moderation. We do
not ask anyone to maintain those groups by hand; they follow StaffMembership and
TeachingAssignment (lms/signals.py calls this module whenever those change):

    per school, once it has a library (lms.services.ensure_school_library):
      "<code> · Ban giám hiệu"   managers (principal, vice-principals, administrator):
                                 add/edit/publish/lock on the school's library page, all rights
                                 on its materials collection; approve lessons of subjects
                                 that have no subject group
      "<code> · Cán bộ, giáo viên" every active staff member: admin access, upload to and choose
                                 from the school's materials collection
    per subject that has a course:
      "<code> · Giáo viên <subject>" this year's teachers of the subject: add and edit on each
                                 of the subject's courses (never publish)
    per subject group (tổ chuyên môn) whose subjects have a course:
      "<code> · Tổ trưởng <group>" the group's head: add/edit/publish/lock on those courses,
                                 and the group of the GroupApprovalTask of the group's workflow

Everything here is idempotent: run it twice and nothing changes. Group membership is
computed in a fixed number of queries per school, whatever the number of teachers.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from lms.models import CoursePage, SchoolGroup, SchoolLibraryPage
from school.models import School, StaffMembership, Subject, TeachingAssignment

Kind = SchoolGroup.Kind
TEACHER_PAGE_PERMS = ("add", "change")
HEAD_PAGE_PERMS = ("add", "change", "publish", "lock", "unlock")
MANAGER_PAGE_PERMS = ("add", "change", "publish", "lock", "unlock", "bulk_delete")
STAFF_COLLECTION_PERMS = (
    ("wagtaildocs", "add_document"), ("wagtaildocs", "choose_document"),
    ("wagtailimages", "add_image"), ("wagtailimages", "choose_image"),
)
MANAGER_COLLECTION_PERMS = STAFF_COLLECTION_PERMS + (
    ("wagtaildocs", "change_document"), ("wagtaildocs", "delete_document"),
    ("wagtailimages", "change_image"), ("wagtailimages", "delete_image"),
)
HEAD_COLLECTION_PERMS = (("wagtaildocs", "change_document"), ("wagtailimages", "change_image"))


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _page_permissions(actions) -> list[Permission]:
    codenames = [f"{action}_page" for action in actions]
    return list(Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=codenames))


def _named_group(name: str) -> Group:
    group, _ = Group.objects.get_or_create(name=name[:150])
    return group


def _school_group(school: School, kind: str, name: str, **keys) -> SchoolGroup:
    lookup = {"kind": kind, **keys} if keys else {"kind": kind, "school": school}
    role = SchoolGroup.objects.filter(**lookup).select_related("group").first()
    if role is None:
        role = SchoolGroup.objects.create(
            group=_named_group(name), school=school, kind=kind, **keys
        )
        role.group.permissions.add(_permission("wagtailadmin", "access_admin"))
    return role


def _grant_pages(group: Group, page: Page, actions) -> None:
    for permission in _page_permissions(actions):
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


def _grant_collection(group: Group, collection, perms) -> None:
    for app_label, codename in perms:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=_permission(app_label, codename)
        )


def _approval_workflow(role: SchoolGroup, name: str) -> Workflow:
    """The one-step workflow whose task `role`'s group approves."""
    if role.workflow_id:
        return role.workflow
    task = GroupApprovalTask.objects.create(name=name[:255])
    task.groups.set([role.group])
    workflow = Workflow.objects.create(name=name[:255], active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    role.workflow = workflow
    role.save(update_fields=["workflow"])
    return workflow


def _assign_workflow(page: Page, workflow: Workflow | None) -> None:
    if workflow is None:
        WorkflowPage.objects.filter(page=page).delete()
    else:
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})


# ------------------------------------------------------------------------------ groups


def ensure_school_groups(library: SchoolLibraryPage) -> None:
    """The managers' and staff groups of the library's school, their permissions, and the
    managers' approval workflow (the fallback for subjects without a subject group)."""
    school = library.school
    managers = _school_group(school, Kind.MANAGERS, f"{school.code} · Ban giám hiệu")
    staff = _school_group(school, Kind.STAFF, f"{school.code} · Cán bộ, giáo viên")
    _grant_pages(managers.group, library, MANAGER_PAGE_PERMS)
    _grant_collection(managers.group, library.collection, MANAGER_COLLECTION_PERMS)
    _grant_collection(staff.group, library.collection, STAFF_COLLECTION_PERMS)
    workflow = _approval_workflow(managers, f"Duyệt bài giảng · Ban giám hiệu · {school.name}")
    _assign_workflow(library, workflow)


def sync_course(course: CoursePage) -> None:
    """Who may edit, publish and approve `course`: its subject's teachers, and the head of
    the subject's group (whose workflow the course follows); without a group, the managers
    approve (the library's workflow applies)."""
    school = course.school
    subject = Subject.objects.select_related("group").get(pk=course.subject_id)
    library = SchoolLibraryPage.objects.select_related("collection").get(school=school)
    teachers = _school_group(
        school, Kind.SUBJECT, f"{school.code} · Giáo viên {subject.name} ({subject.code})",
        subject=subject,
    )
    wanted = {teachers.group_id}
    _grant_pages(teachers.group, course, TEACHER_PAGE_PERMS)
    workflow = None
    if subject.group_id:
        heads = _school_group(
            school, Kind.HEADS, f"{school.code} · Tổ trưởng {subject.group.name}",
            subject_group=subject.group,
        )
        wanted.add(heads.group_id)
        _grant_pages(heads.group, course, HEAD_PAGE_PERMS)
        _grant_collection(heads.group, library.collection, HEAD_COLLECTION_PERMS)
        workflow = _approval_workflow(
            heads, f"Duyệt bài giảng · Tổ {subject.group.name} · {school.name}"
        )
    _assign_workflow(course, workflow)
    # A course whose subject changed: the old subject's groups lose it.
    GroupPagePermission.objects.filter(page=course, group__lms_role__isnull=False).exclude(
        group_id__in=wanted
    ).delete()


# -------------------------------------------------------------------------- membership


def _desired_memberships(school_ids: list[int], user_id: int | None) -> set[tuple[int, int]]:
    """(user id, group id) pairs the managed groups of `school_ids` should have."""
    roles = SchoolGroup.objects.filter(school_id__in=school_ids).values_list(
        "group_id", "kind", "school_id", "subject_id", "subject_group_id"
    )
    by_key = {}
    for group_id, kind, school_id, subject_id, subject_group_id in roles:
        key = {Kind.MANAGERS: school_id, Kind.STAFF: school_id, Kind.SUBJECT: subject_id,
               Kind.HEADS: subject_group_id}[kind]
        by_key[(kind, key)] = group_id

    members = StaffMembership.objects.filter(school_id__in=school_ids, is_active=True)
    taught = TeachingAssignment.objects.filter(
        class_group__school_id__in=school_ids, class_group__school_year__is_current=True
    )
    if user_id is not None:
        members, taught = members.filter(user_id=user_id), taught.filter(teacher_id=user_id)

    pairs, on_staff = set(), set()
    for uid, school_id, role, is_head, subject_group_id in members.values_list(
        "user_id", "school_id", "role", "is_group_head", "subject_group_id"
    ):
        on_staff.add((uid, school_id))
        wanted = [(Kind.STAFF, school_id)]
        if role in StaffMembership.MANAGING_ROLES:
            wanted.append((Kind.MANAGERS, school_id))
        if is_head and subject_group_id:
            wanted.append((Kind.HEADS, subject_group_id))
        pairs |= {(uid, by_key[k]) for k in wanted if k in by_key}
    for uid, subject_id, school_id in taught.values_list(
        "teacher_id", "subject_id", "class_group__school_id"
    ):
        if (uid, school_id) in on_staff and (Kind.SUBJECT, subject_id) in by_key:
            pairs.add((uid, by_key[(Kind.SUBJECT, subject_id)]))
    return pairs


def sync_memberships(*, school_ids: list[int] | None = None, user_id: int | None = None) -> None:
    """Put the members of the managed groups (of `school_ids`, or of every school) in step
    with the staff and teaching assignments; only `user_id`'s when given."""
    if school_ids is None:
        school_ids = list(SchoolGroup.objects.values_list("school_id", flat=True).distinct())
    if not school_ids:
        return
    Through = Group.user_set.through
    group_ids = SchoolGroup.objects.filter(school_id__in=school_ids).values("group_id")
    existing = Through.objects.filter(group_id__in=group_ids)
    if user_id is not None:
        existing = existing.filter(user_id=user_id)
    have = set(existing.values_list("user_id", "group_id"))
    want = _desired_memberships(school_ids, user_id)
    with transaction.atomic():
        for uid, gid in have - want:
            Through.objects.filter(user_id=uid, group_id=gid).delete()
        Through.objects.bulk_create([Through(user_id=u, group_id=g) for u, g in want - have])


def sync_school(school: School) -> None:
    """Everything for one school: its groups, every course's permissions and workflow, and
    the groups' members. Safe to run at any time (manage.py sync_lms_permissions)."""
    library = SchoolLibraryPage.objects.select_related("school", "collection").filter(school=school).first()
    if library is None:
        return
    ensure_school_groups(library)
    for course in CoursePage.objects.filter(school=school).select_related("school"):
        sync_course(course)
    sync_memberships(school_ids=[school.pk])


def school_has_library(school_id) -> bool:
    return SchoolGroup.objects.filter(school_id=school_id).exists()


def remove_school_groups(school: School) -> None:
    """Delete the school's managed groups and their workflows (before the school is deleted)."""
    roles = SchoolGroup.objects.filter(school=school)
    workflow_ids = [w for w in roles.values_list("workflow_id", flat=True) if w]
    group_ids = list(roles.values_list("group_id", flat=True))
    tasks = GroupApprovalTask.objects.filter(groups__in=group_ids)
    WorkflowPage.objects.filter(workflow_id__in=workflow_ids).delete()
    Workflow.objects.filter(id__in=workflow_ids).delete()
    tasks.delete()
    Group.objects.filter(id__in=group_ids).delete()
