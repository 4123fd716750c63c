from reintegra.cli import main

main()
