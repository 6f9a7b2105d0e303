from redphase.cli import main

main()
