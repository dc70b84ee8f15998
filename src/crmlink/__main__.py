from crmlink.cli import main

main()
