"""The demonstration data set behind ``cascada demo`` (fictional people only)."""
