from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Tag(models.Model):
    name = models.CharField(max_length=64, unique=True)
    slug = models.SlugField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:tag", args=[self.slug])


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class Post(models.Model):
    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=120, unique=True)
    intro = models.TextField(help_text="Shown on the index and at the top of the post.")
    body = models.TextField()
    # A date, not a datetime, like a Wagtail blog page; the admin form starts with today's date.
    date = models.DateField(default=timezone.localdate, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    tags = models.ManyToManyField(Tag, related_name="posts", blank=True)
    published = models.BooleanField(default=False)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("blog:post", args=[self.slug])

    def related(self, limit=5):
        """Other published posts sharing tags with this one, most shared tags first."""
        return (
            Post.objects.published()
            .filter(tags__in=self.tags.all())
            .exclude(pk=self.pk)
            .annotate(shared=models.Count("tags"))
            .order_by("-shared", "-date", "-pk")
            .select_related("author")[:limit]
        )
