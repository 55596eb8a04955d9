"""Clicker quizzes: a board opens one of a lesson's quiz blocks for a class that uses its room;
clickers answer through the board or a hub; the results are counted per question, and the
correct choice is given to the board only once the session is closed (teachers see it on
their page at any time).

Answers are idempotent per pupil and question (one QuizAnswer row each): sending the same
answer again changes nothing, another choice while the session is open replaces the first.
Uploads for one session are serialised by a lock on its row, so an upload and a close never
interleave, and each upload runs a fixed number of queries whatever its size.

The questions are read from the lesson's live content every time (never copied): a question
removed from the lesson since the session opened no longer takes answers nor shows results."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.lessons import questions_without_answers
from devices.models import QuizAnswer, QuizSession
from lms.blocks import CHOICE_LETTERS
from lms.models import LessonPage
from school.exceptions import NotFound
from school.models import ClassGroup, ClassroomDevice, Enrolment, Student


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    choices: tuple[str, ...]
    correct: str | None  # the letter; lms.blocks.QuestionBlock requires exactly one


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    questions: tuple[Question, ...]
    public_questions: list  # as devices.schemas.QuizQuestionOut: no answer key


def lesson_quizzes(lesson: LessonPage) -> dict[str, Quiz]:
    """The quiz blocks of the lesson's live content, by block id. Only the quiz blocks are
    converted, so no query is made (other blocks' images and documents are not loaded)."""
    body, quizzes = lesson.body, {}
    for index, item in enumerate(body.raw_data):
        if item["type"] != "quiz":
            continue
        block = body[index]
        questions = tuple(
            Question(
                id=child.id,
                prompt=child.value["prompt"],
                choices=tuple(choice["text"] for choice in child.value["choices"]),
                correct=_correct_letter(child.value["choices"]),
            )
            for child in block.value["questions"].bound_blocks
        )
        quizzes[block.id] = Quiz(
            id=block.id, title=block.value["title"], questions=questions,
            public_questions=questions_without_answers(block.value),
        )
    return quizzes


def _correct_letter(choices) -> str | None:
    return next((CHOICE_LETTERS[i] for i, c in enumerate(choices) if c["correct"]), None)


def _quiz_of(session: QuizSession, cache: dict | None = None) -> Quiz | None:
    cache = {} if cache is None else cache
    if session.lesson_id not in cache:
        cache[session.lesson_id] = lesson_quizzes(session.lesson)
    return cache[session.lesson_id].get(session.quiz_id)


# ---------------------------------------------------------------------------- sessions


def open_quiz(
    *, device: ClassroomDevice, lesson: LessonPage, quiz_id: str, class_group: ClassGroup
) -> tuple[QuizSession, bool]:
    """Open the lesson's quiz `quiz_id` for the class on this device, or return the session
    already open for the same device, lesson, quiz and class. The caller has checked that the
    device may read the lesson and that the class uses its room. Returns (session, created);
    NotFound (field quiz_id) when the lesson has no such quiz."""
    if quiz_id not in lesson_quizzes(lesson):
        raise NotFound(field="quiz_id")
    same = {"device": device, "lesson": lesson, "quiz_id": quiz_id, "class_group": class_group}
    session = QuizSession.objects.filter(**same, closed_at__isnull=True).first()
    if session is not None:
        return session, False
    try:
        with transaction.atomic():
            return QuizSession.objects.create(**same), True
    except IntegrityError:  # the same board's retry, a moment ahead of this request
        return QuizSession.objects.get(**same, closed_at__isnull=True), False


def close_quiz(session: QuizSession) -> QuizSession:
    """Close the session (closing a closed one changes nothing). Waits for an answer upload
    in progress, which holds the session's row."""
    now = timezone.now()
    if QuizSession.objects.filter(pk=session.pk, closed_at__isnull=True).update(closed_at=now):
        session.closed_at = now
    else:
        session.refresh_from_db(fields=["closed_at"])
    return session


# ----------------------------------------------------------------------------- answers


@dataclass(frozen=True)
class Answer:
    """One clicker press as the device sent it (already schema-valid)."""

    question_id: str
    choice: str
    card_id: str | None = None
    student_code: str | None = None

    @property
    def pupil_key(self) -> tuple[str, str]:
        return ("card", self.card_id) if self.card_id else ("code", self.student_code)


@dataclass(frozen=True)
class AnswerResult:
    question_id: str
    card_id: str | None
    student_code: str | None
    status: str  # accepted, unchanged, rejected
    replaced: bool = False
    reason: str | None = None
    message: str | None = None


def _reasons() -> dict[str, str]:
    return {
        "session_closed": _("The quiz is closed."),
        "unknown_question": _("This quiz has no such question."),
        "bad_choice": _("This question has no such choice."),
        "unknown_pupil": _("No pupil of this school has this card or student code."),
        "not_in_class": _("This pupil is not in the quiz's class."),
    }


def _result(answer: Answer, status: str, **extra) -> AnswerResult:
    return AnswerResult(answer.question_id, answer.card_id, answer.student_code, status, **extra)


def _rejected(answer: Answer, reason: str, reasons: dict) -> AnswerResult:
    return _result(answer, "rejected", reason=reason, message=reasons[reason])


def record_answers(session: QuizSession, answers: list[Answer]) -> list[AnswerResult]:
    """Store the answers, in order, and say for each: accepted (new, or a new choice that
    replaced the pupil's earlier one), unchanged (the pupil's current choice already), or
    rejected with the reason. Nothing is stored for a rejected answer. Five queries whatever
    the number of answers: the session's lock, the pupils, their stored answers, one INSERT
    and one UPDATE."""
    reasons = _reasons()
    with transaction.atomic():
        closed_at = (
            QuizSession.objects.select_for_update()
            .filter(pk=session.pk)
            .values_list("closed_at", flat=True)
            .get()
        )
        if closed_at is not None:
            return [_rejected(a, "session_closed", reasons) for a in answers]
        quiz = _quiz_of(session)
        questions = {q.id: q for q in quiz.questions} if quiz else {}
        pupils = _match_pupils(session, answers)
        in_class = {pupil_id for pupil_id, member in pupils.values() if member}
        stored = {
            (a.student_id, a.question_id): a
            for a in QuizAnswer.objects.filter(
                session=session, student_id__in=in_class, question_id__in=list(questions)
            )
        } if in_class and questions else {}
        now = timezone.now()
        to_create, to_update, results = {}, {}, []
        for answer in answers:
            question = questions.get(answer.question_id)
            pupil = pupils.get(answer.pupil_key)
            if question is None:
                results.append(_rejected(answer, "unknown_question", reasons))
            elif CHOICE_LETTERS.index(answer.choice) >= len(question.choices):
                results.append(_rejected(answer, "bad_choice", reasons))
            elif pupil is None:
                results.append(_rejected(answer, "unknown_pupil", reasons))
            elif not pupil[1]:
                results.append(_rejected(answer, "not_in_class", reasons))
            else:
                key = (pupil[0], question.id)
                current = to_create.get(key) or stored.get(key)
                if current is None:
                    to_create[key] = QuizAnswer(
                        session=session, student_id=pupil[0], question_id=question.id,
                        choice=answer.choice, answered_at=now, updated_at=now,
                    )
                    results.append(_result(answer, "accepted"))
                elif current.choice == answer.choice:
                    results.append(_result(answer, "unchanged"))
                else:
                    current.choice, current.updated_at = answer.choice, now
                    if key not in to_create:
                        to_update[key] = current
                    results.append(_result(answer, "accepted", replaced=True))
        QuizAnswer.objects.bulk_create(to_create.values())
        if to_update:
            QuizAnswer.objects.bulk_update(to_update.values(), ["choice", "updated_at"])
    return results


def _match_pupils(session: QuizSession, answers: list[Answer]) -> dict:
    """{("card", id) | ("code", code): (pupil id, now in the session's class)} for the pupils
    of the class's school, in one query. A card of another school's pupil matches nobody."""
    cards = {a.card_id for a in answers if a.card_id}
    codes = {a.student_code for a in answers if not a.card_id}
    if not (cards or codes):
        return {}
    member = Enrolment.objects.active().filter(student=OuterRef("pk"), class_group=session.class_group_id)
    rows = (
        Student.objects.filter(
            Q(card_id__in=cards) | Q(student_code__in=codes),
            school_id=session.class_group.school_id,
        )
        .annotate(in_class=Exists(member))
        .values_list("id", "card_id", "student_code", "in_class")
        .order_by()
    )
    found = {}
    for pupil_id, card_id, code, in_class in rows:
        if card_id in cards:
            found[("card", card_id)] = (pupil_id, in_class)
        if code in codes:
            found[("code", code)] = (pupil_id, in_class)
    return found


# ----------------------------------------------------------------------------- results


def session_summary(session: QuizSession, quiz: Quiz | None) -> dict:
    """As devices.schemas.QuizSessionRef."""
    return {
        "id": session.pk,
        "lesson": {"id": session.lesson_id, "title": session.lesson.title},
        "quiz_id": session.quiz_id,
        "title": quiz.title if quiz else "",
        "class_group": {"id": session.class_group_id, "name": session.class_group.name},
        "opened_at": session.opened_at,
        "closed_at": session.closed_at,
    }


def session_with_questions(session: QuizSession) -> dict:
    """As devices.schemas.QuizSessionOut: what the board shows, without the answer key."""
    quiz = _quiz_of(session)
    return {**session_summary(session, quiz), "questions": quiz.public_questions if quiz else []}


def quiz_results(sessions: list[QuizSession], *, answer_key: bool = False) -> list[dict]:
    """Per session (as devices.schemas.QuizResultsOut): per question, how many pupils chose
    each key and how many answered; the correct key once the session is closed, or always
    with `answer_key` (the teachers' page). Two queries whatever the number of sessions,
    questions and pupils; the sessions come with their lesson and class."""
    if not sessions:
        return []
    counts: dict[int, Counter] = defaultdict(Counter)
    rows = (
        QuizAnswer.objects.filter(session__in=[s.pk for s in sessions])
        .values_list("session_id", "question_id", "choice")
        .annotate(n=Count("id"))
        .order_by()
    )
    for session_id, question_id, choice, n in rows:
        counts[session_id][(question_id, choice)] = n
    class_sizes = dict(
        Enrolment.objects.active().filter(class_group__in={s.class_group_id for s in sessions})
        .values_list("class_group_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    quizzes: dict = {}
    results = []
    for session in sessions:
        quiz = _quiz_of(session, quizzes)
        reveal = answer_key or session.closed_at is not None
        tally = counts[session.pk]
        questions = []
        for question in quiz.questions if quiz else ():
            choices = [
                {"key": key, "text": text, "count": tally[(question.id, key)]}
                for key, text in zip(CHOICE_LETTERS, question.choices, strict=False)
            ]
            questions.append({
                "id": question.id,
                "prompt": question.prompt,
                "choices": choices,
                "answered": sum(c["count"] for c in choices),
                "correct": question.correct if reveal else None,
            })
        results.append({
            "session": session_summary(session, quiz),
            "pupils": class_sizes.get(session.class_group_id, 0),
            "questions": questions,
        })
    return results

