"""Teachers' pages about classroom devices: the clicker quiz results of a lesson."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from devices import access, quizzes


@login_required
@require_GET
def lesson_quiz_results(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """The quiz sessions run with a lesson in the classes the user may see, newest first,
    each with its results per question and the correct answer. For the lesson's school's staff
    (404 for anyone else, as for a missing lesson). Four queries whatever the number of
    sessions, questions and pupils."""
    lesson = access.get_lesson_for_quiz_results(request.user, lesson_id)
    sessions = list(
        access.quiz_sessions_for_user(request.user, lesson)
        .select_related("class_group", "device__room")
        .order_by("-opened_at", "-id")
    )
    for session in sessions:
        session.lesson = lesson  # loaded once, body and all, for every session
    results = quizzes.quiz_results(sessions, answer_key=True)
    return render(
        request,
        "devices/quiz_results.html",
        {"lesson": lesson, "runs": list(zip(sessions, results, strict=True))},
    )
