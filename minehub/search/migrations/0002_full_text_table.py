"""The full-text table: FTS5 on SQLite, a tsvector table with a GIN index on PostgreSQL
(see ``minehub.search.backends``)."""

from django.db import migrations


def _backend(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from minehub.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    from minehub.search.backends.sqlite import SqliteBackend

    return SqliteBackend()


def install(apps, schema_editor):
    _backend(schema_editor).install()


def uninstall(apps, schema_editor):
    _backend(schema_editor).uninstall()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
