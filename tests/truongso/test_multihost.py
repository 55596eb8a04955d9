"""Several hosts on one machine (issue 14; tools/multihost.py): two app servers behind HAProxy,
two Celery workers, PgBouncer in transaction mode in front of PostgreSQL, Redis. Whichever app
server or worker takes a request or a task, the result is the same: a session signed in once
works on both, a kiosk's upload repeated on the other server is stored once, a report run
completes with its chunks spread over two workers, a notification is delivered once, and the
prepared statements (core/db.py) survive the pooler."""

import io
import uuid
from decimal import Decimal

import psycopg2
import pytest
import requests
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone
from pypdf import PdfReader

from contactbook import consents, notifications, tasks
from contactbook.models import Delivery, Score
from devices.models import CheckInEvent
from reports import runs
from reports.models import ReportCard, ReportFile, ReportRun
from school.models import ClassroomDevice, StaffMembership
from tests import factories as f
from tests.celery_workers import app, database_url, wait_for
from tests.clients import Client
from tests.reliability.fake_sms import FakeSmsGateway
from tools.multihost import Stack

pytestmark = pytest.mark.django_db(transaction=True)
PUPILS = 4


@pytest.fixture
def school():
    year = f.SchoolYearFactory()
    term = f.TermFactory(school_year=year)
    teacher = f.UserFactory(full_name="Lê Thu Hà")
    principal = f.UserFactory(full_name="Phạm Văn Hùng")
    f.StaffMembershipFactory(user=principal, school=year.school, role=StaffMembership.Role.PRINCIPAL)
    class_group = f.ClassGroupFactory(school_year=year, name="10A3", homeroom_teacher=teacher)
    subject = f.SubjectFactory(school=year.school, name="Toán", periods_per_year=70)
    f.TeachingAssignmentFactory(teacher=teacher, class_group=class_group, subject=subject)
    parent = f.UserFactory(full_name="Đặng Văn Bố", phone="0987000031", email=None)
    pupils = []
    for i in range(PUPILS):
        pupil = f.StudentFactory(school=year.school, family_name="Đặng", middle_name="Quốc",
                                 given_name=f"Trường{i:02d}", card_id=f"CARD{i:04d}")
        f.EnrolmentFactory(student=pupil, class_group=class_group)
        for kind, index, value in (("regular", 1, "7"), ("regular", 2, "8.5"), ("midterm", 1, "6"), ("final", 1, "9")):
            Score.objects.create(
                student=pupil, subject=subject, term=term, class_group=class_group, kind=kind,
                index=index, value=Decimal(value), published_at=timezone.now(), updated_by=teacher,
            )
        pupils.append(pupil)
    f.link_guardian(parent, pupils[0])
    kiosk = f.DeviceFactory(room=f.RoomFactory(school=year.school, name="Cổng"),
                            kind=ClassroomDevice.Kind.KIOSK)
    return {"principal": principal, "class": class_group, "term": term, "parent": parent,
            "pupils": pupils, "kiosk_token": kiosk.issue_token()}


def replica_url() -> str:
    """The test database on the streaming replica, when make test started one."""
    if "replica" not in settings.DATABASES:
        return ""
    db = connections["replica"].settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}"


@pytest.fixture
def stack(school, tmp_path):
    gateway = FakeSmsGateway(token="khoa-sms").start()
    broker = app.conf.broker_url or settings.CELERY_BROKER_URL
    stack = Stack(
        database_url=database_url(), broker_url=broker, replica_url=replica_url(),
        cache_url=f"{broker.rsplit('/', 1)[0]}/14",  # this test's own cache database
        extra_env={
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the sessions this process signs in
            "REPORTS_ROOT": str(settings.REPORTS_ROOT),  # one disk for both workers, as shared storage
            "REPORT_CHUNK_SIZE": "1",
            "SMS_GATEWAY": "contactbook.channels.HttpSmsGateway",
            "SMS_HTTP_URL": gateway.url, "SMS_HTTP_TOKEN": "khoa-sms", "SMS_SEND_HOURS": "0,24",
        },
        workdir=tmp_path / "stack",
    )
    stack.workdir.mkdir()
    app.conf.task_always_eager = False  # tasks go to the stack's workers through the broker
    try:
        yield stack.start(timeout=240), gateway
    finally:
        app.conf.task_always_eager = True
        stack.stop()
        gateway.stop()


