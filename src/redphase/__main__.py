from redphase.launch import main

main()
