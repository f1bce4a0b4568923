"""The columns of the people importer (and of rows that name a person), as offices in
Peru and Bolivia write them, and the problems its rows report."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import documents
from .place_columns import PLACE_COLUMNS, PLACE_MESSAGES

# Canonical field -> accepted headers (compared after ``imports.parsers.header_key``:
# case, accents, punctuation, "de" and a leading "N°"/"Nro." do not matter). The first
# header is how a missing column is named to the user.
PERSON_REF: dict[str, list[str]] = {
    "person_code": ["codigo", "person_code", "code", "codigo_persona", "codigo_participante"],
    "national_id": [
        "dni",
        "d.n.i.",
        "national_id",
        "id_number",
        "documento",
        "doc_identidad",
        "documento_identidad",
        "dni_ce",
        "dni_ci",
        "ci",
        "c.i.",
        "carnet",
        "carnet_identidad",
        "cedula",
        "cedula_identidad",
        "n_documento",
    ],
}

PEOPLE_COLUMNS: dict[str, list[str]] = {
    "given_name": ["nombres", "given_name", "nombre", "given_names", "first_name", "name"],
    "family_name": ["apellidos", "family_name", "apellido", "last_name", "surname"],
    "paternal_surname": [
        "apellido_paterno",
        "ap_paterno",
        "paterno",
        "primer_apellido",
        "apellido_1",
    ],
    "maternal_surname": [
        "apellido_materno",
        "ap_materno",
        "materno",
        "segundo_apellido",
        "apellido_2",
    ],
    "national_id": PERSON_REF["national_id"],
    "id_document": ["tipo_documento", "id_document", "document_type", "tipo_doc"],
    "sex": ["sexo", "sex", "genero", "gender"],
    "birth_year": [
        "ano_nacimiento",
        "birth_year",
        "anio_nacimiento",
        "year_of_birth",
    ],
    "birth_date": [
        "fecha_nacimiento",
        "birth_date",
        "date_of_birth",
        "f_nacimiento",
        "fec_nacimiento",
        "fecha_nac",
        "fec_nac",
    ],
    "age": ["edad", "age"],
    **PLACE_COLUMNS,
    "phone": [
        "telefono",
        "phone",
        "celular",
        "movil",
        "mobile",
        "telephone",
        "telefono_celular",
        "cel",
        "whatsapp",
    ],
    "address": ["direccion", "address", "domicilio"],
    "roles": ["rol", "roles", "role"],
    "person_code": PERSON_REF["person_code"],
}

PERSON_MESSAGES: dict[str, Any] = {
    # Only ever a person the importer may see (ADR 0005).
    "id_registered": _(
        "This ID number is already registered (person %(code)s): check whether it is the "
        "same person."
    ),
    "id_conflict": _(
        "This ID number belongs to person %(code)s, registered with another name or sex: "
        "nothing was changed. Check the number; if it is right, correct that person's "
        "record first."
    ),
    "possible_duplicate": _(
        "A person with the same name, birth year and place is already registered (person %(code)s)."
    ),
    "unknown_person_code": _("No person with code “%(value)s” in this organization."),
    "unknown_person": _("No person with this code or ID number."),
    "person_required": _("Give the person's code or ID number."),
    **PLACE_MESSAGES,
    # the rules of each ID document, by their reason codes
    **documents.REASONS,
}


E_NOTATION = re.compile(r"\d+(?:[.,]\d*)?[eE]\+?\d{1,2}")

ID_DOCUMENTS = {
    "dni": "dni",
    "d.n.i": "dni",
    "ce": "ce",
    "c.e": "ce",
    "carne de extranjeria": "ce",
    "carnet de extranjeria": "ce",
    "ci": "ci",
    "c.i": "ci",
    "carnet de identidad": "ci",
    "cedula de identidad": "ci",
    "pasaporte": "passport",
    "passport": "passport",
    "otro": "other",
    "other": "other",
}
