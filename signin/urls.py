app_name = "signin"

urlpatterns: list = []
