"""The demo school's lessons (called by demo/seed.py's seed_demo): Trường THPT Hạ Long gets
Toán 10, Ngữ văn 10 and Vật lí 11 for this year and Toán 10 for last year, with units,
lessons, PDF materials, formulas and quizzes. Most lessons went through the head's approval
and are given to classes; one waits for approval, one is a draft.

Deterministic (fixed titles, dates and file contents), idempotent (nothing is done when the
school already has a library) and fast (about fifteen pages). remove_lessons undoes it for
`seed_demo --reset`.
"""

import datetime
from collections.abc import Callable
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db.models.signals import post_save
from modelsearch import index as search_index
from modelsearch import signal_handlers as search_signals
from wagtail.models import Collection, Page, ReferenceIndex, Revision
from wagtail.signal_handlers import disable_reference_index_auto_update

from lms import permissions, services
from lms.models import Material, SchoolLibraryPage
from school.models import ClassGroup, School, SchoolYear, StaffMembership, Subject, TeachingAssignment

UPPER_CODE = "thpt-ha-long"
MATH_TEACHER, MATH_HEAD = "0901000010", "0901000012"


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A small valid one-page PDF (Helvetica, so ASCII text: the titles are written without
    tone marks inside the file; the material's title in the library keeps them)."""
    from school.names import fold

    def escape(text: str) -> str:
        ascii_text = fold(text).replace("–", "-").encode("ascii", "replace").decode()
        return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = ["BT /F1 18 Tf 56 780 Td (" + escape(title) + ") Tj ET"]
    for i, line in enumerate(lines):
        text.append(f"BT /F1 12 Tf 56 {740 - 20 * i} Td (" + escape(line) + ") Tj ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _quiz(title: str, questions: list[tuple[str, list[str], int]]) -> tuple:
    return ("quiz", {
        "title": title,
        "questions": [
            {"prompt": prompt, "explanation": "",
             "choices": [{"text": c, "correct": i == answer} for i, c in enumerate(choices)]}
            for prompt, choices, answer in questions
        ],
    })


def _p(html: str) -> tuple:
    return ("paragraph", html)


def _homework(text: str, due: str) -> tuple:
    return ("homework", {"instructions": f"<p>{text}</p>", "due_date": due})


class _Seeder:
    def __init__(self, school: School, log: Callable[[str], None]):
        self.school, self.log = school, log
        self.lessons = 0
        self.users = {
            m.user.phone: m.user
            for m in StaffMembership.objects.filter(school=school).select_related("user")
        }
        self.subjects = {s.code: s for s in Subject.objects.filter(school=school)}
        self.years = {y.name: y for y in SchoolYear.objects.filter(school=school)}
        self.classes = {c.name: c for c in ClassGroup.objects.filter(school=school, school_year__is_current=True)}

    def teacher_of(self, class_name: str, code: str):
        return TeachingAssignment.objects.get(
            class_group=self.classes[class_name], subject__code=code
        ).teacher

    def head_of(self, code: str):
        return StaffMembership.objects.get(
            school=self.school, is_group_head=True, subject_group=self.subjects[code].group
        ).user

    def material(self, title: str, filename: str, lines: list[str], user) -> Material:
        return services.add_material(
            school=self.school, title=title, user=user,
            file=ContentFile(pdf_bytes(title, lines), name=filename),
        )

    def lesson(self, parent, title, body, *, teacher, head=None, state="published", intro="",
               give_to=(), on=None):
        """A lesson written by `teacher`. `state`: "approved" (submitted and approved by
        `head` through the workflow, so published with its history), "published" (published
        by `head` directly, as the workflow's approval does, but faster), "submitted"
        (waiting for `head`) or "draft"."""
        lesson = services.create_lesson(parent=parent, title=title, intro=intro, body=body, user=teacher)
        if state in ("approved", "submitted"):
            services.submit_lesson(lesson, user=teacher)
        if state == "approved":
            services.review_lesson(lesson, user=head, approve=True, comment="Đạt yêu cầu.")
        elif state == "published":
            lesson.get_latest_revision().publish(user=head, skip_permission_checks=True)
        if give_to:
            lesson.refresh_from_db()
            services.assign_lesson(
                lesson=lesson, class_groups=[self.classes[c] for c in give_to],
                on=datetime.date.fromisoformat(on), user=teacher,
            )
        self.lessons += 1
        return lesson


def seed_lessons(log: Callable[[str], None] = lambda message: None) -> int:
    """Seed the demo school's library; returns the number of lessons (0 when already there)."""
    school = School.objects.filter(code=UPPER_CODE).first()
    if school is None or SchoolLibraryPage.objects.filter(school=school).exists():
        return 0
    s = _Seeder(school, log)
    with _index_at_the_end(school):
        services.ensure_school_library(school)
        _math(s)
        _literature(s)
        _physics(s)
    log(f"Học liệu: {s.lessons} bài giảng, {Material.objects.filter(school=school).count()} tài liệu")
    return s.lessons


@contextmanager
def _index_at_the_end(school: School):
    """Wagtail updates its search and reference indexes after every save of a page (several
    times per lesson); the seed indexes each page and material once, at the end."""
    models = [m for m in search_index.get_indexed_models() if getattr(m, "search_auto_update", True)]
    for model in models:
        post_save.disconnect(search_signals.post_save_signal_handler, sender=model)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in models:
            post_save.connect(search_signals.post_save_signal_handler, sender=model)
    library = SchoolLibraryPage.objects.get(school=school)
    for page in Page.objects.descendant_of(library, inclusive=True).specific():
        search_index.insert_or_update_object(page)
        ReferenceIndex.create_or_update_for_object(page)
    for material in Material.objects.filter(school=school):
        search_index.insert_or_update_object(material)


def _math(s: _Seeder) -> None:
    teacher, head = s.users[MATH_TEACHER], s.users[MATH_HEAD]
    this_year, last_year = s.years["2026–2027"], s.years["2025–2026"]
    toan = s.subjects["toan"]

    old = services.create_course(school_year=last_year, subject=toan, grade=10, title="Toán 10 (2025–2026)")
    old_unit = services.create_unit(course=old, title="Chương I. Mệnh đề và tập hợp", user=teacher)
    s.lesson(old_unit, "Bài 1. Mệnh đề", [_p("<p>Mệnh đề là một câu khẳng định đúng hoặc sai.</p>")],
             teacher=teacher, head=head)

    course = services.create_course(
        school_year=this_year, subject=toan, grade=10, title="Toán 10 (2026–2027)",
        description="Chương trình Toán 10 (Kết nối tri thức với cuộc sống), 105 tiết.",
    )
    sheet = s.material(
        "Phiếu học tập – Hàm số bậc hai", "phieu-hoc-tap-ham-so-bac-hai.pdf",
        ["Bai 1. Ve do thi y = x^2 - 4x + 3.", "Bai 2. Tim truc doi xung va dinh cua parabol.",
         "Bai 3. Lap bang bien thien."], teacher,
    )
    outline = s.material(
        "Đề cương ôn tập Chương I", "de-cuong-on-tap-chuong-1.pdf",
        ["Menh de, phu dinh, keo theo, tuong duong.", "Tap hop va cac phep toan."], teacher,
    )
    unit1 = services.create_unit(course=course, title="Chương I. Mệnh đề và tập hợp", user=teacher)
    s.lesson(unit1, "Bài 1. Mệnh đề", [
        ("heading", {"text": "1. Mệnh đề, mệnh đề chứa biến", "level": "h2"}),
        _p("<p>Mệnh đề là một câu khẳng định đúng hoặc sai; một mệnh đề không thể vừa đúng vừa sai.</p>"),
        ("material", {"document": outline, "note": "Đề cương cả chương"}),
        _quiz("Kiểm tra nhanh", [
            ("Câu nào sau đây là mệnh đề?", ["Hôm nay trời đẹp quá!", "2 là số nguyên tố", "Bạn đi đâu?"], 1),
        ]),
    ], teacher=teacher, head=head, intro="Mệnh đề, phủ định, mệnh đề kéo theo và tương đương.",
        state="approved", give_to=("10A1",), on="2026-09-07")
    s.lesson(unit1, "Bài 2. Tập hợp và các phép toán trên tập hợp", [
        _p("<p>Giao, hợp, hiệu của hai tập hợp; phần bù của một tập con.</p>"),
        ("formula", {"latex": r"A \cap B = \{x \mid x \in A \text{ và } x \in B\}", "display": True}),
        _homework("Làm bài 1.9 đến 1.12 trang 18.", "2026-09-14"),
    ], teacher=teacher, head=head, give_to=("10A1",), on="2026-09-09")

    unit6 = services.create_unit(course=course, title="Chương VI. Hàm số, đồ thị và ứng dụng", user=teacher)
    s.lesson(unit6, "Bài 16. Hàm số bậc hai", [
        ("heading", {"text": "1. Khái niệm hàm số bậc hai", "level": "h2"}),
        _p("<p>Hàm số bậc hai là hàm số cho bởi công thức <b>y = ax² + bx + c</b>, với a ≠ 0.</p>"),
        ("formula", {"latex": r"y = ax^2 + bx + c \quad (a \neq 0)", "display": True}),
        ("heading", {"text": "2. Đồ thị của hàm số bậc hai", "level": "h2"}),
        _p("<p>Đồ thị là một parabol có đỉnh I(−b/2a; −Δ/4a) và trục đối xứng x = −b/2a.</p>"),
        ("formula", {"latex": r"I\left(-\frac{b}{2a}; -\frac{\Delta}{4a}\right)", "display": True}),
        ("material", {"document": sheet, "note": "In ra và mang theo trong giờ học"}),
        _quiz("Kiểm tra nhanh", [
            ("Đồ thị của hàm số y = 2x² − 4x + 1 là một parabol có trục đối xứng là:",
             ["x = 1", "x = −1", "x = 2", "x = −2"], 0),
            ("Parabol y = −x² + 2x + 3 có bề lõm:", ["Quay lên trên", "Quay xuống dưới"], 1),
        ]),
        _homework("Làm bài 6.7 đến 6.10 trang 24; vẽ đồ thị vào vở.", "2026-11-27"),
    ], teacher=teacher, head=head, intro="Khái niệm, đồ thị và sự biến thiên của hàm số bậc hai.",
        state="approved", give_to=("10A1",), on="2026-11-24")
    s.lesson(unit6, "Bài 17. Dấu của tam thức bậc hai", [
        _p("<p>Định lí về dấu của tam thức bậc hai f(x) = ax² + bx + c.</p>"),
        ("formula", {"latex": r"\Delta = b^2 - 4ac", "display": True}),
    ], teacher=teacher, head=head, state="submitted")
    s.lesson(unit6, "Bài 18. Phương trình quy về phương trình bậc hai", [
        _p("<p>Phương trình dạng √(ax² + bx + c) = √(dx² + ex + f).</p>"),
    ], teacher=teacher, state="draft")


def _literature(s: _Seeder) -> None:
    teacher = s.teacher_of("10A1", "ngu-van")
    head = s.head_of("ngu-van")
    course = services.create_course(
        school_year=s.years["2026–2027"], subject=s.subjects["ngu-van"], grade=10,
        title="Ngữ văn 10 (2026–2027)",
    )
    unit = services.create_unit(course=course, title="Bài 1. Sức hấp dẫn của truyện kể", user=teacher)
    s.lesson(unit, "Thần trụ trời (thần thoại Việt Nam)", [
        _p("<p>Đọc văn bản và tìm hiểu cách thần thoại giải thích sự hình thành trời đất.</p>"),
        _quiz("Đọc hiểu", [("Thần trụ trời thuộc thể loại nào?", ["Truyền thuyết", "Thần thoại", "Cổ tích"], 1)]),
        _homework("Kể lại truyện bằng lời của em (khoảng 200 chữ).", "2026-11-25"),
    ], teacher=teacher, head=head, give_to=("10A1",), on="2026-11-23")
    s.lesson(unit, "Tản Viên từ phán sự lục (Nguyễn Dữ)", [
        _p("<p>Nhân vật Ngô Tử Văn và ý nghĩa của truyện truyền kì.</p>"),
    ], teacher=teacher, head=head, give_to=("10A1",), on="2026-11-26")


def _physics(s: _Seeder) -> None:
    teacher = s.teacher_of("11A1", "vat-li")
    head = s.head_of("vat-li")
    course = services.create_course(
        school_year=s.years["2026–2027"], subject=s.subjects["vat-li"], grade=11,
        title="Vật lí 11 (2026–2027)",
    )
    unit = services.create_unit(course=course, title="Chương I. Dao động", user=teacher)
    notes = s.material("Bài giảng – Dao động điều hoà", "dao-dong-dieu-hoa.pdf",
                       ["x = A cos(wt + phi)", "v = -wA sin(wt + phi)", "a = -w^2 x"], teacher)
    s.lesson(unit, "Bài 1. Dao động điều hoà", [
        _p("<p>Dao động điều hoà là dao động trong đó li độ là một hàm côsin (hay sin) của thời gian.</p>"),
        ("formula", {"latex": r"x = A\cos(\omega t + \varphi)", "display": True}),
        ("material", {"document": notes, "note": ""}),
        _quiz("Kiểm tra nhanh", [("Đơn vị của tần số góc ω là:", ["rad/s", "Hz", "s"], 0)]),
    ], teacher=teacher, head=head, give_to=("11A1",), on="2026-11-25")


def remove_lessons(school_codes) -> None:
    """Remove the schools' libraries for `seed_demo --reset`: pages (with their revisions,
    assignments and workflow states), materials and their files, collections, and the
    Wagtail groups and workflows lms keeps for them."""
    for library in SchoolLibraryPage.objects.filter(school__code__in=school_codes).select_related("school", "collection"):
        pages = Page.objects.descendant_of(library, inclusive=True)
        page_ids = [str(i) for i in pages.values_list("id", flat=True)]
        Revision.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page), object_id__in=page_ids
        ).delete()
        collection = library.collection
        school = library.school
        library.delete()
        _delete_materials(school)
        permissions.remove_school_groups(school)
        Collection.objects.filter(pk=collection.pk).delete()


def _delete_materials(school: School) -> None:
    """The school's materials with their files; Wagtail deletes a material's current file after
    the commit, and its old versions' files (ours, not Wagtail's) are deleted here."""
    for material in Material.objects.filter(school=school):
        for version in material.versions.all():
            version.file.delete(save=False)
        material.delete()
