"""Batch runs of report cards: starting one, rendering its chunks, joining the class PDFs.

A run is split into chunks of about REPORT_CHUNK_SIZE pupils of one class. A worker renders a
chunk inside ONE transaction that holds the chunk's row lock: the pupils' new cards, the old
cards marked superseded and the chunk marked done commit together, or not at all. So:

- a worker killed mid-chunk leaves nothing behind (PostgreSQL rolls the transaction back when
  the connection drops) and the chunk is rendered again by the next worker (`resume_runs`
  runs when a worker starts, and every few minutes from beat);
- a chunk's message delivered twice is rendered once (the second finds it locked or done);
- a pupil whose card content is unchanged (same content hash) keeps the card already
  rendered: re-running after one grade changed renders that pupil's page only.

When the last chunk is done, `finish_run` joins each class's cards into one PDF and, for a
grade or the school, the class PDFs into a ZIP; it is safe to run twice.
"""

import hashlib
import logging
import os
import secrets
import shutil
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from pypdf import PdfReader

from core import failsoft
from core.files import is_disk_full, write_whole
from reports import pdf, school_record
from reports.cards import selectors as card_data
from reports.models import ReportCard, ReportChunk, ReportFile, ReportRun
from reports.storage import is_local, reports_storage
from school.access import can_manage_school
from school.exceptions import DomainError, NotFound
from school.models import ClassGroup, School, SchoolYear, StaffMembership, Student, Term

log = logging.getLogger(__name__)

# Verification codes: no 0/O, 1/I/L or U, so a code read off paper is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 10  # 30^10 ≈ 6·10^14: not guessable, short enough to type


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# ---------------------------------------------------------------------------------------
# Starting a run
# ---------------------------------------------------------------------------------------


def classes_in_scope(run: ReportRun) -> list[ClassGroup]:
    classes = ClassGroup.objects.filter(school=run.school, school_year=run.school_year)
    if run.scope == ReportRun.Scope.CLASS:
        classes = classes.filter(pk=run.class_group_id)
    elif run.scope == ReportRun.Scope.GRADE:
        classes = classes.filter(grade=run.grade)
    return list(classes.order_by("sort_key"))


def _check_scope(
    school: School, school_year: SchoolYear, term: Term | None, scope: str, grade, class_group,
    document: str = ReportRun.Document.CARDS,
) -> None:
    if school_year.school_id != school.pk:
        raise DomainError(_("This school year is not the school's."), field="school_year")
    if term is not None and term.school_year_id != school_year.pk:
        raise DomainError(_("This term is not in the chosen school year."), field="term")
    if scope not in ReportRun.Scope.values:
        raise DomainError(_("Choose a class, a grade or the whole school."), field="scope")
    if document == ReportRun.Document.SCHOOL_RECORD and (
        scope != ReportRun.Scope.CLASS or term is not None
    ):
        raise DomainError(_("School records are printed for one class and the whole year."),
                          field="scope")
    if scope == ReportRun.Scope.CLASS and (
        class_group is None or class_group.school_year_id != school_year.pk
    ):
        raise DomainError(_("Choose a class of this school year."), field="class_group")
    if scope == ReportRun.Scope.GRADE and not ClassGroup.objects.filter(
        school=school, school_year=school_year, grade=grade
    ).exists():
        raise DomainError(_("This grade has no classes in the chosen school year."), field="grade")


def _check_deputy(school: School, deputy: StaffMembership | None) -> None:
    """Only an active vice-principal of the run's own school signs for its principal."""
    if deputy is not None and not (
        deputy.school_id == school.pk
        and deputy.role == StaffMembership.Role.VICE_PRINCIPAL
        and deputy.is_active
    ):
        raise DomainError(
            _("The one who signs for the principal must be a vice-principal of this school."),
            field="deputy",
        )


def _active_run(**identity) -> ReportRun | None:
    return ReportRun.objects.filter(
        status__in=[ReportRun.Status.QUEUED, ReportRun.Status.RUNNING], **identity
    ).first()


