"""The "Editors" group: staff who may add, change and view posts and tags, but not delete them."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
CODENAMES = ["add_post", "change_post", "view_post", "add_tag", "change_tag", "view_tag"]


def create_editors(apps, schema_editor):
    # Permissions are normally created after the last migration (post_migrate); create the blog's
    # now so the group can be given them in the same run.
    blog = apps.get_app_config("blog")
    blog.models_module = True
    create_permissions(blog, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    blog.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    perms = Permission.objects.filter(content_type__app_label="blog", codename__in=CODENAMES)
    if perms.count() != len(CODENAMES):
        raise RuntimeError(f"expected {len(CODENAMES)} blog permissions, found {perms.count()}")
    group.permissions.set(perms)


def delete_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, delete_editors)]
