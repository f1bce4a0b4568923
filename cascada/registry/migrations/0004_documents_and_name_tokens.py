"""Existing identities under the rules of ``registry.documents``, and their name tokens.

- A number that meets its document's rules is stored in its canonical form and its
  keyed hash recomputed from it (a number without a type takes the national card of the
  organization's country, as ``person_create`` does).
- A number that breaks them is kept as it is, never dropped and never failing the
  migration: ``cascada id_documents_check`` lists those records for correction.
- Every identity gets its name tokens (search by any part of the name).

Reversing removes the tokens (the table goes with 0003) and leaves the numbers canonical.
"""

from django.db import migrations

BATCH = 500


def forwards(apps, schema_editor):
    from cascada.core.crypto import keyed_hasher
    from cascada.registry import documents
    from cascada.registry.names import name_tokens, token_hasher

    Identity = apps.get_model("registry", "Identity")
    NameToken = apps.get_model("registry", "NameToken")
    if not Identity.objects.exists():
        return
    hasher = keyed_hasher()
    token_hash = token_hasher()
    last = None
    while True:
        qs = Identity.objects.select_related("person__organization").order_by("person_id")
        if last is not None:
            qs = qs.filter(person_id__gt=last)
        batch = list(qs[:BATCH])
        if not batch:
            return
        tokens = []
        for identity in batch:
            tokens.extend(
                NameToken(person_id=identity.person_id, token_hash=token_hash(t))
                for t in sorted(name_tokens(identity.given_name, identity.family_name))
            )
            if not identity.national_id:
                continue
            country = identity.person.organization.country
            kind = identity.id_document or ("ci" if country == "BO" else "dni")
            try:
                number = documents.normalise(kind, identity.national_id)
            except documents.DocumentError:
                continue  # kept as it is; listed by ``cascada id_documents_check``
            key = hasher(documents.lookup_value(kind, number))
            if (kind, number, key) != (
                identity.id_document,
                identity.national_id,
                identity.national_id_hash,
            ):
                identity.id_document, identity.national_id = kind, number
                identity.national_id_hash = key
                identity.save(update_fields=["id_document", "national_id", "national_id_hash"])
        NameToken.objects.bulk_create(tokens, ignore_conflicts=True)
        last = batch[-1].person_id


def backwards(apps, schema_editor):
    apps.get_model("registry", "NameToken").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_name_tokens")]

    operations = [migrations.RunPython(forwards, backwards)]