def start_run(
    *, user, school: School, school_year: SchoolYear, term: Term | None, scope: str,
    grade: int | None = None, class_group: ClassGroup | None = None,
    deputy: StaffMembership | None = None,
    document: str = ReportRun.Document.CARDS,
) -> tuple[ReportRun, bool]:
    """Start rendering the cards of a class, a grade or the school for a term (None: the whole
    year), or (`document` SCHOOL_RECORD) a class's học bạ for its year. Returns (run,
    created); while the same run is waiting or rendering, returns that one — a double click
    starts one run. Only the school's managers. `deputy`: the school's vice-principal who
    signs for the principal ("KT. HIỆU TRƯỞNG"); None: the principal."""
    if not can_manage_school(user, school):
        raise PermissionDenied("Only the school's managers may start a report run.")
    _check_scope(school, school_year, term, scope, grade, class_group, document)
    _check_deputy(school, deputy)
    identity = {
        "school": school, "school_year": school_year, "term": term, "scope": scope,
        "document": document,
        "grade": grade if scope == ReportRun.Scope.GRADE else None,
        "class_group": class_group if scope == ReportRun.Scope.CLASS else None,
    }
    if existing := _active_run(**identity):
        _check_same_signer(existing, deputy)
        return existing, False
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(requested_by=user, deputy=deputy, **identity)
            chunks = _make_chunks(run)
    except IntegrityError:  # the same run was started a moment ago by another request
        existing = _active_run(**identity)
        _check_same_signer(existing, deputy)
        return existing, False
    from reports import tasks

    if not chunks:
        finish_run(run.pk)
    elif current_app.conf.task_always_eager:  # the first run and the tests: render here, now
        for pk in chunks:
            tasks.render_chunk.delay(pk)
    else:
        # A broker that does not answer leaves the run queued for resume_runs (core/failsoft.py).
        failsoft.delay_after_commit(tasks.render_chunk, chunks)
    run.refresh_from_db()
    return run, True


def _check_same_signer(run: ReportRun, deputy: StaffMembership | None) -> None:
    """The same cards already being rendered with another signature: refused, not merged
    (the cards would silently carry the other signer)."""
    if run.deputy_id != getattr(deputy, "pk", None):
        raise DomainError(
            _("These cards are being rendered with another signature: wait until that run is "
              "done, then start this one."),
            field="deputy",
        )


