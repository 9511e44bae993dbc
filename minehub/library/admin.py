from django.contrib import admin

from minehub.library.models import Attachment, Document, LegalAct, StoredFile
from minehub.publishing.admin import PublishableAdmin


@admin.register(Document)
class DocumentAdmin(PublishableAdmin):
    list_display = ("title", "kind", *PublishableAdmin.list_display[1:])
    list_filter = ("kind", *PublishableAdmin.list_filter)
    raw_id_fields = (*PublishableAdmin.raw_id_fields, "publisher")


@admin.register(LegalAct)
class LegalActAdmin(PublishableAdmin):
    list_display = ("title", "kind", "number", "act_status", "in_force_from", "language")
    list_filter = ("kind", "act_status", *PublishableAdmin.list_filter)
    raw_id_fields = (*PublishableAdmin.raw_id_fields, "amends", "replaces")


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    list_display = ("sha256", "kind", "size", "pages", "extraction_status", "text_language")
    list_filter = ("kind", "extraction_status", "ocr_used")
    search_fields = ("sha256",)
    readonly_fields = ("sha256", "blob", "size", "kind", "media_type", "created_at")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("filename", "content_type", "object_id", "download_count")
    raw_id_fields = ("file",)
