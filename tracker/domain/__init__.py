"""Pure domain logic: no I/O, no database, no Textual. Anyone may import it."""
