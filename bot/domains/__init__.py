"""Which organisation an email domain belongs to: the shipped list, imports of newer lists, and the
build of the list."""
