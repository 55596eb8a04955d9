from django.conf import settings
from django.urls import include, path

from wagtail.admin import urls as wagtailadmin_urls

from lms import wagtail_urls as lms_wagtail_urls
from school.admin import admin_site
from truongso import views
from truongso.api import api

# Every exception nobody answered; the database not answering becomes a 503 (views.server_error).
handler500 = "truongso.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/", include("accounts.urls")),
    path("tai-khoan/", include("signin.urls")),
    path("truong/", include("school.urls")),
    path("", include("contactbook.urls")),
    path("", include("reports.urls")),
    path("", include("privacy.urls")),
    path("quan-tri/", admin_site.urls),
    path("api/", api.urls),
    # Lessons and materials (lms): Wagtail's admin, the portal pages, private documents, and
    # Wagtail's pages under /hoc-lieu/ (last: its pattern matches any path below it).
    path("cms/", include(lms_wagtail_urls.admin_overrides)),
    path("cms/", include(wagtailadmin_urls)),
    path("", include("lms.urls")),
    path("", include("devices.urls")),
    path("tai-lieu/", include(lms_wagtail_urls.documents)),
    # Lesson images and their renditions (MEDIA_ROOT), in every DEBUG mode, each after an
    # access check; private files (materials, attachments) live outside MEDIA_ROOT.
    path(settings.MEDIA_URL.strip("/") + "/", include(lms_wagtail_urls.media)),
    path("hoc-lieu/", include(lms_wagtail_urls.pages)),
]