def _make_chunks(run: ReportRun) -> list[int]:
    size = settings.REPORT_CHUNK_SIZE
    if run.document == ReportRun.Document.SCHOOL_RECORD:
        # A pupil's học bạ is two to six pages (a card is one): a quarter as many pupils keeps
        # a chunk's task about as long as a chunk of cards.
        size = max(1, size // 4)
    chunks, position, total = [], 0, 0
    for class_group in classes_in_scope(run):
        ids = list(Student.objects.in_class(class_group).values_list("pk", flat=True))
        # Even chunks: a class of 42 is 21 + 21, not 40 + a chunk of 2 that costs as much
        # in queries as a full one.
        count = -(-len(ids) // size)
        step = -(-len(ids) // count) if count else size
        for start in range(0, len(ids), step):
            chunks.append(
                ReportChunk(
                    run=run, class_group=class_group, position=position,
                    student_ids=ids[start : start + step],
                )
            )
            position += 1
        total += len(ids)
    ReportChunk.objects.bulk_create(chunks)
    ReportRun.objects.filter(pk=run.pk).update(total=total)
    return [c.pk for c in chunks]


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------


def _current_cards(
    student_ids, school_year_id: int, term_id: int | None, *, signer: bool = False
) -> dict[int, ReportCard]:
    """The pupils' current cards (without their PDFs); `signer`: with the deputy's name."""
    cards = ReportCard.objects.filter(
        student__in=student_ids, school_year_id=school_year_id, term_id=term_id,
        superseded_at__isnull=True,
    ).defer("pdf")
    if signer:
        cards = cards.select_related("deputy__user")
    return {c.student_id: c for c in cards}


def _store_cards(
    cards: list, run: ReportRun | None, *, deputy_id: int | None = None, current: dict | None = None,
) -> tuple[list[ReportCard], int]:
    """Render the cards whose content changed and store them, signed by the run's deputy (or
    `deputy_id` without a run); the caller holds the transaction. `current`: the pupils'
    current cards when the caller has them already. Returns (the current ReportCard of each
    card, how many were rendered)."""
    if not cards:
        return [], 0
    first = cards[0]
    if current is None:
        current = _current_cards([c.student_id for c in cards], first.school_year_id, first.term_id)
    if run is not None:
        deputy_id = run.deputy_id
    hashes = {c.student_id: c.content_hash() for c in cards}
    changed = [
        c for c in cards if getattr(current.get(c.student_id), "content_hash", None) != hashes[c.student_id]
    ]
    if not changed:
        return [current[c.student_id] for c in cards], 0
    codes = [new_code() for _ in changed]
    rendered = pdf.render_cards(list(zip(changed, codes)))
    now = timezone.now()
    ReportCard.objects.filter(
        pk__in=[current[c.student_id].pk for c in changed if c.student_id in current]
    ).update(superseded_at=now)
    new = ReportCard.objects.bulk_create(
        ReportCard(
            student_id=card.student_id, school_year_id=card.school_year_id, term_id=card.term_id,
            class_group_id=card.class_group_id, content_hash=hashes[card.student_id], code=code,
            pdf=out.pdf, fingerprint=out.fingerprint, pages=out.pages, signed=out.signed, run=run,
            deputy_id=deputy_id,
        )
        for card, code, out in zip(changed, codes, rendered)
    )
    current.update({c.student_id: c for c in new})
    return [current[c.student_id] for c in cards], len(changed)


def render_chunk(chunk_id: int) -> str:
    """Render one chunk, exactly once (see the module's docstring). Returns what happened."""
    chunk = ReportChunk.objects.filter(pk=chunk_id).first()
    if chunk is None or chunk.done_at is not None:
        return "done"
    run_id = chunk.run_id
    ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.QUEUED).update(
        status=ReportRun.Status.RUNNING
    )
    ReportChunk.objects.filter(pk=chunk_id).update(attempts=F("attempts") + 1)
    try:
        with transaction.atomic():
            chunk = (
                ReportChunk.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("run__deputy__user", "class_group")
                .filter(pk=chunk_id)
                .first()
            )
            if chunk is None:
                return "busy"  # another worker is rendering it now
            if chunk.done_at is not None:
                return "done"
            run = chunk.run
            if run.document == ReportRun.Document.SCHOOL_RECORD:
                rendered = _render_records(chunk)
            else:
                cards = card_data.cards_for(
                    chunk.class_group, run.school_year, run.term, student_ids=chunk.student_ids,
                    deputy=run.deputy_name,
                )
                _, rendered = _store_cards(cards, run)
            chunk.done_at, chunk.rendered = timezone.now(), rendered
            chunk.save(update_fields=["done_at", "rendered", "pdf"])
            # Last, so the run's row is locked only for the moment before the commit.
            ReportRun.objects.filter(pk=run.pk).update(
                done=F("done") + len(chunk.student_ids), rendered=F("rendered") + rendered
            )
    except Exception as exc:
        log.exception("report chunk %s failed", chunk_id)
        ReportRun.objects.filter(pk=run_id).exclude(status=ReportRun.Status.DONE).update(
            status=ReportRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    if not ReportChunk.objects.filter(run_id=run_id, done_at__isnull=True).exists():
        from reports import tasks

        tasks.finish_run.delay(run_id)
    return "rendered"


def _render_records(chunk: ReportChunk) -> int:
    """A học bạ chunk: its pupils' records rendered into the chunk's PDF (saved by the caller,
    in its transaction). Every record is rendered each time: a học bạ has no stored copy per
    pupil to reuse. Returns how many were rendered."""
    records = school_record.school_record_for(chunk.class_group, student_ids=chunk.student_ids)
    chunk.pdf = school_record.render_school_record(chunk.class_group, records) if records else None
    return len(records)


def ensure_card(student: Student, class_group: ClassGroup, school_year: SchoolYear, term: Term | None) -> ReportCard:
    """The pupil's current card for the term (None: the year), rendered now if it is missing
    or no longer shows what the grade book holds. It keeps the signer of the card it would
    replace (a run's deputy), so opening a card never re-issues it under another name."""
    term_id = getattr(term, "pk", None)
    current = _current_cards([student.pk], school_year.pk, term_id, signer=True)
    replaced = current.get(student.pk)
    deputy = replaced.deputy if replaced is not None else None
    found = card_data.cards_for(
        class_group, school_year, term, student_ids=[student.pk],
        deputy=deputy.user.full_name if deputy else "",
    )
    if not found:  # not (or no longer) in this class
        raise NotFound()
    (card,) = found
    try:
        with transaction.atomic():
            (stored,), _ = _store_cards(
                [card], None, deputy_id=getattr(deputy, "pk", None), current=current,
            )
    except IntegrityError:  # rendered at the same moment by another request
        stored = _current_cards([student.pk], school_year.pk, term_id)[student.pk]
    return ReportCard.objects.get(pk=stored.pk)


# ---------------------------------------------------------------------------------------
# Finishing: one PDF per class, a ZIP of them
# ---------------------------------------------------------------------------------------


def open_file(report_file: ReportFile) -> File:
    """The run's file, open for reading from the reports' storage (reports/storage.py);
    FileNotFoundError when it is not there."""
    return reports_storage().open(report_file.path, "rb")


def read_file(report_file: ReportFile) -> bytes:
    with open_file(report_file) as handle:
        return handle.read()


def _write(name: str, data: bytes) -> None:
    """Replace the stored file `name` whole: on a local disk through a temporary file renamed
    over it (core/files.py), on S3 by one PUT, which shows the whole object or none."""
    storage = reports_storage()
    if is_local(storage):
        write_whole(storage.path(name), [data])
        return
    saved = storage.save(name, ContentFile(data))
    if saved != name:  # STORAGES["reports"] must overwrite (file_overwrite), never rename
        storage.delete(saved)
        raise RuntimeError(f"the reports' storage stored {name} as {saved}")




def _period_slug(run: ReportRun) -> str:
    return f"hk{run.term.number}" if run.term else "ca-nam"


def _save_file(run, kind, class_group, name: str, data: bytes | ReportFile, pages: int, digest: str = "") -> ReportFile:
    """Write the run's file and record it; a file of an earlier run with the same content is
    hard-linked, not copied (its size and SHA-256 are already known)."""
    relative = f"run-{run.pk}/{name}"
    storage = reports_storage()
    if isinstance(data, ReportFile) and is_local(storage):
        target = Path(storage.path(relative))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        os.link(storage.path(data.path), target)
        size, sha256 = data.size, data.sha256
    elif isinstance(data, ReportFile):  # a copy of the earlier object, not a new render
        _write(relative, read_file(data))
        size, sha256 = data.size, data.sha256
    else:
        _write(relative, data)
        size, sha256 = len(data), hashlib.sha256(data).hexdigest()
    report_file, _ = ReportFile.objects.update_or_create(
        run=run, kind=kind, class_group=class_group,
        defaults={"name": name, "path": relative, "size": size, "sha256": sha256, "pages": pages,
                  "cards_digest": digest},
    )
    return report_file


def _earlier_class_files(run: ReportRun, classes) -> dict[tuple[int, str], ReportFile]:
    """Class PDFs of earlier runs for the same term, by (class, digest of the cards joined);
    the newest wins. One query for the whole run."""
    files = ReportFile.objects.filter(
        kind=ReportFile.Kind.CLASS_PDF, class_group__in=classes,
        run__term=run.term, run__school_year=run.school_year, run__document=run.document,
    ).exclude(run=run).order_by("pk")
    return {(f.class_group_id, f.cards_digest): f for f in files}


def finish_run(run_id: int) -> str:
    """Join the cards into one PDF per class (class-list order) and a ZIP for a grade or the
    school. A class whose cards are all unchanged since an earlier run reuses that run's PDF.
    Safe to run twice or concurrently: the run's row is locked, files are replaced atomically.
    A full disk fails the run with a message saying so and leaves none of its files (the
    cards already rendered are kept; started again once there is room, a run reuses them)."""
    try:
        return _join(run_id)
    except OSError as error:
        if not is_disk_full(error):
            raise
        log.error("report run %s: the reports' disk is full (%s)", run_id, error)
        storage = reports_storage()
        if is_local(storage):  # only a disk fills up; S3 refuses a PUT whole
            shutil.rmtree(storage.path(f"run-{run_id}"), ignore_errors=True)
        ReportRun.objects.filter(pk=run_id).exclude(status=ReportRun.Status.DONE).update(
            status=ReportRun.Status.FAILED, finished_at=timezone.now(),
            error=_("There is no room left on the disk that stores report files. The cards "
                    "already rendered are kept: once there is room, start the run again.")
            + f" ({error.strerror})",
        )
        return "failed"


def _join(run_id: int) -> str:
    with transaction.atomic():
        run = ReportRun.objects.select_for_update(of=("self",)).select_related(
            "school_year", "term", "school", "class_group"
        ).get(pk=run_id)
        if run.status == ReportRun.Status.DONE:
            return "done"
        if run.chunks.filter(done_at__isnull=True).exists():
            return "waiting"
        if run.document == ReportRun.Document.SCHOOL_RECORD:
            _join_records(run)
            run.status, run.finished_at = ReportRun.Status.DONE, timezone.now()
            run.save(update_fields=["status", "finished_at"])
            return "done"
        chunks = list(
            run.chunks.select_related("class_group").defer("pdf").order_by("position")
        )
        by_class: dict[ClassGroup, list[int]] = {}
        for chunk in chunks:
            by_class.setdefault(chunk.class_group, []).extend(chunk.student_ids)
        period = _period_slug(run)
        class_files = []
        current = _current_cards(
            [i for ids in by_class.values() for i in ids], run.school_year_id, run.term_id
        )
        earlier = _earlier_class_files(run, list(by_class))
        for class_group, student_ids in by_class.items():
            ordered = [current[i] for i in student_ids if i in current]
            digest = hashlib.sha256(" ".join(c.code for c in ordered).encode()).hexdigest()
            pages = sum(c.pages for c in ordered)
            name = f"phieu-bao-{period}-lop-{slugify(class_group.name)}.pdf"
            data = earlier.get((class_group.pk, digest))
            if data is None or not reports_storage().exists(data.path):
                # One class's PDFs in memory at a time.
                blobs = dict(ReportCard.objects.filter(pk__in=[c.pk for c in ordered]).values_list("pk", "pdf"))
                data = pdf.merge_pdfs([bytes(blobs[c.pk]) for c in ordered])
            class_files.append(
                _save_file(run, ReportFile.Kind.CLASS_PDF, class_group, name, data, pages, digest)
            )
        if run.scope != ReportRun.Scope.CLASS and class_files:
            _save_file(
                run, ReportFile.Kind.ZIP, None,
                f"phieu-bao-{period}-{slugify(run.school.code)}"
                + (f"-khoi-{run.grade}" if run.grade else "") + ".zip",
                _zip(class_files), sum(f.pages for f in class_files),
            )
        run.status, run.finished_at = ReportRun.Status.DONE, timezone.now()
        run.save(update_fields=["status", "finished_at"])
    return "done"


def _join_records(run: ReportRun) -> None:
    """A học bạ run's one class PDF: its chunks' PDFs joined in class-list order."""
    chunks = list(run.chunks.exclude(pdf=None).order_by("position"))
    if not chunks:
        return
    data = pdf.merge_pdfs([bytes(chunk.pdf) for chunk in chunks])
    pages = len(PdfReader(BytesIO(data)).pages)
    year = slugify(run.school_year.name.replace("–", "-"))
    name = f"hoc-ba-{year}-lop-{slugify(run.class_group.name)}.pdf"
    _save_file(run, ReportFile.Kind.CLASS_PDF, run.class_group, name, data, pages)


def _zip(files: list[ReportFile]) -> bytes:
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as buffer:
        # PDFs are already compressed: stored, not deflated, is as small and much faster.
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for report_file in files:
                with open_file(report_file) as source, archive.open(report_file.name, "w") as out:
                    shutil.copyfileobj(source, out, 1024 * 1024)
        buffer.seek(0)
        return buffer.read()


def resume_runs() -> int:
    """Queue again the chunks of unfinished runs (after a worker died) and finish runs whose
    chunks are all done. Duplicates are harmless. Returns how many chunks were queued."""
    from reports import tasks

    queued = 0
    for run in ReportRun.objects.filter(status__in=[ReportRun.Status.QUEUED, ReportRun.Status.RUNNING]):
        pending = list(run.chunks.filter(done_at__isnull=True).values_list("pk", flat=True))
        for chunk_id in pending:
            tasks.render_chunk.delay(chunk_id)
        if not pending:
            tasks.finish_run.delay(run.pk)
        queued += len(pending)
    return queued


# ---------------------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------------------


def progress(run: ReportRun) -> dict:
    """What the progress page shows; two queries."""
    run.refresh_from_db(fields=["status", "total", "done", "rendered", "error", "finished_at"])
    files = [
        {
            "id": f.pk, "kind": f.kind, "name": f.name, "size": f.size, "pages": f.pages,
            "class_group_id": f.class_group_id,
        }
        for f in run.files.all()
    ] if run.status == ReportRun.Status.DONE else []
    return {
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "total": run.total,
        "done": run.done,
        "rendered": run.rendered,
        "percent": round(100 * run.done / run.total) if run.total else 100,
        "finished": run.finished,
        "error": run.error,
        "files": files,
    }
