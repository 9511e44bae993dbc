from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from minehub.core import views as core_views
from minehub.monitoring.api import router as monitoring_api
from minehub.search.api import api

api.add_router("/monitoring", monitoring_api)

handler500 = "minehub.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("language/", core_views.switch_language, name="set_language"),
    path("api/v1/", api.urls),
]

urlpatterns += i18n_patterns(
    path("", include("minehub.core.urls")),
    path("library/", include("minehub.library.urls")),
    path("search/", include("minehub.search.urls")),
    path("", include("minehub.publishing.urls")),
    path("directory/", include("minehub.directory.urls")),
    path("monitoring/", include("minehub.monitoring.urls")),
    path("", include("minehub.exchange.urls")),
    path("accounts/", include("minehub.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

admin.site.site_header = settings.MINEHUB_SITE_NAME
admin.site.site_title = settings.MINEHUB_SITE_NAME
