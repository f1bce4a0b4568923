"""Every write of the DHIS2 exchange (docs/decisions/dhis2.md): the server, the mapping of
indicators and places (``config``), downloads and pushes (``pushes``). Each checks
``Cap.MANAGE_INDICATORS`` in the organization (anyone else: ``NotFoundError``), validates,
writes and records an audit row that names fields and counts, never the password nor an
address."""

from .config import (
    mapping_delete,
    mapping_save,
    org_units_from_ubigeo,
    org_units_set,
    server_set,
    ubigeo_key,
)
from .pushes import JOB_KIND, export_download, push_request, push_run

__all__ = [
    "JOB_KIND",
    "export_download",
    "mapping_delete",
    "mapping_save",
    "org_units_from_ubigeo",
    "org_units_set",
    "push_request",
    "push_run",
    "server_set",
    "ubigeo_key",
]
