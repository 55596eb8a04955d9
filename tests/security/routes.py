"""Who may use each route: one declaration per route of the site (ours, the Django admin's at
/quan-tri/ and Wagtail's admin at /cms/) and per OpenAPI operation. test_route_matrix.py
discovers every route and operation and fails on one that no declaration covers, and on a
declaration that covers nothing (stale).

A route is named by its normalised pattern (the patterns of its resolvers joined, as
`str(pattern)` prints them), e.g. `quan-tri/school/student/<path:object_id>/change/`. Our own
routes and Wagtail's are declared one by one (`route`); only the Django admin's per-model routes
are declared by a regular expression over the registered models (`admin_routes`), so a new view
in an app's urls.py fails the test until it is declared here, and so does a newly registered
admin model.

Kinds (who may use it):
    PUBLIC      anyone, signed in or not
    SIGNED_IN   anyone signed in (sees their own things only)
    PARENT      a guardian of the pupil named in the address
    TEACHER     a teacher of the class (or of the pupil) named, and the school's managers
    MANAGER     a manager (principal, vice-principal, administrator) of the object's school
    CMS         staff with access to Wagtail's admin, for their own school's pages and files
    OPERATOR    the platform operator (superuser) only
    DEVICE      a classroom device's bearer token, for its own room and school
    DEPARTMENT  an officer of the department (school.DepartmentMembership): its aggregates
    OFF         switched off: 404 for everyone

What the probe expects from someone of another school (test_route_matrix.py):
    - a route that takes an id of school A's object (`scoped`, by default when a path argument is
      an id), and every OPERATOR route: a refusal (400/401/403/404/405, or a redirect to a
      sign-in page);
    - an OFF route: 404 for everyone;
    - any other route (a list, a form, a public page): any answer but a server error;
    - on every route: no name, phone, e-mail or file name of school A in the body or the
      redirect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PUBLIC = "public"
SIGNED_IN = "signed-in"
PARENT = "parent of the pupil"
TEACHER = "teacher of the class"
MANAGER = "school manager"
CMS = "staff with /cms/"
OPERATOR = "operator only"
DEVICE = "device token"
DEPARTMENT = "officer of the department"
OFF = "off"

KINDS = {PUBLIC, SIGNED_IN, PARENT, TEACHER, MANAGER, CMS, OPERATOR, DEVICE, DEPARTMENT, OFF}

# Path arguments that carry an object's id: a route with one is scoped unless declared otherwise.
ID_ARGUMENTS = {
    "student_id",
    "class_group_id",
    "class_id",
    "subject_id",
    "term_id",
    "leave_id",
    "request_id",
    "announcement_id",
    "attachment_id",
    "summary_id",
    "notification_id",
    "run_id",
    "file_id",
    "school_id",
    "lesson_id",
    "version_id",
    "material_id",
    "session_id",
    "object_id",
    "content_type_id",
    "pk",
    "page_id",
    "parent_page_id",
    "page_to_move_id",
    "destination_id",
    "revision_id",
    "revision_id_a",
    "revision_id_b",
    "task_state_id",
    "task_id",
    "workflow_state_id",
    "document_id",
    "doc_id",
    "image_id",
    "uploaded_file_id",
    "collection_id",
    "page_pk",
    "workflow_pk",
    "uidb64",
}


@dataclass(frozen=True)
class Route:
    """One declaration. `pattern` is the normalised route, or a regular expression over it
    when `regex` is true. `url` is the address to request (placeholders `{name}` are filled
    from school A's objects, test_route_matrix.OBJECTS); by default it is built from the
    pattern, each `<conv:name>` argument filled from `ids` (argument → object) or the object
    of the same name. `query` is added to GETs; `data` is POSTed (placeholders filled too)."""

    pattern: str
    who: tuple[str, ...]
    regex: bool = False
    scoped: bool | None = None  # None: scoped when the path has an id argument
    url: str | None = None
    ids: dict = field(default_factory=dict)
    query: str = ""
    post: bool = True
    data: dict = field(default_factory=dict)
    optional: bool = False  # may be absent (e.g. /media/ is served only with DEBUG)
    redirect_is_refusal: bool = False  # any redirect counts as a refusal (it reads nothing)
    deliberate_error: bool = False  # Wagtail's own "test the 500 page" view
    api: bool = False  # an OpenAPI operation: `pattern` is "METHOD /api/path"
    note: str = ""

    def matches(self, name: str) -> bool:
        if self.regex:
            return re.fullmatch(self.pattern, name) is not None
        return self.pattern == name

    def takes_an_id(self, name: str) -> bool:
        if self.scoped is not None:
            return self.scoped
        arguments = set(re.findall(r"<(?:\w+:)?(\w+)>", name)) | set(
            re.findall(r"\(\?P<(\w+)>", name)
        )
        return bool(arguments & ID_ARGUMENTS)


def route(pattern: str, *who: str, **options) -> Route:
    assert who and set(who) <= KINDS, (pattern, who)
    return Route(pattern=pattern, who=tuple(who), **options)


def operation(method_and_path: str, *who: str, **options) -> Route:
    return route(method_and_path, *who, api=True, **options)


# --------------------------------------------------------------------------- our pages

SITE = [
    route("", PUBLIC, post=False, note="a sign-in link, or the user's own classes and children"),
    route("healthz", PUBLIC, post=False),
    route("i18n/setlang/", PUBLIC, data={"language": "en", "next": "/"}),
    route("tai-khoan/dang-nhap/", PUBLIC, data={"username": "0999999999", "password": "sai"}),
    route("tai-khoan/dang-xuat/", SIGNED_IN),
    # signin: one-time codes
    route("tai-khoan/ma/", PUBLIC, data={"phone": "0999999999"}, note="same answer for every number"),
    route("tai-khoan/ma/nhap/", PUBLIC, data={"code": "000000"}, note="no code asked: back to asking"),
    route("tai-khoan/mat-khau/dat/", SIGNED_IN, data={"new_password1": "x", "new_password2": "y"},
          note="the user's own password, only right after a code"),
    route("tai-khoan/phien/", SIGNED_IN, data={"end": "999999999"},
          note="the user's own sessions: another's row id is a 404"),
    route("tai-khoan/xac-thuc/", SIGNED_IN, data={"code": "000000"}, note="the user's own second factor"),
    route("tai-khoan/xac-thuc/cai-dat/", SIGNED_IN, data={"code": "000000"},
          note="staff set up their own app; 404 for parents"),
    route("tai-khoan/ma-du-phong/", SIGNED_IN, note="the user's own backup codes"),
    route("tai-khoan/dat-lai-xac-thuc/", MANAGER, data={"user": "1"},
          note="a manager's own school's teachers; the operator anybody"),
    route("truong/lop/<int:class_group_id>/", TEACHER),
    route("truong/lien-ket/", SIGNED_IN, post=False, note="the holder's own link requests"),
    route(
        "truong/lien-ket/<int:request_id>/",
        SIGNED_IN,
        data={"decision": "accept"},
        note="only the account asked may answer: school A's request to parent_a2",
    ),
    # the contact book: teachers
    route("giao-vien/so-diem/", TEACHER, note="the teacher's own classes"),
    route("giao-vien/lop/<int:class_group_id>/so-diem/<int:subject_id>/", TEACHER),
    route(
        "giao-vien/lop/<int:class_group_id>/so-diem/<int:subject_id>/hoc-ky/<int:term_id>/", TEACHER
    ),
    route(
        "giao-vien/lop/<int:class_group_id>/so-diem/<int:subject_id>/hoc-ky/<int:term_id>/cong-bo/",
        TEACHER,
    ),
    route(
        "giao-vien/lop/<int:class_group_id>/so-diem/<int:subject_id>/hoc-ky/<int:term_id>/lich-su/<int:student_id>/",
        TEACHER,
    ),
    route("giao-vien/lop/<int:class_group_id>/chu-nhiem/", TEACHER),
    route("giao-vien/lop/<int:class_group_id>/chu-nhiem/hoc-ky/<int:term_id>/", TEACHER),
    route(
        "giao-vien/lop/<int:class_group_id>/chu-nhiem/hoc-ky/<int:term_id>/lich-su/<int:student_id>/",
        TEACHER,
    ),
    route("giao-vien/lop/<int:class_group_id>/pham-chat-nang-luc/", TEACHER),
    route("giao-vien/lop/<int:class_group_id>/pham-chat-nang-luc/hoc-ky/<int:term_id>/", TEACHER),
    route(
        "giao-vien/lop/<int:class_group_id>/pham-chat-nang-luc/hoc-ky/<int:term_id>/lich-su/<int:student_id>/",
        TEACHER,
    ),
    route("giao-vien/lop/<int:class_group_id>/diem-danh/", TEACHER),
    route("giao-vien/lop/<int:class_group_id>/xin-nghi/", TEACHER),
    route(
        "giao-vien/xin-nghi/<int:leave_id>/tra-loi/",
        TEACHER,
        data={"action": "approve", "note": "x"},
    ),
    route("giao-vien/lop/<int:class_group_id>/nhan-xet/", TEACHER),
    route("giao-vien/thong-bao/", TEACHER, note="the announcements the user may see"),
    route(
        "giao-vien/thong-bao/moi/",
        TEACHER,
        data={"audience": "class", "class_group": "{class_a1}", "title": "x", "body": "x"},
        note="posted with school A's class: must be refused",
    ),
    route("giao-vien/thong-bao/<int:announcement_id>/", TEACHER),
    route("giao-vien/tin-nhan/", TEACHER, note="the teacher's own threads"),
    route("giao-vien/tin-nhan/lop/<int:class_group_id>/", TEACHER),
    route("giao-vien/tin-nhan/hoc-sinh/<int:student_id>/", TEACHER, data={"body": "x"}),
    route("giao-vien/tin-nhan/hoc-sinh/<int:student_id>/gio-yen-lang/", TEACHER),
    route("giao-vien/lop/<int:class_group_id>/tong-ket-tuan/", TEACHER),
    # the contact book: parents
    route("phu-huynh/hoc-sinh/<int:student_id>/diem/", PARENT),
    route("phu-huynh/hoc-sinh/<int:student_id>/chuyen-can/", PARENT),
    route("phu-huynh/hoc-sinh/<int:student_id>/xin-nghi/", PARENT),
    route("phu-huynh/xin-nghi/<int:leave_id>/huy/", PARENT),
    route("phu-huynh/hoc-sinh/<int:student_id>/nhan-xet/", PARENT),
    route("phu-huynh/thong-bao/", PARENT, note="the parent's own announcements"),
    route("phu-huynh/thong-bao/<int:announcement_id>/", PARENT),
    route("phu-huynh/", PARENT, note="the parent's own children"),
    route("phu-huynh/hoc-sinh/<int:student_id>/", PARENT),
    route("phu-huynh/hoc-sinh/<int:student_id>/tin-nhan/", PARENT, data={"body": "x"}),
    route("tin-nhan/tep/<int:attachment_id>/", PARENT, TEACHER),
    route("phu-huynh/tong-ket-tuan/<int:summary_id>/", PARENT),
    route("phu-huynh/tong-ket-tuan/<int:summary_id>/da-xem/", PARENT),
    route("phu-huynh/hoc-sinh/<int:student_id>/tong-ket-tuan/", PARENT),
    # notifications: the user's own
    route("hop-thu/", SIGNED_IN),
    route("hop-thu/<int:notification_id>/", SIGNED_IN),
    route(
        "hop-thu/da-doc/",
        SIGNED_IN,
        data={"id": "{notification}"},
        note="posted with parent_a1's notification",
    ),
    route("hop-thu/cai-dat/", SIGNED_IN),
    # push / PWA: the installable portal and Web Push subscriptions (contactbook/views/push.py)
    route("manifest.webmanifest", PUBLIC, post=False),
    route("sw.js", PUBLIC, post=False),
    route("ngoai-tuyen/", PUBLIC, post=False, note="the offline page: fetched without cookies"),
    route("hop-thu/thong-bao-day/dang-ky/", SIGNED_IN, note="subscribes the signed-in person's browser"),
    route("hop-thu/thong-bao-day/huy/", SIGNED_IN, note="only the person's own subscription"),
    # reports
    route(
        "bao-cao/",
        MANAGER,
        data={"truong": "{school_a}", "scope": "class", "class_group": "{class_a1}"},
    ),
    route("bao-cao/dot/<int:run_id>/", MANAGER),
    route("bao-cao/dot/<int:run_id>/tien-do/", MANAGER),
    route("bao-cao/tep/<int:file_id>/", MANAGER),
    route("bao-cao/lop/<int:class_id>/tong-hop/", TEACHER, MANAGER),
    route(
        "bao-cao/lop/<int:class_id>/khen-thuong/", TEACHER, MANAGER,
        note="the homeroom teacher's proposals; the principal confirms",
    ),
    route(
        "bao-cao/lop/<int:class_id>/he/", TEACHER, MANAGER,
        note="the class's homeroom teacher and the school's managers: summer lists and results",
    ),
    route("bao-cao/lop/<int:class_id>/he/khoa/", MANAGER, data={"action": "close"}),
    route(
        "bao-cao/lop/<int:class_id>/he/sua/<int:student_id>/", MANAGER,
        data={"value": "Đạt", "reason": "Ghi nhầm"},
        note="correcting a recorded summer result, with a reason; the homeroom teacher 403",
    ),
    route("bao-cao/lop/<int:class_id>/hoc-ba/", MANAGER,
          note="POST starts the run of the class's học bạ; GET is refused"),
    route("bao-cao/truong/<int:school_id>/thong-ke/", MANAGER),
    route("bao-cao/truong/<int:school_id>/bieu-do/", MANAGER,
          note="the school's own results dashboard: exact counts, classes linked"),
    route(
        "so/<slug:code>/", DEPARTMENT, url="/so/{department_code}/", scoped=False,
        note="a department's dashboard: counts only, never a person; the officer (an "
        "outsider here) must see nobody of school A, everyone else gets 404 "
        "(tests/reports/test_dashboard.py asks the whole cast)",
    ),
    route("bao-cao/lop/<int:class_id>/xet-tot-nghiep/", MANAGER,
          note="grade-12 classes only: another grade's class is a 404"),
    route("phu-huynh/hoc-sinh/<int:student_id>/phieu-bao/", PARENT),
    route("phu-huynh/hoc-sinh/<int:student_id>/phieu-bao/ca-nam/", PARENT),
    route("phu-huynh/hoc-sinh/<int:student_id>/phieu-bao/<int:term_id>/", PARENT),
    route("verify/", PUBLIC, query="code={card_code}", data={"code": "{card_code}"}),
    route(
        "verify/<str:code>/",
        PUBLIC,
        url="/verify/{card_code}/",
        note="shows the school, the term and the masked name only",
    ),
    # lessons (lms) and the board's quiz results
    route("hoc-sinh/<int:student_id>/bai-hoc/", PARENT, TEACHER, post=False),
    route(
        "bai-hoc/tim-kiem/", SIGNED_IN, query="q=BímậtA", post=False, note="the user's own lessons"
    ),
    route("bai-hoc/<int:lesson_id>/giao/", TEACHER, ids={"lesson_id": "draft_lesson"}),
    route(
        "bai-hoc/tai-lieu-cu/<int:version_id>/<str:filename>",
        CMS,
        url="/bai-hoc/tai-lieu-cu/{material_version}/{material_version_name}",
        post=False,
    ),
    route("bai-hoc/<int:lesson_id>/trac-nghiem/", TEACHER),
    route(
        "tai-lieu/^(\\d+)/(.*)$",
        PARENT,
        TEACHER,
        url="/tai-lieu/{draft_material}/{draft_material_file}",
        post=False,
        note="a material of school A used by no lesson",
    ),
    route(
        "hoc-lieu/^((?:[\\w\\-]+/)*)$",
        PARENT,
        TEACHER,
        url="{hidden_lesson_url}",
        post=False,
        note="a published lesson of school A given to no class",
    ),
    route(
        "media/^(?P<name>.+)$",
        PARENT,
        TEACHER,
        url="/media/{image_file}",
        scoped=True,
        post=False,
        note="lesson images and renditions, after an access check (lms/media.py)",
    ),
    # privacy: a guardian's copy of their child's data and correction requests
    route(
        "phu-huynh/hoc-sinh/<int:student_id>/du-lieu/",
        PARENT,
        data={"data": "Ngày sinh", "text": "Sai ngày sinh"},
    ),
    route("phu-huynh/hoc-sinh/<int:student_id>/du-lieu/tai-ve.json", PARENT, post=False),
    route("phu-huynh/hoc-sinh/<int:student_id>/du-lieu/tai-ve.pdf", PARENT, post=False),
    route("api/openapi.json", PUBLIC, post=False),
    route("api/docs", PUBLIC, post=False),
    route("api/", PUBLIC, post=False),
]

# ---------------------------------------------------------------- the device API (ninja)
# Each operation is declared by method and path below; these are the Django routes ninja makes.

API_ROUTES = [
    route("api/devices/me", DEVICE, scoped=False),
    route("api/devices/heartbeat", DEVICE, scoped=False),
    route("api/devices/today", DEVICE, scoped=False),
    route(
        "api/devices/classes/<class_id>/roster",
        DEVICE,
        url="/api/devices/classes/{class_a1}/roster",
    ),
    route(
        "api/devices/check-ins",
        DEVICE,
        scoped=False,
        data={
            "events": [
                {
                    "event_id": "5d0c8f0e-8f57-4a52-9d4e-6b1d2f7a9c31",
                    "card_id": "CARD-BIMATA1",
                    "occurred_at": "2026-11-30T07:05:00+07:00",
                    "direction": "in",
                }
            ]
        },
        note="school A's pupil's card: rejected, and the answer names nobody",
    ),
    route("api/devices/lessons/<lesson_id>", DEVICE, url="/api/devices/lessons/{lesson}"),
    route("api/devices/materials/<material_id>", DEVICE, url="/api/devices/materials/{material}"),
    route(
        "api/devices/quizzes",
        DEVICE,
        scoped=True,
        data={"lesson_id": "{lesson}", "quiz_id": "{quiz_id}", "class_id": "{class_a1}"},
        note="opening school A's lesson's quiz for school A's class",
    ),
    route(
        "api/devices/quizzes/<session_id>/answers",
        DEVICE,
        url="/api/devices/quizzes/{quiz_session}/answers",
        data={
            "answers": [{"question_id": "{question_id}", "choice": "A", "card_id": "CARD-BIMATA1"}]
        },
    ),
    route(
        "api/devices/quizzes/<session_id>/close",
        DEVICE,
        url="/api/devices/quizzes/{quiz_session}/close",
    ),
    route(
        "api/devices/quizzes/<session_id>/results",
        DEVICE,
        url="/api/devices/quizzes/{quiz_session}/results",
    ),
    route(
        "api/reports/statistics",
        MANAGER,
        scoped=True,
        query="school={school_a}",
        url="/api/reports/statistics",
        note="asked with school A's id",
    ),
]

OPERATIONS = [
    operation("GET /api/devices/me", DEVICE),
    operation("POST /api/devices/heartbeat", DEVICE),
    operation("GET /api/devices/today", DEVICE),
    operation("GET /api/devices/classes/{class_id}/roster", DEVICE),
    operation("POST /api/devices/check-ins", DEVICE),
    operation("GET /api/devices/lessons/{lesson_id}", DEVICE),
    operation("GET /api/devices/materials/{material_id}", DEVICE),
    operation("POST /api/devices/quizzes", DEVICE),
    operation("POST /api/devices/quizzes/{session_id}/answers", DEVICE),
    operation("POST /api/devices/quizzes/{session_id}/close", DEVICE),
    operation("GET /api/devices/quizzes/{session_id}/results", DEVICE),
    operation("GET /api/reports/statistics", MANAGER),
]

# ------------------------------------------------------------ the Django admin (/quan-tri/)

# Every model registered in school.admin.admin_site, and the object of school A each one's
# routes are asked with (test_route_matrix.OBJECTS). Registering a model adds it here.
ADMIN_MODELS = {
    "school/department": "department",
    "school/school": "school_a",
    "school/schoolyear": "year_a",
    "school/subject": "math",
    "school/staffmembership": "membership_principal",
    "school/room": "room_a1",
    "school/classgroup": "class_a1",
    "school/student": "pupil_a1",
    "school/guardian": "guardian_a1",
    "accounts/user": "parent_a1",
    "school/timetableslot": "timetable_slot",
    "school/classroomdevice": "device",
    "school/term": "term",
    "school/dataaccess": "data_access",
    "school/guardianlinkrequest": "link_request",
    "school/practicalexemption": "practical_exemption",
    "devices/checkinevent": "check_in",
    # privacy
    "privacy/correctionrequest": "correction_request",
    "privacy/leftpupil": "left_pupil",
    "privacy/anonymisationrecord": "anonymisation_record",
    # the year's end (reports/admin.py)
    "contactbook/copiedterm": "copied_term",
    "contactbook/personalplan": "personal_plan",
    # reports: Khen thưởng
    "reports/award": "award",
    # the học bạ's heights and weights (contactbook/admin.py)
    "contactbook/bodymeasurement": "body_measurement",
}
_OPERATOR_MODELS = {"school/department"}


def admin_routes() -> list[Route]:
    scoped_models = [m for m in ADMIN_MODELS if m not in _OPERATOR_MODELS]
    models = "|".join(re.escape(m) for m in scoped_models)
    operator = "|".join(re.escape(m) for m in _OPERATOR_MODELS)
    per_object = r"({})/<path:object_id>/(history/|delete/|change/)"
    return [
        route("quan-tri/", MANAGER, note="the user's own schools"),
        route("quan-tri/login/", PUBLIC, post=False),
        route("quan-tri/logout/", SIGNED_IN),
        route("quan-tri/password_change/", SIGNED_IN, post=False),
        route("quan-tri/password_change/done/", SIGNED_IN, post=False),
        route(
            "quan-tri/autocomplete/",
            MANAGER,
            post=False,
            url="/quan-tri/autocomplete/?app_label=school&model_name=guardianship&field_name=guardian&term=BímậtA",
            note="also asked for every autocomplete field in test_admin_autocompletes_list_only_the_managed_schools",
        ),
        route("quan-tri/jsi18n/", SIGNED_IN, post=False),
        route(
            "quan-tri/r/<path:content_type_id>/<path:object_id>/",
            MANAGER,
            url="/quan-tri/r/{classgroup_type}/{class_a1}/",
            post=False,
            note="'view on site' of school A's class",
        ),
        route(
            "quan-tri/school/student/nhap/",
            MANAGER,
            scoped=False,
            note="the pupil import: its school choices are the managed schools",
        ),
        route(
            "quan-tri/contactbook/copiedterm/nhap/",
            MANAGER,
            scoped=False,
            note="the copied terms' import: its term choices are the managed schools'",
        ),
        route(
            f"quan-tri/({models})/",
            MANAGER,
            regex=True,
            post=False,
            note="changelists: own rows only",
        ),
        route(
            f"quan-tri/({models})/add/",
            MANAGER,
            regex=True,
            scoped=False,
            note="add forms: own choices only",
        ),
        route(
            f"quan-tri/{per_object.format(models)}",
            MANAGER,
            regex=True,
        ),
        route(
            f"quan-tri/({models})/<path:object_id>/",
            MANAGER,
            regex=True,
            redirect_is_refusal=True,
            post=False,
            note="Django's redirect to the change page: loads nothing",
        ),
        route(f"quan-tri/({operator})/", OPERATOR, regex=True, post=False),
        route(f"quan-tri/({operator})/add/", OPERATOR, regex=True),
        route(f"quan-tri/{per_object.format(operator)}", OPERATOR, regex=True),
        route(
            f"quan-tri/({operator})/<path:object_id>/",
            OPERATOR,
            regex=True,
            redirect_is_refusal=True,
            post=False,
        ),
        route(
            "quan-tri/^(?P<app_label>school|accounts|devices|contactbook|reports|privacy)/$",  # privacy, contactbook, reports: their admins
            MANAGER,
            url="/quan-tri/school/",
            post=False,
        ),
        route("quan-tri/(?P<url>.*)$", OFF, url="/quan-tri/khong-co-trang-nay/", post=False),
    ]


# ------------------------------------------------------------------ Wagtail's admin (/cms/)

P = "cms/pages/"
WAGTAIL = [
    route(
        "cms/reports/page-types-usage/",
        OPERATOR,
        post=False,
        note="lms.views.cross_school_report_refused, and Wagtail's own that it shadows (same address)",
    ),
    route(
        "cms/reports/page-types-usage/results/",
        OPERATOR,
        post=False,
        note="names every school's pages",
    ),
    route("cms/", CMS, post=False),
    route("cms/test404/", PUBLIC, post=False),
    route(
        "cms/failwhale/", CMS, post=False, deliberate_error=True, note="Wagtail's deliberate 500"
    ),
    # the admin's JSON API (what the page, document and image choosers read)
    route("cms/api/main/^pages/", CMS, url="/cms/api/main/pages/?search=BímậtA", post=False),
    route(
        "cms/api/main/^pages/<int:pk>/", CMS, url="/cms/api/main/pages/{draft_lesson}/", post=False
    ),
    route(
        "cms/api/main/^pages/find/",
        CMS,
        url="/cms/api/main/pages/find/?id={draft_lesson}",
        post=False,
    ),
    route(
        "cms/api/main/^pages/<int:pk>/action/<str:action_name>/",
        CMS,
        url="/cms/api/main/pages/{draft_lesson}/action/copy/",
        data={"destination_page_id": "{course_b}"},
    ),
    route("cms/api/main/^documents/", CMS, url="/cms/api/main/documents/", post=False),
    route(
        "cms/api/main/^documents/<int:pk>/",
        CMS,
        url="/cms/api/main/documents/{draft_material}/",
        post=False,
    ),
    route(
        "cms/api/main/^documents/find/",
        CMS,
        url="/cms/api/main/documents/find/?id={draft_material}",
        post=False,
    ),
    route("cms/api/main/^images/", CMS, url="/cms/api/main/images/", post=False),
    route("cms/api/main/^images/<int:pk>/", CMS, url="/cms/api/main/images/{image}/", post=False),
    route(
        "cms/api/main/^images/find/", CMS, url="/cms/api/main/images/find/?id={image}", post=False
    ),
    # pages
    route("cms/pages/", CMS, post=False),
    # Wagtail sends someone exploring a page outside their tree to their own tree's root.
    route(
        P + "<int:parent_page_id>/",
        CMS,
        ids={"parent_page_id": "course"},
        post=False,
        redirect_is_refusal=True,
    ),
    route(
        P + "<int:parent_page_id>/results/",
        CMS,
        ids={"parent_page_id": "course"},
        post=False,
        redirect_is_refusal=True,
    ),
    route(
        "cms/bulk/<str:app_label>/<str:model_name>/<str:action>/",
        CMS,
        scoped=True,
        url="/cms/bulk/wagtailcore/page/delete/?id={draft_lesson}&next=/cms/",
        note="a bulk action on school A's page",
    ),
    route(
        P + "add/<slug:content_type_app_name>/<slug:content_type_model_name>/<int:parent_page_id>/",
        CMS,
        url="/cms/pages/add/lms/lessonpage/{unit}/",
    ),
    route(
        P
        + "add/<slug:content_type_app_name>/<slug:content_type_model_name>/<int:parent_page_id>/preview/",
        CMS,
        url="/cms/pages/add/lms/lessonpage/{unit}/preview/",
    ),
    route(
        P + "usage/<slug:content_type_app_name>/<slug:content_type_model_name>/",
        OPERATOR,
        url="/cms/pages/usage/lms/lessonpage/",
        post=False,
        note="lists pages of one type, its owner filter naming every school's editors",
    ),
    route(
        P + "create/<slug:app_label>/<slug:model_name>", CMS, url="/cms/pages/create/lms/lessonpage"
    ),
    route(
        P + "usage/<slug:content_type_app_name>/<slug:content_type_model_name>/results/",
        OPERATOR,
        url="/cms/pages/usage/lms/lessonpage/results/",
        post=False,
    ),
    route(P + "<int:page_id>/usage/", CMS, post=False),
    route(P + "<int:page_id>/edit/", CMS),
    route(P + "<int:page_id>/edit/preview/", CMS),
    route(P + "<int:page_id>/view_draft/", CMS, post=False),
    route(P + "<int:parent_page_id>/add_subpage/", CMS, ids={"parent_page_id": "unit"}),
    route(P + "<int:page_id>/delete/", CMS),
    route(P + "<int:page_id>/unpublish/", CMS, ids={"page_id": "lesson"}),
    route(P + "<int:page_id>/convert_alias/", CMS),
    route(P + "search/", CMS, query="q=BímậtA", post=False),
    route(P + "search/results/", CMS, query="q=BímậtA", post=False),
    route(P + "<int:page_to_move_id>/move/", CMS),
    route(
        P + "<int:page_to_move_id>/move/<int:destination_id>/confirm/",
        CMS,
        ids={"destination_id": "unit"},
    ),
    route(P + "<int:page_to_move_id>/set_position/", CMS, query="position=0"),
    route(P + "<int:page_id>/copy/", CMS),
    route(
        P + "workflow/action/<int:page_id>/<slug:action_name>/<int:task_state_id>/",
        CMS,
        ids={"action_name": "approve"},
    ),
    route(
        P + "workflow/collect_action_data/<int:page_id>/<slug:action_name>/<int:task_state_id>/",
        CMS,
        ids={"action_name": "approve"},
    ),
    route(P + "workflow/confirm_cancellation/<int:page_id>/", CMS),
    route(P + "workflow/preview/<int:page_id>/<int:task_id>/", CMS),
    route(P + "<int:page_id>/privacy/", CMS),
    route(P + "<int:page_id>/lock/", CMS),
    route(P + "<int:page_id>/unlock/", CMS),
    route(
        P + "<int:page_id>/revisions/",
        CMS,
        post=False,
        redirect_is_refusal=True,
        note="a redirect to history/",
    ),
    route(P + "<int:page_id>/revisions/<int:revision_id>/view/", CMS, post=False),
    route(P + "<int:page_id>/revisions/<int:revision_id>/revert/", CMS),
    route(P + "<int:page_id>/revisions/<int:revision_id>/unschedule/", CMS),
    route(
        P
        + "^(?P<pk>\\d+)/revisions/compare/(?P<revision_id_a>live|earliest|\\d+)\\.\\.\\.(?P<revision_id_b>live|latest|\\d+)/$",
        CMS,
        url="/cms/pages/{draft_lesson}/revisions/compare/earliest...latest/",
        post=False,
    ),
    route(P + "<int:page_id>/workflow_history/", CMS, post=False),
    route(P + "<int:page_id>/workflow_history/detail/<int:workflow_state_id>/", CMS, post=False),
    route(P + "<int:page_id>/history/", CMS, post=False),
    route(P + "<int:page_id>/history/results/", CMS, post=False),
    # choosers and autocompletes
    route("cms/choose-page/", CMS, query="page_type=wagtailcore.page", post=False),
    route("cms/choose-page/<int:parent_page_id>/", CMS, ids={"parent_page_id": "unit"}, post=False),
    route("cms/choose-page/search/", CMS, query="q=BímậtA", post=False),
    route(
        "cms/choose-page/chosen-multiple/",
        CMS,
        scoped=True,
        query="id={draft_lesson}",
        post=False,
        note="asked with school A's page id",
    ),
    route("cms/choose-external-link/", CMS),
    route("cms/choose-email-link/", CMS),
    route("cms/choose-phone-link/", CMS),
    route("cms/choose-anchor-link/", CMS),
    route("cms/tag-autocomplete/", CMS, query="term=BímậtA", post=False),
    route(
        "cms/tag-autocomplete/<slug:app_name>/<slug:model_name>/",
        CMS,
        url="/cms/tag-autocomplete/lms/material/",
        query="term=BímậtA",
        post=False,
    ),
    # collections, workflows
    route("cms/collections/", CMS, post=False),
    route("cms/collections/add/", CMS, data={"name": "x", "parent": "{collection_a}"}),
    route("cms/collections/<int:pk>/", CMS, ids={"pk": "collection_a"}),
    route("cms/collections/<int:pk>/delete/", CMS, ids={"pk": "collection_a"}),
    route(
        "cms/collections/<int:collection_id>/privacy/", CMS, ids={"collection_id": "collection_a"}
    ),
    route("cms/workflows/list/", MANAGER, OPERATOR, post=False),
    route("cms/workflows/list/results/", MANAGER, OPERATOR, post=False),
    route("cms/workflows/add/", OPERATOR),
    route("cms/workflows/enable/<int:pk>/", OPERATOR, ids={"pk": "workflow_a"}),
    route("cms/workflows/disable/<int:pk>/", OPERATOR, ids={"pk": "workflow_a"}),
    route("cms/workflows/edit/<int:pk>/", OPERATOR, ids={"pk": "workflow_a"}),
    route("cms/workflows/usage/<int:pk>/", OPERATOR, ids={"pk": "workflow_a"}, post=False),
    route("cms/workflows/usage/<int:pk>/results/", OPERATOR, ids={"pk": "workflow_a"}, post=False),
    route("cms/workflows/remove/<int:page_pk>/", OPERATOR, ids={"page_pk": "course"}),
    route(
        "cms/workflows/remove/<int:page_pk>/<int:workflow_pk>/",
        OPERATOR,
        ids={"page_pk": "course", "workflow_pk": "workflow_a"},
    ),
    route(
        "cms/workflows/tasks/add/<str:app_label>/<str:model_name>/",
        OPERATOR,
        url="/cms/workflows/tasks/add/wagtailcore/groupapprovaltask/",
    ),
    route("cms/workflows/tasks/select_type/", OPERATOR, post=False),
    route("cms/workflows/tasks/index/", OPERATOR, post=False),
    route("cms/workflows/tasks/index/results/", OPERATOR, post=False),
    route("cms/workflows/tasks/edit/<int:pk>/", OPERATOR, ids={"pk": "task_a"}),
    route("cms/workflows/tasks/disable/<int:pk>/", OPERATOR, ids={"pk": "task_a"}),
    route("cms/workflows/tasks/enable/<int:pk>/", OPERATOR, ids={"pk": "task_a"}),
    route("cms/workflows/task_chooser/", OPERATOR, post=False),
    route("cms/workflows/task_chooser/results/", OPERATOR, post=False),
    route("cms/workflows/task_chooser/create/", OPERATOR),
    route(
        "cms/workflows/task_chooser/<int:task_id>/", OPERATOR, ids={"task_id": "task_a"}, post=False
    ),
    # reports
    route("cms/reports/locked/", CMS, post=False),
    route("cms/reports/locked/results/", CMS, post=False),
    route("cms/reports/workflow/", CMS, post=False),
    route("cms/reports/workflow/results/", CMS, post=False),
    route("cms/reports/workflow_tasks/", CMS, post=False),
    route("cms/reports/workflow_tasks/results/", CMS, post=False),
    route("cms/reports/site-history/", CMS, post=False),
    route("cms/reports/site-history/results/", CMS, post=False),
    route("cms/reports/aging-pages/", CMS, post=False),
    route("cms/reports/aging-pages/results/", CMS, post=False),
    # the account and small admin services
    route("cms/account/", CMS, post=False, note="the user's own account"),
    route("cms/logout/", SIGNED_IN),
    route("cms/dismissibles/", CMS, post=False),
    route(
        "cms/editing-sessions/ping/<str:app_label>/<str:model_name>/<str:object_id>/<int:session_id>/",
        CMS,
        url="/cms/editing-sessions/ping/wagtailcore/page/{draft_lesson}/{editing_session}/",
    ),
    route(
        "cms/editing-sessions/release/<int:session_id>/",
        CMS,
        ids={"session_id": "editing_session"},
        scoped=False,
        note="deletes the session only if it is the user's own; answers {} either way",
    ),
    route("cms/block-preview/", CMS, query="id=lms.blocks.MaterialBlock", post=False),
    route("cms/embeds/chooser/", CMS, post=False),
    route("cms/embeds/chooser/upload/", CMS),
    route("cms/snippets/", CMS, post=False),
    # documents (lms.Material) and images
    route("cms/documents/", CMS, post=False),
    route("cms/documents/results/", CMS, query="q=BímậtA", post=False),
    route("cms/documents/add/", CMS, data={"title": "x", "collection": "{collection_a}"}),
    route("cms/documents/edit/<int:document_id>/", CMS, ids={"document_id": "draft_material"}),
    route("cms/documents/delete/<int:document_id>/", CMS, ids={"document_id": "draft_material"}),
    route("cms/documents/multiple/add/", CMS, data={"collection": "{collection_a}"}),
    route("cms/documents/multiple/<int:doc_id>/", CMS, ids={"doc_id": "draft_material"}),
    route(
        "cms/documents/multiple/create_from_uploaded_document/<int:uploaded_file_id>/",
        CMS,
        ids={"uploaded_file_id": "uploaded_file"},
    ),
    route("cms/documents/multiple/<int:doc_id>/delete/", CMS, ids={"doc_id": "draft_material"}),
    route(
        "cms/documents/multiple/delete_upload/<int:uploaded_file_id>/",
        CMS,
        ids={"uploaded_file_id": "uploaded_file"},
    ),
    route(
        "cms/documents/usage/<int:document_id>/", CMS, ids={"document_id": "material"}, post=False
    ),
    route("cms/images/", CMS, post=False),
    route("cms/images/results/", CMS, query="q=BímậtA", post=False),
    route("cms/images/<int:image_id>/", CMS),
    route("cms/images/<int:image_id>/delete/", CMS),
    route("cms/images/<int:image_id>/generate_url/", CMS, post=False),
    route(
        "cms/images/<int:image_id>/generate_url/output/",
        CMS,
        query="filter_method=original",
        post=False,
    ),
    route(
        "cms/images/<int:image_id>/preview/<str:filter_spec>/",
        CMS,
        url="/cms/images/{image}/preview/original/",
        post=False,
    ),
    route("cms/images/add/", CMS, data={"title": "x", "collection": "{collection_a}"}),
    route("cms/images/usage/<int:image_id>/", CMS, post=False),
    route("cms/images/multiple/add/", CMS, data={"collection": "{collection_a}"}),
    route("cms/images/multiple/<int:image_id>/", CMS),
    route(
        "cms/images/multiple/create_from_uploaded_image/<int:uploaded_file_id>/",
        CMS,
        ids={"uploaded_file_id": "uploaded_image"},
    ),
    route("cms/images/multiple/<int:image_id>/delete/", CMS),
    route(
        "cms/images/multiple/delete_upload/<int:uploaded_file_id>/",
        CMS,
        ids={"uploaded_file_id": "uploaded_image"},
    ),
    # sites, users and groups: the operator's
    route("cms/sites/", OPERATOR, post=False),
    route("cms/sites/results/", OPERATOR, post=False),
    route("cms/sites/new/", OPERATOR),
    route("cms/sites/edit/<int:pk>/", OPERATOR, ids={"pk": "site"}),
    route("cms/sites/delete/<int:pk>/", OPERATOR, ids={"pk": "site"}),
    route("cms/sites/history/<int:pk>/", OPERATOR, ids={"pk": "site"}, post=False),
    route("cms/sites/history-results/<int:pk>/", OPERATOR, ids={"pk": "site"}, post=False),
    route("cms/sites/usage/<int:pk>/", OPERATOR, ids={"pk": "site"}, post=False),
    route("cms/sites/copy/<int:pk>/", OPERATOR, ids={"pk": "site"}),
    route("cms/users/", OPERATOR, query="q=BímậtA", post=False),
    route("cms/users/results/", OPERATOR, query="q=BímậtA", post=False),
    route("cms/users/new/", OPERATOR),
    route("cms/users/edit/<int:pk>/", OPERATOR, ids={"pk": "principal"}),
    route("cms/users/delete/<int:pk>/", OPERATOR, ids={"pk": "principal"}),
    route("cms/users/history/<int:pk>/", OPERATOR, ids={"pk": "principal"}, post=False),
    route("cms/users/history-results/<int:pk>/", OPERATOR, ids={"pk": "principal"}, post=False),
    route("cms/users/usage/<int:pk>/", OPERATOR, ids={"pk": "principal"}, post=False),
    route("cms/users/copy/<int:pk>/", OPERATOR, ids={"pk": "principal"}),
    route("cms/groups/", OPERATOR, post=False),
    route("cms/groups/results/", OPERATOR, post=False),
    route("cms/groups/new/", OPERATOR),
    route("cms/groups/edit/<int:pk>/", OPERATOR, ids={"pk": "group_a"}),
    route("cms/groups/delete/<int:pk>/", OPERATOR, ids={"pk": "group_a"}),
    route("cms/groups/history/<int:pk>/", OPERATOR, ids={"pk": "group_a"}, post=False),
    route("cms/groups/history-results/<int:pk>/", OPERATOR, ids={"pk": "group_a"}, post=False),
    route("cms/groups/usage/<int:pk>/", OPERATOR, ids={"pk": "group_a"}, post=False),
    # the choosers of documents and images
    route("cms/documents/chooser/", CMS, post=False),
    route("cms/documents/chooser/results/", CMS, query="q=BímậtA", post=False),
    route("cms/documents/chooser/chosen/<str:pk>/", CMS, ids={"pk": "draft_material"}, post=False),
    route(
        "cms/documents/chooser/chosen-multiple/",
        CMS,
        scoped=False,
        query="id={draft_material}",
        post=False,
        note="answers the chosen documents the user may choose: an empty list for another school's",
    ),
    route(
        "cms/documents/chooser/create/", CMS, data={"title": "x", "collection": "{collection_a}"}
    ),
    route("cms/images/chooser/", CMS, post=False),
    route("cms/images/chooser/results/", CMS, query="q=BímậtA", post=False),
    route("cms/images/chooser/chosen/<str:pk>/", CMS, ids={"pk": "image"}, post=False),
    route(
        "cms/images/chooser/chosen-multiple/",
        CMS,
        scoped=False,
        query="id={image}",
        post=False,
        note="as for documents: an empty list for another school's images",
    ),
    route("cms/images/chooser/create/", CMS, data={"title": "x", "collection": "{collection_a}"}),
    route("cms/images/chooser/<int:image_id>/select_format/", CMS),
    route("cms/sprite/", PUBLIC, post=False),
    route("cms/login/", PUBLIC, post=False),
    # One way to recover an account, the site's own (issue 10): Wagtail's is switched off.
    route("cms/password_reset/", OFF, data={"email": "{email_principal}"}, optional=True),
    route("cms/password_reset/done/", OFF, post=False, optional=True),
    route(
        "cms/password_reset/confirm/<uidb64>/<token>/",
        OFF,
        url="/cms/password_reset/confirm/{principal_uid}/set-password/",
        optional=True,
    ),
    route("cms/password_reset/complete/", OFF, post=False, optional=True),
    route("cms/jsi18n/", PUBLIC, post=False),
    route("cms/^.*/$", OFF, url="/cms/khong-co-trang-nay/", post=False),
]


def declarations() -> list[Route]:
    return SITE + API_ROUTES + OPERATIONS + admin_routes() + WAGTAIL


def declared_for(name: str) -> list[Route]:
    return [d for d in declarations() if not d.api and d.matches(name)]
