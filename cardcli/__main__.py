from cardcli.cli import entry

entry()