def pooled_transactions(stack) -> int:
    """The transactions PgBouncer passed to the test database (its admin console's SHOW STATS)."""
    database = connection.settings_dict["NAME"]
    console = psycopg2.connect(host="127.0.0.1", port=stack.ports["pgbouncer"], dbname="pgbouncer",
                               user=connection.settings_dict["USER"] or "postgres")
    console.autocommit = True
    try:
        with console.cursor() as cursor:
            cursor.execute("SHOW STATS")
            columns = [c.name for c in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        console.close()
    return sum(row["total_xact_count"] for row in rows if row["database"] == database)


def logs(stack) -> str:
    return "\n".join(f"--- {name}\n{stack.log(name)[-2000:]}" for name in stack.processes)


def test_any_app_server_or_worker_gives_the_same_answer(school, stack):
    stack, gateway = stack
    parent = school["parent"]

    # A session signed in once is good on both app servers (sessions in the database and
    # the shared cache); the portal's prepared statements run through PgBouncer.
    client = Client()
    client.force_login(parent)
    web = requests.Session()
    web.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    servers = []
    for _ in range(12):
        page = web.get(f"{stack.url}/phu-huynh/", timeout=30, allow_redirects=False)
        assert page.status_code == 200, (page.status_code, page.headers.get("Location"), logs(stack))
        assert school["pupils"][0].full_name in page.text
        servers.append(page.headers["X-App-Server"])
    assert set(servers) == {"app1", "app2"}

    # A kiosk's upload that reaches one server, then again (its answer lost) the other: once.
    events = [{"event_id": str(uuid.uuid4()), "card_id": pupil.card_id, "direction": "in",
               "occurred_at": timezone.now().isoformat()} for pupil in school["pupils"]]
    upload = {"headers": {"Authorization": f"Bearer {school['kiosk_token']}"}, "timeout": 30}
    answered_by = set()
    for _ in range(2):
        answer = requests.post(f"{stack.url}/api/devices/check-ins", json={"events": events}, **upload)
        assert answer.status_code == 200, (answer.text, logs(stack))
        answered_by.add(answer.headers["X-App-Server"])
    assert answered_by == {"app1", "app2"}
    assert sorted(CheckInEvent.objects.values_list("event_id", flat=True)) == sorted(
        uuid.UUID(e["event_id"]) for e in events
    )

    # A report run queued here is rendered by the two workers, one card a chunk: every card
    # once, every page once in the class PDF.
    run, created = runs.start_run(
        user=school["principal"], school=school["class"].school,
        school_year=school["class"].school_year, term=school["term"],
        scope=ReportRun.Scope.CLASS, class_group=school["class"],
    )
    assert created
    assert wait_for(lambda: ReportRun.objects.get(pk=run.pk).status == "done", seconds=180), logs(stack)
    assert ReportCard.objects.filter(run=run).count() == PUPILS
    pdf = ReportFile.objects.get(run=run, kind=ReportFile.Kind.CLASS_PDF)
    assert len(PdfReader(io.BytesIO(runs.read_file(pdf))).pages) == pdf.pages >= PUPILS

    # A notification written here is delivered once, by whichever worker takes it.
    consents.record_consent(user=parent, channel="sms", agreed=True, source="paper_form")
    with transaction.atomic():
        (delivery_id,) = notifications.notify(
            recipients=[parent], kind="absence", title="Vắng không phép",
            body="Đặng Quốc Trường00 vắng buổi sáng", key="absence:multihost",
        )
    Delivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())
    tasks.deliver.delay(delivery_id)
    assert wait_for(lambda: Delivery.objects.get(pk=delivery_id).status == "sent", seconds=60), logs(stack)
    assert list(gateway.delivered) == [str(delivery_id)]

    # All of it went through PgBouncer in transaction mode, where a statement prepared on one
    # server session is not there on the next: the app servers fell back to plain SQL
    # (core/db.py) and no request failed (every answer above was a 200).
    assert pooled_transactions(stack) > 0
    for name in ("app1", "app2"):
        assert "Traceback" not in stack.log(name), stack.log(name)[-3000:]
    assert requests.get(f"{stack.url}/healthz", timeout=10).json()["status"] == "ok"
