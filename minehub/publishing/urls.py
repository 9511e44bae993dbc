from minehub.publishing import editor_urls, reader_urls

app_name = "publishing"

urlpatterns = [*reader_urls.urlpatterns, *editor_urls.urlpatterns]
