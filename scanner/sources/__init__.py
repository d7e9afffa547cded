"""Sources parse; rules never parse. One module per file format, registered explicitly here."""
