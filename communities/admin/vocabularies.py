"""Admin for the vocabularies managers maintain: places and tags."""

from django.contrib import admin

from ..models import Place, Tag
from ..segments import vocab_forget


class VocabularyAdmin(admin.ModelAdmin):
    """Forms cache Tag/Place choices; an edit here makes them fresh at once."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        vocab_forget()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        vocab_forget()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        vocab_forget()


@admin.register(Place)
class PlaceAdmin(VocabularyAdmin):
    list_display = ["name", "kind", "parent", "slug"]
    list_filter = ["kind", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug", "parent__name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["parent__parent__name", "parent__name", "name"]


@admin.register(Tag)
class TagAdmin(VocabularyAdmin):
    list_display = ["name", "kind", "slug", "species"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    list_select_related = ["species"]
    autocomplete_fields = ["species"]
    prepopulated_fields = {"slug": ["name"]}
