enum _BerthCLIPlaceholder {}
