"""Writes of formative research. Each service checks who may (``..selectors``), checks the
rule, writes in one transaction and records an audit row that names records, never their
text (S11)."""
