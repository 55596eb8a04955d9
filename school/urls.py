from django.urls import path

from school import views

app_name = "school"

urlpatterns = [
    path("lop/<int:class_group_id>/", views.class_detail, name="class_detail"),
]
