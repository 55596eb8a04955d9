"""The demo's bell times and weekly timetable: periods placed greedily with Kempe swaps (see
Timetabler), and each (class, subject) given to a teacher within a weekly cap."""

import datetime
import random
from collections import Counter
from dataclasses import dataclass

from school.models import PeriodTime

Slot = tuple[int, str, int]  # (weekday 1–6, session, period)
MORNING = PeriodTime.Session.MORNING.value
AFTERNOON = PeriodTime.Session.AFTERNOON.value


# --------------------------------------------------------------------------- bells, slots


def bell_schedule(start: str, count: int, minutes: int, long_break: int) -> list[tuple]:
    """(starts_at, ends_at) for `count` periods from `start`, 5 minutes apart except
    `long_break` minutes after period 2 (giờ ra chơi)."""
    at = datetime.datetime.combine(datetime.date(2026, 1, 1), datetime.time.fromisoformat(start))
    times = []
    for period in range(1, count + 1):
        end = at + datetime.timedelta(minutes=minutes)
        times.append((at.time(), end.time()))
        at = end + datetime.timedelta(minutes=long_break if period == 2 else 5)
    return times


def slot_order(days: int, sessions: list[tuple[str, int]]) -> list[Slot]:
    """Every (day, session, period), filled period by period across the week, so that a
    class's first N slots have no holes: period 1 on every day before any period 2."""
    return [
        (day, session, period)
        for session, count in sessions
        for period in range(1, count + 1)
        for day in range(1, days + 1)
    ]


def week_first_and_last(shape: list[Slot]) -> list[Slot]:
    """HĐTN's fixed periods: chào cờ (flag ceremony) first thing on Monday and sinh hoạt lớp
    (class meeting) as the class's last period of the week."""
    last_day = max(s[0] for s in shape)
    session_rank = {MORNING: 0, AFTERNOON: 1}
    last = max((s for s in shape if s[0] == last_day), key=lambda s: (session_rank[s[1]], s[2]))
    return [(1, MORNING, 1), last]


# ------------------------------------------------------------------------------ timetable


@dataclass
class Lesson:
    """One weekly period of a subject in a class, with its teacher (keys, not rows)."""

    klass: str
    subject: str
    teacher: str
    slot: Slot | None = None
    anchored: bool = False


