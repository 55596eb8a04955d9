"""A kiosk offline for a whole school day uploads its 5,000 events in batches, while the
kiosk at the other gate uploads the same pupils' taps and the first kiosk's own retry of
answers it never got races it: each event is stored once, and every class's register shows
present exactly the pupils whose card was read coming in (issue 15, fault 6).

Everything is real: the reference kiosk (tools/kiosk_simulator.py) over HTTP against the live
server (several request threads, PostgreSQL), the device API and the register's prefill."""

import datetime
import json
import random
import threading
import uuid

import pytest
from django.utils import timezone

from contactbook.attendance import attendance_sheet
from devices.models import CheckInEvent
from school import names
from school.models import ClassroomDevice, Enrolment, Student
from tests import factories as f
from tools.kiosk_simulator import VIETNAM, Kiosk

pytestmark = pytest.mark.django_db(transaction=True)

CLASSES, PER_CLASS = 25, 50  # a school of 1,250 pupils
BATCH = 250


def _day() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def _at(day: datetime.date, hour: int, minute: int, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), VIETNAM) + datetime.timedelta(
        seconds=rng.randrange(0, 600), milliseconds=rng.randrange(1000)
    )


@pytest.fixture
def school():
    year = f.SchoolYearFactory()
    school = year.school
    classes = [
        f.ClassGroupFactory(school_year=year, grade=10 + n % 3, name=f"{10 + n % 3}A{n + 1}")
        for n in range(CLASSES)
    ]
    # Written in bulk (with the keys Student.save would compute): 1,250 saves one by one
    # would take most of the test's time.
    built = []
    for n in range(CLASSES * PER_CLASS):
        pupil = Student(
            school=school, student_code=f"22{n:08d}", family_name="Trần", middle_name="Thị",
            given_name=f"Hoa{n}", date_of_birth=datetime.date(2010, 3, 14),
            sex=Student.Sex.FEMALE, card_id=f"CARD-{n:05d}",
        )
        pupil.sort_key, pupil.search_name = pupil.compute_sort_key(), names.fold(pupil.full_name)
        built.append(pupil)
    pupils = Student.objects.bulk_create(built)
    Enrolment.objects.bulk_create(
        Enrolment(student=pupil, class_group=classes[n // PER_CLASS], school_year=year,
                  start_date=year.start_date)
        for n, pupil in enumerate(pupils)
    )
    main_gate, side_gate = (
        f.DeviceFactory(room=f.RoomFactory(school=school), kind=ClassroomDevice.Kind.KIOSK)
        for _ in range(2)
    )
    return {"classes": classes, "pupils": pupils, "main": main_gate, "side": side_gate}


def _tap(taps: list, card_id: str, direction: str, at: datetime.datetime) -> None:
    """A card read as the kiosk spools it (Kiosk.read_card's event). The spool is written in
    one go below: a real kiosk's day of reads fsyncs each one, which would cost this test a
    minute of disk flushes and prove nothing about the server."""
    taps.append({
        "event_id": str(uuid.uuid4()), "card_id": card_id, "direction": direction,
        "occurred_at": at.astimezone(VIETNAM).isoformat(timespec="milliseconds"),
    })


def _spool(path, taps: list) -> None:
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in taps),
                    encoding="utf-8")


def _kiosk(live_server, token, spool, batch=BATCH) -> Kiosk:
    return Kiosk(live_server.url, token, spool, batch_size=batch, timeout=30,
                 log=lambda line: None)


