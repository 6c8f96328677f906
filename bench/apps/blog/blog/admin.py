from django.contrib import admin
from django.db.models import Count

from .models import Post, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "post_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("posts"))

    @admin.display(description="posts", ordering="post_count")
    def post_count(self, obj):
        return obj.post_count


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    # The author is not a form field: whoever saves a new post through the admin wrote it
    # (save_model), so a benchmark can check who published what.
    fields = ("title", "slug", "intro", "body", "date", "tags", "published")
    prepopulated_fields = {"slug": ("title",)}
    # filter_horizontal renders every tag in the add form, as Wagtail's tag chooser lists them; the
    # scenario picks a tag id from that list.
    filter_horizontal = ("tags",)
    list_display = ("title", "slug", "author", "date", "published", "tag_list")
    list_filter = ("published", "date", "tags", "author")
    list_select_related = ("author",)
    search_fields = ("title", "slug", "intro", "body")
    date_hierarchy = "date"
    actions = ["make_published", "make_unpublished"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish the selected posts", permissions=["change"])
    def make_published(self, request, queryset):
        self.message_user(request, f"{queryset.update(published=True)} posts published.")

    @admin.action(description="Unpublish the selected posts", permissions=["change"])
    def make_unpublished(self, request, queryset):
        self.message_user(request, f"{queryset.update(published=False)} posts unpublished.")
