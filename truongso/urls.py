from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

from wagtail.admin import urls as wagtailadmin_urls

from lms import wagtail_urls as lms_wagtail_urls
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
    path("", include("reports.urls")),
    path("quan-tri/", admin_site.urls),
    path("api/", api.urls),
    # Lessons and materials (lms): Wagtail's admin, the portal pages, private documents, and
    # Wagtail's pages under /hoc-lieu/ (last: its pattern matches any path below it).
    path("cms/", include(lms_wagtail_urls.admin_overrides)),
    path("cms/", include(wagtailadmin_urls)),
    path("", include("lms.urls")),
    path("", include("devices.urls")),
    path("tai-lieu/", include(lms_wagtail_urls.documents)),
    path("hoc-lieu/", include(lms_wagtail_urls.pages)),
]
if settings.DEBUG:
    # Public media (image renditions) on the first run. Private files (materials, message
    # attachments) live outside MEDIA_ROOT and leave only through their access-checked views.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
