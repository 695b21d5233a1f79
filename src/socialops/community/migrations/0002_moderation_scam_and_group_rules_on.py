"""Switch the two rules added later (group_invite, scam_phrase) on for workspaces that already had settings."""

from django.db import migrations

NEW_RULES = ("group_invite", "scam_phrase")


def switch_on(apps, schema_editor):  # type: ignore[no-untyped-def]
    # New workspaces get every rule by default; existing rows were saved before these codes existed.
    ModerationSettings = apps.get_model("community", "ModerationSettings")
    for row in ModerationSettings.objects.all():
        rules = list(row.enabled_rules or [])
        missing = [r for r in NEW_RULES if r not in rules]
        if missing:
            row.enabled_rules = rules + missing
            row.save(update_fields=["enabled_rules"])


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = [migrations.RunPython(switch_on, migrations.RunPython.noop)]
