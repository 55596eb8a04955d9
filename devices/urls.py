from django.urls import path

from devices import views

app_name = "devices"

urlpatterns = [
    path(
        "bai-hoc/<int:lesson_id>/trac-nghiem/",
        views.lesson_quiz_results,
        name="lesson_quiz_results",
    ),
]
