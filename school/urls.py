from django.urls import path

from school import views

app_name = "school"

urlpatterns = [
    path("lop/<int:class_group_id>/", views.class_detail, name="class_detail"),
    path("lien-ket/", views.link_requests, name="link_requests"),
    path("lien-ket/<int:request_id>/", views.decide_link_request, name="decide_link_request"),
]
