"""The DHIS2 exchange (issue 14; docs/decisions/dhis2.md): the mapping of indicators and
places to DHIS2's data elements, category option combos and organisation units
(``selectors``, ``services``), the payloads built from the fill table (``payloads``:
dataValueSets JSON and ADX, checked against ``schemas``), and the push to a server as a
background job (``client``, ``jobs``)."""
