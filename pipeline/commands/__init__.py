"""One module per subcommand: `add_parser(subparsers, parent)` registers it and sets `func`."""