def test_a_day_offline_is_stored_once_beside_the_other_gate_and_the_registers_are_right(
    school, live_server, tmp_path
):
    rng = random.Random(15)
    day = _day()
    pupils = school["pupils"]
    main_token = school["main"].issue_token()
    main = _kiosk(live_server, main_token, tmp_path / "main.jsonl")
    side = _kiosk(live_server, school["side"].issue_token(), tmp_path / "side.jsonl", batch=50)

    # The main gate's link is down all day: 1,000 pupils come in, go out at noon, come back
    # and leave; one in four taps twice. Everything waits in its spool.
    through_main, at_main, at_side = rng.sample(pupils, 1000), [], []
    for pupil in through_main:
        for hour, minute, direction in ((6, 40, "in"), (11, 25, "out"), (13, 20, "in"),
                                        (16, 55, "out")):
            _tap(at_main, pupil.card_id, direction, _at(day, hour, minute, rng))
        if rng.random() < 0.25:
            _tap(at_main, pupil.card_id, "in", _at(day, 6, 50, rng))
    while len(at_main) < 5000:  # the last taps of the evening club
        _tap(at_main, rng.choice(through_main).card_id, "out", _at(day, 17, 30, rng))
    # The side gate: 150 of the same pupils and 150 who only use it; and 30 leave early
    # through it without having tapped in anywhere (an "out" does not mark anyone present).
    others = [p for p in pupils if p not in set(through_main)]
    only_side, leave_only = others[:150], others[150:180]
    for pupil in rng.sample(through_main, 150) + only_side:
        _tap(at_side, pupil.card_id, "in", _at(day, 7, 0, rng))
        _tap(at_side, pupil.card_id, "out", _at(day, 11, 30, rng))
    for pupil in leave_only:
        _tap(at_side, pupil.card_id, "out", _at(day, 9, 0, rng))
    _spool(main.spool.path, at_main)
    _spool(side.spool.path, at_side)
    # The main gate's firmware retries batches whose answers it lost: the same events, in
    # other batches, race the first upload.
    retry_spool = tmp_path / "main-retry.jsonl"
    _spool(retry_spool, at_main)
    retry = _kiosk(live_server, main_token, retry_spool, batch=333)
    main_events = {e["event_id"]: e for e in main.spool.read()}
    side_events = {e["event_id"]: e for e in side.spool.read()}
    assert len(main_events) == 5000

    summaries, failures = {}, []

    def flush(name, kiosk):
        try:
            summaries[name] = kiosk.flush()
        except Exception as error:  # noqa: BLE001 -- reported below, with the thread name
            failures.append((name, error))

    threads = [threading.Thread(target=flush, args=(name, kiosk))
               for name, kiosk in (("main", main), ("retry", retry), ("side", side))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures
    assert not any(thread.is_alive() for thread in threads)

    # Each event stored once: the two uploads of the main gate's events settle all 5,000
    # between them, each accepted by exactly one, answered "duplicate" to the other.
    first, again = summaries["main"], summaries["retry"]
    assert first.accepted + again.accepted == 5000
    assert first.duplicate + again.duplicate == 5000
    assert first.conflict == again.conflict == first.rejected == again.rejected == 0
    assert (summaries["side"].accepted, summaries["side"].duplicate) == (len(side_events), 0)
    assert len(main.spool) == len(retry.spool) == len(side.spool) == 0
    for device, sent in ((school["main"], main_events), (school["side"], side_events)):
        stored = CheckInEvent.objects.filter(device=device)
        assert stored.count() == len(sent)
        rows = stored.values_list("event_id", "student__card_id", "direction", "occurred_at")
        assert {
            (str(event_id), card, direction, at) for event_id, card, direction, at in rows
        } == {
            (event_id, e["card_id"], e["direction"], datetime.datetime.fromisoformat(e["occurred_at"]))
            for event_id, e in sent.items()
        }

    # The registers of the day: present exactly who came in through either gate; the
    # others absent (the kiosk was in use), the leavers-only among them.
    came_in = {p.pk for p in through_main} | {p.pk for p in only_side}
    present = 0
    for class_group in school["classes"]:
        sheet = attendance_sheet(class_group, day, "morning")
        assert len(sheet.rows) == PER_CLASS and sheet.kiosk_used
        for row in sheet.rows:
            expected = "present" if row.student.pk in came_in else "unexcused"
            assert (row.status, row.source) == (expected, "kiosk"), row.student.card_id
            present += row.status == "present"
    assert present == len(came_in) == 1150
