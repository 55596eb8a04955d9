from privacy import views

app_name = "privacy"

urlpatterns = views.urlpatterns
