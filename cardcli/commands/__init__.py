"""One module per command; each exposes ``run(...)`` called from :mod:`cardcli.cli`."""
