"""The shipped ILO/EC sets now carry their own translations (uk, ro, fr, ru, ar). Sets loaded
before keep their data; this adds the translations of the texts they share with the shipped file
(by indicator and dimension id), so existing installations read them too."""

import json
from pathlib import Path

from django.db import migrations

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "ilo_2009_provisional.json"


def add_translations(apps, schema_editor):
    IndicatorSet = apps.get_model("cases", "IndicatorSet")
    shipped = {s["id"]: s for s in json.loads(SHIPPED.read_text("utf-8"))["sets"]}
    for row in IndicatorSet.objects.filter(code__in=list(shipped)):
        data = row.data or {}
        if data.get("translations"):
            continue
        # Only texts that are word for word the shipped English ones: an imported national set
        # with a shipped code keeps its own wording, untranslated (flagged on screen).
        source = shipped[row.code]
        same_dims = {d["id"] for d in data.get("dimensions", []) for s in source["dimensions"]
                     if s["id"] == d["id"] and s.get("label") == d.get("label")}
        english = {i["id"]: i["text"] for d in source["dimensions"] for i in d["indicators"]}
        same_inds = {i["id"] for d in data.get("dimensions", []) for i in d.get("indicators", [])
                     if english.get(i["id"]) == i.get("text")}
        translations = {}
        for lang, tr in source.get("translations", {}).items():
            translations[lang] = {
                "dimensions": {k: v for k, v in tr.get("dimensions", {}).items()
                               if k in same_dims},
                "indicators": {k: v for k, v in tr.get("indicators", {}).items()
                               if k in same_inds}}
            if row.label == source.get("label"):
                translations[lang]["label"] = tr.get("label", "")
            if row.provenance == source.get("provenance"):
                translations[lang]["provenance"] = tr.get("provenance", "")
        row.data = {**data, "translations": translations}
        row.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_rebuild_blind_indexes_clean_names")]
    operations = [migrations.RunPython(add_translations, migrations.RunPython.noop)]
