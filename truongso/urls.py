from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

from school.admin import admin_site
from truongso import views
from truongso.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/", include("accounts.urls")),
    path("truong/", include("school.urls")),
    path("", include("contactbook.urls")),
    path("quan-tri/", admin_site.urls),
    path("api/", api.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
