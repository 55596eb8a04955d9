from django.urls import path

from lms import views

app_name = "lms"

urlpatterns = [
    path("hoc-sinh/<int:student_id>/bai-hoc/", views.student_lessons, name="student_lessons"),
    path("bai-hoc/tim-kiem/", views.search, name="search"),
    path("bai-hoc/<int:lesson_id>/giao/", views.assign, name="assign"),
    path(
        "bai-hoc/tai-lieu-cu/<int:version_id>/<str:filename>",
        views.material_version,
        name="material_version",
    ),
]
