from cardcli.cli import main

main()