class Timetabler:
    """Greedy weekly timetable: each lesson goes into a free period of its class's "shape"
    (the class's first N periods, so its days have no holes), preferring a day without that
    subject yet. When the class's free periods are all taken by the teacher, a Kempe swap
    (exchange two periods along an alternating chain of lessons) frees one: the classic
    bipartite edge-colouring step, which always succeeds when every class has the same shape
    and no teacher has more lessons than the shape has periods. Only if that fails does a
    lesson go outside the shape (an afternoon), counted in `outside`."""

    def __init__(self, shapes: dict[str, list[Slot]], extra: list[Slot], rng: random.Random):
        self.shapes = shapes
        self.shape_sets = {k: set(v) for k, v in shapes.items()}
        self.extra = extra
        self.by_class: dict[tuple, Lesson] = {}
        self.by_teacher: dict[tuple, Lesson] = {}
        # A per-class tie-break, so that classes do not all have Toán in the same periods.
        self.rank = {
            k: {s: i for i, s in enumerate(rng.sample(v, len(v)))} for k, v in shapes.items()
        }
        self.outside = 0
        self.lessons: list[Lesson] = []

    def _free(self, lesson: Lesson, slot: Slot, *, teacher=True, klass=True) -> bool:
        """Whether the lesson's class (and teacher) have nothing in that period."""
        return not (
            (klass and (lesson.klass, slot) in self.by_class)
            or (teacher and (lesson.teacher, slot) in self.by_teacher)
        )

    def _put(self, lesson: Lesson, slot: Slot) -> None:
        lesson.slot = slot
        self.by_class[(lesson.klass, slot)] = lesson
        self.by_teacher[(lesson.teacher, slot)] = lesson

    def _take(self, lesson: Lesson) -> None:
        del self.by_class[(lesson.klass, lesson.slot)]
        del self.by_teacher[(lesson.teacher, lesson.slot)]
        lesson.slot = None

    def anchor(self, lesson: Lesson, slot: Slot) -> None:
        """Fix a lesson in a period (chào cờ, sinh hoạt lớp); no swap ever moves it."""
        if not self._free(lesson, slot):
            raise RuntimeError(f"cannot anchor {lesson} in {slot}")
        lesson.anchored = True
        self._put(lesson, slot)
        self.lessons.append(lesson)

    def place(self, lesson: Lesson) -> None:
        self.lessons.append(lesson)
        shape = self.shapes[lesson.klass]
        free = [s for s in shape if self._free(lesson, s, teacher=False)]
        free.sort(key=lambda s: (self._same_day(lesson, s), self.rank[lesson.klass][s]))
        for slot in free:
            if self._free(lesson, slot):
                return self._put(lesson, slot)
        teacher_free = [s for s in shape if self._free(lesson, s, klass=False)]
        for slot in free:
            for other in teacher_free:
                if self._kempe_swap(lesson.teacher, slot, other):
                    return self._put(lesson, slot)
        for slot in self.extra:
            if self._free(lesson, slot):
                self.outside += 1
                return self._put(lesson, slot)
        raise RuntimeError(f"no period left for {lesson}")

    def _same_day(self, lesson: Lesson, slot: Slot) -> int:
        """How many periods of the lesson's subject the class already has on that day."""
        return sum(
            1
            for s in self.shapes[lesson.klass]
            if s[0] == slot[0]
            and (other := self.by_class.get((lesson.klass, s))) is not None
            and other.subject == lesson.subject
        )

    def _kempe_swap(self, teacher: str, a: Slot, b: Slot) -> bool:
        """Swap periods a and b along the chain teacher -a- class -b- teacher -a- …, which
        frees `teacher` at a (the teacher is free at b). False when the chain would move an
        anchored lesson or a lesson out of its class's shape."""
        chain, key, at_teacher, colour = [], teacher, True, a
        while True:
            lesson = (self.by_teacher if at_teacher else self.by_class).get((key, colour))
            if lesson is None:
                break
            if lesson.anchored or not {a, b} <= self.shape_sets[lesson.klass]:
                return False
            chain.append(lesson)
            key = lesson.klass if at_teacher else lesson.teacher
            at_teacher = not at_teacher
            colour = b if colour == a else a
        moves = [(lesson, b if lesson.slot == a else a) for lesson in chain]
        for lesson, _ in moves:
            self._take(lesson)
        for lesson, slot in moves:
            self._put(lesson, slot)
        return True


def build_timetable(
    lessons: list[Lesson],
    anchors: list[tuple[Lesson, Slot]],
    shapes: dict[str, list[Slot]],
    extra: list[Slot],
    rng: random.Random,
) -> Timetabler:
    """Place anchored lessons first, then the busiest teachers' lessons."""
    table = Timetabler(shapes, extra, rng)
    for lesson, slot in anchors:
        table.anchor(lesson, slot)
    load = Counter(lesson.teacher for lesson in lessons)
    # sorted() is stable: the input order breaks ties, so every run places the same way.
    for lesson in sorted(lessons, key=lambda x: -load[x.teacher]):
        table.place(lesson)
    return table


def assign_teachers(
    demand: list[tuple[str, str, int]],
    pools: dict[str, list[str]],
    *,
    preferred: dict[tuple[str, str], str],
    cap: int,
) -> dict[tuple[str, str], str]:
    """Who teaches each (class, subject) of `demand` (class, subject, periods a week): the
    `preferred` teacher when given (the homeroom teacher in their own class, a fixed demo
    login), else the least-loaded teacher of the subject's pool, none above `cap` periods."""
    load: Counter = Counter()
    chosen = {}
    for klass, subject, periods in demand:
        if (teacher := preferred.get((klass, subject))) is not None:
            chosen[(klass, subject)] = teacher
            load[teacher] += periods
    for klass, subject, periods in demand:
        if (klass, subject) in chosen:
            continue
        pool = pools[subject]
        teacher = min(pool, key=lambda t: (load[t], pool.index(t)))
        if load[teacher] + periods > cap:
            raise RuntimeError(f"no {subject} teacher left for {klass}")
        chosen[(klass, subject)] = teacher
        load[teacher] += periods
    return chosen
